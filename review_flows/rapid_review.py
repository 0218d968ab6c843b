"""A rapid review draft in the sections the Panel asks a rapid review to cover: known facts;
agency involvement; key practice episodes; immediate safety actions; possible improvements;
context including race, inequalities and disability; the decision and its reason. Then an
annex of learning from published reviews (:mod:`learning.case_annex`): the case's
shortlist first, then similar reviews (:mod:`learning.case_learning`).

Two steps, kept apart: :func:`build_draft` is pure (the case's timeline and the library's
learning in, sections of paragraphs out); :mod:`review_flows.rapid_review_docx` turns a draft
into text to edit and into a Word document. The store holds no names, so neither does the
draft: only the case's pseudonymous reference, its partnership, nation, dates, outcome, age
group and flags, and the event notes (checked for personal data when recorded). Where a
section's facts are not in the store, it carries guidance for the author instead. Everything
is in words a reader outside the workbench follows: no codes, file names or rule numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from core.draft_model import (
    SECTION_HEADINGS,
    Paragraph,
    RapidReviewDraft,
    Section,
    Style,
    Table,
)
from core.labels import event_label, stage_label
from core.learning_seam import CaseLearning, learning_side
from review_flows.case_details import case_facts
from review_flows.case_facts import timeline_facts
from review_flows.events import AMENDING_KINDS, EventKind

if TYPE_CHECKING:
    from review_flows.case_queries import CaseTimeline
    from review_flows.models import CaseEventPublic
    from review_flows.shortlists import ShortlistEntry

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
        "already known (the annex lists findings of published reviews like this case)."
    ),
    "context": (
        "Consider the child's and family's ethnicity, culture, language, faith, disability, "
        "poverty and housing, and whether racism or other inequalities shaped how services "
        "responded. Say so if these were considered and found not relevant."
    ),
    "decision": (
        "Record the partners' decision (a local review, no review, or that the case may "
        "merit a national review) and the reason for it, with reference to the criteria for "
        "a local child safeguarding practice review in the statutory guidance."
    ),
}


def prepare_rapid_review(
    timeline: CaseTimeline,
    shortlist: Sequence[ShortlistEntry],
    open_search: Callable[[], Any] | None,
    *,
    today: dt.date,
) -> RapidReviewDraft:
    """The case's rapid review draft: its facts and chronology, and an annex of the reviews
    saved to its ``shortlist`` first, then the most similar others (Prepare and Regenerate on
    the Case page)."""
    learning = learning_side().case_learning(open_search, timeline_facts(timeline), shortlist)
    return build_draft(timeline, learning, today=today)


# --- the content (pure) ------------------------------------------------------------------------


def build_draft(
    timeline: CaseTimeline, learning: CaseLearning, *, today: dt.date
) -> RapidReviewDraft:
    """The draft's sections from the case's timeline and the library's ``learning`` (may be
    empty, with the reason the library gave none)."""
    case = timeline.case
    events = _effective(timeline.events)
    sections = (
        _known_facts(timeline, events),
        _guided(SECTION_HEADINGS[1], "agencies"),
        _guided(SECTION_HEADINGS[2], "episodes"),
        _safety(timeline),
        _improvements(learning),
        _guided(SECTION_HEADINGS[5], "context"),
        _decision(timeline, events),
        *learning.annex,
    )
    subtitle = (
        f"{case.reference} · {case.partnership} · draft of {today.isoformat()}. "
        "Pseudonymous: add no names."
    )
    return RapidReviewDraft(f"Rapid review: {case.reference}", subtitle, sections)


def _known_facts(timeline: CaseTimeline, events: Sequence[CaseEventPublic]) -> Section:
    # the owner is a workbench username: it stays in the workbench, not in a shared document;
    # the stage without the id of the rules the workbench applies (a reader has no such list)
    words = {**dict(case_facts(timeline)), "Stage": stage_label(timeline.stage)}
    facts = [f"{name}: {text}" for name, text in words.items() if name != "Owner"]
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


def _improvements(learning: CaseLearning) -> Section:
    paragraphs = []
    if learning.titles:
        titles = "; ".join(_flat(title) for title in learning.titles)
        paragraphs.append(
            Paragraph(f"Published reviews to compare with (see the annex): {titles}.")
        )
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
    """The rapid review's due date(s), from the milestones (both readings if read two ways),
    each with its clock in the milestone's own words ("clock from awareness")."""
    readings = [m for m in timeline.milestones if m.milestone.startswith("rapid_review") and m.due]
    if not readings or any(m.done for m in readings):
        return None
    dates = " or ".join(f"{m.due.isoformat()} ({_clock(m.label)})" for m in readings if m.due)
    return f"The rapid review and the decision are due to the Panel by {dates}."


def _clock(label: str) -> str:
    """ "clock from awareness" of "Rapid review sent to the Panel (clock from awareness)"."""
    inner = re.search(r"\(([^()]+)\)\s*$", label)
    return inner.group(1) if inner else label


def _flat(text: str) -> str:
    return " ".join(text.split())


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
