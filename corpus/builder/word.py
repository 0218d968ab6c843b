"""DOCX output: a Word report with real heading styles, a contents list, header and footer.

Two numbering habits, as in real reports: some partnerships use Word's own "List Number"
numbering (the numbers are not in the paragraph text; each list restarts at 1), others type
the numbers in. The zip is rewritten with fixed timestamps so a rebuild gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph

from corpus.builder.source import (
    FICTION_NOTICE,
    Block,
    Heading,
    Inline,
    ListBlock,
    ListItem,
    ReviewSource,
    Table,
    is_notice,
    plain,
)
from corpus.builder.source import Paragraph as SourceParagraph

# Partnerships (by place) whose reports type their list numbers in rather than using Word's.
_LITERAL_NUMBERS = ("Northshire", "Dyfnant", "Riverton", "Lowfield")


def render_docx(source: ReviewSource) -> bytes:
    """``source`` as DOCX bytes."""
    doc = Document()
    _set_properties(doc, source)
    _set_page(doc, source)
    _add_title_page(doc, source)
    _add_contents(doc, source)
    literal = source.meta.partnership.startswith(_LITERAL_NUMBERS)
    for block in source.body:
        _add_block(doc, block, literal)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue(), source.meta.published)


def _set_properties(doc: DocxDocument, source: ReviewSource) -> None:
    meta = source.meta
    stamp = dt.datetime(
        meta.published.year, meta.published.month, meta.published.day, 9, tzinfo=dt.UTC
    )
    props = doc.core_properties
    props.title, props.author, props.subject = source.title, meta.partnership, meta.type_label
    props.last_modified_by, props.revision = meta.partnership, 1
    props.created = props.modified = stamp
    props.comments = "Fictional example written for the CSPR Workbench software."
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.space_after = Pt(6)


def _set_page(doc: DocxDocument, source: ReviewSource) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Cm(2.5)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = f"{source.meta.partnership}\t\t{source.title}"
    header.style = doc.styles["Header"]
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.add_run(f"{source.meta.partnership} | Page ")
    _add_page_field(footer)


def _add_page_field(paragraph: Paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _add_title_page(doc: DocxDocument, source: ReviewSource) -> None:
    meta = source.meta
    doc.add_paragraph(meta.partnership, style="Subtitle")
    doc.add_paragraph(source.title, style="Title")
    doc.add_paragraph(meta.type_label)
    doc.add_paragraph(f"Published {meta.published.day} {meta.published:%B %Y}")
    notice_seen = False
    for block in source.preamble:
        if is_notice(block):
            _add_runs(doc.add_paragraph(style="Intense Quote"), block.runs)
            notice_seen = True
        else:
            _add_block(doc, block, literal=True)
    if not notice_seen:
        doc.add_paragraph(FICTION_NOTICE, style="Intense Quote")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _add_contents(doc: DocxDocument, source: ReviewSource) -> None:
    """A contents list of the sections (typed in, as when a field is not updated)."""
    doc.add_paragraph("Contents", style="TOC Heading")
    for heading in source.headings(max_level=2):
        paragraph = doc.add_paragraph(heading.text)
        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        paragraph.paragraph_format.space_after = Pt(2)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _add_block(doc: DocxDocument, block: Block, literal: bool) -> None:
    if isinstance(block, Heading):
        level = min(max(block.level - 1, 1), 3)
        _add_runs(doc.add_paragraph(style=f"Heading {level}"), block.runs)
    elif isinstance(block, SourceParagraph):
        _add_runs(doc.add_paragraph(style="Quote" if block.quote else None), block.runs)
    elif isinstance(block, ListBlock):
        _add_list(doc, block, literal)
    else:
        _add_table(doc, block)


def _add_runs(paragraph: Paragraph, runs: Inline) -> None:
    for part in runs:
        run = paragraph.add_run(part.text)
        run.bold = part.bold or None
        run.italic = part.italic or None


def _add_list(doc: DocxDocument, block: ListBlock, literal: bool) -> None:
    num_ids: dict[int, int] = {}
    for item in block.items:
        if item.ordered and not literal and item.marker:
            paragraph = doc.add_paragraph(style=_list_style("List Number", item.depth))
            if item.depth not in num_ids:
                num_ids[item.depth] = _new_numbering(doc, item.depth)
            _set_numbering(paragraph, num_ids[item.depth])
        elif not item.ordered and item.marker:
            paragraph = doc.add_paragraph(style=_list_style("List Bullet", item.depth))
        else:
            paragraph = _literal_item(doc, item)
        _add_runs(paragraph, item.runs)


def _literal_item(doc: DocxDocument, item: ListItem) -> Paragraph:
    paragraph = doc.add_paragraph(style=_list_style("List Continue", item.depth))
    if item.marker:
        paragraph.paragraph_format.first_line_indent = Cm(-0.63)
        paragraph.add_run(f"{item.marker}\t")
    return paragraph


def _list_style(base: str, depth: int) -> str:
    return base if depth == 0 else f"{base} {min(depth + 1, 3)}"


def _new_numbering(doc: DocxDocument, depth: int) -> int:
    """A fresh numbering instance of the "List Number" definition, restarting at 1."""
    numbering = doc.part.numbering_part.numbering_definitions._numbering
    style = doc.styles[_list_style("List Number", depth)]
    style_num = style.element.pPr.numPr.numId.val
    abstract = next(n for n in numbering.num_lst if n.numId == style_num).abstractNumId.val
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def _set_numbering(paragraph: Paragraph, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def _add_table(doc: DocxDocument, block: Table) -> None:
    rows = ([block.header] if any(plain(c) for c in block.header) else []) + list(block.rows)
    columns = max(len(row) for row in rows)
    table = doc.add_table(rows=len(rows), cols=columns, style="Table Grid")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            paragraph = table.cell(r, c).paragraphs[0]
            paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
            _add_runs(paragraph, cell)
            if r == 0 and len(rows) > 1 and block.header and any(plain(h) for h in block.header):
                for run in paragraph.runs:
                    run.bold = True
    doc.add_paragraph()


def _fixed_zip(data: bytes, published: dt.date) -> bytes:
    """The same package with every member dated ``published`` (zip stores local times)."""
    stamp = (published.year, published.month, published.day, 9, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return buffer.getvalue()
