"""What the daily deadline sweep sends: reminders, escalations and weekly digests. Pure.

For each open case's alerting milestones with a due date, one reminder per *step*:

- ``due_soon``: due within the due-soon window (``CSPR_DUE_SOON_WORKING_DAYS``);
- ``due_today``: due today;
- ``overdue``: past its due date (and not "late, delay notified"), also escalated to the chair;
- ``stalled``: a step the guidance sets no time limit for, open longer than
  ``CSPR_STALLED_AFTER_WORKING_DAYS`` (keyed by the day its clock started), once.

A step with a local target (the partnership's own, or ``CSPR_LOCAL_TARGETS``, where the guidance
sets no limit) has a due date like any other: it is reminded of as due soon, due today and, once
past the target, as past its local target (the ``overdue`` step, said as such).

A step's key names the case, milestone, due date, step, recipient and channel, so a re-run on
the same day sends nothing new, a missed day is caught up on the next run once (the key holds no
sweep date), and a due date moved by a correction gets a fresh reminder. On a day that is not a
working day in the case's nation (a bank holiday there) its reminders wait for the next one.

A weekly digest per partnership goes to its business managers and chair on the first sweep of
each ISO week (Monday, or the next run after a missed Monday).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.labels import case_link, event_label, nation_label, stage_label
from review_flows.calendar import Nation
from review_flows.milestones import Milestone, MilestoneStatus
from review_flows.notify.kinds import Channel, ContactRole, NoticeKind
from review_flows.notify.notice import OutgoingNotice

#: Where reminders link to when no app address is given (``CSPR_APP_URL``'s default).
DEFAULT_APP_URL = "http://127.0.0.1:8501"

#: Milestones of the review itself, which its independent reviewer is reminded of as well.
REVIEW_MILESTONES = frozenset(
    {"review_completed", "report_to_panel", "scr_completed", "cmr_completed", "review_published"}
)


@dataclass(frozen=True)
class SweepCase:
    """What the sweep needs of one open case."""

    case_id: int
    reference: str
    partnership: str
    nation: Nation
    stage: str
    milestones: Sequence[Milestone]
    # milestone id -> the event kind that completes it (for "next step")
    done_by: Mapping[str, str]


@dataclass(frozen=True)
class Recipient:
    """A partnership contact as the sweep sees it."""

    role: ContactRole
    email: str
    channels: tuple[Channel, ...]


_OVERDUE, _DUE_SOON, _DUE = MilestoneStatus.OVERDUE, MilestoneStatus.DUE_SOON, MilestoneStatus.DUE
_STALLED = MilestoneStatus.STALLED


@dataclass(frozen=True)
class ReminderStep:
    milestone: Milestone
    step: str  # due_soon, due_today, overdue, stalled

    @property
    def anchor(self) -> dt.date:
        """The date the reminder is about: the due date, or for a stalled step (no statutory
        time limit) the day its clock started. Part of the key: a moved date reminds afresh."""
        date = self.milestone.due if self.step != "stalled" else self.milestone.start
        assert date is not None
        return date


def reminder_step(milestone: Milestone) -> ReminderStep | None:
    """The reminder a milestone calls for today, if any."""
    if not milestone.alert:
        return None
    status = milestone.status
    if status is _STALLED and milestone.start is not None:
        return ReminderStep(milestone, "stalled")
    if milestone.due is None or milestone.working_days_remaining is None:
        return None
    if status is _OVERDUE:
        return ReminderStep(milestone, "overdue")
    if status is not _DUE_SOON and status is not _DUE:
        return None
    if milestone.working_days_remaining == 0:
        return ReminderStep(milestone, "due_today")
    if status is _DUE_SOON:
        return ReminderStep(milestone, "due_soon")
    return None


def plan_sweep(
    cases: Iterable[SweepCase],
    contacts: Mapping[str, Sequence[Recipient]],
    *,
    today: dt.date,
    is_working_day: Callable[[Nation, dt.date], bool],
    channels: frozenset[Channel],
    app_url: str = DEFAULT_APP_URL,
) -> list[OutgoingNotice]:
    """Every notice the sweep of ``today`` calls for (before leaving out those already sent);
    reminders link to the case's page under ``app_url``."""
    notices: list[OutgoingNotice] = []
    pending_by_partnership: dict[str, list[tuple[SweepCase, ReminderStep]]] = {}
    for case in cases:
        steps = [s for m in case.milestones if (s := reminder_step(m)) is not None]
        pending_by_partnership.setdefault(case.partnership, []).extend((case, s) for s in steps)
        if not is_working_day(case.nation, today):
            continue
        people = contacts.get(case.partnership, ())
        for step in steps:
            notices.extend(_reminders(case, step, people, today, channels, app_url))
    for partnership, pending in sorted(pending_by_partnership.items()):
        people = contacts.get(partnership, ())
        notices.extend(_digests(partnership, pending, people, today, channels))
    return notices


