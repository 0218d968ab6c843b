"""PDF output: a report as partnerships publish them (title page, real contents, running heads).

reportlab platypus lays out the text (multiBuild, so the contents list has real page numbers);
pypdf then sets the metadata dates to the publication date and, for house styles with roman front
matter, the page labels (i, ii, then 1, 2, ...), so a rebuild gives the same bytes.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.tableofcontents import TableOfContents

from corpus.builder.pdf_styles import HouseStyle, choose_style, paragraph_styles
from corpus.builder.source import (
    FICTION_NOTICE,
    Block,
    Heading,
    Inline,
    ListBlock,
    ReviewSource,
    is_notice,
    plain,
)
from corpus.builder.source import Paragraph as SourceParagraph
from corpus.builder.source import Table as SourceTable

_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")
# Characters the standard fonts lack, written the way a reader would accept.
_REPLACEMENTS = {"≥": ">=", "≤": "<=", "→": "->", "✓": "yes", "−": "-", "\u00a0": " "}


def _clean(text: str) -> str:
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if len(char) == 1 and ord(char) > 0xFF and not _in_cp1252(char):
            char = unicodedata.normalize("NFKD", char)[0]
        out.append(char)
    return "".join(out)


def _in_cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def markup(runs: Inline) -> str:
    """Inline runs as reportlab paragraph markup."""
    parts = []
    for run in runs:
        text = escape(_clean(run.text))
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        parts.append(text)
    return "".join(parts)


class _BodyStart(Flowable):
    """Zero-size marker: the page it lands on is page 1 of the body."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        return None


