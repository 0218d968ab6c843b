"""A rapid review draft (DOCX) in the sections the Panel asks a rapid review to cover (rules.md
section 2): known facts; agency involvement; key practice episodes; immediate safety actions;
possible improvements; context including race, inequalities and disability; the decision and
its reason. Then an annex of learning from similar published reviews, each point cited.

Two steps, kept apart: :func:`build_draft` is pure (the case's timeline and a list of similar
reviews in, sections of paragraphs out) and :func:`render_docx` turns a draft into bytes. The
store holds no names, so neither does the draft: only the case's pseudonymous reference, its
partnership, nation, dates, outcome, age group and flags, and the event notes (which are
checked for personal data when recorded). Where a section's facts are not in the store, it
carries guidance for the author instead.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from review_flows.case_details import AGE_WORDS, OUTCOME_WORDS, case_facts
from review_flows.events import AMENDING_KINDS, EventKind
from review_flows.labels import event_label, stage_label

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

    from learning.results import SimilarReview
    from review_flows.case_queries import CaseTimeline
    from review_flows.models import CaseEventPublic

logger = logging.getLogger(__name__)

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

DECISION_WORDS = {
    EventKind.DECISION: "to hold a local child safeguarding practice review",
    EventKind.DECISION_NO_REVIEW: "not to hold a local review",
    EventKind.NATIONAL_REVIEW_REFERRED: "that the case may merit a national review",
}

GUIDANCE = {
    "facts": (
        "Add what is known of the incident and of the child's circumstances at the time, "
        "without names: call the child Child A and family members by their relationship."
    ),
    "agencies": (
        "List each agency that knew the child or family (children's social care, health, "
        "police, education, early help, voluntary sector), when, and for what. Attach or "
        "summarise each agency's return."
    ),
    "episodes": (
        "Describe the episodes where practice made, or might have made, a difference: what "
        "was known, what was done, and what the partners think of it. Analyse, do not just "
        "list."
    ),
    "safety": (
        "Say what was done to keep the child, any siblings and other children safe since the "
        "incident, by whom and when."
    ),
    "improvements": (
        "Say what could be improved, locally or nationally, and whether the learning is "
        "already known (the annex lists findings of similar published reviews)."
    ),
    "context": (
        "Consider the child's and family's ethnicity, culture, language, faith, disability, "
        "poverty and housing, and whether racism or other inequalities shaped how services "
        "responded. Say so if these were considered and found not relevant."
    ),
    "decision": (
        "Record the partners' decision (a local review, no review, or that the case may "
        "merit a national review) and the reason for it, with reference to the criteria "
        "(rules.md E10)."
    ),
}


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


class SimilarSearch(Protocol):
    """What the draft needs of the learning search engine (``learning.search.SearchEngine``)."""

    def similar_cases(self, precis: str, k: int = 5) -> list[SimilarReview]: ...


@dataclass(frozen=True)
class LibraryLearning:
    """Similar published reviews found for a case, or why the library could not be asked."""

    hits: tuple[SimilarReview, ...] = ()
    unavailable: str | None = None


# --- the précis and the search -----------------------------------------------------------------


def case_precis(timeline: CaseTimeline) -> str:
    """A précis of the case to search the library with: its outcome, age group, flags, stage
    and event notes (no names: the store holds none)."""
    case = timeline.case
    sentences = [
        f"{OUTCOME_WORDS.get(case.outcome.value, case.outcome.value).capitalize()}, "
        f"{AGE_WORDS.get(case.age_group.value, case.age_group.value)}."
    ]
    if case.looked_after:
        sentences.append("The child was looked after by the local authority.")
    if case.child_protection_plan:
        sentences.append("The child was subject to a child protection plan.")
    sentences.append(f"The case is at the {stage_label(timeline.stage).lower()} stage.")
    sentences += [_sentence(event.note) for event in _effective(timeline.events) if event.note]
    return " ".join(sentences)


def find_similar(
    open_search: Callable[[], SimilarSearch] | None, timeline: CaseTimeline, *, k: int = 3
) -> LibraryLearning:
    """The ``k`` published reviews most like the case, by the engine ``open_search`` returns
    (the page passes ``ui.resources.search_engine``). A library that cannot be opened or
    searched (no index yet, a model mismatch) gives no hits and the reason, not an error."""
    from learning.errors import LearningError

    if open_search is None:
        return LibraryLearning(unavailable="the learning library is not set up here")
    try:
        hits = open_search().similar_cases(case_precis(timeline), k)
    except LearningError as problem:
        logger.info("similar reviews for %s not found: %s", timeline.case.reference, problem)
        return LibraryLearning(unavailable=str(problem))
    return LibraryLearning(tuple(hits))


def rapid_review_docx(
    timeline: CaseTimeline,
    open_search: Callable[[], SimilarSearch] | None,
    *,
    today: dt.date,
    k: int = 3,
) -> bytes:
    """The case's rapid review draft as DOCX bytes, with the ``k`` most similar reviews."""
    learning = find_similar(open_search, timeline, k=k)
    return render_docx(build_draft(timeline, learning.hits, today=today, why=learning.unavailable))


