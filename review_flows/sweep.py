"""The daily deadline sweep as a service: read every open case, plan its notices
(:mod:`review_flows.notify.plan`), send those not sent before. No Prefect here: the flow in
:mod:`review_flows.flows` calls :func:`run_sweep`, and so does ``cspr sweep``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from core.settings import Settings, get_settings
from review_flows.calendar import Nation
from review_flows.case_queries import summarise_cases
from review_flows.case_rows import calendars, rulebook_for
from review_flows.contacts import list_contacts
from review_flows.notify.channels import Channels, InboxChannel, NoticeChannel
from review_flows.notify.kinds import Channel
from review_flows.notify.notice import OutgoingNotice
from review_flows.notify.plan import Recipient, SweepCase, plan_sweep
from review_flows.notify.store import DeliveryReport, deliver_notices
from review_flows.web_sessions import purge_expired

logger = logging.getLogger(__name__)

# Nation(value) costs an enum lookup per case; a StrEnum member hashes as its value.
_NATIONS = {nation.value: nation for nation in Nation}


@dataclass
class SweepReport:
    """What one sweep did, for ``cspr sweep`` and the flow's log."""

    today: dt.date
    open_cases: int
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    def to_dict(self) -> dict[str, Any]:
        d = self.delivery
        return {
            "today": self.today.isoformat(),
            "open_cases": self.open_cases,
            "sent": [notice_to_dict(n) for n in d.sent],
            "skipped_already_sent": d.skipped_already_sent,
            "failed": [{**notice_to_dict(n), "error": why} for n, why in d.failed],
            "unavailable_channel": d.unavailable,
        }


def notice_to_dict(notice: OutgoingNotice) -> dict[str, Any]:
    return {
        "case": notice.case_reference,
        "partnership": notice.partnership,
        "milestone": notice.milestone,
        "due": notice.due.isoformat() if notice.due else None,
        "recipient": notice.recipient,
        "channel": notice.channel.value,
        "kind": notice.kind.value,
        "subject": notice.subject,
    }


def configured_channels(settings: Settings) -> dict[Channel, NoticeChannel]:
    """The inbox always; email when ``CSPR_SMTP_HOST`` is set."""
    channels: dict[Channel, NoticeChannel] = {Channel.INBOX: InboxChannel()}
    if settings.smtp_host:
        from review_flows.notify.email import EmailChannel

        channels[Channel.EMAIL] = EmailChannel(settings)
    return channels


def sweep_cases(
    session: Session, *, today: dt.date, settings: Settings
) -> tuple[list[SweepCase], Any]:
    """Every open case as the planner needs it, and a ``(nation, day) -> working?`` test."""
    overviews = summarise_cases(session, today=today, open_only=True, settings=settings)
    done_by: dict[str, Mapping[str, str]] = {}
    cases = []
    for o in overviews:
        if o.ruleset_id not in done_by:
            book = rulebook_for(o.case)
            done_by[o.ruleset_id] = {
                r.milestone: r.done_by[0].value for r in book.rules if r.done_by
            }
        cases.append(
            SweepCase(
                case_id=o.case.id,
                reference=o.case.reference,
                partnership=o.case.partnership,
                nation=_NATIONS[o.case.nation],
                stage=o.stage.value,
                milestones=o.milestones,
                done_by=done_by[o.ruleset_id],
            )
        )
    calendar = calendars(settings)

    def is_working_day(nation: Nation, day: dt.date) -> bool:
        return calendar(nation).is_working_day(day)

    return cases, is_working_day


def recipients_by_partnership(session: Session) -> dict[str, list[Recipient]]:
    found: dict[str, list[Recipient]] = {}
    for contact in list_contacts(session):
        found.setdefault(contact.partnership, []).append(
            Recipient(contact.role, contact.email, contact.channel_list)
        )
    return found


def run_sweep(
    session: Session,
    *,
    today: dt.date,
    settings: Settings | None = None,
    channels: Channels | None = None,
    dry_run: bool = False,
) -> SweepReport:
    """Send today's reminders, escalations and digests that have not gone yet."""
    settings = settings or get_settings()
    channels = channels if channels is not None else configured_channels(settings)
    try:
        cases, is_working_day = sweep_cases(session, today=today, settings=settings)
        planned = plan_sweep(
            cases,
            recipients_by_partnership(session),
            today=today,
            is_working_day=is_working_day,
            channels=frozenset(Channel),
            app_url=settings.app_url,
        )
        delivery = deliver_notices(session, planned, channels, dry_run=dry_run)
        if not dry_run:  # ended browser sessions leave no rows behind
            purge_expired(session, now=dt.datetime.now(dt.UTC))
    finally:
        for channel in channels.values():
            close = getattr(channel, "close", None)
            if close is not None:
                close()
    logger.info(
        "sweep %s: %d open cases, %d sent, %d already sent, %d failed",
        today, len(cases), len(delivery.sent), delivery.skipped_already_sent, len(delivery.failed),
    )  # fmt: skip
    return SweepReport(today, len(cases), delivery)


def planned_notices(
    session: Session, *, today: dt.date, settings: Settings | None = None
) -> Sequence[OutgoingNotice]:
    """Everything the sweep of ``today`` would consider (for the benchmark and tests)."""
    settings = settings or get_settings()
    cases, is_working_day = sweep_cases(session, today=today, settings=settings)
    return plan_sweep(
        cases,
        recipients_by_partnership(session),
        today=today,
        is_working_day=is_working_day,
        channels=frozenset(Channel),
        app_url=settings.app_url,
    )
