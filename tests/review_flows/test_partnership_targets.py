"""A partnership's own local targets (issue 26): set, refused with the reason, cleared; merged
over ``CSPR_LOCAL_TARGETS``; read by the case's timeline and the case list; driving the
sweep's reminders; and kept by a backup and restore. Real SQLite throughout."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from sqlmodel import Session

from core.roles import Role
from core.settings import Settings
from review_flows.case_queries import case_timeline, summarise_cases
from review_flows.contacts import add_contact
from review_flows.errors import (
    CaseDataInvalid,
    LocalTargetInvalid,
    PartnershipNotFound,
    RulebookNotFound,
)
from review_flows.milestones import MilestoneStatus
from review_flows.notify.channels import InboxChannel
from review_flows.notify.kinds import Channel, ContactRole
from review_flows.partnership_models import ContactCreate
from review_flows.partnership_targets import (
    clear_partnership_target,
    partnership_targets,
    set_partnership_target,
    target_steps,
    targets_by_partnership,
    targets_for,
)
from review_flows.sweep import run_sweep

D = dt.date
BOARD = "Cwm Tawel Regional Safeguarding Board"
OTHER = "Afon Las Regional Safeguarding Board"
STEP = "wales-susr:review_completed"
# aware 3 June 2025, notified 10 June, decision 1 July: the review runs from 1 July 2025
WELSH_EVENTS = (("notified", D(2025, 6, 10)), ("decision", D(2025, 7, 1)))


@pytest.fixture
def welsh_case(case_factory):
    """``welsh_case(reference, partnership)``: a Welsh review under way since 1 July 2025."""

    def make(reference: str = "CWT-2025-001", partnership: str = BOARD):
        return case_factory(
            reference, partnership=partnership, nation="wales", incident_date=D(2025, 6, 2),
            aware_on=D(2025, 6, 3), events=WELSH_EVENTS,
        )  # fmt: skip

    return make


def _settings(tmp_path: Path, **fields: object) -> Settings:
    return Settings(data_dir=tmp_path, **fields)  # type: ignore[arg-type]


# --- the service -------------------------------------------------------------------------------


def test_a_target_is_set_changed_listed_and_cleared(session: Session, welsh_case) -> None:
    welsh_case()
    first = set_partnership_target(session, BOARD, "wales-susr", "review_completed", 60, by="ada")
    assert (first.partnership, first.working_days, first.set_by) == (BOARD, 60, "ada")
    changed = set_partnership_target(
        session, f"  {BOARD} ", "wales-susr", "review_completed", 90, by="bob"
    )
    (row,) = partnership_targets(session)
    assert (row.partnership, row.ruleset_id, row.milestone) == (
        BOARD, "wales-susr", "review_completed",
    )  # fmt: skip
    assert (row.working_days, row.set_by) == (90, "bob")
    assert row.set_at >= first.set_at and changed.set_at.tzinfo is not None
    assert clear_partnership_target(session, BOARD, "wales-susr", "review_completed", by="ada")
    assert partnership_targets(session) == []
    assert not clear_partnership_target(session, BOARD, "wales-susr", "review_completed", by="ada")


def test_every_change_is_logged_with_who_made_it(
    session: Session, welsh_case, caplog: pytest.LogCaptureFixture
) -> None:
    welsh_case()
    with caplog.at_level(logging.INFO, logger="review_flows.partnership_targets"):
        set_partnership_target(session, BOARD, "wales-susr", "review_completed", 60, by="ada")
        set_partnership_target(session, BOARD, "wales-susr", "review_completed", 45, by="bob")
        clear_partnership_target(session, BOARD, "wales-susr", "review_completed", by="cy")
    assert caplog.messages == [
        f"local target {STEP} of {BOARD} set to 60 working days by ada (was none)",
        f"local target {STEP} of {BOARD} set to 45 working days by bob (was 60)",
        f"local target {STEP} of {BOARD} (45 working days) cleared by cy",
    ]


NOT_KNOWN = r"is known \(on a case, a user or a contact\)"
STATUTORY = (
    "\u201cSerious incident notification to the Panel\u201d has a statutory time limit in "
    r"England CSPR \(Working Together 2023\): the guidance sets 5 working days from aware; "
    r"a local target is only for a step without one \(in this rulebook: review_decision, "
    r"panel_decision\)"
)
# fmt: off
REFUSALS = [
    ("Cwm Tawl Regional Safeguarding Board", "wales-susr:review_completed", 60,
     PartnershipNotFound, f"{NOT_KNOWN}; did you mean \u201c{BOARD}\u201d"),
    ("Nowhere Board", "wales-susr:review_completed", 60, PartnershipNotFound,
     f"no partnership \u201cNowhere Board\u201d {NOT_KNOWN}$"),
    ("x", "wales-susr:review_completed", 60, CaseDataInvalid, "use 2-80 letters"),
    (BOARD, "wales-cpx:review_completed", 60, RulebookNotFound,
     "no rulebook 'wales-cpx'; rulebooks: england-cspr-2018, "),
    (BOARD, "wales-susr:rapid_review", 60, LocalTargetInvalid,
     "has no step 'rapid_review'; its steps without a statutory time limit: referral, "
     "review_decision, review_completed"),
    (BOARD, "england-cspr-2023:notification", 10, LocalTargetInvalid, STATUTORY),
    (BOARD, "wales-susr:review_completed", 0, LocalTargetInvalid,
     "working days: 0 is out of range; give 1 to 500"),
    (BOARD, "wales-susr:review_completed", 501, LocalTargetInvalid,
     "working days: 501 is out of range"),
    (BOARD, "wales-susr:review_completed", True, LocalTargetInvalid,
     "working days: True is not a whole number"),
]
# fmt: on


@pytest.mark.parametrize(
    ("partnership", "step", "days", "error", "message"),
    REFUSALS,
    ids=["slip", "unknown", "bad-name", "rulebook", "step", "statutory", "zero", "over", "bool"],
)
def test_a_bad_target_is_refused_with_the_reason_and_nothing_is_written(
    session: Session, welsh_case, partnership: str, step: str, days: int,
    error: type[Exception], message: str,
) -> None:  # fmt: skip
    welsh_case()
    ruleset, milestone = step.split(":")
    with pytest.raises(error, match=message):
        set_partnership_target(session, partnership, ruleset, milestone, days, by="ada")
    assert partnership_targets(session) == []


def test_who_sets_it_must_be_named(session: Session, welsh_case) -> None:
    welsh_case()
    with pytest.raises(CaseDataInvalid, match="set by: give the username"):
        set_partnership_target(session, BOARD, "wales-susr", "review_completed", 60, by="  ")


def test_only_steps_without_a_statutory_limit_are_offered() -> None:
    steps = target_steps()
    assert steps["wales-susr"] == ("referral", "review_decision", "review_completed")
    assert steps["ni-cmr"] == ("notification", "cmr_decision", "cmr_completed")
    assert steps["scotland-learning-review"] == (
        "notification", "learning_review_decision", "review_completed",
    )  # fmt: skip
    assert steps["england-cspr-2023"] == ("review_decision", "panel_decision")
    assert "england-scr-2015" not in steps  # every step of it is timed


def test_a_partnerships_own_target_wins_over_the_settings(session: Session, welsh_case) -> None:
    welsh_case()
    welsh_case("AFL-2025-001", OTHER)
    defaults = {STEP: 200, "ni-cmr:cmr_completed": 100}
    set_partnership_target(session, BOARD, "wales-susr", "review_completed", 60, by="ada")
    set_partnership_target(session, BOARD, "wales-susr", "referral", 5, by="ada")
    mine = {STEP: 60, "ni-cmr:cmr_completed": 100, "wales-susr:referral": 5}
    assert targets_for(session, BOARD, defaults=defaults) == mine
    assert targets_for(session, OTHER, defaults=defaults) == defaults
    assert targets_by_partnership(session, defaults=defaults) == {BOARD: mine}


# --- read by the timeline, the case list and the sweep -------------------------------------------


def test_the_case_timeline_reads_the_partnerships_target(
    session: Session, welsh_case, today: D, tmp_path: Path
) -> None:
    welsh_case()
    settings = _settings(tmp_path)
    before = case_timeline(session, "CWT-2025-001", today=today, settings=settings)
    untimed = {m.milestone: m for m in before.milestones}["review_completed"]
    assert (untimed.status, untimed.due, untimed.local_target) == (
        MilestoneStatus.STALLED, None, False,
    )  # fmt: skip
    assert untimed.rule == "no statutory time limit (clock from decision)"

    set_partnership_target(session, BOARD, "wales-susr", "review_completed", 60, by="ada")
    after = case_timeline(session, "CWT-2025-001", today=today, settings=settings)
    timed = {m.milestone: m for m in after.milestones}["review_completed"]
    # 60 working days from Tuesday 1 July 2025 (Welsh calendar: the August bank holiday)
    assert (timed.status, timed.due, timed.local_target) == (
        MilestoneStatus.OVERDUE, D(2025, 9, 24), True,
    )  # fmt: skip
    assert timed.rule == "no statutory time limit \u00b7 local target 60 working days from decision"
    assert timed.source.startswith("local target; SUSR guidance")


def test_the_case_list_reads_each_partnerships_own_targets_in_one_call(
    session: Session, welsh_case, today: D, tmp_path: Path
) -> None:
    welsh_case()
    welsh_case("AFL-2025-001", OTHER)
    set_partnership_target(session, BOARD, "wales-susr", "review_completed", 300, by="ada")
    settings = _settings(tmp_path, local_targets={STEP: 60})
    listed = summarise_cases(session, today=today, settings=settings)
    overviews = {o.case.reference: o for o in listed}
    mine, theirs = overviews["CWT-2025-001"], overviews["AFL-2025-001"]
    # its own 300 working days (due September 2026) over the settings' 60 (overdue since 2025)
    assert (mine.worst_status, mine.next_due and mine.next_due.due) == (
        MilestoneStatus.DUE, D(2026, 9, 7),
    )  # fmt: skip
    assert (theirs.worst_status, theirs.next_due and theirs.next_due.due) == (
        MilestoneStatus.OVERDUE, D(2025, 9, 24),
    )  # fmt: skip


def _board_contacts(session: Session) -> None:
    for role, email in (("business_manager", "bm@cwmtawel.example.org"),
                        ("chair", "chair@cwmtawel.example.org")):  # fmt: skip
        add_contact(
            session,
            ContactCreate(partnership=BOARD, role=ContactRole(role), email=email, channels="inbox"),
        )


def _review_notices(report) -> list[tuple[str, str, str]]:
    return sorted(
        (n.kind.value, n.recipient, n.subject)
        for n in report.delivery.sent
        if n.milestone == "review_completed"
    )


def test_the_sweep_reminds_about_a_step_past_its_partnerships_target(
    session: Session, welsh_case, today: D, tmp_path: Path
) -> None:
    welsh_case()
    _board_contacts(session)
    inbox = {Channel.INBOX: InboxChannel()}
    settings = _settings(tmp_path)
    # without a target: one "stalled" reminder, keyed by the day its clock started
    stalled = run_sweep(session, today=today, settings=settings, channels=inbox, dry_run=True)
    [(kind, to, subject)] = _review_notices(stalled)
    assert (kind, to) == ("reminder", "bm@cwmtawel.example.org")
    assert re.fullmatch(
        r"\[CSPR\] CWT-2025-001: Review completed, .* stalled \(\d+ working days, no statutory "
        r"time limit\)", subject,
    )  # fmt: skip

    set_partnership_target(session, BOARD, "wales-susr", "review_completed", 60, by="ada")
    report = run_sweep(session, today=today, settings=settings, channels=inbox)
    label = "Review completed, report and action plan in the national repository"
    late = f"{label} past its local target (2025-09-24, 131 working days late)"
    assert _review_notices(report) == [
        ("escalation", "chair@cwmtawel.example.org", f"[CSPR] Escalation: CWT-2025-001: {late}"),
        ("reminder", "bm@cwmtawel.example.org", f"[CSPR] CWT-2025-001: {late}"),
    ]
    [sent] = [n for n in report.delivery.sent if n.kind.value == "reminder"
              and n.milestone == "review_completed"]  # fmt: skip
    assert "Rule: no statutory time limit \u00b7 local target 60 working days from decision" in (
        sent.body
    )
    assert "This is a local target: the guidance sets no statutory time limit" in sent.body
    again = run_sweep(session, today=today, settings=settings, channels=inbox)
    assert _review_notices(again) == []  # once only


def test_a_target_not_yet_reached_sends_nothing(
    session: Session, welsh_case, today: D, tmp_path: Path
) -> None:
    welsh_case()
    _board_contacts(session)
    set_partnership_target(session, BOARD, "wales-susr", "review_completed", 300, by="ada")
    report = run_sweep(
        session, today=today, settings=_settings(tmp_path),
        channels={Channel.INBOX: InboxChannel()},
    )  # fmt: skip
    assert _review_notices(report) == []


# --- kept by a backup and restore --------------------------------------------------------------


def test_a_backup_and_restore_keep_the_targets(data_dir: Path) -> None:
    from core.db import get_engine, open_session
    from core.migrations import upgrade_database
    from cspr.backup import backup, restore
    from review_flows.partnership_models import UserCreate
    from review_flows.users import create_user

    url = f"sqlite:///{data_dir / 'cspr.db'}"
    upgrade_database(url)
    with open_session(url) as session:
        create_user(session, UserCreate(
            username="bm.cwmtawel", display_name="Business Manager", role=Role.PANEL_MEMBER,
            partnership=BOARD, password="a long enough password",
        ))  # fmt: skip
        set_partnership_target(session, BOARD, "wales-susr", "review_completed", 60, by="ada")
    now = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
    manifest = backup(url, data_dir / "index", data_dir / "backup", now=now)
    assert manifest.tables["partnership_targets"] == 1
    with open_session(url) as session:
        set_partnership_target(session, BOARD, "wales-susr", "review_completed", 90, by="bob")
    restore(data_dir / "backup", url, data_dir / "index", now=now)
    get_engine(url).dispose()
    with open_session(url) as session:
        [row] = partnership_targets(session)
    assert (row.working_days, row.set_by) == (60, "ada")