# --- the content (pure) ------------------------------------------------------------------------


def build_draft(
    timeline: CaseTimeline,
    hits: Sequence[SimilarReview],
    *,
    today: dt.date,
    why: str | None = None,
) -> RapidReviewDraft:
    """The draft's sections from the case's timeline and similar-review ``hits`` (may be
    empty; ``why`` says why the library gave none, e.g. no index yet)."""
    case = timeline.case
    events = _effective(timeline.events)
    sections = (
        _known_facts(timeline, events),
        _guided(SECTION_HEADINGS[1], "agencies"),
        _guided(SECTION_HEADINGS[2], "episodes"),
        _safety(timeline),
        _improvements(hits),
        _guided(SECTION_HEADINGS[5], "context"),
        _decision(timeline, events),
        *_annex(hits, why),
    )
    subtitle = (
        f"{case.reference} · {case.partnership} · draft of {today.isoformat()}. "
        "Pseudonymous: add no names."
    )
    return RapidReviewDraft(f"Rapid review: {case.reference}", subtitle, sections)


def _known_facts(timeline: CaseTimeline, events: Sequence[CaseEventPublic]) -> Section:
    # the owner is a workbench username: it stays in the workbench, not in a shared document
    facts = [f"{name}: {words}" for name, words in case_facts(timeline) if name != "Owner"]
    paragraphs = [Paragraph(fact, Style.BULLET) for fact in facts]
    paragraphs.append(Paragraph("Chronology of the case as recorded (corrections applied):"))
    paragraphs.append(Paragraph(GUIDANCE["facts"], Style.GUIDANCE))
    rows = tuple(
        (event.on.isoformat(), event_label(event.kind), event.note or "") for event in events
    )
    return Section(SECTION_HEADINGS[0], tuple(paragraphs), Table(("Date", "Event", "Note"), rows))


def _guided(heading: str, guidance: str) -> Section:
    return Section(heading, (Paragraph(GUIDANCE[guidance], Style.GUIDANCE),))


def _safety(timeline: CaseTimeline) -> Section:
    case = timeline.case
    paragraphs = []
    if case.child_protection_plan:
        paragraphs.append(
            Paragraph("The child was subject to a child protection plan: say how it was reviewed.")
        )
    if case.looked_after:
        paragraphs.append(
            Paragraph("The child was looked after: say what the placing authority did.")
        )
    paragraphs.append(Paragraph(GUIDANCE["safety"], Style.GUIDANCE))
    return Section(SECTION_HEADINGS[3], tuple(paragraphs))


def _improvements(hits: Sequence[SimilarReview]) -> Section:
    paragraphs = []
    if hits:
        titles = "; ".join(f"{hit.title} ({hit.review_id})" for hit in hits)
        paragraphs.append(Paragraph(f"Similar published reviews to compare with: {titles}."))
    paragraphs.append(Paragraph(GUIDANCE["improvements"], Style.GUIDANCE))
    return Section(SECTION_HEADINGS[4], tuple(paragraphs))


