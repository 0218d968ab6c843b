"""Trackers in and out: what bringing a partnership's cases in costs, beside the alternative.

Side by side in one run, each on a fresh migrated SQLite file:

- the Northshire sample tracker (40 rows, 34 accepted) imported in one transaction
  (``import_tracker``), against the same 34 cases opened one by one, one commit each, as a
  script calling ``cspr case new --taken-over`` per case would (the service only: no process
  start-up, which would add about a second a case);
- a synthetic per-event tracker of 1,000 cases (4 steps each): import time per case and the
  peak memory of reading it (tracemalloc);
- the export of those 1,000 cases as CSV and as Excel.

The personal-data guard's model is loaded before any timing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import Session

from benchmarks.table import BenchTable
from core.db import build_engine, get_engine
from core.migrations import upgrade_database
from core.personal_data import find_personal_data
from review_flows.case_history import CaseHistoryCreate, KnownStep, open_case_with_history
from review_flows.cases import parse_input
from review_flows.events import EventKind
from review_flows.tracker_export import ExportFormat, export_tracker
from review_flows.tracker_import import import_tracker
from review_flows.tracker_layouts import bundled_layouts, layout_named
from review_flows.tracker_read import read_tracker

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "trackers" / "northshire-tracker.xlsx"
TODAY = dt.date(2026, 12, 1)
SYNTHETIC_CASES = 1_000
PARTNERSHIP = "Northshire"


def run() -> list[BenchTable]:
    find_personal_data("warm the guard's model before timing")
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        upgrade_database(f"sqlite:///{template}")
        get_engine(f"sqlite:///{template}").dispose()  # checkpoints the WAL into the file
        sample = _sample_rows(template, Path(folder))
        scaled = _scaled_rows(template, Path(folder))
    return [
        BenchTable(
            "Tracker import: the 40-row sample, one transaction vs one commit per case",
            ("how", "cases", "seconds", "ms per case", "ratio"),
            tuple(sample),
            "Same machine, same run, each on a fresh migrated SQLite file.",
        ),
        BenchTable(
            f"Tracker import and export at {SYNTHETIC_CASES:,} cases (per-event CSV)",
            ("what", "seconds", "ms per case", "peak memory"),
            tuple(scaled),
        ),
    ]


@contextmanager
def _session(template: Path, folder: Path, name: str) -> Iterator[Session]:
    path = folder / f"{name}.db"
    shutil.copyfile(template, path)
    engine = build_engine(f"sqlite:///{path}")
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _sample_rows(template: Path, folder: Path) -> list[tuple[str, ...]]:
    content = SAMPLE.read_bytes()
    with _session(template, folder, "warm-up") as session:  # rulebooks, calendars, the reader
        import_tracker(
            session, content, SAMPLE.name, partnership=PARTNERSHIP, mapping=None,
            dry_run=True, skip_bad=True, recorded_by="admin", today=TODAY,
        )  # fmt: skip
    with _session(template, folder, "import") as session:
        started = time.perf_counter()
        report = import_tracker(
            session, content, SAMPLE.name, partnership=PARTNERSHIP, mapping=None,
            dry_run=False, skip_bad=True, recorded_by="admin", today=TODAY,
        )  # fmt: skip
        imported = time.perf_counter() - started
    cases = report.accepted
    with _session(template, folder, "one-by-one") as session:
        started = time.perf_counter()
        for number, case in enumerate(cases):
            data = {
                "reference": f"NSH-2099-{number:03d}", "partnership": PARTNERSHIP,
                "nation": "england", "incident_date": min(on for _, on in case.events),
                "outcome": "death", "age_group": "under_1", "taken_over_on": TODAY,
                "reason": "opened one by one for the benchmark",
            }  # fmt: skip
            steps = [
                KnownStep(kind, on, "reason given" if kind is EventKind.DELAY_RECORDED else None)
                for kind, on in case.events
                if on <= TODAY
            ]
            open_case_with_history(
                session, parse_input(CaseHistoryCreate, data), steps, recorded_by="admin",
                today=TODAY,
            )  # fmt: skip
        one_by_one = time.perf_counter() - started
    count = len(cases)
    return [
        ("import_tracker (one transaction)", str(count), f"{imported:.2f}",
         f"{imported / count * 1000:.0f}", "1.00x"),
        ("one case per commit", str(count), f"{one_by_one:.2f}",
         f"{one_by_one / count * 1000:.0f}", f"{one_by_one / imported:.2f}x"),
    ]  # fmt: skip


def _synthetic_csv(count: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Case reference", "Nation", "Incident date", "Outcome", "Age group",
                     "Event", "Date", "Note"])  # fmt: skip
    for number in range(count):
        incident = dt.date(2024, 1, 1) + dt.timedelta(days=number % 600)
        reference = f"NSH-2098-{number:04d}"
        facts = ["England", incident.strftime("%d/%m/%Y"), "serious harm", "1-4"]
        steps = (("Aware", 1), ("Notified", 4), ("Rapid review submitted", 20), ("Decision", 30))
        for event, days in steps:
            day = incident + dt.timedelta(days=days)
            writer.writerow([reference, *facts, event, day.strftime("%d/%m/%Y"), ""])
    return out.getvalue().encode("utf-8")


def _without_clean_memory(
    template: Path, folder: Path, content: bytes, with_memory: float
) -> tuple[str, ...]:
    """The same import with the guard's memory of clean texts turned off: every partnership
    name and note read by the language model again."""
    from core import personal_data

    kept = personal_data._CLEAN_MAX
    personal_data._CLEAN.clear()
    personal_data._CLEAN_MAX = 0
    try:
        with _session(template, folder, "no-memory") as session:
            started = time.perf_counter()
            import_tracker(
                session, content, "synthetic.csv", partnership=PARTNERSHIP, mapping=None,
                dry_run=False, skip_bad=False, recorded_by="admin", today=TODAY,
            )  # fmt: skip
            took = time.perf_counter() - started
    finally:
        personal_data._CLEAN_MAX = kept
    return ("import, guard without its memory of clean texts", f"{took:.2f}",
            f"{took / SYNTHETIC_CASES * 1000:.1f} ({took / with_memory:.1f}x)", "-")  # fmt: skip


def _scaled_rows(template: Path, folder: Path) -> list[tuple[str, ...]]:
    content = _synthetic_csv(SYNTHETIC_CASES)
    tracemalloc.start()
    started = time.perf_counter()
    read_tracker(content, "synthetic.csv")
    read = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = [("read the file", f"{read:.2f}", f"{read / SYNTHETIC_CASES * 1000:.2f}",
             f"{peak / 2**20:.1f} MB")]  # fmt: skip
    with _session(template, folder, "scaled") as session:
        started = time.perf_counter()
        report = import_tracker(
            session, content, "synthetic.csv", partnership=PARTNERSHIP, mapping=None,
            dry_run=False, skip_bad=False, recorded_by="admin", today=TODAY,
        )  # fmt: skip
        imported = time.perf_counter() - started
        assert len(report.accepted) == SYNTHETIC_CASES, report.refusals[:3]
        rows.append(("import (one transaction)", f"{imported:.2f}",
                     f"{imported / SYNTHETIC_CASES * 1000:.1f}", "-"))  # fmt: skip
        rows.append(_without_clean_memory(template, folder, content, imported))
        per_event = layout_named("per-event", bundled_layouts())
        for fmt in (ExportFormat.CSV, ExportFormat.XLSX):
            started = time.perf_counter()
            export_tracker(session, partnership=PARTNERSHIP, layout=per_event, fmt=fmt)
            took = time.perf_counter() - started
            rows.append((f"export {fmt.value}", f"{took:.2f}",
                         f"{took / SYNTHETIC_CASES * 1000:.2f}", "-"))  # fmt: skip
    return rows
