"""Notices in the database: each sent once (by key), delivered through its channel; the inbox.

A notice's row is written (claimed) before it is delivered, so two sweeps running at once never
both send it; a delivery that fails keeps its row, with the error, and is tried again by the
next sweep until it goes. Nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.columns import utc_now
from core.db import table_of
from review_flows.errors import DeliveryFailed
from review_flows.models import Notice
from review_flows.notify.channels import Channels
from review_flows.notify.kinds import Channel
from review_flows.notify.notice import OutgoingNotice

#: Above this many planned notices, the stored keys are read in one scan, not looked up.
SCAN_ABOVE = 500
#: A claimed notice still unsent after this long is taken to be lost with its sweep, and retried.
CLAIM_TIMEOUT = dt.timedelta(minutes=15)
_NOTICE_FIELDS = tuple(name for name in OutgoingNotice.__dataclass_fields__ if name != "render")


@dataclass
class DeliveryReport:
    """What a batch of notices did: sent now, already sent before, failed (kept to retry)."""

    sent: list[OutgoingNotice] = field(default_factory=list)
    skipped_already_sent: int = 0
    failed: list[tuple[OutgoingNotice, str]] = field(default_factory=list)
    unavailable: int = 0  # planned on a channel that is not configured (e.g. email, no SMTP)


def deliver_notices(
    session: Session,
    planned: Sequence[OutgoingNotice],
    channels: Channels,
    *,
    dry_run: bool = False,
) -> DeliveryReport:
    """Send each planned notice not sent before; with ``dry_run`` only say what would go."""
    report = DeliveryReport()
    sent = _sent_keys(session, planned)
    for notice in planned:
        if sent.get(notice.key):
            report.skipped_already_sent += 1
            continue
        if notice.channel not in channels:
            report.unavailable += 1
            continue
        notice = notice.rendered()
        if dry_run:
            report.sent.append(notice)
            continue
        row = _retake(session, notice.key) if notice.key in sent else _claim(session, notice)
        if row is None:  # another sweep claimed it a moment ago, or is delivering it now
            report.skipped_already_sent += 1
            continue
        _deliver(session, row, notice, channels, report)
    return report


def _sent_keys(session: Session, planned: Sequence[OutgoingNotice]) -> dict[str, bool]:
    """Key -> sent? for the stored notices ``planned`` may repeat.

    One scan of the notices about these cases (and this week's digests) rather than a lookup
    per key: a sweep of 100,000 cases plans about 400,000 notices.
    """
    if len(planned) <= SCAN_ABOVE:
        return _sent_keys_by_lookup(session, [notice.key for notice in planned])
    case_ids = {n.case_id for n in planned if n.case_id is not None}
    first_day = min((n.for_date for n in planned), default=None)
    table = table_of(Notice).c
    query = sa_select(table.case_id, table.key, table.sent_at)
    if first_day is not None:
        query = query.where(
            (table.case_id.is_not(None)) | (table.for_date >= first_day - dt.timedelta(days=7))
        )
    found: dict[str, bool] = {}
    for case_id, key, sent_at in session.connection().execute(query):
        if case_id is None or case_id in case_ids:
            found[key] = sent_at is not None
    return found


def _sent_keys_by_lookup(session: Session, keys: Sequence[str]) -> dict[str, bool]:
    table = table_of(Notice).c
    rows = session.connection().execute(
        sa_select(table.key, table.sent_at).where(table.key.in_(keys))
    )
    return {key: sent_at is not None for key, sent_at in rows}


def _retake(session: Session, key: str) -> Notice | None:
    """Claim the stored, unsent notice ``key`` for another attempt: one whose last delivery
    failed, or whose claim is older than :data:`CLAIM_TIMEOUT` (its sweep died delivering it).

    One conditional UPDATE, so of two sweeps retrying at once exactly one wins; a notice
    another sweep is delivering right now is left to it.
    """
    table = table_of(Notice).c
    now = utc_now()
    retaken = session.connection().execute(
        sa_update(table_of(Notice))
        .where(
            table.key == key,
            table.sent_at.is_(None),
            table.last_error.is_not(None)
            | table.attempted_at.is_(None)  # claimed before attempts were timed
            | (table.attempted_at < now - CLAIM_TIMEOUT),
        )
        .values(attempts=table.attempts + 1, attempted_at=now, last_error=None)
    )
    session.commit()
    if retaken.rowcount != 1:
        return None
    return session.exec(select(Notice).where(Notice.key == key)).one()


def _deliver(
    session: Session,
    row: Notice,
    notice: OutgoingNotice,
    channels: Channels,
    report: DeliveryReport,
) -> None:
    try:
        channels[notice.channel].deliver(notice)
    except DeliveryFailed as failed:
        row.last_error = str(failed)[:500]
        report.failed.append((notice, str(failed)))
    else:
        row.sent_at, row.last_error = utc_now(), None
        report.sent.append(notice)
    session.add(row)
    session.commit()


def _claim(session: Session, notice: OutgoingNotice) -> Notice | None:
    fields = {name: getattr(notice, name) for name in _NOTICE_FIELDS}
    row = Notice.model_validate({**fields, "attempts": 1, "attempted_at": utc_now()})
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return row


def inbox(
    session: Session,
    recipients: Iterable[str],
    *,
    unread_only: bool = False,
    limit: int = 200,
    partnerships: Mapping[str, Iterable[str]] | None = None,
) -> list[Notice]:
    """In-app notices to ``recipients`` (addresses), newest first; with ``partnerships``
    (address -> the partnerships it is a contact of) only those partnerships' notices to it."""
    addressed: ColumnElement[bool] = col(Notice.recipient).in_(list(recipients))
    if partnerships is not None:
        addressed = or_(
            *(
                and_(col(Notice.recipient) == address, col(Notice.partnership).in_(list(names)))
                for address, names in partnerships.items()
            ),
            false(),
        )
    query = (
        select(Notice)
        .where(Notice.channel == Channel.INBOX, addressed)
        .order_by(col(Notice.created_at).desc(), col(Notice.id).desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(col(Notice.read_at).is_(None))
    return list(session.exec(query))


def mark_read(session: Session, notice_id: int, *, at: dt.datetime | None = None) -> None:
    """Mark an inbox notice read (once; a second call keeps the first time)."""
    row = session.get(Notice, notice_id)
    if row is not None and row.read_at is None:
        row.read_at = at or utc_now()
        session.add(row)
        session.commit()


def notices_of_case(session: Session, case_id: int) -> list[Notice]:
    """Every notice about a case, oldest first (the case page's reminders)."""
    query = select(Notice).where(Notice.case_id == case_id).order_by(col(Notice.id))
    return list(session.exec(query))
