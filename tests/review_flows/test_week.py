"""The manager's week: pending milestones of every open case, the most urgent first."""

from __future__ import annotations

import datetime as dt

from review_flows.events import EventKind
from review_flows.milestones import Milestone, MilestoneStatus
from review_flows.rulebook import Confidence
from review_flows.week import CaseMilestones, week_rows

S = MilestoneStatus


def _m(name: str, due: str, status: S, days: int, *, local: bool = False, alert: bool = True):
    return Milestone(
        milestone=name, label=name.replace("_", " "), due=dt.date.fromisoformat(due), done=None,
        status=status, working_days_remaining=days, elapsed_working_days=None, rule="r",
        source="s", confidence=Confidence.CONFIRMED, responsible="Safeguarding partners",
        start_event=EventKind.AWARE, start=None, local_target=local, alert=alert,
    )  # fmt: skip


CASES = [
    CaseMilestones("A-2026-01", "Northshire", "reviewing", (
        _m("review_published", "2026-04-20", S.DUE, 14),
        _m("review_published_local", "2026-04-01", S.DUE_SOON, 1, local=True),
        _m("rapid_review_from_notification", "2026-02-01", S.OVERDUE, -40, alert=False),
    )),
    CaseMilestones("B-2026-02", "Northshire", "notified", (
        _m("rapid_review", "2026-03-20", S.OVERDUE, -7),
        _m("notification", "2026-03-01", S.DONE_ON_TIME, 0),
    )),
]  # fmt: skip


def test_every_pending_milestone_most_urgent_first() -> None:
    rows = week_rows(CASES)
    assert [(r.reference, r.milestone) for r in rows] == [
        ("B-2026-02", "rapid_review"),
        ("A-2026-01", "review_published_local"),
        ("A-2026-01", "review_published"),  # a local target never hides the statutory date
    ]
    assert [r.left_or_late for r in rows] == ["7 late", "1 left", "14 left"]
    assert [r.statutory for r in rows] == [True, False, True]


def test_filters() -> None:
    assert [r.milestone for r in week_rows(CASES, overdue_only=True)] == ["rapid_review"]
    assert [r.milestone for r in week_rows(CASES, due_within=5)] == [
        "rapid_review", "review_published_local",
    ]  # fmt: skip
