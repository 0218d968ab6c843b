"""What the Deadlines page shows: the viewer's open cases, one line each, filtered; the table as
CSV; the calendar feed of their milestones. The session-taking services keep to the viewer's
scope through :mod:`review_flows.workbench`; the rest is pure ("today" is an argument).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session

from core.access import Viewer, case_scope
from core.settings import Settings
from review_flows.case_queries import STATUS_SEVERITY, CaseOverview
from review_flows.feeds import feed_entries, milestones_calendar, owned_by
from review_flows.milestones import MilestoneStatus
from review_flows.workbench import visible_cases


class MilestoneLike(Protocol):
    """What a chart summary reads of a milestone (``Milestone`` and ``MilestoneLine`` have it)."""

    @property
    def label(self) -> str: ...

    @property
    def due(self) -> dt.date | None: ...

    @property
    def status(self) -> MilestoneStatus: ...


@dataclass(frozen=True)
class DeadlineRow:
    """One open case: where it is, what is due next, and its worst status today."""

    reference: str
    partnership: str
    nation: str
    stage: str
    owner: str | None
    next_milestone: str | None  # the label of the earliest pending milestone
    due: dt.date | None
    working_days: int | None  # left (positive) or late (negative)
    next_status: MilestoneStatus | None
    worst_status: MilestoneStatus | None


@dataclass(frozen=True)
class DeadlineChoices:
    """The values the page's filters offer: those the rows hold, in a stable order."""

    stages: tuple[str, ...]
    statuses: tuple[MilestoneStatus, ...]
    nations: tuple[str, ...]


@dataclass(frozen=True)
class CalendarFeed:
    """An iCalendar file of the viewer's milestones, ready to download."""

    name: str
    file_name: str
    data: bytes
    milestones: int
    cases: int


def deadline_rows(
    session: Session, viewer: Viewer, *, today: dt.date, settings: Settings | None = None
) -> list[DeadlineRow]:
    """The open cases the viewer may see, most urgent first (most late, then soonest due)."""
    overviews = visible_cases(session, viewer, today=today, open_only=True, settings=settings)
    return rows_of(overviews)


def rows_of(overviews: Iterable[CaseOverview]) -> list[DeadlineRow]:
    """One row per case overview, most urgent first; cases with nothing due come last."""
    rows = [_row(overview) for overview in overviews]
    return sorted(rows, key=_urgency)


def filter_deadlines(
    rows: Iterable[DeadlineRow],
    *,
    stages: Collection[str] = (),
    statuses: Collection[str] = (),
    nations: Collection[str] = (),
    due_within: int | None = None,
) -> list[DeadlineRow]:
    """The rows that pass every filter given (an empty collection lets everything through).

    ``statuses`` matches the case's worst status; ``due_within`` keeps the cases whose next
    milestone is due within that many working days, the late ones included.
    """
    return [
        row
        for row in rows
        if (not stages or row.stage in stages)
        and (not statuses or (row.worst_status is not None and row.worst_status in statuses))
        and (not nations or row.nation in nations)
        and (
            due_within is None or (row.working_days is not None and row.working_days <= due_within)
        )
    ]


def deadline_choices(rows: Sequence[DeadlineRow]) -> DeadlineChoices:
    """The stages (in lifecycle order of appearance), statuses (most urgent first) and nations
    the rows hold."""
    present = {row.worst_status for row in rows}
    return DeadlineChoices(
        stages=tuple(dict.fromkeys(row.stage for row in rows)),
        statuses=tuple(status for status in STATUS_SEVERITY if status in present),
        nations=tuple(sorted({row.nation for row in rows})),
    )


def several_partnerships(rows: Iterable[DeadlineRow]) -> bool:
    """Whether the rows span more than one partnership: only then is a partnership column worth
    its width (a panel member's would repeat one name on every row)."""
    return len({row.partnership for row in rows}) > 1


