"""A rapid review draft as text a reviewer edits, and as the Word document they download.

Why a text form: the Case page shows each section in a text area, the reviewer rewrites it,
and the download must hold what they wrote. One line is one paragraph; a line's start says
its style ("- " a list item, "Guidance: " guidance for the author, "Source: " a citation), the
same words the Word document shows, so :func:`section_text` and :func:`edited_section` are
inverses. The chronology table is not edited as text: it comes from the case's events, and a
wrong event is corrected on the Case page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from core.draft_model import Paragraph, RapidReviewDraft, Section, Style, Table
from review_flows.errors import ReviewFlowsError

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

#: How each style starts its line in the text form (a fact has no prefix).
PREFIXES = {Style.BULLET: "- ", Style.GUIDANCE: "Guidance: ", Style.CITATION: "Source: "}
_SPACE = re.compile(r"\s+")


class DraftEditsMismatch(ReviewFlowsError, ValueError):
    """Edited texts that do not fit the draft (one text per section): the draft changed under
    the edits, e.g. it was prepared again in another tab."""


def section_text(section: Section) -> str:
    """The section's paragraphs as lines to edit (each paragraph on one line)."""
    return "\n".join(
        PREFIXES.get(p.style, "") + _SPACE.sub(" ", p.text).strip() for p in section.paragraphs
    )


def edited_section(section: Section, text: str) -> Section:
    """``section`` with its paragraphs read back from ``text`` (blank lines dropped); its
    heading, level and table stay as they were."""
    paragraphs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        paragraphs.append(_paragraph(line))
    return replace(section, paragraphs=tuple(paragraphs))


def edited_draft(draft: RapidReviewDraft, texts: Sequence[str]) -> RapidReviewDraft:
    """The draft with each section's paragraphs replaced by its edited text, in order."""
    if len(texts) != len(draft.sections):
        raise DraftEditsMismatch(
            f"the draft has {len(draft.sections)} sections but {len(texts)} edited texts: "
            "prepare the draft again"
        )
    sections = tuple(map(edited_section, draft.sections, texts))
    return replace(draft, sections=sections)


def _paragraph(line: str) -> Paragraph:
    for style, prefix in PREFIXES.items():
        if line.startswith(prefix) and line[len(prefix) :].strip():
            return Paragraph(line[len(prefix) :].strip(), style)
    if line.startswith(("\u2022 ", "* ")) and line[2:].strip():
        return Paragraph(line[2:].strip(), Style.BULLET)
    return Paragraph(line)


# --- the Word document ---------------------------------------------------------------------------


def render_docx(draft: RapidReviewDraft) -> bytes:
    """The draft as a Word document: a title, one heading per section (levels in order),
    guidance in italics, citations as quotes, the chronology as a table."""
    from docx import Document

    document = Document()
    document.core_properties.title = draft.title
    document.core_properties.author = "CSPR workbench"
    document.add_heading(draft.title, level=0)
    document.add_paragraph(draft.subtitle)
    for section in draft.sections:
        document.add_heading(section.heading, level=section.level)
        for paragraph in section.paragraphs:
            _add_paragraph(document, paragraph)
        if section.table is not None:
            _add_table(document, section.table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_paragraph(document: WordDocument, paragraph: Paragraph) -> None:
    if paragraph.style is Style.BULLET:
        document.add_paragraph(paragraph.text, style="List Bullet")
        return
    if paragraph.style is Style.GUIDANCE:
        run = document.add_paragraph().add_run(PREFIXES[Style.GUIDANCE] + paragraph.text)
        run.italic = True
        return
    if paragraph.style is Style.CITATION:
        document.add_paragraph(PREFIXES[Style.CITATION] + paragraph.text, style="Quote")
        return
    document.add_paragraph(paragraph.text)


def _add_table(document: WordDocument, table: Table) -> None:
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = text
    for row in table.rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = text
