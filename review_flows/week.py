"""The manager's week: every milestone due in a window, most urgent first. Pure.

From each open case's milestones (as derived today) come the pending ones: overdue (or late
with the delay notified), due soon or due, with a due date and alerting (a rule read two ways
alerts on its earlier reading). Each becomes a row; rows are sorted by working days left (the
most overdue first, then the soonest due). A local target is a row of its own and never hides
a statutory deadline: both are listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from review_flows.milestones import PENDING_STATUSES, Milestone, MilestoneStatus


@dataclass(frozen=True)
class DueRow:
    """One milestone of one case in the manager's week."""

    reference: str
    partnership: str
    stage: str
    milestone: str
    label: str
    due: dt.date
    working_days: int  # left (positive), or late (negative)
    status: MilestoneStatus
    responsible: str
    statutory: bool
    owner: str | None = None

    @property
    def left_or_late(self) -> str:
        days = self.working_days
        if days < 0:
            return f"{-days} late"
        return "today" if days == 0 else f"{days} left"


@dataclass(frozen=True)
class CaseMilestones:
    """What the week needs of one case."""

    reference: str
    partnership: str
    stage: str
    milestones: Sequence[Milestone]
    owner: str | None = None


def week_rows(
    cases: Iterable[CaseMilestones],
    *,
    due_within: int | None = None,
    overdue_only: bool = False,
) -> list[DueRow]:
    """Pending milestones of ``cases``, most urgent first; ``due_within`` keeps those due in
    that many working days (overdue ones always), ``overdue_only`` the overdue ones."""
    rows = [
        _row(case, milestone)
        for case in cases
        for milestone in case.milestones
        if milestone.status in PENDING_STATUSES
        and milestone.alert
        and milestone.due is not None
        and milestone.working_days_remaining is not None
    ]
    if overdue_only:
        rows = [row for row in rows if row.status is MilestoneStatus.OVERDUE]
    if due_within is not None:
        rows = [row for row in rows if row.working_days <= due_within]
    return sorted(rows, key=lambda row: (row.working_days, row.due, row.reference, row.milestone))


def _row(case: CaseMilestones, milestone: Milestone) -> DueRow:
    assert milestone.due is not None and milestone.working_days_remaining is not None
    return DueRow(
        reference=case.reference,
        partnership=case.partnership,
        stage=case.stage,
        milestone=milestone.milestone,
        label=milestone.label,
        due=milestone.due,
        working_days=milestone.working_days_remaining,
        status=milestone.status,
        responsible=milestone.responsible,
        statutory=not milestone.local_target,
        owner=case.owner,
    )