def _decision(timeline: CaseTimeline, events: Sequence[CaseEventPublic]) -> Section:
    decisions = [event for event in events if event.kind in DECISION_WORDS]
    paragraphs = []
    if decisions:
        decided = decisions[-1]
        reason = f" Reason recorded: {decided.note}" if decided.note else ""
        paragraphs.append(
            Paragraph(
                f"On {decided.on.isoformat()} the partners decided "
                f"{DECISION_WORDS[decided.kind]}.{reason}"
            )
        )
    else:
        paragraphs.append(Paragraph("No decision is recorded yet."))
    due = _rapid_review_due(timeline)
    if due:
        paragraphs.append(Paragraph(due))
    if not decisions or not decisions[-1].note:
        paragraphs.append(Paragraph(GUIDANCE["decision"], Style.GUIDANCE))
    return Section(SECTION_HEADINGS[6], tuple(paragraphs))


def _rapid_review_due(timeline: CaseTimeline) -> str | None:
    """The rapid review's due date(s), from the milestones (both readings if read two ways)."""
    readings = [m for m in timeline.milestones if m.milestone.startswith("rapid_review") and m.due]
    if not readings or any(m.done for m in readings):
        return None
    dates = " or ".join(f"{m.due.isoformat()} ({m.rule})" for m in readings if m.due)
    return f"The rapid review and the decision are due to the Panel by {dates}."


def _annex(hits: Sequence[SimilarReview], why: str | None) -> tuple[Section, ...]:
    if not hits:
        text = (
            f"The library of published reviews could not be searched: {why}."
            if why
            else "No similar published review was found in the library."
        )
        return (Section(ANNEX_HEADING, (Paragraph(text),)),)
    intro = Section(
        ANNEX_HEADING,
        (
            Paragraph(
                "The published reviews most like this case, with their findings and "
                "recommendations that match it. Check each against the report before use."
            ),
        ),
    )
    return (intro, *(_hit_section(hit) for hit in hits))


def _hit_section(hit: SimilarReview) -> Section:
    about = ", ".join(
        str(value)
        for value in (hit.year, hit.partnership, hit.outcome, hit.age_group)
        if value not in (None, "")
    )
    paragraphs = [Paragraph(about)] if about else []
    for passage in hit.passages:
        kind = passage.kind.replace("_", " ").capitalize()
        label = f"{kind} {passage.number}" if passage.number else kind
        paragraphs.append(Paragraph(f"{label}: {passage.text}", Style.BULLET))
        paragraphs.append(
            Paragraph(citation(hit.title, hit.review_id, passage.page), Style.CITATION)
        )
    return Section(f"{hit.title} ({hit.review_id})", tuple(paragraphs), level=2)


def citation(title: str, review_id: str, page: int) -> str:
    """ "<review title> (<review id>), page N"."""
    return f"{title} ({review_id}), page {page}"


def _effective(events: Sequence[CaseEventPublic]) -> list[CaseEventPublic]:
    """The events as they stand: voided ones left out, corrected ones at their corrected date,
    corrections, voids and amendments themselves left out; in date order."""
    voided = {e.corrects for e in events if e.kind is EventKind.VOID and e.corrects}
    moved = {e.corrects: e for e in events if e.kind is EventKind.CORRECTION and e.corrects}
    kept = []
    for event in events:
        if event.kind in AMENDING_KINDS or event.id in voided:
            continue
        correction = moved.get(event.id)
        kept.append(event.model_copy(update={"on": correction.on}) if correction else event)
    return sorted(kept, key=lambda e: (e.on, e.id))


def _sentence(text: str) -> str:
    text = text.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


# --- the DOCX ------------------------------------------------------------------------------------


def render_docx(draft: RapidReviewDraft) -> bytes:
    """The draft as a Word document: a title, one heading per section (levels in order),
    guidance in italics, the chronology as a table."""
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
        run = document.add_paragraph().add_run(f"Guidance: {paragraph.text}")
        run.italic = True
        return
    if paragraph.style is Style.CITATION:
        document.add_paragraph(f"Source: {paragraph.text}", style="Quote")
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
