"""The sweep's planning, pure: which reminders, escalations and digests go, to whom, keyed how."""

from __future__ import annotations

import datetime as dt

from review_flows.calendar import Nation
from review_flows.events import EventKind
from review_flows.milestones import Milestone, MilestoneStatus
from review_flows.notify.kinds import Channel, ContactRole, NoticeKind
from review_flows.notify.plan import Recipient, SweepCase, plan_sweep, reminder_step
from review_flows.rulebook import Confidence

MONDAY = dt.date(2026, 11, 30)  # St Andrew's Day: a bank holiday in Scotland only
PEOPLE = {
    "Northshire": [
        Recipient(ContactRole.BUSINESS_MANAGER, "bm@example.org", (Channel.INBOX, Channel.EMAIL)),
        Recipient(ContactRole.CHAIR, "chair@example.org", (Channel.INBOX,)),
        Recipient(ContactRole.REVIEWER, "rev@example.org", (Channel.EMAIL,)),
        Recipient(ContactRole.ANALYST, "an@example.org", (Channel.INBOX,)),
    ]
}
ALL = frozenset(Channel)


def milestone(name: str, due: dt.date, days: int, status: MilestoneStatus) -> Milestone:
    return Milestone(
        milestone=name, label=name.replace("_", " ").title(), due=due, done=None, status=status,
        working_days_remaining=days, elapsed_working_days=3, rule="within 15 working days",
        source="WT2023 ch4 para 30", confidence=Confidence.CONFIRMED,
        responsible="Safeguarding partners",
        start_event=EventKind.NOTIFIED, start=due - dt.timedelta(days=21),
    )  # fmt: skip


def case(*milestones: Milestone, nation: Nation = Nation.ENGLAND, case_id: int = 1) -> SweepCase:
    return SweepCase(
        case_id=case_id, reference=f"NSH-2026-{case_id:03d}", partnership="Northshire",
        nation=nation, stage="notified", milestones=milestones,
        done_by={"rapid_review": "rapid_review_submitted"},
    )  # fmt: skip


def every_day_works(nation: Nation, day: dt.date) -> bool:
    return not (nation is Nation.SCOTLAND and day == MONDAY)


def plan(*cases: SweepCase, today: dt.date = MONDAY) -> list:
    planned = plan_sweep(cases, PEOPLE, today=today, is_working_day=every_day_works, channels=ALL)
    assert all(n.body == "" for n in planned if n.kind is not NoticeKind.DIGEST)  # written late
    return [notice.rendered() for notice in planned]


def reminders(notices: list) -> list[tuple[str, str, str]]:
    return [
        (n.kind.value, n.recipient, n.channel.value)
        for n in notices
        if n.kind is not NoticeKind.DIGEST
    ]


def test_steps_follow_the_milestone_status() -> None:
    due = dt.date(2026, 12, 3)
    assert reminder_step(milestone("a", due, 3, MilestoneStatus.DUE_SOON)).step == "due_soon"
    assert reminder_step(milestone("a", due, 0, MilestoneStatus.DUE_SOON)).step == "due_today"
    assert reminder_step(milestone("a", due, -2, MilestoneStatus.OVERDUE)).step == "overdue"
    assert reminder_step(milestone("a", due, 9, MilestoneStatus.DUE)) is None
    assert reminder_step(milestone("a", due, -2, MilestoneStatus.LATE_DELAY_NOTIFIED)) is None
    later = milestone("a", due, 3, MilestoneStatus.DUE_SOON)
    assert reminder_step(Milestone(**{**later.__dict__, "alert": False})) is None


def test_due_soon_goes_to_the_business_manager_on_each_of_their_channels() -> None:
    notices = plan(
        case(milestone("rapid_review", dt.date(2026, 12, 3), 3, MilestoneStatus.DUE_SOON))
    )
    assert reminders(notices) == [
        ("reminder", "bm@example.org", "inbox"), ("reminder", "bm@example.org", "email"),
    ]  # fmt: skip
    body = notices[0].body
    assert "NSH-2026-004" not in body and "NSH-2026-001" in body
    assert "3 working days left" in body and "WT2023 ch4 para 30" in body
    assert "When it is done, record \u201cRapid review submitted\u201d on the case's page." in body
    assert body.endswith(
        "Record it on the case's page: http://127.0.0.1:8501/case?ref=NSH-2026-001"
    )


