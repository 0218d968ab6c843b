"""Sending the monthly digest of new learning by email to the contacts who opted in.

Each opted-in contact gets one email a month: their partnership's reviews of the month, then
the national picture (every review added). A send is recorded per month, partnership and
address (``digest_sends``) as soon as it is delivered, so a retried or caught-up run sends
nothing twice and an address that is a contact in two roles of one partnership gets one email.
A failed delivery is not recorded: the next run tries it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Field, Session, SQLModel, select

from core.columns import UTCDateTime
from core.digest_model import Digest, Month
from core.settings import Settings
from review_flows.digest_text import to_plain_text
from review_flows.errors import DeliveryFailed
from review_flows.notify.channels import NoticeChannel
from review_flows.notify.kinds import Channel, NoticeKind
from review_flows.notify.notice import OutgoingNotice
from review_flows.partnership_models import Contact


class DigestSend(SQLModel, table=True):
    """One month's digest delivered to one address of one partnership."""

    __tablename__ = "digest_sends"

    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    partnership: str = Field(primary_key=True, max_length=80)
    email: str = Field(primary_key=True, max_length=254)
    reviews: int  # how many reviews its partnership's edition held
    sent_at: dt.datetime = Field(sa_type=UTCDateTime)


@dataclass
class DigestReport:
    """What a run did: addresses sent to, already sent before, and failures with the reason."""

    sent: list[str] = field(default_factory=list)
    already_sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def digest_recipients(session: Session) -> list[tuple[str, str]]:
    """(partnership, address) of each contact who opted in, once each, in a stable order."""
    rows = session.exec(
        select(Contact.partnership, Contact.email).where(Contact.digest == True)  # noqa: E712
    )
    return sorted(set(rows))


def digest_notice(digest: Digest, partnership: str, email: str) -> OutgoingNotice:
    """The email of ``digest`` for a contact of ``partnership``: their edition, then the
    national one."""
    edition = digest.edition(partnership)
    n = len(edition.reviews)
    subject = (
        f"New learning, {digest.month.label}: {n} review{'s' * (n != 1)} for {partnership}, "
        f"{len(digest.national.reviews)} nationally"
    )
    return OutgoingNotice(
        key=f"digest:{digest.month}:{partnership}:{email}",
        kind=NoticeKind.DIGEST,
        partnership=partnership,
        recipient=email,
        channel=Channel.EMAIL,
        subject=subject,
        body=to_plain_text(digest, [edition, digest.national]),
        for_date=digest.month.first_day,
    )


def send_digest(
    session: Session,
    digest: Digest,
    channel: NoticeChannel,
    *,
    now: Callable[[], dt.datetime],
) -> DigestReport:
    """Email ``digest`` to every opted-in contact it has not yet gone to."""
    report = DigestReport()
    month = str(digest.month)
    done = set(
        session.exec(
            select(DigestSend.partnership, DigestSend.email).where(DigestSend.month == month)
        )
    )
    for partnership, email in digest_recipients(session):
        if (partnership, email) in done:
            report.already_sent += 1
            continue
        notice = digest_notice(digest, partnership, email)
        try:
            channel.deliver(notice)
        except DeliveryFailed as failed:
            report.failed.append((email, str(failed)))
            continue
        # recorded at once: a crash later in the run must not send this one again
        reviews = len(digest.edition(partnership).reviews)
        session.add(DigestSend(month=month, partnership=partnership, email=email,
                               reviews=reviews, sent_at=now()))  # fmt: skip
        session.commit()
        report.sent.append(email)
    return report


def deliver_monthly_digest(
    month: Month, settings: Settings, *, digest_of: Callable[[Month], Digest] | None = None
) -> DigestReport:
    """Compose the digest of ``month`` (``digest_of``; by default the library's, through the
    seam) and email it to the opted-in contacts not yet sent it. Nobody opted in: nothing is
    composed (no model loaded). Email not configured: :class:`DeliveryFailed`."""
    from core.columns import utc_now
    from core.db import open_session
    from review_flows.notify.email import EmailChannel

    with open_session(settings.resolved_database_url) as session:
        if not digest_recipients(session):
            return DigestReport()
        channel = EmailChannel(settings)
        digest = (digest_of or _library_digest(settings))(month)
        try:
            return send_digest(session, digest, channel, now=utc_now)
        finally:
            channel.close()


def _library_digest(settings: Settings) -> Callable[[Month], Digest]:
    from core.learning_seam import learning_side

    side = learning_side()
    return lambda month: side.monthly_digest(month, side.build_encoder, settings)
