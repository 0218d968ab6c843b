"""The Deadlines page's services: the viewer's open cases one line each, filters, CSV, feed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from sqlmodel import Session

from core.access import Viewer
from core.roles import Role
from review_flows.deadlines import (
    DeadlineRow,
    calendar_feed,
    deadline_choices,
    deadline_rows,
    deadlines_csv,
    filter_deadlines,
    timeline_summary,
)
from review_flows.events import EventKind
from review_flows.milestones import MilestoneStatus

S = MilestoneStatus
K = EventKind
DAY = dt.date

PANEL = Viewer("pat", Role.PANEL_MEMBER, partnership="Northshire")
REVIEWER = Viewer("rita", Role.REVIEWER)
ANALYST = Viewer("ana", Role.ANALYST)
ADMIN = Viewer("ada", Role.ADMIN)


def _row(ref: str, stage: str, status: S | None, days: int | None, nation: str = "england") -> Any:
    due = None if days is None else DAY(2026, 3, 31) + dt.timedelta(days=days)
    return DeadlineRow(
        reference=ref, partnership="Northshire", nation=nation, stage=stage, owner=None,
        next_milestone=None if days is None else "Rapid review", due=due, working_days=days,
        next_status=status, worst_status=status,
    )  # fmt: skip


ROWS = [
    _row("A-1", "rapid_review", S.OVERDUE, -3),
    _row("B-2", "notified", S.DUE_SOON, 2),
    _row("C-3", "reviewing", S.DUE, 40),
    _row("D-4", "no_review", S.DONE_ON_TIME, None),
    _row("W-5", "notified", S.STALLED, None, nation="wales"),
]


@pytest.fixture
def cases(case_factory: Any) -> None:
    """Northshire: one overdue, one due soon, one closed; Cwm Tawel (Wales): one open."""
    case_factory(reference="NSH-2026-01", aware_on=DAY(2026, 3, 2), incident_date=DAY(2026, 3, 1))
    case_factory(
        reference="NSH-2026-02",
        aware_on=DAY(2026, 3, 27),
        incident_date=DAY(2026, 3, 26),
        owner="rita",
    )
    case_factory(
        reference="NSH-2026-03",
        events=((K.NOTIFIED, DAY(2026, 1, 7)), (K.DECISION_NO_REVIEW, DAY(2026, 1, 8)),
                (K.CLOSED, DAY(2026, 1, 9))),
    )  # fmt: skip
    case_factory(reference="CWT-2026-01", partnership="Cwm Tawel", nation="wales")


def test_a_panel_member_sees_their_partnerships_open_cases_most_urgent_first(
    session: Session, cases: None, today: dt.date
) -> None:
    rows = deadline_rows(session, PANEL, today=today)

    assert [(r.reference, r.worst_status, r.working_days) for r in rows] == [
        ("NSH-2026-01", S.OVERDUE, -16),
        ("NSH-2026-02", S.DUE_SOON, 3),
    ]
    assert rows[0].next_milestone == "Serious incident notification to the Panel"
    assert rows[0].due == DAY(2026, 3, 9)
    assert rows[1].owner == "rita"


@pytest.mark.parametrize(
    ("viewer", "references"),
    [
        (ADMIN, {"NSH-2026-01", "NSH-2026-02", "CWT-2026-01"}),
        (REVIEWER, {"NSH-2026-02"}),
        (ANALYST, set()),
    ],
)
def test_each_role_sees_its_scope(
    session: Session, cases: None, today: dt.date, viewer: Viewer, references: set[str]
) -> None:
    assert {r.reference for r in deadline_rows(session, viewer, today=today)} == references


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["A-1", "B-2", "C-3", "D-4", "W-5"]),
        ({"stages": ["notified"]}, ["B-2", "W-5"]),
        ({"statuses": [S.OVERDUE, S.DUE_SOON]}, ["A-1", "B-2"]),
        ({"statuses": ["stalled"]}, ["W-5"]),
        ({"nations": ["wales"]}, ["W-5"]),
        ({"due_within": 0}, ["A-1"]),  # late ones are due within any window
        ({"due_within": 5}, ["A-1", "B-2"]),
        ({"stages": ["notified"], "due_within": 5}, ["B-2"]),
        ({"nations": ["scotland"]}, []),
    ],
)
def test_filters(filters: dict[str, Any], expected: list[str]) -> None:
    assert [r.reference for r in filter_deadlines(ROWS, **filters)] == expected


def test_the_filters_offer_what_the_rows_hold() -> None:
    choices = deadline_choices(ROWS)

    assert choices.stages == ("rapid_review", "notified", "reviewing", "no_review")
    assert choices.statuses == (S.OVERDUE, S.STALLED, S.DUE_SOON, S.DUE, S.DONE_ON_TIME)
    assert choices.nations == ("england", "wales")


def test_csv_has_a_header_and_one_line_per_row() -> None:
    records = list(csv.DictReader(io.StringIO(deadlines_csv(ROWS[:2] + ROWS[3:4]))))

    assert [(r["reference"], r["due"], r["working_days"], r["worst_status"]) for r in records] == [
        ("A-1", "2026-03-28", "-3", "overdue"),
        ("B-2", "2026-04-02", "2", "due_soon"),
        ("D-4", "", "", "done_on_time"),
    ]
    assert deadlines_csv([]).splitlines() == [
        "reference,partnership,nation,stage,owner,next_milestone,due,working_days,"
        "next_status,worst_status"
    ]


@pytest.mark.parametrize(
    ("viewer", "own_only", "name", "file_name", "references"),
    [
        (PANEL, False, "CSPR milestones: Northshire", "cspr-milestones-northshire.ics",
         {"NSH-2026-01", "NSH-2026-02"}),
        (PANEL, True, "CSPR milestones: pat", "cspr-milestones-pat.ics", set()),
        (REVIEWER, False, "CSPR milestones: rita", "cspr-milestones-rita.ics", {"NSH-2026-02"}),
        (ADMIN, False, "CSPR milestones: all partnerships",
         "cspr-milestones-all-partnerships.ics", {"NSH-2026-01", "NSH-2026-02", "CWT-2026-01"}),
    ],
)  # fmt: skip
def test_the_calendar_feed_of_the_viewers_cases(
    session: Session, cases: None, today: dt.date, viewer: Viewer, own_only: bool,
    name: str, file_name: str, references: set[str],
) -> None:  # fmt: skip
    feed = calendar_feed(session, viewer, today=today, own_only=own_only)

    in_file = references - {"CWT-2026-01"}  # Wales sets no time limits: no due dates
    # the count is of the cases the file holds (issue 23: "10 of 10 cases" where it held 7)
    assert (feed.name, feed.file_name, feed.cases) == (name, file_name, len(in_file))
    ics = feed.data.decode()
    assert f"X-WR-CALNAME:{name}" in ics
    every = ("NSH-2026-01", "NSH-2026-02", "NSH-2026-03", "CWT-2026-01")
    assert {ref for ref in every if ref in ics} == in_file
    assert "NSH-2026-03" not in ics  # closed


def test_the_timeline_summary_is_the_charts_text_alternative() -> None:
    lines = [
        _line("Notification", DAY(2026, 3, 9), S.DONE_LATE),
        _line("Rapid review (from awareness)", DAY(2026, 3, 23), S.OVERDUE),
        _line("Rapid review (from notification)", DAY(2026, 4, 2), S.DUE_SOON),
        _line("Decision", None, S.NOT_STARTED),
    ]

    assert timeline_summary("NSH-2026-01", lines, DAY(2026, 3, 31)) == (
        "NSH-2026-01: 3 milestone(s) due between 2026-03-09 and 2026-04-02; today is 2026-03-31. "
        "Overdue: Rapid review (from awareness). Due soon: Rapid review (from notification)."
    )
    assert timeline_summary("NSH-9", lines[3:], DAY(2026, 3, 31)) == (
        "NSH-9 has no milestone with a due date yet."
    )


def _line(label: str, due: dt.date | None, status: S) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(label=label, due=due, status=status)
