"""Extraction: a review file (PDF, DOCX, HTML, Markdown, text) to pages of normalised text plus
metadata. The format is decided by the file's content; a name that says otherwise is refused
with a reason that says how to fix it.

Normalised page text: blocks separated by blank lines, each a paragraph, a list item ("3. ...",
"- ...") or a Markdown heading line ("## Findings"). ``learning.structure`` reads it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from learning.cleaning import clean_layout_pages
from learning.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    UnreadableDocument,
    UnsupportedFormat,
    WrongExtension,
)
from learning.extract.contents import strip_contents_blocks
from learning.extract.sniff import describe_format, sniff_format
from learning.metadata import read_metadata_with_warnings
from learning.models import ExtractedDocument, Page

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"}
)
_FORMAT_BY_SUFFIX = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}
# which detected content each named format accepts
_ACCEPTS = {
    "pdf": {"pdf"},
    "docx": {"docx"},
    "html": {"html", "text"},
    "markdown": {"text"},
    "text": {"text"},
}
_SUGGEST = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt or .md"}


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes, hex."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


#: A run of characters without a space longer than this is not text (base64, a binary blob).
MAX_UNBROKEN_CHARS = 1_000
_UNBROKEN = re.compile(rf"\S{{{MAX_UNBROKEN_CHARS + 1},}}")


def drop_unbroken_runs(texts: list[str]) -> tuple[list[str], str | None]:
    """Pages without runs of over ``MAX_UNBROKEN_CHARS`` characters with no space, and a
    warning that says what was dropped (``None`` if nothing was)."""
    runs: list[int] = []

    def drop(match: re.Match[str]) -> str:
        runs.append(len(match.group(0)))
        return " "

    cleaned = [_UNBROKEN.sub(drop, text) for text in texts]
    if not runs:
        return cleaned, None
    return cleaned, (
        f"dropped {len(runs)} run(s) of {sum(runs):,} characters in all with no space "
        f"(longest {max(runs):,}): not readable text"
    )


_MB = 1024 * 1024  # the unit of CSPR_MAX_DOCUMENT_MB
#: How much of a Markdown or text file is read to find the review id its front matter declares.
_HEAD_BYTES = 65_536


def declared_review_id(path: Path) -> str:
    """The review id a file claims (front matter, sidecar, metadata.csv, else its name) without
    reading the whole document: what an ingest run checks for clashes before it reads any."""
    from learning.extract.text import decode_text, split_front_matter

    try:
        front: dict = {}
        if _FORMAT_BY_SUFFIX.get(path.suffix.lower()) in ("markdown", "text"):
            with open(path, "rb") as handle:
                head = decode_text(handle.read(_HEAD_BYTES)).replace("\r\n", "\n")
            front = split_front_matter(head).values
        return read_metadata_with_warnings(path, [], front).metadata.review_id
    except Exception:  # noqa: BLE001 - untrusted input; reading the file will say what is wrong
        logger.info("could not read the review id %s declares; using its name", path)
        return path.stem


def extract_document(path: Path, *, max_bytes: int | None = None) -> ExtractedDocument:
    """Read one review file into pages of normalised text with its metadata.

    Raises a subclass of ``UnreadableDocument`` naming the file and what to do: encrypted,
    corrupt or truncated, scanned (no text layer), empty, wrong extension, unsupported format,
    or larger than ``max_bytes``.
    """
    path = Path(path)
    fmt = _check_file(path, max_bytes)
    data = path.read_bytes()
    detected = sniff_format(data)
    _check_content(path, fmt, detected, data)
    pages, front, extra = _read_pages(path, fmt, data)
    texts, dropped = drop_unbroken_runs(strip_contents_blocks([page.text for page in pages]))
    pages = [Page(p.number, text, p.label) for p, text in zip(pages, texts, strict=True)]
    if dropped:
        extra["warnings"] = (*extra.get("warnings", ()), dropped)
    if not any(page.text.strip() for page in pages):
        raise EmptyDocument(path, "no text found in the document")
    reading = read_metadata_with_warnings(path, [page.text for page in pages], front)
    extra["warnings"] = (*extra.get("warnings", ()), *reading.warnings)
    return ExtractedDocument(
        source=path,
        format=fmt,
        content_hash=hashlib.sha256(data).hexdigest(),
        pages=tuple(pages),
        metadata=reading.metadata,
        **extra,
    )


def _check_file(path: Path, max_bytes: int | None) -> str:
    """The format the name promises, after the checks that need no reading."""
    suffix = path.suffix.lower()
    if suffix not in _FORMAT_BY_SUFFIX:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnsupportedFormat(
            path, f"unsupported format {suffix or '(no extension)'!r} (supported: {supported})"
        )
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableDocument(path, "no such file") from None
    if size == 0:
        raise EmptyDocument(path, "empty file (0 bytes)")
    if max_bytes is not None and size > max_bytes:
        raise DocumentTooLarge(
            path,
            f"too large: {size / _MB:.1f} MB, over the limit of {max_bytes / _MB:g} MB "
            "(raise CSPR_MAX_DOCUMENT_MB to read it)",
        )
    return _FORMAT_BY_SUFFIX[suffix]


def _check_content(path: Path, fmt: str, detected: str, data: bytes) -> None:
    """Refuse content that is not what the file's name says it is."""
    if detected in _ACCEPTS[fmt]:
        return
    if detected == "ole" and fmt == "docx" and "EncryptedPackage".encode("utf-16-le") in data:
        raise EncryptedDocument(path, "password-protected: save an unprotected copy")
    if detected == "damaged_zip" and fmt == "docx":
        raise CorruptDocument(
            path, "damaged or truncated Word file: open and save it again in Word"
        )
    hint = _SUGGEST.get(detected)
    fix = f"rename it to {hint}" if hint else "convert it to PDF, DOCX, HTML or text"
    raise WrongExtension(
        path, f"the name says {path.suffix} but the content is {describe_format(detected)}: {fix}"
    )


def _read_pages(path: Path, fmt: str, data: bytes) -> tuple[list[Page], dict, dict]:
    """(pages, front matter, extra fields of ExtractedDocument) for one format."""
    if fmt == "pdf":
        from learning.extract.pdf import read_pdf

        pdf = read_pdf(path)
        texts = clean_layout_pages(pdf.pages)
        pages = [Page(i + 1, t, pdf.labels[i]) for i, t in enumerate(texts)]
        return pages, {}, {"paging": "physical", "warnings": pdf.warnings}
    if fmt == "docx":
        from learning.extract.docx import read_docx

        content = read_docx(path)
        pages = [Page(i + 1, t) for i, t in enumerate(content.pages)]
        return pages, {}, {"paging": content.paging}
    if fmt == "html":
        from learning.extract.html import read_html
        from learning.extract.text import decode_text

        return [Page(1, read_html(decode_text(data)))], {}, {"paging": "none"}
    from learning.extract.text import read_text

    text = read_text(path, data, markdown=fmt == "markdown")
    pages = [Page(i + 1, t) for i, t in enumerate(text.pages)]
    paging = "form_feeds" if len(pages) > 1 else "none"
    return pages, text.front_matter, {"paging": paging, "warnings": text.warnings}
