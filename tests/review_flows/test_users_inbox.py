"""Users, sign-in and the inbox on a real store: accounts and their hashes, the lock-out after
repeated failures, idle sessions, and notices that reach only their own recipients.

Runs on SQLite here and on PostgreSQL in test_postgres.py (through the ``session`` fixture).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from core.access import Viewer
from core.settings import Settings, get_settings
from review_flows.auth import AccountLocked, SignInRefused, session_expired, sign_in
from review_flows.contacts import add_contact
from review_flows.errors import CaseDataInvalid, DuplicateUsername, UserNotFound
from review_flows.models import Channel, ContactCreate, Notice, Role, User, UserCreate
from review_flows.notify.channels import InboxChannel
from review_flows.notify.kinds import NoticeKind
from review_flows.notify.notice import OutgoingNotice
from review_flows.notify.store import deliver_notices, inbox, mark_read
from review_flows.sweep import run_sweep
from review_flows.users import (
    create_user,
    list_users,
    set_disabled,
    set_password,
    verify_password,
)
from review_flows.workbench import inbox_of, mark_read_as

NOW = dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"
INBOX_ONLY = {Channel.INBOX: InboxChannel()}
PANEL_NORTH = Viewer("panel-north", Role.PANEL_MEMBER, "Northshire")
PANEL_WEST = Viewer("panel-west", Role.PANEL_MEMBER, "Westmere")
ANALYST_BOTH = Viewer("analyst-both", Role.ANALYST)
SCRYPT_HASH = re.compile(r"^scrypt\$131072\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$")


def _add_user(session: Session, username: str, role: str = "analyst", **fields: Any) -> Any:
    data = {"username": username, "display_name": username.title(), "role": role}
    return create_user(session, UserCreate(**data, password=PASSWORD, **fields))


def _stored(session: Session, username: str) -> User:
    session.expire_all()
    return session.exec(select(User).where(User.username == username)).one()


def _settings(tmp_path: Path, attempts: int = 3, minutes: int = 15) -> Settings:
    return Settings(data_dir=tmp_path, sign_in_attempts=attempts, lockout_minutes=minutes)


# --- users -------------------------------------------------------------------------------------


def test_a_taken_username_is_refused_and_nothing_is_added(session: Session) -> None:
    first = _add_user(session, "alice")
    with pytest.raises(DuplicateUsername, match="^user alice already exists$"):
        _add_user(session, "alice", role="admin")
    assert [(u.id, u.username, u.role) for u in list_users(session)] == [
        (first.id, "alice", Role.ANALYST)
    ]


@pytest.mark.parametrize(
    ("username", "password", "expected"),
    [
        ("alice", PASSWORD, "alice"),
        ("alice", "correct horse batterY", None),
        ("alice", "", None),
        ("nobody", PASSWORD, None),
    ],
    ids=["right", "wrong", "empty", "unknown-user"],
)
def test_verify_password_answers_only_for_the_right_password(
    session: Session, username: str, password: str, expected: str | None
) -> None:
    _add_user(session, "alice")
    found = verify_password(session, username, password)
    assert (found.username if found else None) == expected


def test_verify_password_of_a_disabled_user_says_so_and_sign_in_refuses_them(
    session: Session, tmp_path: Path
) -> None:
    # verify_password checks the password only; the disabled flag comes back with the user,
    # and sign_in is what keeps a disabled account out.
    _add_user(session, "alice")
    set_disabled(session, "alice")
    found = verify_password(session, "alice", PASSWORD)
    assert found is not None and (found.username, found.disabled) == ("alice", True)
    with pytest.raises(SignInRefused, match="^wrong username or password$"):
        sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))


def test_a_disabled_account_signs_in_again_once_enabled(session: Session, tmp_path: Path) -> None:
    _add_user(session, "alice")
    assert set_disabled(session, "alice").disabled is True
    assert _stored(session, "alice").disabled is True
    with pytest.raises(SignInRefused):
        sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))
    assert set_disabled(session, "alice", disabled=False).disabled is False
    viewer = sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))
    assert viewer == Viewer("alice", Role.ANALYST, None, "Alice")
    with pytest.raises(UserNotFound, match="no user bob"):
        set_disabled(session, "bob")


def test_a_new_password_replaces_the_old_one(session: Session, tmp_path: Path) -> None:
    _add_user(session, "alice")
    before = _stored(session, "alice").password_hash
    set_password(session, "alice", "a brand new passphrase")
    after = _stored(session, "alice").password_hash
    assert after != before and SCRYPT_HASH.match(after)
    assert verify_password(session, "alice", PASSWORD) is None
    assert verify_password(session, "alice", "a brand new passphrase") is not None
    with pytest.raises(SignInRefused):
        sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))
    with pytest.raises(CaseDataInvalid, match="at least 12 characters"):
        set_password(session, "alice", "short")
    with pytest.raises(UserNotFound, match="no user bob"):
        set_password(session, "bob", "a brand new passphrase")
    assert _stored(session, "alice").password_hash == after


def test_users_are_listed_by_username_with_role_and_partnership(session: Session) -> None:
    _add_user(session, "carol", role="admin")
    _add_user(session, "alice", role="panel_member", partnership="Northshire")
    _add_user(session, "bob", role="reviewer")
    listed = [(u.username, u.role, u.partnership, u.disabled) for u in list_users(session)]
    assert listed == [
        ("alice", Role.PANEL_MEMBER, "Northshire", False),
        ("bob", Role.REVIEWER, None, False),
        ("carol", Role.ADMIN, None, False),
    ]


def test_the_stored_hash_is_salted_scrypt_never_the_password(session: Session) -> None:
    _add_user(session, "alice")
    _add_user(session, "bob")
    hashes = [row.password_hash for row in session.exec(select(User).order_by(User.username))]
    assert all(SCRYPT_HASH.match(stored) for stored in hashes), hashes
    assert not [stored for stored in hashes if PASSWORD in stored]
    assert hashes[0] != hashes[1]  # the same password, two salts
    assert hashes[0].split("$")[4] != hashes[1].split("$")[4]


# --- sign-in -----------------------------------------------------------------------------------


def test_failed_sign_ins_are_counted_then_make_the_username_wait(
    session: Session, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, attempts=3, minutes=15)
    _add_user(session, "alice")
    for expected in (1, 2):
        with pytest.raises(SignInRefused, match="^wrong username or password$"):
            sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
        stored = _stored(session, "alice")
        assert (stored.failed_sign_ins, stored.locked_until) == (expected, None)
    with pytest.raises(SignInRefused) as third:
        sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
    assert type(third.value) is SignInRefused  # the failure that locks is still a plain refusal
    stored = _stored(session, "alice")
    assert (stored.failed_sign_ins, stored.locked_until) == (3, NOW + dt.timedelta(minutes=1))


def test_the_lock_out_follows_the_environment_settings(
    session: Session, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSPR_SIGN_IN_ATTEMPTS", "2")
    monkeypatch.setenv("CSPR_LOCKOUT_MINUTES", "7")
    get_settings.cache_clear()
    _add_user(session, "alice")
    # each failure as soon as the last wait ends: waits of 1, 2, 4, then 7 (the cap), not 8
    for at, waits in ((0, 0), (0, 1), (1, 2), (3, 4), (7, 7)):
        with pytest.raises(SignInRefused):
            sign_in(session, "alice", "wrong password", now=NOW + dt.timedelta(minutes=at))
        ends = NOW + dt.timedelta(minutes=at + waits)
        assert _stored(session, "alice").locked_until == (ends if waits else None)
    with pytest.raises(AccountLocked, match="try again after 09:14 UTC"):
        sign_in(session, "alice", PASSWORD, now=NOW + dt.timedelta(minutes=13))
    assert sign_in(session, "alice", PASSWORD, now=NOW + dt.timedelta(minutes=14)).username == (
        "alice"
    )


def test_a_locked_account_refuses_the_right_password_until_the_lock_out_ends(
    session: Session, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, attempts=2, minutes=15)
    _add_user(session, "alice", role="panel_member", partnership="Northshire")
    for _ in range(2):
        with pytest.raises(SignInRefused):
            sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
    ends = NOW + dt.timedelta(minutes=1)
    for now in (NOW, ends - dt.timedelta(seconds=1)):
        with pytest.raises(AccountLocked, match="try again after 09:01 UTC"):
            sign_in(session, "alice", PASSWORD, now=now, settings=settings)
    assert _stored(session, "alice").locked_until == ends  # refusals while locked add nothing
    viewer = sign_in(session, "alice", PASSWORD, now=ends, settings=settings)
    assert viewer == Viewer("alice", Role.PANEL_MEMBER, "Northshire", "Alice")
    stored = _stored(session, "alice")
    assert (stored.failed_sign_ins, stored.locked_until) == (0, None)


def test_a_successful_sign_in_resets_the_failure_count(session: Session, tmp_path: Path) -> None:
    settings = _settings(tmp_path, attempts=3)
    _add_user(session, "alice")
    for _ in range(2):
        with pytest.raises(SignInRefused):
            sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
    assert _stored(session, "alice").failed_sign_ins == 2
    assert sign_in(session, " Alice ", PASSWORD, now=NOW, settings=settings).username == "alice"
    assert _stored(session, "alice").failed_sign_ins == 0
    for _ in range(2):  # two more in a row: not yet three, so not locked
        with pytest.raises(SignInRefused):
            sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
    assert sign_in(session, "alice", PASSWORD, now=NOW, settings=settings).username == "alice"


@pytest.mark.parametrize(
    ("idle", "expired"),
    [
        (dt.timedelta(0), False),
        (dt.timedelta(minutes=30), False),
        (dt.timedelta(minutes=30, microseconds=1), True),
        (dt.timedelta(hours=5), True),
    ],
    ids=["just-seen", "at-the-limit", "just-past", "long-gone"],
)
def test_a_session_expires_only_past_the_idle_limit(idle: dt.timedelta, expired: bool) -> None:
    assert session_expired(NOW, NOW + idle, 30) is expired


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