def _reminders(
    case: SweepCase,
    step: ReminderStep,
    people: Sequence[Recipient],
    today: dt.date,
    channels: frozenset[Channel],
    app_url: str,
) -> list[OutgoingNotice]:
    milestone = step.milestone
    reminded = {ContactRole.BUSINESS_MANAGER}
    if milestone.milestone in REVIEW_MILESTONES:
        reminded.add(ContactRole.REVIEWER)
    out = []
    for person in people:
        kinds = []
        if person.role in reminded:
            kinds.append(NoticeKind.REMINDER)
        if step.step == "overdue" and person.role is ContactRole.CHAIR:
            kinds.append(NoticeKind.ESCALATION)
        for kind in kinds:
            for channel in person.channels:
                if channel in channels:
                    out.append(_reminder(case, step, kind, person.email, channel, today, app_url))
    return out


# Enum ``.value`` is a slow property; the planner builds 400,000 keys for 100,000 cases.
_VALUE = {member: member.value for member in (*Channel, *NoticeKind)}


def _reminder(
    case: SweepCase,
    step: ReminderStep,
    kind: NoticeKind,
    recipient: str,
    channel: Channel,
    today: dt.date,
    app_url: str,
) -> OutgoingNotice:
    milestone = step.milestone
    key = (
        f"{_VALUE[kind]}:{step.step}:case{case.case_id}:{milestone.milestone}:"
        f"{step.anchor}:{recipient}:{_VALUE[channel]}"
    )
    return OutgoingNotice(
        key, kind, case.partnership, recipient, channel, "", "", today, case.case_id,
        case.reference, milestone.milestone, milestone.due,
        lambda: (reminder_subject(case, step, kind), reminder_body(case, step, kind, app_url)),
    )  # fmt: skip


def left_or_late(days: int) -> str:
    """ "3 working days left", "due today", "5 working days late"."""
    if days == 0:
        return "due today"
    plural = "s" * (abs(days) != 1)
    return f"{days} working day{plural} left" if days > 0 else f"{-days} working day{plural} late"


def reminder_subject(case: SweepCase, step: ReminderStep, kind: NoticeKind) -> str:
    milestone = step.milestone
    if step.step == "stalled":
        return (
            f"[CSPR] {case.reference}: {milestone.label} stalled "
            f"({milestone.elapsed_working_days} working days, no statutory time limit)"
        )
    assert milestone.due is not None and milestone.working_days_remaining is not None
    prefix = "Escalation: " if kind is NoticeKind.ESCALATION else ""
    when = {"due_soon": "due", "due_today": "due today", "overdue": "overdue"}[step.step]
    if milestone.local_target:
        when = "past its local target" if step.step == "overdue" else f"{when} (local target)"
    return (
        f"[CSPR] {prefix}{case.reference}: {milestone.label} {when} "
        f"({milestone.due.isoformat()}, {left_or_late(milestone.working_days_remaining)})"
    )


