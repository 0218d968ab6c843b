"""Calendar feeds: cases on a migrated database, the feed parsed back with icalendar."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from icalendar import Calendar
from sqlmodel import Session
from typer.testing import CliRunner

from core.labels import stage_label
from cspr.cli import cases as cli_cases
from cspr.cli import feeds as cli_feeds
from review_flows.case_queries import case_timeline, summarise_cases
from review_flows.cases import record_event
from review_flows.events import EventKind
from review_flows.feeds import event_uid, feed_entries, milestones_calendar, owned_by
from review_flows.milestones import MilestoneStatus
from review_flows.models import CaseEventCreate
from tests.review_flows.conftest import CaseFactory

DONE = {MilestoneStatus.DONE, MilestoneStatus.DONE_ON_TIME, MilestoneStatus.DONE_LATE}


def build_feed(session: Session, today: dt.date, **options: Any) -> Calendar:
    cases = summarise_cases(session, today=today, partnership="Northshire", open_only=True)
    ics = milestones_calendar(cases, name="Northshire milestones", as_of=today, **options)
    return Calendar.from_ical(ics)


def events_by_uid(calendar: Calendar) -> dict[str, Any]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def expected_dues(session: Session, today: dt.date, *references: str) -> dict[str, dt.date]:
    """UID -> due date of every alerting, pending milestone, as ``case_timeline`` derives it."""
    expected = {}
    for reference in references:
        timeline = case_timeline(session, reference, today=today, partnership="Northshire")
        for m in timeline.milestones:
            pending = m.status not in DONE and m.status is not MilestoneStatus.NOT_APPLICABLE
            if m.due is not None and m.alert and pending:
                expected[event_uid("Northshire", reference, m.milestone)] = m.due
    return expected


@pytest.fixture
def three_cases(case_factory: CaseFactory) -> tuple[str, ...]:
    """Not yet notified; notified (rapid review overdue); decided (review due in August)."""
    case_factory("NSH-2026-001")
    case_factory("NSH-2026-002", events=[(EventKind.NOTIFIED, dt.date(2026, 1, 8))])
    case_factory(
        "NSH-2026-003",
        events=[
            (EventKind.NOTIFIED, dt.date(2026, 1, 8)),
            (EventKind.RAPID_REVIEW_SUBMITTED, dt.date(2026, 1, 20)),
            (EventKind.DECISION, dt.date(2026, 2, 10)),
        ],
    )
    return ("NSH-2026-001", "NSH-2026-002", "NSH-2026-003")


def test_each_event_starts_on_the_due_date_of_its_milestone(
    session: Session, today: dt.date, three_cases: tuple[str, ...]
) -> None:
    events = events_by_uid(build_feed(session, today))
    starts = {uid: event.decoded("dtstart") for uid, event in events.items()}
    assert starts == expected_dues(session, today, *three_cases)
    assert starts == {
        "NSH-2026-001-notification@northshire.cspr": dt.date(2026, 1, 13),
        "NSH-2026-001-rapid_review@northshire.cspr": dt.date(2026, 1, 27),
        "NSH-2026-002-rapid_review@northshire.cspr": dt.date(2026, 1, 27),
        "NSH-2026-003-review_published@northshire.cspr": dt.date(2026, 8, 10),
    }
    for event in events.values():
        start = event.decoded("dtstart")
        assert type(start) is dt.date  # all-day, not a datetime
        assert event.decoded("dtend") == start + dt.timedelta(days=1)
        assert event.decoded("dtstamp") == dt.datetime(2026, 3, 31, tzinfo=dt.UTC)


def test_summary_holds_the_reference_and_description_the_rule(
    session: Session, today: dt.date, three_cases: tuple[str, ...]
) -> None:
    events = events_by_uid(build_feed(session, today))
    timeline = case_timeline(session, "NSH-2026-003", today=today, partnership="Northshire")
    published = next(m for m in timeline.milestones if m.milestone == "review_published")
    event = events["NSH-2026-003-review_published@northshire.cspr"]
    assert str(event["summary"]) == f"NSH-2026-003: {published.label} due"
    description = str(event["description"])
    for text in (
        f"Milestone: {published.label}",
        f"Status: {published.status.value.replace('_', ' ')}",
        f"Rule: {published.rule}",
        f"Source: {published.source}",
        f"Confidence: {published.confidence.value}",
        "Partnership: Northshire",
        f"Stage: {stage_label(timeline.stage)}",
    ):
        assert text in description
    assert [str(c) for c in event["categories"].cats] == [published.status.value]
    for reference in three_cases:
        assert all(
            str(e["summary"]).startswith(f"{reference}: ")
            for uid, e in events.items()
            if uid.startswith(reference)
        )


def test_uid_is_unique_and_survives_a_moved_due_date(
    session: Session, today: dt.date, case_factory: CaseFactory
) -> None:
    record = case_factory("NSH-2026-001")
    case_factory("NSH-2026-002")
    before = events_by_uid(build_feed(session, today))
    uids = [str(e["uid"]) for e in build_feed(session, today).walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 4
    uid = "NSH-2026-001-notification@northshire.cspr"
    assert before[uid].decoded("dtstart") == dt.date(2026, 1, 13)

    aware = record.events[0]
    correction = CaseEventCreate(
        kind=EventKind.CORRECTION, on=dt.date(2026, 1, 9), corrects=aware.id
    )
    record_event(
        session, "NSH-2026-001", correction, recorded_by="tester", today=today,
        partnership="Northshire",
    )  # fmt: skip

    after = events_by_uid(build_feed(session, today))
    assert after.keys() == before.keys()
    assert after[uid].decoded("dtstart") == dt.date(2026, 1, 16)  # 5 working days from Fri 9 Jan
    assert after[uid].decoded("dtstart") == expected_dues(session, today, "NSH-2026-001")[uid]
    other = "NSH-2026-002-notification@northshire.cspr"
    assert after[other].decoded("dtstart") == before[other].decoded("dtstart")


def test_one_alarm_per_event_two_days_before(
    session: Session, today: dt.date, three_cases: tuple[str, ...]
) -> None:
    events = list(build_feed(session, today).walk("VEVENT"))
    assert events
    for event in events:
        alarms = [c for c in event.subcomponents if c.name == "VALARM"]
        assert len(alarms) == 1
        alarm = alarms[0]
        assert str(alarm["action"]) == "DISPLAY"
        assert alarm.decoded("trigger") == -dt.timedelta(days=2)
        assert str(alarm["description"]).startswith(str(event["summary"]))


def test_done_milestones_are_left_out_unless_asked_for(
    session: Session, today: dt.date, case_factory: CaseFactory
) -> None:
    case_factory("NSH-2026-002", events=[(EventKind.NOTIFIED, dt.date(2026, 1, 8))])
    done = "NSH-2026-002-notification@northshire.cspr"
    assert list(events_by_uid(build_feed(session, today))) == [
        "NSH-2026-002-rapid_review@northshire.cspr"
    ]
    with_done = events_by_uid(build_feed(session, today, include_done=True))
    assert list(with_done) == [done, "NSH-2026-002-rapid_review@northshire.cspr"]
    assert [str(c) for c in with_done[done]["categories"].cats] == ["done_on_time"]
    assert "Done: 2026-01-08" in str(with_done[done]["description"])


def test_calendar_properties_and_deterministic_order(
    session: Session, today: dt.date, three_cases: tuple[str, ...]
) -> None:
    cases = summarise_cases(session, today=today, partnership="Northshire", open_only=True)
    ics = milestones_calendar(cases, name="Northshire milestones", as_of=today)
    assert ics == milestones_calendar(
        list(reversed(cases)), name="Northshire milestones", as_of=today
    )
    calendar = Calendar.from_ical(ics)
    assert {key: str(calendar[key]) for key in ("prodid", "version", "x-wr-calname")} == {
        "prodid": "-//CSPR workbench//feeds//EN",
        "version": "2.0",
        "x-wr-calname": "Northshire milestones",
    }
    assert str(calendar["x-wr-timezone"]) == "Europe/London"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in ics
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in ics
    starts = [(e.decoded("dtstart"), str(e["uid"])) for e in calendar.walk("VEVENT")]
    assert starts == sorted(starts)


def test_owned_by_keeps_a_users_cases_across_partnerships(
    session: Session, today: dt.date, case_factory: CaseFactory
) -> None:
    case_factory("NSH-2026-001", owner="alice")
    case_factory("NSH-2026-002", owner="bob")
    case_factory("SMR-2026-001", owner="alice", partnership="Southmoor")
    cases = summarise_cases(session, today=today, open_only=True)
    mine = owned_by(cases, "alice")
    assert [(o.case.partnership, o.case.reference) for o in mine] == [
        ("Northshire", "NSH-2026-001"),
        ("Southmoor", "SMR-2026-001"),
    ]
    assert {e.reference for e in feed_entries(mine)} == {"NSH-2026-001", "SMR-2026-001"}
    assert event_uid("Southmoor", "SMR-2026-001", "notification") == (
        "SMR-2026-001-notification@southmoor.cspr"
    )
    assert (
        event_uid("Bath & North East Somerset", "B-1", "x") == "B-1-x@bath-north-east-somerset.cspr"
    )


def test_feeds_imports_no_database_or_flow_library() -> None:
    code = (
        "import sys, review_flows.feeds; "
        "print(sorted({'sqlmodel', 'sqlalchemy', 'prefect', 'streamlit'} "
        "& {name.split('.')[0] for name in sys.modules}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


# --- cspr feed ---------------------------------------------------------------------------------

NEW = [
    "case", "new", "--ref", "NSH-2026-004", "--partnership", "Northshire", "--nation", "england",
    "--incident", "2026-01-05", "--aware", "2026-01-06", "--outcome", "death",
    "--age-group", "under_1", "--by", "alice", "--today", "2026-03-31",
]  # fmt: skip


@pytest.fixture
def cli_app() -> typer.Typer:
    app = typer.Typer()
    cli_cases.register(app)
    cli_feeds.register(app)
    return app


def test_cli_feed_writes_the_partnerships_calendar(
    data_dir: Path, cli_app: typer.Typer, tmp_path: Path
) -> None:
    cli = CliRunner()
    assert cli.invoke(cli_app, NEW).exit_code == 0
    out = tmp_path / "northshire.ics"
    args = ["feed", "--partnership", "Northshire", "--today", "2026-03-31"]
    result = cli.invoke(cli_app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"wrote 2 milestones of 1 cases to {out}\n"
    calendar = Calendar.from_ical(out.read_bytes())
    assert str(calendar["x-wr-calname"]) == "CSPR milestones: Northshire"
    assert [(str(e["uid"]), e.decoded("dtstart")) for e in calendar.walk("VEVENT")] == [
        ("NSH-2026-004-notification@northshire.cspr", dt.date(2026, 1, 13)),
        ("NSH-2026-004-rapid_review@northshire.cspr", dt.date(2026, 1, 27)),
    ]

    printed = cli.invoke(cli_app, args)
    assert (printed.exit_code, printed.stdout_bytes) == (0, out.read_bytes())
    mine = Calendar.from_ical(
        cli.invoke(cli_app, ["feed", "--user", "alice", "--today", "2026-03-31"]).stdout_bytes
    )
    assert str(mine["x-wr-calname"]) == "CSPR milestones: alice"
    assert [str(e["uid"]) for e in mine.walk("VEVENT")] == [
        str(e["uid"]) for e in calendar.walk("VEVENT")
    ]
    nobody = cli.invoke(cli_app, ["feed", "--user", "bob", "--today", "2026-03-31"])
    assert Calendar.from_ical(nobody.stdout_bytes).walk("VEVENT") == []


def test_cli_feed_refuses_without_partnership_or_user(data_dir: Path, cli_app: typer.Typer) -> None:
    result = CliRunner().invoke(cli_app, ["feed"])
    assert result.exit_code == 2
    assert result.stderr == "error: feed of whose cases? give --partnership P or --user USERNAME\n"
    assert not (data_dir / "cspr.db").exists()
