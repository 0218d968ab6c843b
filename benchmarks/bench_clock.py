"""Statutory clock throughput: milestones for 100,000 synthetic England cases.

Cases have an awareness date spread over 2019-2026 and a random subset of the later events
(notification, rapid review, Panel response, decision, planned publication, report, publication,
delay notice, and the odd correction), generated from a fixed seed. Only the computation is
timed, not the generation. Target: all 100,000 cases in under 2 s.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from benchmarks.table import BenchTable
from review_flows.calendar import Nation, WorkingCalendar, calendar_for
from review_flows.events import Event, EventKind
from review_flows.rulebook import select_rulebook
from review_flows.timeline import compute_milestones

CASES = 100_000
SEED = 20240601
TODAY = dt.date(2025, 6, 30)
FIRST_AWARE = dt.date(2019, 1, 1)
LAST_AWARE = dt.date(2026, 12, 31)

# (kind, probability, days after the previous step: low, high)
_STEPS: tuple[tuple[EventKind, float, int, int], ...] = (
    (EventKind.NOTIFIED, 0.95, 0, 9),
    (EventKind.RAPID_REVIEW_SUBMITTED, 0.8, 10, 30),
    (EventKind.PANEL_RESPONSE, 0.7, 3, 25),
    (EventKind.DECISION, 0.4, 0, 20),
    (EventKind.PUBLICATION_PLANNED, 0.6, 120, 260),
    (EventKind.REPORT_SENT, 0.7, -20, 0),
    (EventKind.PUBLISHED, 0.7, 0, 10),
)


def make_cases(count: int = CASES, seed: int = SEED) -> list[list[Event]]:
    """Deterministic synthetic event logs."""
    rng = random.Random(seed)
    span = (LAST_AWARE - FIRST_AWARE).days
    return [
        _make_case(rng, FIRST_AWARE + dt.timedelta(days=rng.randrange(span))) for _ in range(count)
    ]


def _make_case(rng: random.Random, aware: dt.date) -> list[Event]:
    events = [Event(EventKind.AWARE, aware, id=1)]
    day = aware
    for kind, chance, low, high in _STEPS:
        if rng.random() >= chance:
            break
        day = day + dt.timedelta(days=rng.randint(low, high))
        events.append(Event(kind, day, id=len(events) + 1))
    if rng.random() < 0.05:
        events.append(
            Event(EventKind.DELAY_RECORDED, day + dt.timedelta(days=7), id=len(events) + 1)
        )
    if rng.random() < 0.05:
        target = rng.randrange(1, len(events) + 1)
        events.append(Event(EventKind.CORRECTION, aware + dt.timedelta(days=1), corrects=target))
    return events


def _timed(work: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    produced = work()
    return time.perf_counter() - started, produced


def _row(name: str, cases: int, produced: str, seconds: float) -> tuple[str, ...]:
    return (
        name,
        f"{cases:,}",
        produced,
        f"{seconds:.2f}",
        f"{cases / seconds:,.0f}",
        f"{seconds / cases * 1e6:.1f}",
    )


def run() -> list[BenchTable]:
    cases = make_cases()
    calendar = calendar_for(Nation.ENGLAND)
    books = [select_rulebook(Nation.ENGLAND, case[0].on) for case in cases]
    # Warm the per-rulebook compilation once, as a long-running process would have.
    compute_milestones(cases[0], books[0], calendar, TODAY)

    def milestones_only() -> int:
        return sum(
            len(compute_milestones(case, book, calendar, TODAY))
            for case, book in zip(cases, books, strict=True)
        )

    def with_selection() -> int:
        return sum(
            len(
                compute_milestones(
                    case, select_rulebook(Nation.ENGLAND, case[0].on), calendar, TODAY
                )
            )
            for case in cases
        )

    rows = []
    for name, work in (
        ("compute_milestones", milestones_only),
        ("select + compute", with_selection),
    ):
        seconds, milestones = _timed(work)
        rows.append(_row(name, len(cases), f"{milestones:,}", seconds))
    rows.append(_calendar_row(calendar))
    return [
        BenchTable(
            title="Statutory clocks: 100,000 synthetic England cases (target < 2 s)",
            headers=("work", "cases", "milestones", "seconds", "cases/s", "µs/case"),
            rows=tuple(rows),
            notes=f"One process, today = {TODAY.isoformat()}, seed {SEED}; calendar row: "
            "one add_working_days plus one working_days_between per 'case'.",
        )
    ]


def _calendar_row(calendar: WorkingCalendar) -> tuple[str, ...]:
    rng = random.Random(SEED)
    starts = [FIRST_AWARE + dt.timedelta(days=rng.randrange(2900)) for _ in range(CASES)]

    def primitives() -> int:
        for start in starts:
            calendar.working_days_between(start, calendar.add_working_days(start, 15))
        return 2 * len(starts)

    seconds, operations = _timed(primitives)
    return _row("calendar primitives", CASES, f"{operations:,} ops", seconds)