def test_overdue_is_escalated_to_the_chair_and_review_milestones_reach_the_reviewer() -> None:
    overdue = milestone("review_completed", dt.date(2026, 11, 20), -6, MilestoneStatus.OVERDUE)
    notices = plan(case(overdue))
    assert sorted(reminders(notices)) == [
        ("escalation", "chair@example.org", "inbox"),
        ("reminder", "bm@example.org", "email"),
        ("reminder", "bm@example.org", "inbox"),
        ("reminder", "rev@example.org", "email"),
    ]
    escalation = next(n for n in notices if n.kind is NoticeKind.ESCALATION)
    assert escalation.subject.startswith("[CSPR] Escalation: NSH-2026-001")
    assert "6 working days late" in escalation.body
    assert "record \u201cDelay recorded\u201d there with its reason" in escalation.body


def test_keys_name_the_due_date_so_a_moved_date_is_a_new_reminder() -> None:
    first = plan(case(milestone("rapid_review", dt.date(2026, 12, 3), 3, MilestoneStatus.DUE_SOON)))
    moved = plan(case(milestone("rapid_review", dt.date(2026, 12, 4), 4, MilestoneStatus.DUE_SOON)))
    again = plan(case(milestone("rapid_review", dt.date(2026, 12, 3), 2, MilestoneStatus.DUE_SOON)),
                 today=MONDAY + dt.timedelta(days=1))  # fmt: skip
    keys = lambda ns: {n.key for n in ns if n.kind is NoticeKind.REMINDER}  # noqa: E731
    assert keys(first) == keys(again)  # the next day: the same reminder, not a new one
    assert not keys(first) & keys(moved)


def test_a_bank_holiday_in_the_case_nation_holds_its_reminders() -> None:
    due_soon = milestone("rapid_review", dt.date(2026, 12, 3), 3, MilestoneStatus.DUE_SOON)
    scottish = case(due_soon, nation=Nation.SCOTLAND, case_id=2)
    assert reminders(plan(scottish)) == []
    assert reminders(plan(scottish, today=MONDAY + dt.timedelta(days=1)))


def test_weekly_digest_per_partnership_keyed_by_iso_week() -> None:
    due_soon = milestone("rapid_review", dt.date(2026, 12, 3), 3, MilestoneStatus.DUE_SOON)
    monday = [n for n in plan(case(due_soon)) if n.kind is NoticeKind.DIGEST]
    tuesday = [n for n in plan(case(due_soon), today=MONDAY + dt.timedelta(days=1))
               if n.kind is NoticeKind.DIGEST]  # fmt: skip
    assert {(n.recipient, n.channel.value) for n in monday} == {
        ("bm@example.org", "inbox"), ("bm@example.org", "email"), ("chair@example.org", "inbox"),
    }  # fmt: skip
    assert {n.key for n in monday} == {n.key for n in tuesday}  # a missed Monday: once, Tuesday
    assert "week 49 of 2026" in monday[0].subject
    assert (
        "NSH-2026-001 (notified): Rapid Review, due 2026-12-03, 3 working days left"
        in monday[0].body
    )


def test_a_stalled_step_without_a_time_limit_is_reminded_once_keyed_by_its_start() -> None:
    base = milestone("panel_decision", dt.date(2026, 12, 3), 0, MilestoneStatus.STALLED)
    stalled = Milestone(**{**base.__dict__, "due": None, "working_days_remaining": None,
                           "elapsed_working_days": 25, "start": dt.date(2026, 10, 26)})  # fmt: skip
    notices = plan(case(stalled, nation=Nation.WALES))
    assert reminders(notices) == [
        ("reminder", "bm@example.org", "inbox"), ("reminder", "bm@example.org", "email"),
    ]  # fmt: skip
    first = notices[0]
    assert ":stalled:case1:panel_decision:2026-10-26:" in first.key and first.due is None
    assert first.subject.endswith("stalled (25 working days, no statutory time limit)")
    assert "no statutory time limit; 25 working days since it started on Monday 26 October" in (
        first.body
    )
    digest = next(n for n in notices if n.kind is NoticeKind.DIGEST)
    assert "Panel Decision, stalled, 25 working days without a time limit" in digest.body
    not_stalled = Milestone(**{**stalled.__dict__, "status": MilestoneStatus.NO_TIME_LIMIT})
    assert reminders(plan(case(not_stalled))) == []
