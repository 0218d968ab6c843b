"""Event kinds of a case's append-only log, and the event value the pure core works on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    """Everything that can happen to a case. The string values are the CLI's ``KIND`` names."""

    AWARE = "aware"  # the local authority became aware of the incident (clocks start here)
    # a case opened at a later stage with the dates known: the first event of its log, dated
    # the day the partnership took it over, its note saying why earlier steps are not recorded
    HISTORY_IMPORTED = "history_imported"
    NOTIFIED = "notified"  # serious incident notification sent to the Panel (or Ofsted pre-2018)
    RAPID_REVIEW_STARTED = "rapid_review_started"
    RAPID_REVIEW_SUBMITTED = "rapid_review_submitted"
    DECISION_NO_REVIEW = "decision_no_review"
    DECISION = "decision"  # decision to start a local review (LCSPR, or an SCR before 2018)
    NATIONAL_REVIEW_REFERRED = "national_review_referred"
    PANEL_RESPONSE = "panel_response"
    REVIEWER_APPOINTED = "reviewer_appointed"
    TERMS_OF_REFERENCE_AGREED = "terms_of_reference_agreed"
    DRAFT_RECEIVED = "draft_received"
    PUBLICATION_PLANNED = "publication_planned"  # the planned publication date (may be future)
    REPORT_SENT = "report_sent"  # full report sent to the Panel and the Secretary of State
    PUBLISHED = "published"
    ACTION_PLAN_AGREED = "action_plan_agreed"
    ACTIONS_COMPLETED = "actions_completed"
    CLOSED = "closed"
    DELAY_RECORDED = "delay_recorded"  # a delay notice, with its reason in the note
    CORRECTION = "correction"  # replaces the date or note of an earlier event
    VOID = "void"  # withdraws an event recorded in error (``corrects`` names it; note says why)
    AMENDED = "amended"  # changes the case's incident date or nation (``cspr case amend``)


#: One line per kind, for help texts.
KIND_DESCRIPTIONS: dict[EventKind, str] = {
    EventKind.AWARE: "the authority became aware (clocks start)",
    EventKind.HISTORY_IMPORTED: "a case taken over at a later stage (use `cspr case import`)",
    EventKind.NOTIFIED: "incident notified to the Panel (Ofsted pre-2018)",
    EventKind.RAPID_REVIEW_STARTED: "the rapid review began (England)",
    EventKind.RAPID_REVIEW_SUBMITTED: "the rapid review was sent to the Panel (England)",
    EventKind.DECISION_NO_REVIEW: "the partners decided not to hold a local review",
    EventKind.DECISION: "the partners decided to hold a local review",
    EventKind.NATIONAL_REVIEW_REFERRED: "the Panel took the case for a national review",
    EventKind.PANEL_RESPONSE: "the Panel replied",
    EventKind.REVIEWER_APPOINTED: "the independent reviewer was appointed",
    EventKind.TERMS_OF_REFERENCE_AGREED: "the review's terms of reference were agreed",
    EventKind.DRAFT_RECEIVED: "the draft report was received",
    EventKind.PUBLICATION_PLANNED: "planned publication date (may be future)",
    EventKind.REPORT_SENT: "report sent to the Panel and Secretary of State",
    EventKind.PUBLISHED: "the report was published",
    EventKind.ACTION_PLAN_AGREED: "the action plan was agreed",
    EventKind.ACTIONS_COMPLETED: "every action of the plan was completed",
    EventKind.CLOSED: "the case was closed",
    EventKind.DELAY_RECORDED: "a delay was notified, with its reason (--note)",
    EventKind.CORRECTION: "fixes an earlier event's date (--corrects ID)",
    EventKind.VOID: "withdraws an event recorded in error (--corrects ID --note why)",
    EventKind.AMENDED: "changes the case's incident date or nation (use `cspr case amend`)",
}

#: Kinds that act on another event (``corrects``) rather than on the case.
AMENDING_KINDS = frozenset({EventKind.CORRECTION, EventKind.VOID, EventKind.AMENDED})


def voided_ids(events: Sequence[Event]) -> set[int]:
    """Ids of the events a ``void`` withdrew."""
    return {e.corrects for e in events if e.kind is EventKind.VOID and e.corrects is not None}


def corrected_dates(events: Sequence[Event]) -> dict[int, dt.date]:
    """Event id -> its latest corrected date."""
    return {
        e.corrects: e.on
        for e in events
        if e.kind is EventKind.CORRECTION and e.corrects is not None
    }


def amendment_marks(events: Sequence[object]) -> dict[int, str]:
    """Event id -> what a later correction or void did to it ("corrected to 2026-11-04 by #5",
    "voided by #6"), to show beside the original. ``events`` need kind, on, id and corrects."""
    marks: dict[int, str] = {}
    for event in events:
        target = getattr(event, "corrects", None)
        if target is None:
            continue
        kind = getattr(event, "kind")  # noqa: B009
        if kind is EventKind.CORRECTION:
            marks[target] = (
                f"corrected to {getattr(event, 'on').isoformat()} by #{getattr(event, 'id')}"  # noqa: B009
            )
        elif kind is EventKind.VOID:
            marks[target] = f"voided by #{getattr(event, 'id')}"  # noqa: B009
    return marks


@dataclass(frozen=True)
class Event:
    """One entry of a case's log as the pure core sees it.

    ``on`` is the date the thing happened (or, for ``publication_planned``, is planned);
    ``corrects`` is the id of the event a correction replaces.
    """

    kind: EventKind
    on: dt.date
    id: int | None = None
    note: str | None = None
    corrects: int | None = None
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None
