"""Case store throughput: load 100,000 open cases from SQLite and compute their milestones.

Setup (not the target, timed for information): a migrated SQLite file in a temp folder gets
100,000 synthetic open cases (England mostly, some Wales, Scotland and Northern Ireland;
incidents 2022-2026) with about 5 events each, in lifecycle order, by bulk insert.
Timed: ``list_cases(open_only=True)`` (load cases and events, derive stages) and
``summarise_cases(open_only=True)`` (the same plus every milestone and each case's next due
date and worst status), which is what ``cspr case list --open`` and the dashboard do.
Target: under 10 s for all 100,000. Beside them, the pure ``compute_milestones`` rate on the
same cases in memory, in the same run.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from benchmarks.table import BenchTable
from core.db import build_engine
from core.migrations import upgrade_database
from core.settings import Settings
from review_flows.calendar import Nation, calendar_for
from review_flows.case_queries import list_cases, summarise_cases
from review_flows.case_rows import rulebook_for
from review_flows.events import EventKind
from review_flows.models import Case, CaseEvent
from review_flows.timeline import compute_milestones

CASES = 100_000
SEED = 20261122
TODAY = dt.date(2026, 9, 30)
FIRST_INCIDENT = dt.date(2022, 1, 1)
LAST_INCIDENT = dt.date(2026, 8, 31)
TARGET_S = 10.0
_NATIONS = (Nation.ENGLAND,) * 17 + (Nation.WALES, Nation.SCOTLAND) + (Nation.NORTHERN_IRELAND,)
_STAMP = dt.datetime(2026, 9, 30, 12, 0, tzinfo=dt.UTC)
K = EventKind
# (kind, probability, days after the previous step: low, high); a miss ends the log, except
# for the optional steps marked True, which are skipped over.
_PATH: tuple[tuple[EventKind, float, int, int, bool], ...] = (
    (K.NOTIFIED, 0.97, 0, 9, False),
    (K.RAPID_REVIEW_SUBMITTED, 0.92, 8, 25, False),
    (K.PANEL_RESPONSE, 0.75, 3, 20, True),
    (K.DECISION, 0.75, 0, 10, False),
    (K.REVIEWER_APPOINTED, 0.85, 10, 40, False),
    (K.PUBLICATION_PLANNED, 0.7, 100, 200, False),
)


def make_logs(count: int = CASES, seed: int = SEED) -> Iterator[tuple[dict[str, Any], list]]:
    """Deterministic (case row, [(kind, date, note)]) pairs, every log valid and open."""
    rng = random.Random(seed)
    span = (LAST_INCIDENT - FIRST_INCIDENT).days
    for number in range(count):
        incident = FIRST_INCIDENT + dt.timedelta(days=rng.randrange(span))
        case = {
            "reference": f"BEN-{number:06d}",
            "partnership": f"Partnership {number % 150:03d}",
            "nation": rng.choice(_NATIONS),
            "incident_date": incident,
            "outcome": "death" if rng.random() < 0.4 else "serious_harm",
            "age_group": rng.choice(("under_1", "1_4", "5_9", "10_14", "15_17")),
            "looked_after": rng.random() < 0.2,
            "child_protection_plan": rng.random() < 0.3,
            "ruleset_id": None,
            "created_at": _STAMP,
        }
        yield case, _make_log(rng, incident)


def _make_log(rng: random.Random, incident: dt.date) -> list[tuple[EventKind, dt.date, str | None]]:
    day = incident + dt.timedelta(days=rng.randint(0, 3))
    log: list[tuple[EventKind, dt.date, str | None]] = [(K.AWARE, min(day, TODAY), None)]
    for kind, chance, low, high, optional in _PATH:
        if rng.random() >= chance:
            if optional:
                continue
            break
        next_day = day + dt.timedelta(days=rng.randint(low, high))
        if next_day > TODAY and kind is not K.PUBLICATION_PLANNED:
            break
        log.append((kind, next_day, None))
        day = min(next_day, TODAY)
    if rng.random() < 0.05:
        log.append((K.DELAY_RECORDED, day, "criminal proceedings"))
    return log


def load_database(url: str, count: int = CASES) -> int:
    """Bulk-insert ``count`` synthetic cases with their events; return the number of events."""
    upgrade_database(url)
    engine = build_engine(url)
    events = 0
    batch_cases: list[dict[str, Any]] = []
    batch_logs: list[list] = []
    with engine.begin() as connection:
        for case, log in make_logs(count):
            batch_cases.append(case)
            batch_logs.append(log)
            if len(batch_cases) == 10_000:
                events += _insert_batch(connection, batch_cases, batch_logs, events)
                batch_cases, batch_logs = [], []
        if batch_cases:
            events += _insert_batch(connection, batch_cases, batch_logs, events)
    engine.dispose()
    return events


def _insert_batch(connection: Any, cases: list[dict], logs: list[list], first_id: int) -> int:
    ids = connection.execute(insert(Case.__table__).returning(Case.__table__.c.id), cases)
    rows = [
        {"case_id": case_id, "kind": kind, "on": on, "note": note, "corrects": None,
         "recorded_at": _STAMP, "recorded_by": "bench"}
        for case_id, log in zip(ids.scalars(), logs, strict=True)
        for kind, on, note in log
    ]  # fmt: skip
    connection.execute(insert(CaseEvent.__table__), rows)
    return len(rows)


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _best_of(runs: int, work: Callable[[], Any]) -> tuple[float, float, Any]:
    """The fastest of ``runs`` runs as (wall seconds, CPU seconds of this process, result).

    Why both: the machine is shared, so wall time includes waiting for a core; CPU time does not.
    """
    best: tuple[float, float, Any] | None = None
    for _ in range(runs):
        cpu = time.process_time()
        wall, result = _timed(work)
        cpu = time.process_time() - cpu
        if best is None or wall < best[0]:
            best = (wall, cpu, result)
    assert best is not None
    return best


def run() -> list[BenchTable]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as folder:
        url = f"sqlite:///{Path(folder) / 'cspr.db'}"
        setup_s, events = _timed(lambda: load_database(url))
        engine = build_engine(url)

        def load() -> list[Any]:
            with Session(engine) as session:
                return list_cases(session, open_only=True)

        def summarise() -> list[Any]:
            with Session(engine) as session:
                return summarise_cases(session, today=TODAY, open_only=True, settings=settings)

        load_s, load_cpu, records = _best_of(2, load)
        full_s, full_cpu, overviews = _best_of(2, summarise)
        engine.dispose()
    pure_s, pure_cpu, _ = _best_of(2, _pure_compute(records))
    n = len(overviews)
    rows = (
        ("load open cases + derive stage (list_cases)", n, load_s, load_cpu, ""),
        (
            "load + milestones + next due (summarise_cases)",
            n,
            full_s,
            full_cpu,
            f"< {TARGET_S:.0f} s",
        ),
        ("pure compute_milestones (same cases, in memory)", len(records), pure_s, pure_cpu, ""),
    )
    return [
        BenchTable(
            title=f"Case store on SQLite: {n:,} open cases, {events:,} events",
            headers=("step", "cases", "wall s", "CPU s", "cases/s (wall)", "target"),
            rows=tuple(
                (step, f"{count:,}", f"{wall:.2f}", f"{cpu:.2f}", f"{count / wall:,.0f}", target)
                for step, count, wall, cpu, target in rows
            ),
            notes=(
                "Best of 2 runs each (pure compute with the garbage collector on, as bench_clock). "
                f"Setup (bulk insert of the synthetic cases, not the "
                f"target): {setup_s:.1f} s. Today = {TODAY.isoformat()}; the database path "
                f"{'meets' if full_s < TARGET_S else 'MISSES'} the {TARGET_S:.0f} s target."
            ),
        )
    ]


def _pure_compute(records: list[Any]) -> Callable[[], int]:
    calendars = {nation: calendar_for(nation) for nation in Nation}
    books = [rulebook_for(record.case) for record in records]

    def compute() -> int:
        return sum(
            len(compute_milestones(record.events, book, calendars[record.case.nation], TODAY))
            for record, book in zip(records, books, strict=True)
        )

    return compute