def deadlines_csv(rows: Iterable[DeadlineRow]) -> str:
    """The rows as CSV with a header row (ISO dates, status values)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["reference", "partnership", "nation", "stage", "owner", "next_milestone", "due",
         "working_days", "next_status", "worst_status"]
    )  # fmt: skip
    for row in rows:
        writer.writerow(
            [row.reference, row.partnership, row.nation, row.stage, row.owner or "",
             row.next_milestone or "", row.due.isoformat() if row.due else "",
             "" if row.working_days is None else row.working_days,
             row.next_status.value if row.next_status else "",
             row.worst_status.value if row.worst_status else ""]
        )  # fmt: skip
    return buffer.getvalue()


def calendar_feed(
    session: Session,
    viewer: Viewer,
    *,
    today: dt.date,
    own_only: bool = False,
    settings: Settings | None = None,
) -> CalendarFeed:
    """The milestones of the viewer's open cases as an .ics file: their partnership's cases
    (a panel member), their own (a reviewer, or anyone with ``own_only``), or all (an admin)."""
    cases = visible_cases(session, viewer, today=today, open_only=True, settings=settings)
    if own_only:
        cases = owned_by(cases, viewer.username)
    name = _feed_name(viewer, own_only)
    data = milestones_calendar(cases, name=name, as_of=today)
    entries = feed_entries(cases)
    # the cases the file covers: those with a milestone in it, not every open case seen
    covered = {(entry.partnership, entry.reference) for entry in entries}
    return CalendarFeed(name, _file_name(name), data, len(entries), len(covered))


def timeline_summary(reference: str, milestones: Sequence[MilestoneLike], today: dt.date) -> str:
    """The text alternative of a case's timeline chart: how many milestones fall due when,
    and which are late or due soon as of ``today``."""
    dated = [m for m in milestones if m.due is not None]
    if not dated:
        return f"{reference} has no milestone with a due date yet."
    first = min(m.due for m in dated if m.due)
    last = max(m.due for m in dated if m.due)
    parts = [
        f"{reference}: {len(dated)} milestone(s) due between {first.isoformat()} and "
        f"{last.isoformat()}; today is {today.isoformat()}."
    ]
    for status in (MilestoneStatus.OVERDUE, MilestoneStatus.LATE_DELAY_NOTIFIED,
                   MilestoneStatus.DUE_SOON):  # fmt: skip
        names = [m.label for m in dated if m.status is status]
        if names:
            parts.append(f"{status.value.replace('_', ' ').capitalize()}: {'; '.join(names)}.")
    return " ".join(parts)


def _feed_name(viewer: Viewer, own_only: bool) -> str:
    scope = case_scope(viewer)
    if own_only or scope.owner is not None:
        return f"CSPR milestones: {viewer.username}"
    if scope.partnership is not None:
        return f"CSPR milestones: {scope.partnership}"
    return "CSPR milestones: all partnerships"


def _file_name(name: str) -> str:
    """ "CSPR milestones: Northshire SCP" -> "cspr-milestones-northshire-scp.ics"."""
    words = "".join(c if c.isalnum() else " " for c in name.lower()).split()
    return "-".join(words) + ".ics"


def _row(overview: CaseOverview) -> DeadlineRow:
    case, next_due = overview.case, overview.next_due
    return DeadlineRow(
        reference=case.reference,
        partnership=case.partnership,
        nation=str(case.nation.value),
        stage=overview.stage.value,
        owner=case.owner,
        next_milestone=next_due.label if next_due else None,
        due=next_due.due if next_due else None,
        working_days=next_due.working_days_remaining if next_due else None,
        next_status=next_due.status if next_due else None,
        worst_status=overview.worst_status,
    )


def _urgency(row: DeadlineRow) -> tuple[int, int, dt.date, str, str]:
    nothing_due = row.working_days is None
    return (
        int(nothing_due),
        row.working_days or 0,
        row.due or dt.date.max,
        row.partnership,
        row.reference,
    )
