"""The demo seeds every nation, stage and clock status on any day, once (review_flows.demo)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import typer
from sqlmodel import Session
from typer.testing import CliRunner

from core.access import Viewer
from core.roles import Role
from cspr.cli import cases as cli_cases
from cspr.cli import demo as cli_demo
from review_flows.calendar import Nation, calendar_for
from review_flows.case_queries import list_cases, summarise_cases
from review_flows.contacts import list_contacts
from review_flows.demo import DemoReport, seed_demo
from review_flows.demo_cases import DEMO_CASES, demo_date
from review_flows.demo_partnerships import DEMO_PARTNERSHIPS, NORTHSHIRE, WESTMERE
from review_flows.errors import CaseDataInvalid
from review_flows.events import EventKind
from review_flows.lifecycle import Stage
from review_flows.milestones import MilestoneStatus
from review_flows.notify.kinds import ContactRole

# slow: seeds the whole demo (users with real password hashes, cases, notices)
# (`make test-fast` leaves it to `make test`)
pytestmark = pytest.mark.slow

WANTED_STATUSES = {
    MilestoneStatus.OVERDUE,
    MilestoneStatus.DUE_SOON,
    MilestoneStatus.DONE_ON_TIME,
    MilestoneStatus.DONE_LATE,
}


@pytest.fixture(
    params=[None, dt.date(2026, 4, 6), dt.date(2026, 12, 24)],
    ids=["fixed-today", "easter-monday", "christmas-eve"],
)
def demo_day(request: pytest.FixtureRequest, today: dt.date) -> dt.date:
    """The fixed test date, Easter Monday 2026 (a bank holiday in England, Wales and Northern
    Ireland, not in Scotland, right after Good Friday) and Christmas Eve before two holidays."""
    return request.param or today


def test_seeding_twice_creates_the_cases_once(session: Session, today: dt.date) -> None:
    first = seed_demo(session, today=today)
    # a later day changes nothing already there: cases and contacts are matched, not dated
    second = seed_demo(session, today=today + dt.timedelta(days=30))

    assert first.cases_created == len(DEMO_CASES) >= 28
    assert first.contacts_created == 4 * len(DEMO_PARTNERSHIPS)
    assert first.events_recorded == sum(1 + len(case.steps) for case in DEMO_CASES)
    assert second == DemoReport(cases_existing=len(DEMO_CASES))
    assert len(list_cases(session)) == len(DEMO_CASES)
    assert len(list_contacts(session)) == 4 * len(DEMO_PARTNERSHIPS)


def test_every_nation_stage_and_status_is_on_show(session: Session, demo_day: dt.date) -> None:
    report = seed_demo(session, today=demo_day)
    overviews = summarise_cases(session, today=demo_day)

    assert report.cases_skipped == 0
    assert len(overviews) >= 28
    assert {Nation(o.case.nation) for o in overviews} == set(Nation)
    assert {o.stage for o in overviews} == set(Stage)
    worst = Counter(o.worst_status for o in overviews)
    assert set(worst) >= WANTED_STATUSES, worst
    # the pre-2018 serious case review is there while its dates allow
    assert "england-scr-2015" in {o.ruleset_id for o in overviews}
    # and the same case shows the same status whatever the day
    by_reference = {o.case.reference: o.worst_status for o in overviews}
    assert by_reference["NSH-DEMO-001"] is MilestoneStatus.DUE_SOON  # notification due this week
    assert by_reference["NSH-DEMO-002"] is MilestoneStatus.OVERDUE
    assert by_reference["NSH-DEMO-006"] is MilestoneStatus.DONE_ON_TIME
    assert by_reference["NSH-DEMO-007"] is MilestoneStatus.DONE_LATE
    assert by_reference["NSH-DEMO-011"] is MilestoneStatus.LATE_DELAY_NOTIFIED
    assert by_reference["NSH-DEMO-012"] is MilestoneStatus.DUE_SOON  # report due before publication


def test_the_demo_holds_a_delay_a_correction_and_a_void(session: Session, today: dt.date) -> None:
    seed_demo(session, today=today)
    kinds = Counter(event.kind for record in list_cases(session) for event in record.events)

    assert kinds[EventKind.DELAY_RECORDED] >= 2
    assert kinds[EventKind.CORRECTION] >= 1
    assert kinds[EventKind.VOID] >= 1
    assert kinds[EventKind.DECISION_NO_REVIEW] >= 2
    assert kinds[EventKind.CLOSED] >= 3


def test_every_partnership_has_the_four_contact_roles(session: Session, today: dt.date) -> None:
    seed_demo(session, today=today)

    for partnership in DEMO_PARTNERSHIPS:
        contacts = list_contacts(session, partnership=partnership.name)
        assert {c.role for c in contacts} == set(ContactRole), partnership.name
        assert all(c.email.endswith("@example.org") for c in contacts)
        assert all(c.channels == "inbox,email" for c in contacts)


def test_the_serious_case_review_is_skipped_once_2018_is_too_recent(session: Session) -> None:
    day = dt.date(2028, 1, 4)
    report = seed_demo(session, today=day)
    overviews = summarise_cases(session, today=day)

    assert report.cases_skipped == 1
    assert report.cases_created == len(DEMO_CASES) - 1 >= 28
    assert {o.stage for o in overviews} == set(Stage)
    assert "england-scr-2015" not in {o.ruleset_id for o in overviews}


@pytest.mark.parametrize(
    ("nation", "today", "ago", "expected"),
    [
        (Nation.ENGLAND, dt.date(2026, 4, 7), 0, dt.date(2026, 4, 7)),
        # Good Friday and Easter Monday are holidays in England
        (Nation.ENGLAND, dt.date(2026, 4, 7), 1, dt.date(2026, 4, 2)),
        # Easter Monday is a working day in Scotland
        (Nation.SCOTLAND, dt.date(2026, 4, 7), 1, dt.date(2026, 4, 6)),
        # today on a holiday counts as day 0; day -1 is the last working day before it
        (Nation.ENGLAND, dt.date(2026, 12, 25), 1, dt.date(2026, 12, 24)),
        # a planned publication may lie ahead
        (Nation.ENGLAND, dt.date(2026, 12, 24), -1, dt.date(2026, 12, 29)),
    ],
)
def test_demo_date_counts_the_nations_working_days(
    nation: Nation, today: dt.date, ago: int, expected: dt.date
) -> None:
    assert demo_date(calendar_for(nation), today, ago) == expected


def test_the_table_is_consistent() -> None:
    references = [(case.partnership.name, case.reference) for case in DEMO_CASES]
    assert len(references) == len(set(references))
    assert {case.partnership for case in DEMO_CASES} == set(DEMO_PARTNERSHIPS)
    for case in DEMO_CASES:
        assert all(step.ago <= case.aware for step in case.steps), case.reference
        future = [step for step in case.steps if step.ago < 0]
        assert all(step.kind is EventKind.PUBLICATION_PLANNED for step in future)


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    cli_cases.register(app)
    cli_demo.register(app)
    return app


def test_demo_command_seeds_once(
    app: typer.Typer, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSPR_DEMO_PASSWORD", raising=False)
    folder = tmp_path / "demo"
    args = ["demo", "--data-dir", str(folder), "--today", "2026-03-31"]
    runner = CliRunner()

    first = runner.invoke(app, args)
    second = runner.invoke(app, [*args, "--json"])

    assert first.exit_code == 0, first.stderr
    events = sum(1 + len(case.steps) for case in DEMO_CASES)
    assert re.fullmatch(
        rf"seeded {len(DEMO_CASES)} cases \(0 already there\), 20 contacts, {events} events in "
        r"sqlite:///.*demo/cspr\.db\n"
        r"no demo users: set CSPR_DEMO_PASSWORD to create them\n",
        first.stdout,
    )
    assert second.exit_code == 0, second.stderr
    assert json.loads(second.stdout) | {"database": None} == {
        "cases_created": 0,
        "cases_existing": len(DEMO_CASES),
        "contacts_created": 0,
        "events_recorded": 0,
        "cases_skipped": 0,
        "password_set": False,
        "users_created": [],
        "users_existing": [],
        "today": "2026-03-31",
        "database": None,
    }
    listed = runner.invoke(app, ["case", "list", "--data-dir", str(folder), "--json"])
    assert len(json.loads(listed.stdout)) == len(DEMO_CASES)


def test_demo_command_refuses_a_future_today(app: typer.Typer, data_dir: Path) -> None:
    later = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    result = CliRunner().invoke(app, ["demo", "--today", later])

    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --today {later} is in the future")
    assert not (data_dir / "cspr.db").exists()


def test_the_demo_history_sets_no_follow_up_going(session: Session, today: dt.date) -> None:
    from review_flows.demo import seed_demo
    from review_flows.jobs import pending_jobs

    seed_demo(session, today=today)
    assert pending_jobs(session) == []


# --- demo users, Westmere and scoping -------------------------------------------------------------

DEMO_PASSWORD = "demo-password-for-tests"


def test_the_demo_users_are_created_once_with_the_password(
    session: Session, today: dt.date
) -> None:
    from review_flows.auth import sign_in
    from review_flows.users import list_users

    first = seed_demo(session, today=today, password=DEMO_PASSWORD)
    # a rerun with another password leaves the users (and their passwords) alone
    second = seed_demo(session, today=today, password="another-password-entirely")

    names = ("panel-northshire", "panel-westmere", "reviewer", "analyst", "admin")
    assert first.password_set and first.users_created == names
    assert first.users_existing == ()
    assert second.users_created == () and second.users_existing == names
    users = {user.username: (user.role, user.partnership) for user in list_users(session)}
    assert users == {
        "panel-northshire": (Role.PANEL_MEMBER, NORTHSHIRE.name),
        "panel-westmere": (Role.PANEL_MEMBER, WESTMERE.name),
        "reviewer": (Role.REVIEWER, None),
        "analyst": (Role.ANALYST, None),
        "admin": (Role.ADMIN, None),
    }
    now = dt.datetime(2026, 3, 31, 9, tzinfo=dt.UTC)
    viewer = sign_in(session, "panel-westmere", DEMO_PASSWORD, now=now)
    assert viewer == Viewer(
        "panel-westmere", Role.PANEL_MEMBER, WESTMERE.name, "Westmere panel member"
    )


def test_without_a_password_no_user_is_created(session: Session, today: dt.date) -> None:
    from review_flows.users import list_users

    report = seed_demo(session, today=today)

    assert not report.password_set
    assert report.users_created == report.users_existing == ()
    assert list_users(session) == []


def test_a_short_password_is_refused_before_anything_is_written(
    session: Session, today: dt.date
) -> None:
    with pytest.raises(CaseDataInvalid, match="at least 12 characters") as refused:
        seed_demo(session, today=today, password="short")

    assert "short" not in str(refused.value).replace("at least", "")
    assert list_cases(session) == []
    assert list_contacts(session) == []


def test_westmere_holds_a_few_english_cases(session: Session, today: dt.date) -> None:
    seed_demo(session, today=today)
    by_partnership = Counter(record.case.partnership for record in list_cases(session))

    assert WESTMERE.nation is Nation.ENGLAND
    assert 4 <= by_partnership[WESTMERE.name] <= 6
    assert by_partnership[NORTHSHIRE.name] >= 10
    # Westmere's cases run from the notification to the report sent to the Panel
    stages = {o.stage for o in summarise_cases(session, today=today, partnership=WESTMERE.name)}
    assert stages == {
        Stage.NOTIFIED,
        Stage.AWAITING_DECISION,
        Stage.LOCAL_REVIEW,
        Stage.REVIEWING,
        Stage.REPORT_SENT,
    }


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (Viewer("panel-westmere", Role.PANEL_MEMBER, WESTMERE.name), {WESTMERE.name}),
        (Viewer("panel-northshire", Role.PANEL_MEMBER, NORTHSHIRE.name), {NORTHSHIRE.name}),
        (Viewer("analyst", Role.ANALYST), set()),
    ],
    ids=["westmere", "northshire", "analyst"],
)
def test_each_panel_member_sees_their_own_partnership(
    session: Session, today: dt.date, viewer: Viewer, expected: set[str]
) -> None:
    from review_flows.workbench import visible_cases

    seed_demo(session, today=today, password=DEMO_PASSWORD)
    seen = visible_cases(session, viewer, today=today, open_only=False)

    assert {o.case.partnership for o in seen} == expected


def test_the_reviewer_owns_a_few_cases(session: Session, today: dt.date) -> None:
    from review_flows.workbench import visible_cases

    seed_demo(session, today=today, password=DEMO_PASSWORD)
    seen = visible_cases(session, Viewer("reviewer", Role.REVIEWER), today=today, open_only=False)

    assert 3 <= len(seen) <= 4
    assert {o.case.reference for o in seen} == {
        case.reference for case in DEMO_CASES if case.owner == "reviewer"
    }
    assert len({o.case.partnership for o in seen}) >= 2  # a reviewer's cases span partnerships


def test_contacts_are_linked_to_the_demo_users(session: Session, today: dt.date) -> None:
    seed_demo(session, today=today, password=DEMO_PASSWORD)
    linked = {(c.partnership, c.role): c.username for c in list_contacts(session)}

    assert linked[(NORTHSHIRE.name, ContactRole.BUSINESS_MANAGER)] == "panel-northshire"
    assert linked[(WESTMERE.name, ContactRole.BUSINESS_MANAGER)] == "panel-westmere"
    for partnership in DEMO_PARTNERSHIPS:
        assert linked[(partnership.name, ContactRole.ANALYST)] == "analyst"
        assert linked[(partnership.name, ContactRole.REVIEWER)] == "reviewer"
        assert linked[(partnership.name, ContactRole.CHAIR)] is None


def test_the_sweep_fills_the_demo_inboxes(session: Session, today: dt.date) -> None:
    from core.settings import Settings
    from review_flows.sweep import run_sweep
    from review_flows.workbench import inbox_of

    seed_demo(session, today=today, password=DEMO_PASSWORD)
    run_sweep(session, today=today, settings=Settings())
    northshire = inbox_of(session, Viewer("panel-northshire", Role.PANEL_MEMBER, NORTHSHIRE.name))
    westmere = inbox_of(session, Viewer("panel-westmere", Role.PANEL_MEMBER, WESTMERE.name))

    assert northshire and westmere
    assert {n.partnership for n in northshire} == {NORTHSHIRE.name}
    assert {n.partnership for n in westmere} == {WESTMERE.name}


def test_demo_command_prints_the_usernames_never_the_password(
    app: typer.Typer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("CSPR_DEMO_PASSWORD", DEMO_PASSWORD)
    get_settings.cache_clear()
    runner = CliRunner()

    first = runner.invoke(app, ["demo", "--today", "2026-03-31"])
    second = runner.invoke(app, ["demo", "--today", "2026-03-31", "--json"])

    assert first.exit_code == 0, first.stderr
    assert first.stdout.splitlines()[-1] == (
        "demo users created: panel-northshire, panel-westmere, reviewer, analyst, admin "
        "(their password: the value of CSPR_DEMO_PASSWORD)"
    )
    assert DEMO_PASSWORD not in first.stdout + first.stderr + second.stdout + second.stderr
    report = json.loads(second.stdout)
    assert report["password_set"] and report["users_created"] == []
    assert len(report["users_existing"]) == 5
