"""The daily deadline sweep over 10,000 and 100,000 open cases.

Timed: ``run_sweep(dry_run=True)``, i.e. everything the sweep does but send: read every open
case and its events from SQLite, derive milestones, plan every reminder, escalation and digest
for the partnerships' contacts, check which were sent before, and write the text of the rest
(here all of them: a first sweep). Beside it, in the same run, the pure ``compute_milestones``
of the same cases in memory. Target: 100,000 cases in under 30 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from benchmarks.bench_cases_db import TODAY, _pure_compute, load_database
from benchmarks.table import BenchTable
from core.db import build_engine
from core.settings import Settings
from review_flows.case_queries import list_cases
from review_flows.notify.channels import InboxChannel
from review_flows.notify.kinds import Channel
from review_flows.partnership_models import Contact
from review_flows.sweep import run_sweep

SIZES = (10_000, 100_000)
TARGET_S = 30.0


def _add_contacts(url: str) -> None:
    """A business manager (inbox and email) and a chair (inbox) for each of the 150 partnerships."""
    engine = build_engine(url)
    rows = [
        {"partnership": f"Partnership {n:03d}", "role": role, "email": f"{role}{n}@example.org",
         "channels": channels, "username": None, "created_at": dt_stamp()}
        for n in range(150)
        for role, channels in (("business_manager", "inbox,email"), ("chair", "inbox"))
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Contact.__table__), rows)
    engine.dispose()


def dt_stamp() -> Any:
    import datetime as dt

    return dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC)


def _measure(count: int, settings: Settings) -> tuple[Any, ...]:
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as folder:
        url = f"sqlite:///{Path(folder) / 'cspr.db'}"
        load_database(url, count)
        _add_contacts(url)
        engine = build_engine(url)
        with Session(engine) as session:
            started = time.perf_counter()
            report = run_sweep(
                session, today=TODAY, settings=settings, dry_run=True,
                channels={Channel.INBOX: InboxChannel(), Channel.EMAIL: InboxChannel()},
            )  # fmt: skip
            sweep_s = time.perf_counter() - started
            notices = report.delivery.sent
            records = list_cases(session, open_only=True)
        engine.dispose()
    pure = _pure_compute(records)
    started = time.perf_counter()
    pure()
    pure_s = time.perf_counter() - started
    return count, sweep_s, len(notices), pure_s


def run() -> list[BenchTable]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    rows = []
    for size in SIZES:
        count, sweep_s, notices, pure_s = _measure(size, settings)
        target = f"< {TARGET_S:.0f} s" if size == 100_000 else ""
        rows.append(
            (f"{count:,}", f"{sweep_s:.2f}", f"{notices:,}", f"{pure_s:.2f}",
             f"{sweep_s / pure_s:.1f}x", target)
        )  # fmt: skip
    return [
        BenchTable(
            title="Deadline sweep, dry run: read, derive, plan, check sent, write text",
            headers=(
                "open cases",
                "sweep s",
                "notices",
                "pure milestones s",
                "sweep / pure",
                "target",
            ),  # fmt: skip
            rows=tuple(rows),
            notes=(
                f"SQLite, 150 partnerships with a business manager (inbox and email) and a chair; "
                f"today = {TODAY.isoformat()}. One run of each, side by side."
            ),
        )
    ]
