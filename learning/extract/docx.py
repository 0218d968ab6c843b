"""Word (.docx) reviews: body paragraphs and tables in document order, headings from Heading
styles (or short all-bold paragraphs), list numbers as Word shows them, tables of contents left
out. Headers, footers and footnotes are not part of the body and are not read.

A .docx has no fixed pages. When Word saved where its pages began (``lastRenderedPageBreak``) those
are used, which matches the printed pages as last laid out; otherwise explicit page breaks split
pages; otherwise the whole document is one page. ``DocxContent.paging`` says which.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError, _Element

from learning.errors import CorruptDocument
from learning.extract.blocks import table_row_block
from learning.extract.docx_numbering import ListNumbering

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_BREAK = "\ue000"  # marks a page break in the collected text (a private-use character)


@dataclass(frozen=True)
class DocxContent:
    """Normalised page texts and how pages were found: ``rendered`` (Word's last layout),
    ``page_breaks`` (explicit breaks only) or ``none`` (one page)."""

    pages: tuple[str, ...]
    paging: str


def read_docx(path: Path) -> DocxContent:
    """Read a .docx into normalised page texts."""
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, XMLSyntaxError, ValueError):
        raise CorruptDocument(
            path, "damaged Word file (not a readable .docx): open and save it again in Word"
        ) from None
    body = document.element.body
    rendered = next(body.iter(qn("w:lastRenderedPageBreak")), None) is not None
    has_breaks = rendered or any(el.get(qn("w:type")) == "page" for el in body.iter(qn("w:br")))
    reader = _Reader(document, rendered)
    text = "\n\n".join(reader.blocks(body))
    pages = tuple(
        "\n\n".join(b for b in page.split("\n\n") if b.strip()).strip()
        for page in text.split(_BREAK)
    )
    paging = "rendered" if rendered else "page_breaks" if has_breaks else "none"
    return DocxContent(pages=pages, paging=paging)


class _Reader:
    """Walks the body once, in order, keeping list counters and the current heading level."""

    def __init__(self, document: DocxDocument, rendered: bool) -> None:
        self.document = document
        self.numbering = ListNumbering.from_document(document)
        self.rendered = rendered
        self.level = 1

    def blocks(self, container: _Element) -> Iterator[str]:
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                yield from self._paragraph(Paragraph(child, self.document))
            elif child.tag == qn("w:tbl"):
                yield from self._table(Table(child, self.document))
            elif child.tag == qn("w:sdt") and not _is_contents_control(child):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from self.blocks(content)

    def _paragraph(self, paragraph: Paragraph) -> Iterator[str]:
        style = paragraph.style.name if paragraph.style is not None else ""
        if style.lower().startswith("toc"):
            return
        pieces = _text_pieces(paragraph._p, self.rendered)
        text = " ".join(" ".join(pieces).replace(_BREAK, f" {_BREAK} ").split())
        if not text.replace(_BREAK, "").strip():
            yield from (_BREAK for _ in range(text.count(_BREAK)))
            return
        stripped = text.lstrip(f"{_BREAK} ")
        yield from (_BREAK for _ in range(text[: len(text) - len(stripped)].count(_BREAK)))
        text = stripped
        label = self.numbering.label(paragraph)
        level = _heading_level(paragraph)
        if level is None and _is_bold_heading(paragraph, text):
            level = min(self.level + 1, 6)
        elif level is not None:
            self.level = level
        if label:
            text = f"{label} {text}"
        if level is None:
            yield text
            return
        yield "#" * level + " " + " ".join(text.replace(_BREAK, " ").split())
        yield from (_BREAK for _ in range(text.count(_BREAK)))

    def _table(self, table: Table) -> Iterator[str]:
        for row in table.rows:
            cells: list[str] = []
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue  # a merged cell is listed once per grid column it spans
                seen.add(id(cell._tc))
                text = " ".join(cell.text.split())
                if text:
                    cells.append(text)
            if cells:
                yield table_row_block(cells)
            yield from (_BREAK for _ in range(_count_breaks(row._tr, self.rendered)))


def _text_pieces(p: _Element, rendered: bool) -> list[str]:
    """A paragraph's text with page breaks marked, breaks as Word would lay them out."""
    pieces: list[str] = []
    for el in p.iter():
        if el.tag == qn("w:t") and el.text:
            pieces.append(el.text)
        elif el.tag in (qn("w:tab"), qn("w:cr")) or (
            el.tag == qn("w:br") and el.get(qn("w:type")) not in ("page",)
        ):
            pieces.append(" ")
        elif (
            rendered
            and el.tag == qn("w:lastRenderedPageBreak")
            or not rendered
            and el.tag == qn("w:br")
            and el.get(qn("w:type")) == "page"
        ):
            pieces.append(_BREAK)
        elif not rendered and el.tag == qn("w:pageBreakBefore") and el.get(qn("w:val")) != "0":
            pieces.insert(0, _BREAK)
    return pieces


def _heading_level(paragraph: Paragraph) -> int | None:
    """Level from a Heading/Title style (or a style based on one), or an outline level."""
    current = paragraph.style
    while current is not None:
        match = _HEADING_STYLE.match(current.name or "")
        if match:
            return max(1, min(int(match.group(1)), 6))
        if (current.name or "").lower() == "title":
            return 1
        current = current.base_style
    ppr = paragraph._p.pPr
    outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if outline is not None and outline.get(qn("w:val"), "9").isdigit():
        value = int(outline.get(qn("w:val"), "9"))
        return value + 1 if value < 6 else None
    return None


def _is_bold_heading(paragraph: Paragraph, text: str) -> bool:
    """A short paragraph set entirely in bold, with no final full stop, reads as a heading."""
    if len(text.split()) > 12 or text.endswith((".", ",", ";")) or _BREAK in text:
        return False
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(run.bold or (run.bold is None and style_bold) for run in runs)


def _is_contents_control(sdt: _Element) -> bool:
    gallery = sdt.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
    return gallery is not None and "contents" in (gallery.get(qn("w:val")) or "").lower()


def _count_breaks(element: _Element, rendered: bool) -> int:
    """Page breaks inside an element (a table row), counted the way pages are being found."""
    if rendered:
        return sum(1 for _ in element.iter(qn("w:lastRenderedPageBreak")))
    return sum(1 for el in element.iter(qn("w:br")) if el.get(qn("w:type")) == "page")
