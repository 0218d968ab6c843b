"""A partnership leaves as it came: import a tracker, export it, import the export into an empty
database, and the cases, events and milestones are the same, on SQLite and on PostgreSQL. The
export writes the log as it now reads (corrections applied, voids left out) and never a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from core.db import build_engine
from review_flows.case_queries import get_case, summarise_cases
from review_flows.cases import record_event
from review_flows.events import EventKind
from review_flows.models import CaseEventCreate
from review_flows.tracker_export import ExportFormat, export_tracker
from review_flows.tracker_import import import_tracker
from review_flows.tracker_layouts import bundled_layouts, layout_named
from review_flows.tracker_read import read_tracker

pytestmark = pytest.mark.slow  # the personal-data guard loads its language model

TRACKERS = Path(__file__).resolve().parents[2] / "corpus" / "trackers"
TODAY = dt.date(2026, 12, 1)
LATER = dt.date(2027, 2, 1)  # milestones compared as of a later day too


@pytest.fixture(params=["sqlite", "postgres"])
def two_databases(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_template: Path
) -> Iterator[tuple[Session, Session]]:
    """Sessions on two empty migrated databases: where the tracker comes in, and where its
    export goes."""
    if request.param == "sqlite":
        urls = []
        for name in ("first.db", "second.db"):
            shutil.copyfile(migrated_template, tmp_path / name)
            urls.append(f"sqlite:///{tmp_path / name}")
        yield from _sessions(urls)
        return
    from tests.review_flows import test_postgres as pg

    if not pg.SERVER_URL:
        pytest.skip('CSPR_TEST_POSTGRES_URL is not set; eval "$(scripts/test-postgres start)"')
    from core.migrations import upgrade_database

    urls = [pg._new_database(), pg._new_database()]
    try:
        for url in urls:
            upgrade_database(url)
        yield from _sessions(urls)
    finally:
        for url in urls:
            pg._drop_database(url)


def _sessions(urls: list[str]) -> Iterator[tuple[Session, Session]]:
    engines = [build_engine(url) for url in urls]
    try:
        with (
            Session(engines[0], expire_on_commit=False) as first,
            Session(engines[1], expire_on_commit=False) as second,
        ):
            yield first, second
    finally:
        for engine in engines:
            engine.dispose()


def _import(session: Session, content: bytes, name: str, partnership: str) -> Any:
    return import_tracker(
        session, content, name, partnership=partnership, mapping=None, dry_run=False,
        skip_bad=True, recorded_by="admin", today=TODAY,
    )  # fmt: skip


def _snapshot(session: Session, partnership: str) -> list[tuple[Any, ...]]:
    """Each case's facts, its whole log (kind, date, note, recorder), its stage and its
    milestones today and later: all that a round trip must keep."""
    shots = []
    for overview in summarise_cases(session, today=TODAY, partnership=partnership):
        record = get_case(session, overview.case.reference, partnership=partnership)
        later = summarise_cases(session, today=LATER, partnership=partnership)
        later_milestones = next(o.milestones for o in later if o.case.id == overview.case.id)
        shots.append(
            (
                record.case.model_dump(exclude={"id", "created_at"}),
                [(e.kind, e.on, e.note, e.recorded_by) for e in record.events],
                record.stage,
                overview.milestones,
                later_milestones,
            )
        )
    return shots


@pytest.mark.parametrize(
    ("tracker", "partnership", "layout", "fmt"),
    [
        ("northshire-tracker.xlsx", "Northshire", "per-case", ExportFormat.CSV),
        ("northshire-tracker.xlsx", "Northshire", "per-event", ExportFormat.XLSX),
        ("cymru-tracker.csv", "Dyfnant", "per-event", ExportFormat.CSV),
        ("cymru-tracker.csv", "Dyfnant", "per-case", ExportFormat.XLSX),
    ],
)
def test_import_export_import_gives_the_same_cases_events_and_milestones(
    two_databases: tuple[Session, Session],
    tracker: str,
    partnership: str,
    layout: str,
    fmt: ExportFormat,
) -> None:
    first, second = two_databases
    _import(first, (TRACKERS / tracker).read_bytes(), tracker, partnership)
    chosen = layout_named(layout, bundled_layouts())
    export = export_tracker(first, partnership=partnership, layout=chosen, fmt=fmt)
    assert export.warnings == ()
    name = f"export.{fmt.value}"
    report = _import(second, export.content, name, partnership)
    assert (len(report.accepted), len(report.refused), report.layout) == (export.cases, 0, layout)
    before = _snapshot(first, partnership)
    assert len(before) == export.cases > 30
    assert _snapshot(second, partnership) == before
    again = export_tracker(second, partnership=partnership, layout=chosen, fmt=fmt)
    assert read_tracker(again.content, name) == read_tracker(export.content, name)


def test_steps_recorded_after_the_take_over_come_back_after_it(
    two_databases: tuple[Session, Session],
) -> None:
    first, second = two_databases
    report = _import(first, (TRACKERS / "northshire-tracker.xlsx").read_bytes(), "n.xlsx",
                     "Northshire")  # fmt: skip
    open_case = next(case for case in report.accepted if case.stage == "local_review")
    for kind, on, note in (
        (EventKind.REVIEWER_APPOINTED, dt.date(2027, 1, 6), None),
        (EventKind.DELAY_RECORDED, dt.date(2027, 1, 8), "awaiting the inquest"),
        (EventKind.DELAY_RECORDED, dt.date(2027, 1, 11), "+ the criminal trial"),
        (EventKind.PUBLICATION_PLANNED, dt.date(2027, 9, 30), None),  # planned: may be ahead
    ):
        record_event(
            first, open_case.reference, CaseEventCreate(kind=kind, on=on, note=note),
            recorded_by="admin", today=LATER, partnership="Northshire",
        )  # fmt: skip
    per_event = layout_named("per-event", bundled_layouts())
    export = export_tracker(first, partnership="Northshire", layout=per_event, fmt=ExportFormat.CSV)
    again = import_tracker(
        second, export.content, "export.csv", partnership="Northshire", mapping=None,
        dry_run=False, skip_bad=False, recorded_by="admin", today=LATER,
    )  # fmt: skip
    assert (len(again.accepted), len(again.refused)) == (34, 0)
    assert _snapshot(second, "Northshire") == _snapshot(first, "Northshire")
    log = get_case(second, open_case.reference, partnership="Northshire").events
    assert [(e.kind, e.note) for e in log[-4:]] == [
        (EventKind.REVIEWER_APPOINTED, None),
        (EventKind.DELAY_RECORDED, "awaiting the inquest"),
        (EventKind.DELAY_RECORDED, "+ the criminal trial"),
        (EventKind.PUBLICATION_PLANNED, None),
    ]
    assert log[0].kind is EventKind.HISTORY_IMPORTED and log[0].on == TODAY


def test_the_export_reads_the_log_as_it_now_reads_and_writes_no_formula(
    session: Session, case_factory: Any, today: dt.date
) -> None:
    record = case_factory(
        "NSH-2026-101",
        events=[
            (EventKind.NOTIFIED, dt.date(2026, 1, 9)),
            (EventKind.RAPID_REVIEW_SUBMITTED, dt.date(2026, 1, 23)),
            (EventKind.PANEL_RESPONSE, dt.date(2026, 2, 2)),
            (EventKind.DELAY_RECORDED, dt.date(2026, 2, 3), "=awaiting the criminal trial"),
        ],
    )
    ids = {event.kind: event.id for event in record.events}
    for kind, on, target in (
        (EventKind.CORRECTION, dt.date(2026, 1, 8), ids[EventKind.NOTIFIED]),
        (EventKind.VOID, dt.date(2026, 2, 4), ids[EventKind.PANEL_RESPONSE]),
    ):
        note = "recorded in error" if kind is EventKind.VOID else None
        record_event(
            session, "NSH-2026-101", CaseEventCreate(kind=kind, on=on, corrects=target, note=note),
            recorded_by="tester", today=today,
        )  # fmt: skip
    per_event = layout_named("per-event", bundled_layouts())
    export = export_tracker(
        session, partnership="Northshire", layout=per_event, fmt=ExportFormat.CSV
    )
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][-3:] == ["Event", "Date", "Note"]
    assert [row[-3:] for row in rows[1:]] == [
        ["Became aware of the incident", "2026-01-06", ""],
        ["Incident notified", "2026-01-08", ""],  # the corrected date
        ["Rapid review submitted", "2026-01-23", ""],
        ["Delay recorded", "2026-02-03", "'=awaiting the criminal trial"],  # never a formula
    ]  # the voided Panel response is left out
    from openpyxl import load_workbook

    workbook = export_tracker(session, partnership="Northshire", layout=per_event,
                              fmt=ExportFormat.XLSX)  # fmt: skip
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    notes = [cell.value for cell in sheet["L"]]
    assert notes[-1] == "'=awaiting the criminal trial"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_per_case_export_says_what_its_columns_cannot_hold(
    session: Session, case_factory: Any
) -> None:
    case_factory(
        "NSH-2026-102",
        events=[
            (EventKind.NOTIFIED, dt.date(2026, 1, 9)),
            (EventKind.DELAY_RECORDED, dt.date(2026, 1, 12), "awaiting the police"),
            (EventKind.DELAY_RECORDED, dt.date(2026, 1, 20), "awaiting the coroner"),
        ],
    )
    per_case = layout_named("per-case", bundled_layouts())
    export = export_tracker(
        session, partnership="Northshire", layout=per_case, fmt=ExportFormat.CSV
    )
    assert export.warnings == (
        "NSH-2026-102: only the first date of delay_recorded (the per-event layout keeps every "
        "event)",
    )
