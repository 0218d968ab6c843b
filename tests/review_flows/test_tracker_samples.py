"""The two sample trackers of corpus/trackers/ imported: the expected counts, a refusal report
that names every bad row (row, column, reason), a dry run and all-or-nothing that write nothing,
row by row that writes the rest, and references already in the database refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from review_flows.case_queries import get_case
from review_flows.events import EventKind
from review_flows.models import Case, CaseEvent
from review_flows.tracker_import import ImportReport, import_tracker
from review_flows.tracker_layouts import bundled_layouts, layout_named
from review_flows.tracker_report import render_report, report_rows

pytestmark = pytest.mark.slow  # the personal-data guard loads its language model

TRACKERS = Path(__file__).resolve().parents[2] / "corpus" / "trackers"
TODAY = dt.date(2026, 12, 1)
NORTHSHIRE_REFUSED = [
    (5, "Migration note", "note seems to hold personal data: a person's name"),
    (10, "Decision date", "decision on 2031-03-14 is in the future (today is 2026-12-01)"),
    (15, "Outcome", "empty: every case needs its outcome"),
    (
        20,
        "Date notified to Panel",
        "impossible order: incident notified on 2019-03-11 comes "
        "after decided to hold a local review on 2019-03-07, which follows it in a case's life; "
        "check the two dates",
    ),
    (25, "Date LA aware", "'31/02/2024' is not a date"),
    (30, "Case ref", "is already on row 29"),
]
CYMRU_REFUSED = [
    (39, "Dyddiad", "rapid_review_submitted is not part of a case under wales-cpr"),
    (75, "Dyddiad", "decision on 2031-03-14 is in the future"),
    (101, "Nodyn", "note seems to hold personal data: a person's name"),
    (
        130,
        "Dyddiad",
        "impossible order: incident notified on 2026-05-22 comes after decided to "
        "hold a local review on 2026-05-16 (row 129)",
    ),
    (167, "Event", "'Strategy meeting' is not a known event"),
]


def _import(session: Session, name: str, partnership: str, **options: object) -> ImportReport:
    settings = {"mapping": None, "dry_run": False, "skip_bad": True, **options}
    return import_tracker(
        session, (TRACKERS / name).read_bytes(), name, partnership=partnership,
        recorded_by="admin", today=TODAY, **settings,  # type: ignore[arg-type]
    )  # fmt: skip


def _counts(session: Session) -> tuple[int, int]:
    cases = session.exec(select(func.count()).select_from(Case)).one()
    events = session.exec(select(func.count()).select_from(CaseEvent)).one()
    return cases, events


def _refusals(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(r.row, r.column, r.reason) for r in report.refusals]


def _names_every_bad_row(report: ImportReport, expected: list[tuple[int, str, str]]) -> None:
    found = _refusals(report)
    assert [(row, column) for row, column, _ in found] == [(r, c) for r, c, _ in expected]
    for (_, _, reason), (_, _, part) in zip(found, expected, strict=True):
        assert part in reason
    text = render_report(report)
    for row, column, _ in expected:
        assert f"row {row}, column {column!r}: " in text


def test_northshire_imports_34_cases_and_names_its_6_bad_rows(session: Session) -> None:
    report = _import(session, "northshire-tracker.xlsx", "Northshire")
    assert (report.layout, len(report.cases), len(report.accepted)) == ("per-case", 40, 34)
    assert report.written and report.unused_columns == ("RAG",)
    _names_every_bad_row(report, NORTHSHIRE_REFUSED)
    events = sum(len(case.events) + 1 for case in report.accepted)  # + the history event
    assert _counts(session) == (34, events)
    assert render_report(report).startswith(
        "northshire-tracker.xlsx (per-case layout, row by row): 40 cases, 34 accepted, "
        "6 refused. 34 cases written to Northshire. The 6 refused were skipped."
    )


def test_a_case_taken_over_mid_way_keeps_its_reason_and_names_the_gaps(session: Session) -> None:
    report = _import(session, "northshire-tracker.xlsx", "Northshire")
    taken = [case for case in report.accepted if case.not_recorded]
    assert [case.rows[0] for case in taken] == [6, 11, 16, 21, 26, 31, 36, 41]
    record = get_case(session, taken[0].reference, partnership="Northshire")
    history = record.events[0]
    assert (history.kind, history.on) == (EventKind.HISTORY_IMPORTED, TODAY)
    assert history.note == (
        "held on the previous case system; early dates not transferred (steps not recorded: "
        "became aware of the incident, incident notified)"
    )  # a rapid review submitted without its start leaves no gap: England allows it
    assert taken[0].not_recorded == (EventKind.AWARE, EventKind.NOTIFIED)


def test_cymru_imports_35_cases_and_names_its_5_bad_rows(session: Session) -> None:
    report = _import(session, "cymru-tracker.csv", "Dyfnant")
    assert (report.layout, len(report.cases), len(report.accepted)) == ("per-event", 40, 35)
    _names_every_bad_row(report, CYMRU_REFUSED)
    assert _counts(session)[0] == 35
    taken = [case for case in report.accepted if case.not_recorded]
    assert len(taken) == 6
    welsh = {get_case(session, c.reference, partnership="Dyfnant").case.nation for c in taken}
    assert welsh == {"wales"}


def test_a_dry_run_checks_everything_and_writes_nothing(session: Session) -> None:
    report = _import(session, "cymru-tracker.csv", "Dyfnant", dry_run=True)
    assert (len(report.accepted), len(report.refused), report.written) == (35, 5, False)
    assert _counts(session) == (0, 0)
    assert "Dry run: nothing was written." in render_report(report)
    assert "Would be created:" in render_report(report)


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(session: Session) -> None:
    report = _import(session, "northshire-tracker.xlsx", "Northshire", skip_bad=False)
    assert (len(report.accepted), len(report.refused), report.written) == (34, 6, False)
    assert report.mode.value == "all or nothing"
    assert _counts(session) == (0, 0)
    assert "Nothing was written: correct the refused rows" in render_report(report)
    assert {row["Result"] for row in report_rows(report)} == {
        "Refused", "Not written (another row was refused)"
    }  # fmt: skip


def test_all_or_nothing_writes_a_clean_file_whole(session: Session) -> None:
    lines = (TRACKERS / "cymru-tracker.csv").read_text(encoding="utf-8-sig").splitlines()
    bad = ("-007", "-014", "-021", "-028", "-035")  # the five cases wrong on purpose
    clean = "\r\n".join(line for line in lines if not line.split(",")[0].endswith(bad)).encode()
    assert len(clean.splitlines()) < len(lines)
    report = import_tracker(
        session, clean, "clean.csv", partnership="Dyfnant", mapping=None, dry_run=False,
        skip_bad=False, recorded_by="admin", today=TODAY,
    )  # fmt: skip
    assert (len(report.accepted), len(report.refused), report.written) == (35, 0, True)
    assert _counts(session)[0] == 35


def test_references_already_in_the_database_are_refused(session: Session) -> None:
    _import(session, "cymru-tracker.csv", "Dyfnant")
    again = _import(session, "cymru-tracker.csv", "Dyfnant", mapping=_per_event())
    assert (len(again.accepted), len(again.refused)) == (0, 40)
    first = again.cases[0]
    assert first.refusals[0].column == "Cyfeirnod"
    assert "Dyfnant already has a case DYF-2024-001" in first.refusals[0].reason
    assert _counts(session)[0] == 35


def test_the_report_as_rows_for_a_table(session: Session) -> None:
    report = _import(session, "northshire-tracker.xlsx", "Northshire", dry_run=True)
    rows = report_rows(report)
    assert len(rows) == 6 + 34
    assert rows[0] == {
        "Row": "5",
        "Reference": rows[0]["Reference"],
        "Result": "Refused",
        "Column": "Migration note",
        "Details": rows[0]["Details"],
    }
    assert rows[0]["Reference"].startswith("NSH-")
    created = rows[6]
    assert (created["Row"], created["Result"]) == ("2", "Would be created")
    assert created["Details"].startswith("stage ")


def _per_event() -> object:
    return layout_named("per-event", bundled_layouts())


def test_after_the_take_over_the_usual_order_holds_and_a_refusal_names_its_cell(
    session: Session,
) -> None:
    tracker = (
        b"Case ref,Nation,Incident date,Outcome,Age group,Taken over,History reason,"
        b"Date notified to Panel,Decision date,Reviewer appointed\r\n"
        b"NSH-2026-201,England,02/03/2026,Death,0-1,01/06/2026,from the county tracker,,"
        b"20/05/2026,10/06/2026\r\n"
        b"NSH-2026-202,England,02/03/2026,Death,0-1,01/06/2026,from the county tracker,,,"
        b"10/06/2026\r\n"
    )
    report = import_tracker(
        session, tracker, "t.csv", partnership="Northshire", mapping=None, dry_run=True,
        skip_bad=True, recorded_by="admin", today=TODAY,
    )  # fmt: skip
    first, second = report.cases
    assert first.accepted and first.stage == "reviewing"
    assert first.not_recorded == (EventKind.AWARE, EventKind.NOTIFIED)
    (refusal,) = second.refusals
    assert (refusal.row, refusal.column) == (3, "Reviewer appointed")
    assert "reviewer_appointed needs" in refusal.reason


def test_the_checked_in_samples_are_what_the_script_writes(tmp_path: Path) -> None:
    import importlib.util

    script = TRACKERS.parents[1] / "scripts" / "make_sample_trackers.py"
    spec = importlib.util.spec_from_file_location("make_sample_trackers", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    name = "cymru-tracker.csv"
    assert (tmp_path / name).read_bytes() == (TRACKERS / name).read_bytes()
    name = "northshire-tracker.xlsx"  # each part the same (another zlib may pack them apart)
    assert _parts(tmp_path / name) == _parts(TRACKERS / name)


def _parts(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return {entry.filename: archive.read(entry) for entry in archive.infolist()}