class _ReportTemplate(BaseDocTemplate):
    """Records where the body starts and sends headings to the contents list and outline."""

    def __init__(self, buffer: io.BytesIO, source: ReviewSource, house: HouseStyle) -> None:
        left, right, top, bottom = (m * cm for m in house.margins)
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=left,
            rightMargin=right,
            topMargin=top,
            bottomMargin=bottom,
            invariant=1,
            title=_clean(source.title),
            author=_clean(source.meta.partnership),
            subject=source.meta.type_label,
            creator=f"{_clean(source.meta.partnership)} (fictional example)",
        )
        self.source, self.house = source, house
        self.body_start = 2
        self._heading_count = 0
        self._last_level = -1
        frame = Frame(left, bottom, A4[0] - left - right, A4[1] - top - bottom, id="text")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._draw_header)])

    def beforeDocument(self) -> None:
        self._heading_count = 0
        self._last_level = -1

    def page_label(self, page: int) -> str:
        """The number printed on a physical page (and shown in the contents)."""
        if not self.house.roman_front:
            return str(page)
        if page < self.body_start:
            return _ROMAN[page - 1]
        return str(page - self.body_start + 1)

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _BodyStart):
            self.body_start = self.page
        level = getattr(flowable, "toc_level", None)
        if level is None:
            return
        # an outline may not skip a level (a section that opens with a sub-heading)
        level = self._last_level = min(level, self._last_level + 1)
        self._heading_count += 1
        key = f"h{self._heading_count}"
        text = flowable.getPlainText()
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        number = int(self.page_label(self.page))
        self.notify("TOCEntry", (level, escape(text), number, key))

    def _draw_header(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        if doc.page == 1:
            return
        house, meta = self.house, self.source.meta
        canvas.saveState()
        canvas.setFont(house.fonts[2], 8.5)
        canvas.setFillColor(colors.HexColor("#444444"))
        top = A4[1] - house.margins[2] * cm + 0.9 * cm
        left, right = house.margins[0] * cm, A4[0] - house.margins[1] * cm
        if house.header == "official":
            canvas.setFont(house.fonts[1], 9)
            canvas.drawCentredString(A4[0] / 2, top, "OFFICIAL")
        elif house.header == "panel":
            panel = "Child Safeguarding Practice Review Panel"
            canvas.drawString(left, top, panel)
            room = right - left - stringWidth(panel, house.fonts[2], 8.5) - 1 * cm
            canvas.drawRightString(right, top, self._fitted_title(room))
        else:
            partnership = f"{_clean(meta.partnership)} | "
            room = right - left - stringWidth(partnership, house.fonts[2], 8.5)
            canvas.drawString(left, top, partnership + self._fitted_title(room))
        canvas.setStrokeColor(colors.HexColor(house.accent))
        canvas.setLineWidth(0.5)
        canvas.line(left, top - 0.2 * cm, right, top - 0.2 * cm)
        canvas.restoreState()

    def _fitted_title(self, room: float) -> str:
        """The title, or its part before a colon, or a cut title, whichever fits ``room``."""
        font = self.house.fonts[2]
        title = _clean(self.source.title)
        for candidate in (title, title.split(":")[0].strip()):
            if stringWidth(candidate, font, 8.5) <= room:
                return candidate
        while title and stringWidth(title + "...", font, 8.5) > room:
            title = title[:-1]
        return title.rstrip() + "..."

    def draw_footer(self, canvas: Canvas, page: int, total: int) -> None:
        """Called by the canvas once the page count is known."""
        if page == 1:
            return
        house = self.house
        canvas.saveState()
        canvas.setFont(house.fonts[0], 9)
        y = house.margins[3] * cm - 1.2 * cm
        if house.footer == "page_of":
            canvas.drawCentredString(A4[0] / 2, y, f"Page {page} of {total}")
        else:
            canvas.drawCentredString(A4[0] / 2, y, self.page_label(page))
            if house.header == "official":
                canvas.setFont(house.fonts[1], 8)
                canvas.drawString(house.margins[0] * cm, y, "OFFICIAL")
        canvas.restoreState()


class _PagedCanvas(Canvas):
    """Holds pages back until the end, so every footer can say how many pages there are."""

    def __init__(
        self, *args: Any, draw_footer: Callable[[Canvas, int, int], None], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self._draw_footer = draw_footer

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for state in self._held:
            self.__dict__.update(state)
            self._draw_footer(self, self._pageNumber, len(self._held))
            super().showPage()
        super().save()


def render_pdf(source: ReviewSource) -> tuple[bytes, int]:
    """``source`` as PDF bytes, and the number of pages."""
    house = choose_style(source.meta.partnership, source.meta.review_type)
    styles = paragraph_styles(house)
    buffer = io.BytesIO()
    doc = _ReportTemplate(buffer, source, house)
    story = _title_page(source, styles) + _contents(styles) + [_BodyStart()]
    story += [flowable for block in source.body for flowable in _flowables(block, styles, doc)]
    doc.multiBuild(story, canvasmaker=partial(_PagedCanvas, draw_footer=doc.draw_footer))
    return _finish(buffer.getvalue(), source, doc.body_start if house.roman_front else 0)


def _title_page(source: ReviewSource, styles: dict[str, Any]) -> list[Flowable]:
    meta = source.meta
    accent = styles["cover_partnership"].textColor
    story: list[Flowable] = [
        Spacer(1, 2 * cm),
        Paragraph(escape(_clean(meta.partnership)), styles["cover_partnership"]),
        HRFlowable(width="100%", thickness=2, color=accent, spaceBefore=6, spaceAfter=6),
        Paragraph(escape(meta.type_label), styles["cover_line"]),
        Paragraph(escape(_clean(source.title)), styles["cover_title"]),
        Paragraph(f"Published {meta.published.day} {meta.published:%B %Y}", styles["cover_line"]),
        Spacer(1, 1 * cm),
    ]
    notice_seen = False
    for block in source.preamble:
        if is_notice(block):
            story.append(_notice_box(markup(block.runs), styles))
            notice_seen = True
        elif isinstance(block, SourceParagraph):
            story.append(Paragraph(markup(block.runs), styles["cover_line"]))
        else:
            story.extend(_flowables(block, styles, None))
    if not notice_seen:
        story.append(_notice_box(escape(FICTION_NOTICE), styles))
    return story + [PageBreak()]


def _notice_box(text: str, styles: dict[str, Any]) -> Table:
    box = Table([[Paragraph(text, styles["notice"])]], colWidths=["100%"])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, styles["cover_partnership"].textColor),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F2F2F2")),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return KeepTogether([Spacer(1, 0.4 * cm), box, Spacer(1, 0.4 * cm)])


def _contents(styles: dict[str, Any]) -> list[Flowable]:
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [styles["toc0"], styles["toc1"]]
    return [Paragraph("Contents", styles["contents"]), toc, PageBreak()]


def _flowables(block: Block, styles: dict[str, Any], doc: Any) -> list[Flowable]:
    if isinstance(block, Heading):
        level = min(max(block.level, 2), 4)
        heading = Paragraph(markup(block.runs), styles[f"h{level}"])
        if doc is not None and level <= 3:
            heading.toc_level = level - 2
        return [heading]
    if isinstance(block, SourceParagraph):
        return [Paragraph(markup(block.runs), styles["quote" if block.quote else "body"])]
    if isinstance(block, ListBlock):
        return [_list_item(item.marker, item.depth, item.runs, styles) for item in block.items]
    return [_table(block, styles)]


def _list_item(marker: str, depth: int, runs: Inline, styles: dict[str, Any]) -> Paragraph:
    indent = 0.9 * cm + depth * 0.7 * cm
    style = styles["item"].clone(f"item{depth}", leftIndent=indent, bulletIndent=indent - 0.7 * cm)
    return Paragraph(markup(runs), style, bulletText=escape(marker) if marker else None)


def _table(block: SourceTable, styles: dict[str, Any]) -> Table:
    cell = styles["cell"]
    header = [block.header] if any(plain(c) for c in block.header) else []
    rows = [[Paragraph(markup(c), cell) for c in row] for row in header + list(block.rows)]
    columns = max(len(row) for row in rows)
    rows = [row + [Paragraph("", cell)] * (columns - len(row)) for row in rows]
    widths = _column_shares(block, columns)
    table = Table(rows, colWidths=[f"{share}%" for share in widths], repeatRows=len(header))
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E4E8EE")))
    table.setStyle(TableStyle(commands))
    return table


def _column_shares(block: SourceTable, columns: int) -> list[int]:
    """Column widths in percent, by how much text each column holds (at least 12% each)."""
    lengths = [1] * columns
    for row in (block.header, *block.rows):
        for i, cell in enumerate(row):
            lengths[i] += min(len(plain(cell)), 120)
    total = sum(lengths)
    shares = [max(12, round(100 * n / total)) for n in lengths]
    shares[-1] -= sum(shares) - 100
    return shares


def _finish(data: bytes, source: ReviewSource, body_start: int) -> tuple[bytes, int]:
    """Fixed dates and, where the style has them, page labels (set with pypdf)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    stamp = f"D:{source.meta.published:%Y%m%d}090000+00'00'"
    writer.add_metadata({"/CreationDate": stamp, "/ModDate": stamp})
    pages = len(writer.pages)
    if body_start > 1:
        writer.set_page_label(0, body_start - 2, style="/r")
        writer.set_page_label(body_start - 1, pages - 1, style="/D", start=1)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), pages