def reminder_body(
    case: SweepCase, step: ReminderStep, kind: NoticeKind, app_url: str = DEFAULT_APP_URL
) -> str:
    """The reminder in plain words: which case (reference only), which milestone, when, the
    rule and its source, and the next step on the case's page in the app (linked)."""
    m = step.milestone
    done_by = case.done_by.get(m.milestone)
    what = f"\u201c{event_label(done_by)}\u201d" if done_by else "the event that completes it"
    next_step = f"When it is done, record {what} on the case's page."
    if m.status is MilestoneStatus.OVERDUE:
        next_step += (
            " If it will be late, record \u201cDelay recorded\u201d there with its reason in "
            "the note."
        )
    lines = [
        f"Case {case.reference} ({case.partnership}, {nation_label(case.nation)}), "
        f"stage: {stage_label(case.stage).lower()}.",
        f"Milestone: {m.label}.",
        _when(step),
        f"Responsible: {m.responsible}.",
        f"Rule: {m.rule}",
        f"Source: {m.source} ({m.confidence.value}).",
        "",
        next_step,
        f"Record it on the case's page: {case_link(app_url, case.reference)}",
    ]
    if kind is NoticeKind.ESCALATION:
        late = "past its local target" if m.local_target else "overdue"
        lines.insert(0, f"This milestone is {late}; you are told as the partnership's chair.\n")
    return "\n".join(lines)


def _when(step: ReminderStep) -> str:
    m = step.milestone
    if step.step == "stalled":
        return (
            f"Due: no statutory time limit; {m.elapsed_working_days} working days since it "
            f"started on {step.anchor.strftime('%A %d %B %Y')}, past the point where the "
            "workbench flags a step as stalled."
        )
    assert m.due is not None and m.working_days_remaining is not None
    due = f"Due: {m.due.strftime('%A %d %B %Y')} - {left_or_late(m.working_days_remaining)}."
    if m.local_target:
        due += " This is a local target: the guidance sets no statutory time limit for this step."
    return due


def _digests(
    partnership: str,
    pending: list[tuple[SweepCase, ReminderStep]],
    people: Sequence[Recipient],
    today: dt.date,
    channels: frozenset[Channel],
) -> list[OutgoingNotice]:
    year, week, _ = today.isocalendar()
    subject = f"[CSPR] {partnership}: week {week} of {year}, {len(pending)} milestones pending"
    body = digest_body(partnership, pending, today)
    out = []
    for person in people:
        if person.role not in (ContactRole.BUSINESS_MANAGER, ContactRole.CHAIR):
            continue
        for channel in person.channels:
            if channel in channels:
                key = f"digest:{partnership}:{year}-W{week:02d}:{person.email}:{channel.value}"
                out.append(
                    OutgoingNotice(
                        key=key,
                        kind=NoticeKind.DIGEST,
                        partnership=partnership,
                        recipient=person.email,
                        channel=channel,
                        subject=subject,
                        body=body,
                        for_date=today,
                    )  # fmt: skip
                )
    return out


def digest_body(
    partnership: str, pending: list[tuple[SweepCase, ReminderStep]], today: dt.date
) -> str:
    """The week's pending milestones of a partnership, most urgent first."""
    if not pending:
        return f"{partnership}: nothing is due or overdue this week (as of {today.isoformat()})."
    rows = sorted(
        pending,
        key=lambda item: (item[1].milestone.working_days_remaining or 0, item[0].reference),
    )
    lines = [f"{partnership}: milestones due or overdue as of {today.isoformat()}", ""]
    for case, step in rows:
        m = step.milestone
        if m.due is None or m.working_days_remaining is None:
            when = f"stalled, {m.elapsed_working_days} working days without a time limit"
        else:
            when = f"due {m.due.isoformat()}, {left_or_late(m.working_days_remaining)}"
            when += " (local target)" * m.local_target
        lines.append(f"- {case.reference} ({stage_label(case.stage).lower()}): {m.label}, {when}")
    return "\n".join(lines)
