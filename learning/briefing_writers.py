"""A briefing draft written out: Markdown, a Word document and a PDF of two pages at most.

The Word writer is small and the briefing's own (the rapid review's lives in ``review_flows``,
which ``learning`` may not import). The PDF is laid out compactly for two A4 pages; a draft
that still runs over loses its last point from its longest part until it fits
(:func:`learning.briefing.shortened`), so the printed draft is always two pages or fewer.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from enum import StrEnum
from xml.sax.saxutils import escape

from core.draft_model import Paragraph, Section, Style
from learning.briefing import Briefing, shortened

MAX_PDF_PAGES = 2
_DRAFT_NOTE = (
    "A draft made from the review's own words: each point is a sentence of the review with the "
    "page printed in the report. Check it against the report before circulating it."
)
_UNCHECKED_NOTE = (
    "The review's file could not be read again, so the page of each point was not checked: "
    "each cites the page where its passage starts."
)


class BriefingFormat(StrEnum):
    MARKDOWN = "md"
    WORD = "docx"
    PDF = "pdf"


MEDIA_TYPES = {
    BriefingFormat.MARKDOWN: "text/markdown",
    BriefingFormat.WORD: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    BriefingFormat.PDF: "application/pdf",
}


def notes(briefing: Briefing) -> list[str]:
    """The lines under the title: what the draft is, and whether its pages were checked."""
    return [_DRAFT_NOTE] if briefing.checked else [_DRAFT_NOTE, _UNCHECKED_NOTE]


def render(briefing: Briefing, form: BriefingFormat) -> bytes:
    """The briefing in ``form``, as the bytes of a file."""
    if form is BriefingFormat.MARKDOWN:
        return render_markdown(briefing).encode("utf-8")
    if form is BriefingFormat.WORD:
        return render_docx(briefing)
    return render_pdf(briefing)


def render_markdown(briefing: Briefing) -> str:
    """The briefing as Markdown: title, the review in a line, a note, one ``##`` a part."""
    lines = [f"# {_md(briefing.title)}", "", _md(briefing.about), ""]
    lines += [f"_{_md(note)}_\n" for note in notes(briefing)]
    for section in briefing.sections:
        lines += [f"## {_md(section.heading)}", ""]
        for paragraph in section.paragraphs:
            lines.append(_md_paragraph(paragraph))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_paragraph(paragraph: Paragraph) -> str:
    text = _md(paragraph.text)
    if paragraph.style is Style.BULLET:
        return f"- {text}"
    if paragraph.style is Style.GUIDANCE:
        return f"_{text}_\n"
    return f"{text}\n"


def _md(text: str) -> str:
    """Text of the review shown as it is: Markdown's marks escaped, on one line."""
    text = " ".join(text.split())
    for mark in ("\\", "*", "_", "`", "#", "[", "]", "<", ">", "|"):
        text = text.replace(mark, "\\" + mark)
    return text


def render_docx(briefing: Briefing) -> bytes:
    """The briefing as a Word document: title, the review in a line, notes in italics, a
    heading a part, points as bullets."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = briefing.title
    document.core_properties.author = "CSPR workbench"
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(briefing.title, level=0)
    document.add_paragraph(briefing.about)
    for note in notes(briefing):
        document.add_paragraph().add_run(note).italic = True
    for section in briefing.sections:
        document.add_heading(section.heading, level=1)
        for paragraph in section.paragraphs:
            if paragraph.style is Style.BULLET:
                document.add_paragraph(paragraph.text, style="List Bullet")
            elif paragraph.style is Style.GUIDANCE:
                document.add_paragraph().add_run(paragraph.text).italic = True
            else:
                document.add_paragraph(paragraph.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_pdf(briefing: Briefing, max_pages: int = MAX_PDF_PAGES) -> bytes:
    """The briefing as an A4 PDF of at most ``max_pages`` pages (points dropped from the end
    of the longest part until it fits)."""
    current: Briefing | None = briefing
    while current is not None:
        data, pages = _pdf(current)
        if pages <= max_pages:
            return data
        current = shortened(current)
    return data


def _pdf(briefing: Briefing) -> tuple[bytes, int]:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import ListFlowable, ListItem, SimpleDocTemplate
    from reportlab.platypus import Paragraph as Para

    styles = _pdf_styles()
    story: list[object] = [
        Para(escape(briefing.title), styles["title"]),
        Para(escape(briefing.about), styles["about"]),
    ]
    story += [Para(escape(note), styles["note"]) for note in notes(briefing)]
    for section in briefing.sections:
        story.append(Para(escape(section.heading), styles["heading"]))
        story += _pdf_paragraphs(section, styles, ListFlowable, ListItem, Para)
    buffer = io.BytesIO()
    margin = 1.6 * cm
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=briefing.title,
        author="CSPR workbench",
    )
    document.build(story)
    return buffer.getvalue(), int(document.page)


def _pdf_paragraphs(
    section: Section,
    styles: dict[str, object],
    list_flowable: type,
    list_item: type,
    para: type,
) -> Sequence[object]:
    flowables: list[object] = []
    bullets: list[object] = []
    for paragraph in section.paragraphs:
        if paragraph.style is Style.BULLET:
            bullets.append(list_item(para(escape(paragraph.text), styles["body"])))
            continue
        style = styles["note"] if paragraph.style is Style.GUIDANCE else styles["body"]
        flowables.append(para(escape(paragraph.text), style))
    if bullets:
        flowables.append(list_flowable(bullets, bulletType="bullet", leftIndent=12, start="•"))
    return flowables


def _pdf_styles() -> dict[str, object]:
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9.2, leading=11.4, spaceAfter=2)
    return {
        "title": ParagraphStyle(
            "title", fontName="Helvetica-Bold", fontSize=15, leading=18, spaceAfter=3
        ),
        "about": ParagraphStyle("about", parent=body, fontSize=9.5, spaceAfter=3),
        "note": ParagraphStyle("note", parent=body, fontName="Helvetica-Oblique", fontSize=8.5),
        "heading": ParagraphStyle(
            "heading",
            fontName="Helvetica-Bold",
            fontSize=11,
            leading=13,
            spaceBefore=6,
            spaceAfter=2,
            textColor="#00646E",
        ),
        "body": body,
    }
