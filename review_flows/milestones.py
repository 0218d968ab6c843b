"""The milestone: what the timeline derives for each statutory step of a case, its statuses,
its JSON form, and the rule it keeps in words. A frozen value, so the pages, the feeds, the
sweep and the CLI read the same thing; :func:`review_flows.timeline.compute_milestones` makes it.

Pure: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from review_flows.events import EventKind
from review_flows.rulebook import Confidence, Direction, Rule

LOCAL_TARGET = "local target"


class MilestoneStatus(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_APPLICABLE = "not_applicable"
    NOT_STARTED = "not_started"  # the event that starts its clock has not happened
    # a case taken over at a later stage: the step's start or end was before the take-over and
    # its date was not recorded (computed from what is known; never reminded)
    NOT_RECORDED = "not_recorded"
    NO_TIME_LIMIT = "no_time_limit"  # started, not done, and the guidance sets no limit
    STALLED = "stalled"  # no time limit, not done, and longer than the stalled threshold
    DONE = "done"  # done where there was no time limit to keep
    LATE_DELAY_NOTIFIED = "late_delay_notified"  # overdue, but the delay was notified


#: Statuses of a milestone still to be done by a date: what reminders and the week list.
PENDING_STATUSES: frozenset[MilestoneStatus] = frozenset(
    {
        MilestoneStatus.OVERDUE,
        MilestoneStatus.LATE_DELAY_NOTIFIED,
        MilestoneStatus.DUE_SOON,
        MilestoneStatus.DUE,
    }
)


@dataclass(frozen=True)
class Milestone:
    """One statutory step of a case, as derived today.

    ``working_days_remaining`` is positive for days left and negative for working days late
    (0 on the due date; :attr:`status` is the authority on lateness, since a calendar-month
    deadline can fall on a weekend). ``elapsed_working_days`` runs from the clock start to the
    done date (or today). ``alert`` is False for the later of two readings of one rule
    (``alternatives`` lists the other readings with their due dates), so reminders go out once,
    on the earlier date.
    """

    milestone: str
    label: str
    due: dt.date | None
    done: dt.date | None
    status: MilestoneStatus
    working_days_remaining: int | None
    elapsed_working_days: int | None
    rule: str
    source: str
    confidence: Confidence
    responsible: str
    start_event: EventKind
    start: dt.date | None
    local_target: bool = False
    alert: bool = True
    alternatives: tuple[tuple[str, dt.date | None], ...] = ()
    note: str | None = None


def milestone_to_dict(milestone: Milestone) -> dict[str, Any]:
    """A JSON-ready dict: ISO dates, enum values, alternatives as objects."""

    def iso(day: dt.date | None) -> str | None:
        return day.isoformat() if day is not None else None

    return {
        "milestone": milestone.milestone,
        "label": milestone.label,
        "due": iso(milestone.due),
        "done": iso(milestone.done),
        "status": milestone.status.value,
        "working_days_remaining": milestone.working_days_remaining,
        "elapsed_working_days": milestone.elapsed_working_days,
        "rule": milestone.rule,
        "source": milestone.source,
        "confidence": milestone.confidence.value,
        "responsible": milestone.responsible,
        "start_event": milestone.start_event.value,
        "start": iso(milestone.start),
        "local_target": milestone.local_target,
        "alert": milestone.alert,
        "alternatives": [{"milestone": m, "due": iso(due)} for m, due in milestone.alternatives],
        "note": milestone.note,
    }


def describe_rule(rule: Rule, local_target: int | None = None) -> str:
    """The rule in words, e.g. "5 working days from aware"; a step without a statutory limit
    says so beside its local target: "no statutory time limit · local target 60 working days
    from decision"."""
    start = rule.start_event.value.replace("_", " ")  # words, not the stored code
    if rule.duration is None or rule.unit is None:
        if local_target is not None:
            return (
                f"no statutory time limit \u00b7 {LOCAL_TARGET} {local_target} working days "
                f"from {start}"
            )
        return f"no statutory time limit (clock from {start})"
    amount = f"{rule.duration} {rule.unit.value.replace('_', ' ')}"
    if rule.direction is Direction.BEFORE:
        return f"at least {amount} before {start}"
    if rule.holds:
        return f"kept at least {amount} from {start}"
    return f"{amount} from {start}"
