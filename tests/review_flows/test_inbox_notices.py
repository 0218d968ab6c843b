"""The inbox on a real store: notices that reach only their own recipients, newest
first, marked read once, and a partnership's reminders only in its own inboxes.

Runs on SQLite here and on PostgreSQL in test_postgres.py (through the ``session``
fixture).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from core.access import Viewer
from core.roles import Role
from core.settings import Settings
from review_flows.contacts import add_contact
from review_flows.models import Notice
from review_flows.notify.channels import InboxChannel
from review_flows.notify.kinds import Channel, NoticeKind
from review_flows.notify.notice import OutgoingNotice
from review_flows.notify.store import deliver_notices, inbox, mark_read
from review_flows.partnership_models import ContactCreate
from review_flows.sweep import run_sweep
from review_flows.workbench import inbox_of, mark_read_as
from tests.review_flows.user_accounts import NOW

INBOX_ONLY = {Channel.INBOX: InboxChannel()}
PANEL_NORTH = Viewer("panel-north", Role.PANEL_MEMBER, "Northshire")
PANEL_WEST = Viewer("panel-west", Role.PANEL_MEMBER, "Westmere")
ANALYST_BOTH = Viewer("analyst-both", Role.ANALYST)


# --- the inbox ---------------------------------------------------------------------------------


def _notice(
    key: str,
    recipient: str,
    partnership: str = "Northshire",
    channel: Channel = Channel.INBOX,
    **fields: Any,
) -> OutgoingNotice:
    return OutgoingNotice(
        key=key,
        kind=NoticeKind.REMINDER,
        partnership=partnership,
        recipient=recipient,
        channel=channel,
        subject=f"subject {key}",
        body=f"body {key}",
        for_date=NOW.date(),
        **fields,
    )


def _deliver(session: Session, *notices: OutgoingNotice) -> dict[str, int]:
    """Deliver on the inbox channel only; the stored id of each notice by key."""
    report = deliver_notices(session, list(notices), INBOX_ONLY)
    assert report.failed == []
    rows = session.exec(select(Notice)).all()
    return {row.key: row.id for row in rows}  # type: ignore[misc]


def _link(session: Session, partnership: str, role: str, email: str, username: str) -> None:
    add_contact(
        session,
        ContactCreate(
            partnership=partnership, role=role, email=email, channels="inbox", username=username
        ),
    )


@pytest.fixture
def linked_contacts(session: Session) -> None:
    """A business manager in each partnership, each read by their panel member; one analyst
    who reads the analyst contact of both."""
    _link(session, "Northshire", "business_manager", "bm@northshire.example.org", "panel-north")
    _link(session, "Westmere", "business_manager", "bm@westmere.example.org", "panel-west")
    _link(session, "Northshire", "analyst", "analyst@county.example.org", "analyst-both")
    _link(session, "Westmere", "analyst", "analyst@county.example.org", "analyst-both")


def test_delivered_inbox_notices_reach_only_their_recipients_newest_first(
    session: Session,
) -> None:
    _deliver(
        session,
        _notice("bm-1", "bm@northshire.example.org"),
        _notice("chair-1", "chair@northshire.example.org"),
        _notice("bm-email", "bm@northshire.example.org", channel=Channel.EMAIL),
        _notice("bm-2", "bm@northshire.example.org"),
    )
    assert [n.key for n in session.exec(select(Notice).order_by(Notice.id))] == [  # type: ignore[arg-type]
        "bm-1",
        "chair-1",
        "bm-2",
    ]  # the email notice has no channel here: not stored
    assert [n.key for n in inbox(session, ["bm@northshire.example.org"])] == ["bm-2", "bm-1"]
    assert [n.key for n in inbox(session, ["chair@northshire.example.org"])] == ["chair-1"]
    both = inbox(session, ["bm@northshire.example.org", "chair@northshire.example.org"])
    assert [n.key for n in both] == ["bm-2", "chair-1", "bm-1"]
    assert inbox(session, ["nobody@northshire.example.org"]) == []
    assert inbox(session, []) == []
    assert [n.subject for n in inbox(session, ["bm@northshire.example.org"], limit=1)] == [
        "subject bm-2"
    ]


def test_mark_read_marks_one_notice_once_and_the_unread_count_drops(session: Session) -> None:
    ids = _deliver(
        session,
        _notice("bm-1", "bm@northshire.example.org"),
        _notice("bm-2", "bm@northshire.example.org"),
    )
    address = ["bm@northshire.example.org"]
    assert len(inbox(session, address, unread_only=True)) == 2
    first_read = NOW + dt.timedelta(hours=1)
    mark_read(session, ids["bm-1"], at=first_read)
    assert [n.key for n in inbox(session, address, unread_only=True)] == ["bm-2"]
    mark_read(session, ids["bm-1"], at=first_read + dt.timedelta(days=1))  # a second click
    mark_read(session, 999_999)  # an id that does not exist changes nothing
    session.expire_all()
    read = {n.key: n.read_at for n in inbox(session, address)}
    assert read == {"bm-1": first_read, "bm-2": None}


def test_each_viewer_reads_and_marks_only_their_own_notices(
    session: Session, linked_contacts: None
) -> None:
    ids = _deliver(
        session,
        _notice("north", "bm@northshire.example.org"),
        _notice("west", "bm@westmere.example.org", partnership="Westmere"),
        _notice("analyst-north", "analyst@county.example.org"),
        _notice("analyst-west", "analyst@county.example.org", partnership="Westmere"),
    )
    assert [n.key for n in inbox_of(session, PANEL_NORTH)] == ["north"]
    assert [n.key for n in inbox_of(session, PANEL_WEST)] == ["west"]
    assert {n.key for n in inbox_of(session, ANALYST_BOTH)} == {"analyst-north", "analyst-west"}
    assert inbox_of(session, Viewer("unlinked", Role.PANEL_MEMBER, "Northshire")) == []
    mark_read_as(session, PANEL_WEST, ids["north"])  # not theirs: left alone
    mark_read_as(session, PANEL_NORTH, ids["analyst-north"])
    session.expire_all()
    assert [n.key for n in inbox_of(session, PANEL_NORTH, unread_only=True)] == ["north"]
    assert len(inbox_of(session, ANALYST_BOTH, unread_only=True)) == 2
    mark_read_as(session, PANEL_NORTH, ids["north"])
    session.expire_all()
    assert inbox_of(session, PANEL_NORTH, unread_only=True) == []
    assert inbox_of(session, PANEL_NORTH)[0].read_at is not None
    assert [n.key for n in inbox_of(session, PANEL_WEST, unread_only=True)] == ["west"]


def test_the_sweeps_reminders_reach_the_inbox_of_their_partnership_only(
    session: Session, case_factory: Any, linked_contacts: None, today: dt.date, tmp_path: Path
) -> None:
    aware = today - dt.timedelta(days=1)  # the notification is due soon
    case_factory("NSH-2026-001", aware_on=aware)
    case_factory("WST-2026-001", partnership="Westmere", aware_on=aware)
    report = run_sweep(session, today=today, settings=Settings(data_dir=tmp_path), channels={
        Channel.INBOX: InboxChannel()
    })  # fmt: skip
    assert report.delivery.failed == []
    north, west = inbox_of(session, PANEL_NORTH), inbox_of(session, PANEL_WEST)
    assert {(n.partnership, n.case_reference, n.milestone) for n in north} >= {
        ("Northshire", "NSH-2026-001", "notification")
    }
    assert {n.partnership for n in north} == {"Northshire"}
    assert {n.case_reference for n in north} <= {"NSH-2026-001", None}
    assert {(n.partnership, n.case_reference, n.milestone) for n in west} >= {
        ("Westmere", "WST-2026-001", "notification")
    }
    assert {n.case_reference for n in west} <= {"WST-2026-001", None}
    assert {n.recipient for n in north} == {"bm@northshire.example.org"}


def test_a_shared_address_does_not_open_another_partnerships_notices(session: Session) -> None:
    shared = "safeguarding@county.example.org"  # one mailbox, a contact in both partnerships
    _link(session, "Northshire", "business_manager", shared, "panel-north")
    _link(session, "Westmere", "business_manager", shared, "panel-west")
    ids = _deliver(
        session,
        _notice("north", shared, case_reference="NSH-2026-001"),
        _notice("west", shared, partnership="Westmere", case_reference="WST-2026-001"),
    )
    mark_read_as(session, PANEL_NORTH, ids["west"])
    session.expire_all()
    assert session.get(Notice, ids["west"]).read_at is None  # type: ignore[union-attr]
    assert [(n.key, n.case_reference) for n in inbox_of(session, PANEL_NORTH)] == [
        ("north", "NSH-2026-001")
    ]
    assert [(n.key, n.case_reference) for n in inbox_of(session, PANEL_WEST)] == [
        ("west", "WST-2026-001")
    ]
