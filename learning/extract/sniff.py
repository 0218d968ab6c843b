"""What a file really is, from its first bytes (and, for ZIP files, the names inside)."""

from __future__ import annotations

import io
import re
import zipfile

_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_DESCRIPTIONS = {
    "pdf": "a PDF",
    "docx": "a Word document (.docx)",
    "zip": "a ZIP archive that is not a Word document",
    "damaged_zip": "a damaged ZIP archive",
    "ole": "an old-format Office file (.doc) or a password-protected Office file",
    "rtf": "an RTF document",
    "html": "an HTML page",
    "text": "plain text",
    "binary": "binary data of an unknown format",
}


def sniff_format(data: bytes) -> str:
    """One of pdf, docx, zip, damaged_zip, ole, rtf, html, text, binary."""
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if b"\x00" in head and _wide_text(head):
        return "text"  # UTF-16 or UTF-32 without a byte-order mark
    if not _looks_like_text(head):
        return "binary"
    body = head.removeprefix(b"\xef\xbb\xbf")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        body = head.decode("utf-16", errors="ignore").encode("utf-8")
    return "html" if _HTML_START.match(body) else "text"


def describe_format(kind: str) -> str:
    """A phrase for messages: "a PDF", "plain text"."""
    return _DESCRIPTIONS.get(kind, kind)


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        return "damaged_zip"
    return "docx" if "word/document.xml" in names else "zip"


def _wide_text(head: bytes) -> bool:
    """Whether NUL-laden bytes are text in a wide encoding (UTF-16/32 without a mark)."""
    import charset_normalizer

    if len(head) < 32:
        return False
    best = charset_normalizer.from_bytes(head).best()
    if best is None or not best.encoding.startswith(("utf_16", "utf_32")):
        return False
    text = str(best)
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t\f")
    return printable >= 0.98 * len(text)


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return controls <= len(head) * 0.01
