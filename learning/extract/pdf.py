"""PDF to laid-out lines per page: pypdfium2 for the text (fast, keeps font size and position),
pypdf only for the printed page labels. Scanned and password-protected PDFs are refused with a
reason the user can act on."""

from __future__ import annotations

import ctypes
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject

from learning.errors import CorruptDocument, EncryptedDocument, NoTextLayer
from learning.layout_line import LayoutLine

logger = logging.getLogger(__name__)

_MIN_PAGE_CHARS = 25  # fewer non-space characters than this: a page with no text layer
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_FORCE_BOLD = 1 << 18  # PDF font descriptor flag


@dataclass(frozen=True)
class PdfContent:
    """The lines of each page, the printed page labels (``None`` where the PDF has none) and
    warnings about pages that could not be read."""

    pages: tuple[tuple[LayoutLine, ...], ...]
    labels: tuple[str | None, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _RawLine:
    text: str
    size: float
    bold: bool
    y: float  # baseline of its first character, from the bottom of the page
    height: float  # of the page
    y_end: float  # baseline of its last character: lower when pdfium joined hyphenated lines


def read_pdf(path: Path) -> PdfContent:
    """Read every page of a PDF as laid-out lines, with its page labels."""
    document = _open(path)
    try:
        raw = [_read_page(document[i]) for i in range(len(document))]
    except pdfium.PdfiumError as problem:
        reason = f"damaged PDF ({problem}): export or download it again"
        raise CorruptDocument(path, reason) from None
    finally:
        document.close()
    if not raw:
        raise CorruptDocument(path, "the PDF has no pages: export or download it again")
    pitches = _line_pitches(raw)
    pages = tuple(tuple(_layout_lines(page, pitches)) for page in raw)
    warnings = _check_text_layer(path, pages)
    return PdfContent(pages=pages, labels=read_page_labels(path, len(pages)), warnings=warnings)


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as problem:
        if "password" in str(problem).lower():
            raise EncryptedDocument(path, "password-protected: save an unprotected copy") from None
        raise CorruptDocument(
            path, "corrupt or truncated PDF: download or export it again"
        ) from None


def _check_text_layer(path: Path, pages: tuple[tuple[LayoutLine, ...], ...]) -> tuple[str, ...]:
    """Refuse a scanned PDF; warn about the pages without text in a mostly readable one."""
    empty = [
        i + 1
        for i, page in enumerate(pages)
        if sum(len(line.text.replace(" ", "")) for line in page) < _MIN_PAGE_CHARS
    ]
    if len(empty) == len(pages) or len(empty) > len(pages) / 2:
        have = len(pages) - len(empty)
        raise NoTextLayer(
            path,
            f"no text layer on {len(empty)} of {len(pages)} pages (text on {have}): it looks "
            "scanned; run OCR first, e.g. ocrmypdf",
        )
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (" ..." if len(empty) > 10 else "")
        return (f"{len(empty)} page(s) without text (images or blank): {shown}",)
    return ()


def _read_page(page: pdfium.PdfPage) -> list[_RawLine]:
    textpage = page.get_textpage()
    try:
        height = page.get_height() or 1.0
        text = textpage.get_text_range()
        lines = []
        for match in re.finditer(r"[^\r\n]+", text):
            if match.group().strip():
                first = match.start() + _indent(match.group())
                last = match.start() + len(match.group().rstrip()) - 1
                size, bold, y = _line_style(textpage, first)
                # a bold lead-in ("Finding 1: ...") does not make the whole line bold
                bold = bold and (last == first or _is_bold(textpage, last))
                y_end = _baseline(textpage, last)
                lines.append(_RawLine(_tidy_text(match.group()), size, bold, y, height, y_end))
        return lines
    finally:
        textpage.close()
        page.close()


def _line_pitches(pages: list[list[_RawLine]]) -> dict[float, float]:
    """The usual distance between consecutive baselines, per font size, over the document."""
    steps: dict[float, list[float]] = {}
    for page in pages:
        for above, below in zip(page, page[1:], strict=False):
            step = above.y_end - below.y
            if step > 0.5 and round(above.size) == round(below.size):
                steps.setdefault(round(below.size), []).append(step)
    # a low percentile, not the median: in a table of two-line cells half the steps are gaps
    return {size: sorted(values)[int(0.3 * (len(values) - 1))] for size, values in steps.items()}


def _layout_lines(page: list[_RawLine], pitches: dict[float, float]) -> list[LayoutLine]:
    lines: list[LayoutLine] = []
    prev_y: float | None = None
    for raw in page:
        # a gap: moving up the page (a new column), or more space above than this font's
        # usual line spacing allows (paragraph spacing)
        expected = pitches.get(round(raw.size)) or 1.2 * raw.size
        gap = prev_y is not None and (raw.y > prev_y + 1 or prev_y - raw.y > 1.3 * expected)
        if prev_y is not None and raw.y > prev_y + 1 and raw.y < prev_y + 0.6 * expected:
            gap = False  # a superscript or a slightly raised run, not a new column
        lines.append(
            LayoutLine(
                text=raw.text,
                size=raw.size or None,
                bold=raw.bold,
                gap_before=gap,
                position=min(max(1.0 - raw.y / raw.height, 0.0), 1.0),
            )
        )
        prev_y = raw.y_end
    return lines


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _line_style(textpage: pdfium.PdfTextPage, index: int) -> tuple[float, bool, float]:
    """Font size, boldness and baseline height of the character at ``index``."""
    size = float(pdfium_c.FPDFText_GetFontSize(textpage, index))
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(textpage, index, x, y)
    return size, _is_bold(textpage, index), y.value


def _baseline(textpage: pdfium.PdfTextPage, index: int) -> float:
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(textpage, index, x, y)
    return y.value


def _is_bold(textpage: pdfium.PdfTextPage, index: int) -> bool:
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(textpage, index, name, len(name), flags)
    weight = pdfium_c.FPDFText_GetFontWeight(textpage, index)
    return (
        weight >= 600
        or bool(flags.value & _FORCE_BOLD)
        or bool(_BOLD_FONT.search(name.value.decode("latin-1")))
    )


def _tidy_text(text: str) -> str:
    # pdfium joins a word hyphenated at a line end and marks the join with U+FFFE or U+0002
    text = text.replace("\ufffe", "").replace("\x02", "").replace("\xad", "")
    return unicodedata.normalize("NFKC", text)


def read_page_labels(path: Path, count: int) -> tuple[str | None, ...]:
    """Printed page labels ("i", "ii", "1", "A-1"), or ``None`` each when the PDF defines none.

    Labels are only a help for citations, so a PDF whose labels cannot be read is still
    extracted (with a log line) rather than refused."""
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        # pypdf resolves the catalog reference but types a dictionary's values as PdfObject
        root = cast(DictionaryObject, reader.trailer["/Root"])
        if "/PageLabels" not in root:
            return (None,) * count
        labels = list(reader.page_labels)
    except (PyPdfError, KeyError, ValueError, TypeError, OSError) as problem:
        logger.warning("page labels of %s not read: %s", path, problem)
        return (None,) * count
    if len(labels) != count:
        return (None,) * count
    return tuple(labels)
