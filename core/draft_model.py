"""The rapid review draft as values: sections of paragraphs (and the chronology table), kept
apart from how they are built (:mod:`review_flows.rapid_review`), edited and written out
(:mod:`review_flows.rapid_review_docx`). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

ANNEX_HEADING = "Annex: Learning from similar published reviews"

#: The sections the Panel asks a rapid review to cover, in its order.
SECTION_HEADINGS: tuple[str, ...] = (
    "1. Known facts",
    "2. Agency involvement",
    "3. Key practice episodes",
    "4. Immediate safety actions",
    "5. Possible improvements",
    "6. Context, including race, racism, inequalities and disability",
    "7. Decision and its reason",
)


class Style(StrEnum):
    """How a paragraph reads: a fact, guidance for the author, a list item or a citation."""

    FACT = "fact"
    GUIDANCE = "guidance"
    BULLET = "bullet"
    CITATION = "citation"


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Style = Style.FACT


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    """A heading (``level`` 1, or 2 under the annex), its paragraphs, then an optional table."""

    heading: str
    paragraphs: tuple[Paragraph, ...] = ()
    table: Table | None = None
    level: int = 1


@dataclass(frozen=True)
class RapidReviewDraft:
    title: str
    subtitle: str
    sections: tuple[Section, ...]

    def all_text(self) -> str:
        """Every word of the draft (title, headings, paragraphs, table cells), one per line:
        what a reader of the document sees, for checks that nothing internal leaks into it."""
        lines = [self.title, self.subtitle]
        for section in self.sections:
            lines.append(section.heading)
            lines += [paragraph.text for paragraph in section.paragraphs]
            if section.table is not None:
                lines += [" | ".join(row) for row in (section.table.header, *section.table.rows)]
        return "\n".join(lines)
