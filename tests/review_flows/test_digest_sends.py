"""The monthly digest emailed to the contacts who opted in, through a real SMTP server on
loopback, once per month and address however often the run is repeated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session, select

from core.digest_model import Digest, DigestEdition, DigestReview, KeyPoint, Month
from core.settings import Settings
from review_flows.contacts import add_contact, list_contacts, set_digest_opt_in
from review_flows.digest_sends import (
    DigestReport,
    DigestSend,
    deliver_monthly_digest,
    digest_recipients,
    send_digest,
)
from review_flows.errors import ContactNotFound, DeliveryFailed
from review_flows.notify.email import EmailChannel
from review_flows.notify.kinds import ContactRole
from review_flows.partnership_models import ContactCreate
from tests.review_flows.conftest import PARTNERSHIP, Mailbox

NOVEMBER = Month(2026, 11)
NOW = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)


def _review(review_id: str, partnership: str, title: str) -> DigestReview:
    return DigestReview(
        review_id=review_id, title=title, partnership=partnership, nation="england", year=2026,
        added=dt.date(2026, 11, 10), themes=("Neglect",),
        key_points=(KeyPoint(f"{title} finding.", "12"),),
        link=f"https://cspr.example.org/library?review={review_id}",
    )  # fmt: skip


OURS = _review("r-ours", PARTNERSHIP, "Child N: neglect at home")
THEIRS = _review("r-theirs", "Eastbridge", "Child E: exploitation")
DIGEST = Digest(
    NOVEMBER,
    DigestEdition(None, (OURS, THEIRS)),
    (DigestEdition("Eastbridge", (THEIRS,)), DigestEdition(PARTNERSHIP, (OURS,))),
)


@pytest.fixture
def smtp_settings(smtp_server: tuple[str, int, Mailbox], db_url: str) -> Settings:
    host, port, _ = smtp_server
    return Settings(smtp_host=host, smtp_port=port, smtp_starttls=False, database_url=db_url,
                    smtp_from="digest@cspr.example.org")  # fmt: skip


@pytest.fixture
def channel(smtp_settings: Settings) -> Iterator[EmailChannel]:
    channel = EmailChannel(smtp_settings)
    yield channel
    channel.close()


@pytest.fixture
def opted_in(session: Session, contacts: list[object]) -> list[str]:
    """The business manager and the reviewer of the fixture's contacts opt in."""
    for contact in list_contacts(session):
        if contact.role.value in ("business_manager", "reviewer"):
            set_digest_opt_in(session, contact.id, True)
    return ["bm@northshire.example.org", "reviewer@northshire.example.org"]


def _send(session: Session, channel: EmailChannel) -> DigestReport:
    return send_digest(session, DIGEST, channel, now=lambda: NOW)


def test_a_contact_is_not_sent_the_digest_unless_they_opt_in(
    session: Session, contacts: list[object]
) -> None:
    assert all(contact.digest is False for contact in list_contacts(session))
    assert digest_recipients(session) == []


def test_opting_in_a_contact_that_is_gone_is_refused(session: Session) -> None:
    with pytest.raises(ContactNotFound, match="#999"):
        set_digest_opt_in(session, 999, True)


def test_the_digest_goes_by_email_to_each_contact_who_opted_in(
    session: Session, channel: EmailChannel, opted_in: list[str], smtp_server: tuple
) -> None:
    mailbox: Mailbox = smtp_server[2]

    report = _send(session, channel)

    assert report.sent == opted_in and report.failed == [] and report.already_sent == 0
    assert sorted(m["To"] for m in mailbox.messages) == opted_in
    message = mailbox.messages[0]
    assert message["Subject"] == (
        f"New learning, November 2026: 1 review for {PARTNERSHIP}, 2 nationally"
    )
    body = message.get_content()
    # their partnership's edition first, then the national one with every review
    assert body.index(f"November 2026: {PARTNERSHIP}") < body.index("November 2026: national")
    assert body.count("Read it: https://cspr.example.org/library?review=r-ours") == 2
    assert body.count("Read it: https://cspr.example.org/library?review=r-theirs") == 1
    assert "  - Child N: neglect at home finding. (page 12)" in body
    assert "Themes: Neglect" in body


def test_a_repeated_run_sends_nothing_twice_and_a_new_subscriber_is_caught_up(
    session: Session, channel: EmailChannel, opted_in: list[str], smtp_server: tuple
) -> None:
    mailbox: Mailbox = smtp_server[2]
    _send(session, channel)

    again = _send(session, channel)
    assert again.sent == [] and again.already_sent == 2
    assert len(mailbox.messages) == 2

    chair = next(c for c in list_contacts(session) if c.role.value == "chair")
    set_digest_opt_in(session, chair.id, True)
    caught_up = _send(session, channel)
    assert caught_up.sent == ["chair@northshire.example.org"]
    assert len(mailbox.messages) == 3
    sends = session.exec(select(DigestSend).order_by(DigestSend.email)).all()
    assert [(s.month, s.email, s.reviews) for s in sends] == [
        ("2026-11", "bm@northshire.example.org", 1),
        ("2026-11", "chair@northshire.example.org", 1),
        ("2026-11", "reviewer@northshire.example.org", 1),
    ]


def test_an_address_in_two_roles_of_a_partnership_gets_one_email(
    session: Session, channel: EmailChannel, smtp_server: tuple
) -> None:
    for role in ("chair", "analyst"):
        data = ContactCreate(partnership=PARTNERSHIP, role=ContactRole(role),
                             email="both@northshire.example.org", digest=True)  # fmt: skip
        contact = add_contact(session, data)
        assert contact.digest is True

    assert _send(session, channel).sent == ["both@northshire.example.org"]
    assert len(smtp_server[2].messages) == 1


class _Refusing:
    channel = EmailChannel.channel

    def deliver(self, notice: object) -> None:
        raise DeliveryFailed("email to x failed: connection refused")


def test_a_failed_delivery_is_not_recorded_so_the_next_run_tries_again(
    session: Session, channel: EmailChannel, opted_in: list[str]
) -> None:
    failed = send_digest(session, DIGEST, _Refusing(), now=lambda: NOW)
    assert [address for address, _ in failed.failed] == opted_in and failed.sent == []

    assert _send(session, channel).sent == opted_in


def test_nobody_opted_in_composes_nothing(smtp_settings: Settings, contacts: list[object]) -> None:
    asked: list[Month] = []

    report = deliver_monthly_digest(NOVEMBER, smtp_settings, digest_of=_recording(asked))

    assert report.sent == [] and asked == []


def test_the_month_is_composed_and_sent_once_per_run(
    smtp_settings: Settings, opted_in: list[str], smtp_server: tuple
) -> None:
    asked: list[Month] = []

    first = deliver_monthly_digest(NOVEMBER, smtp_settings, digest_of=_recording(asked))
    second = deliver_monthly_digest(NOVEMBER, smtp_settings, digest_of=_recording(asked))

    assert asked == [NOVEMBER, NOVEMBER]
    assert first.sent == opted_in and second.sent == [] and second.already_sent == 2
    assert len(smtp_server[2].messages) == 2


def test_email_not_configured_is_a_delivery_failure(db_url: str, opted_in: list[str]) -> None:
    with pytest.raises(DeliveryFailed, match="CSPR_SMTP_HOST"):
        deliver_monthly_digest(NOVEMBER, Settings(database_url=db_url), digest_of=_recording([]))


def _recording(asked: list[Month]) -> Callable[[Month], Digest]:
    def digest_of(month: Month) -> Digest:
        asked.append(month)
        return DIGEST

    return digest_of
