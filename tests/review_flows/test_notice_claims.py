"""A notice is claimed before it is delivered: of two sweeps only one sends it, a failed one is
tried again, one being delivered right now is left alone, and one whose sweep died is retried
after the claim timeout. (Two sweeps at once in separate processes: test_concurrent_writers.)"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlmodel import Session, select

from review_flows.errors import DeliveryFailed
from review_flows.models import Notice
from review_flows.notify.kinds import Channel, NoticeKind
from review_flows.notify.notice import OutgoingNotice
from review_flows.notify.store import CLAIM_TIMEOUT, deliver_notices


class Recorder:
    channel = Channel.INBOX

    def __init__(self, fail: bool = False) -> None:
        self.delivered: list[str] = []
        self.fail = fail

    def deliver(self, notice: OutgoingNotice) -> None:
        if self.fail:
            raise DeliveryFailed("mail server said no")
        self.delivered.append(notice.key)


def _notice(key: str = "reminder:test:1") -> OutgoingNotice:
    return OutgoingNotice(
        key=key, kind=NoticeKind.REMINDER, partnership="Northshire", recipient="bm@example.org",
        channel=Channel.INBOX, subject="Due soon", body="A milestone is due.",
        for_date=dt.date(2026, 3, 31),
    )  # fmt: skip


def _claimed(at: dt.datetime) -> Notice:
    """The row a sweep writes when it claims the notice, before delivering it."""
    notice = _notice()
    fields = {name: getattr(notice, name) for name in Notice.model_fields if hasattr(notice, name)}
    return Notice.model_validate({**fields, "attempts": 1, "attempted_at": at})


def _stored(session: Session) -> Notice:
    session.expire_all()
    return session.exec(select(Notice)).one()


def test_a_failed_delivery_is_retried_and_counted(session: Session) -> None:
    failing = Recorder(fail=True)
    report = deliver_notices(session, [_notice()], {Channel.INBOX: failing})
    assert len(report.failed) == 1 and report.sent == []
    row = _stored(session)
    assert (row.attempts, row.sent_at, row.last_error) == (1, None, "mail server said no")
    working = Recorder()
    again = deliver_notices(session, [_notice()], {Channel.INBOX: working})
    assert working.delivered == ["reminder:test:1"] and len(again.sent) == 1
    row = _stored(session)
    assert row.attempts == 2 and row.sent_at is not None and row.last_error is None
    third = deliver_notices(session, [_notice()], {Channel.INBOX: working})
    assert third.skipped_already_sent == 1 and working.delivered == ["reminder:test:1"]


def test_a_notice_being_delivered_by_another_sweep_is_left_to_it(session: Session) -> None:
    session.add(_claimed(dt.datetime.now(dt.UTC)))
    session.commit()
    other = Recorder()
    report = deliver_notices(session, [_notice()], {Channel.INBOX: other})
    assert other.delivered == [] and report.skipped_already_sent == 1
    assert _stored(session).attempts == 1


def test_a_claim_left_by_a_dead_sweep_is_retried_after_the_timeout(session: Session) -> None:
    stale = dt.datetime.now(dt.UTC) - CLAIM_TIMEOUT - dt.timedelta(minutes=1)
    session.add(_claimed(stale))
    session.commit()
    recorder = Recorder()
    report = deliver_notices(session, [_notice()], {Channel.INBOX: recorder})
    assert recorder.delivered == ["reminder:test:1"] and len(report.sent) == 1
    assert _stored(session).attempts == 2


def test_of_two_retries_only_one_wins(session: Session, engine: object) -> None:
    deliver_notices(session, [_notice()], {Channel.INBOX: Recorder(fail=True)})
    with Session(engine) as other_session:  # type: ignore[arg-type]
        first, second = Recorder(), Recorder()
        deliver_notices(session, [_notice()], {Channel.INBOX: first})
        deliver_notices(other_session, [_notice()], {Channel.INBOX: second})
    assert len(first.delivered) + len(second.delivered) == 1
    count = session.execute(text("SELECT count(*) FROM notices")).scalar_one()
    assert count == 1
