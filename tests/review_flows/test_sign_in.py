"""Sign-in as an attacker tries it (issue 22, next in line 1-2): a username with no account reads
exactly as a real one (the same answers, after the same failures, with the same hashing work);
nobody can lock an account for good; hashes are scrypt at OWASP's cost, older ones re-made at
the next sign-in; weak passwords are refused wherever a password is set.

Runs on SQLite here and on PostgreSQL in test_postgres.py (through the ``session`` fixture).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from core.settings import Settings
from cspr.cli.processes import demo_password
from review_flows import users
from review_flows.auth import SignInRefused, sign_in, wait_after
from review_flows.demo import seed_demo
from review_flows.errors import CaseDataInvalid
from review_flows.partnership_models import User, UserCreate

NOW = dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"


def _add(session: Session, username: str, password: str = PASSWORD) -> Any:
    data = UserCreate(username=username, display_name=username.title(), role="admin",
                      password=password)  # fmt: skip
    return users.create_user(session, data)


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, sign_in_attempts=5, lockout_minutes=15)


def _answer(session: Session, username: str, password: str, now: dt.datetime, settings: Settings
            ) -> tuple[str, str]:  # fmt: skip
    try:
        sign_in(session, username, password, now=now, settings=settings)
    except SignInRefused as refused:
        return type(refused).__name__, str(refused)
    return "signed in", ""


def test_an_unknown_username_reads_exactly_as_the_admins(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: five wrong passwords for ``admin`` and for ``nobody``; before, only the real
    one said "locked", so accounts could be told apart."""
    settings = _settings(tmp_path)
    _add(session, "admin")
    work: dict[str, list[tuple[int, int, int]]] = {"admin": [], "nobody": []}

    def counted(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        work[current].append((n, r, p))
        return b"wrong key"  # every password tried is wrong: the cost is what is compared

    monkeypatch.setattr(users, "_derive", counted)
    answers: dict[str, list[tuple[str, str]]] = {"admin": [], "nobody": []}
    minutes = (0, 0, 0, 0, 0, 0, 0.5, 1, 1, 2, 3, 4)  # 5 failures, waits, more failures, waits
    for current in ("admin", "nobody"):
        for at in minutes:
            now = NOW + dt.timedelta(minutes=at)
            answers[current].append(_answer(session, current, "wrong password", now, settings))
    assert answers["admin"] == answers["nobody"]
    assert ("AccountLocked", "too many failed sign-ins: try again after 09:01 UTC or ask an "
            "admin to reset your password") in answers["nobody"]  # fmt: skip
    assert work["admin"] == work["nobody"]  # one hash per checked attempt, at the same cost
    assert set(work["nobody"]) == {(2**17, 8, 1)}


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(1, None), (4, None), (5, 1), (6, 2), (7, 4), (8, 8), (9, 15), (10, 15), (500, 15)],
)
def test_the_wait_grows_from_a_minute_to_at_most_the_longest(
    tmp_path: Path, failures: int, minutes: int | None
) -> None:
    wait = wait_after(failures, _settings(tmp_path))
    assert wait == (dt.timedelta(minutes=minutes) if minutes is not None else None)


def test_nobody_can_lock_the_admin_out_for_good(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attacker guessing as fast as the waits allow, for a day: the admin is never kept out
    longer than the longest wait after the attacker's last try, and gets in once it ends."""
    settings = _settings(tmp_path)
    _add(session, "admin")
    row = session.exec(select(User).where(User.username == "admin")).one()
    now, tries = NOW, 0
    with monkeypatch.context() as cheap:  # the guesses' hashes at a toy cost: a day in a second
        cheap.setattr(users, "_derive", lambda *args: b"not the key")
        while now < NOW + dt.timedelta(days=1):
            assert _answer(session, "admin", f"guess {tries}", now, settings)[0] in (
                "SignInRefused", "AccountLocked",
            )  # fmt: skip
            tries += 1
            session.refresh(row)
            assert row.locked_until is None or row.locked_until - now <= dt.timedelta(minutes=15)
            now = row.locked_until or now
    assert 90 < tries < 110  # about four guesses an hour once the waits reach their longest
    assert _answer(session, "admin", PASSWORD, now, settings) == ("signed in", "")


def test_an_older_cheaper_hash_still_signs_in_and_is_made_again(
    session: Session, tmp_path: Path
) -> None:
    _add(session, "alice")
    salt = secrets.token_bytes(16)
    old_key = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    row = session.exec(select(User).where(User.username == "alice")).one()
    row.password_hash = f"scrypt${2**14}$8$1${salt.hex()}${old_key.hex()}"
    session.add(row)
    session.commit()
    assert users.needs_rehash(row.password_hash)
    assert _answer(session, "alice", "wrong password", NOW, _settings(tmp_path))[0] == (
        "SignInRefused"
    )
    session.refresh(row)
    assert row.password_hash.startswith("scrypt$16384$")  # a failure re-makes nothing
    assert sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))
    session.refresh(row)
    assert row.password_hash.startswith("scrypt$131072$8$1$") and not users.needs_rehash(
        row.password_hash
    )
    assert sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))


def test_a_stored_hash_asking_for_more_memory_than_allowed_is_refused() -> None:
    key = "00" * 32
    assert users.check_password(PASSWORD, f"scrypt${2**22}$8$1${'00' * 16}${key}") is False
    assert not users.needs_rehash(users.DECOY_HASH)  # the decoy costs what a real hash does


WEAK = [
    ("aaaaaaaaaaaa", "too easy to guess"),
    ("aaaaaaaaaa", "at least 12 characters"),
    ("password1234", "too easy to guess"),
    ("qwertyuiop12", "too easy to guess"),
    ("123456789012", "too easy to guess"),
    ("alice.smith!!", "too easy to guess"),  # the username
    ("Alice Smith 1", "too easy to guess"),  # the display name
]


def test_weak_passwords_are_refused_wherever_one_is_set(session: Session) -> None:
    data = {"username": "alice.smith", "display_name": "Alice Smith", "role": "analyst"}
    users.create_user(session, UserCreate(**data, password=PASSWORD))
    for password, reason in WEAK:
        with pytest.raises(CaseDataInvalid, match=f"password: .*{reason}") as refused:
            users.check_password_rule(password, "alice.smith", "Alice Smith")
        assert password not in str(refused.value)
        with pytest.raises((CaseDataInvalid, ValidationError)):
            users.create_user(session, UserCreate(**data, password=password))  # refused first
        with pytest.raises(CaseDataInvalid, match=reason):
            users.set_password(session, "alice.smith", password)
    assert [row.username for row in session.exec(select(User))] == ["alice.smith"]
    assert users.verify_password(session, "alice.smith", PASSWORD) is not None


def test_generated_demo_passwords_pass_and_a_weak_demo_password_is_refused(
    session: Session, tmp_path: Path, today: dt.date
) -> None:
    for _ in range(100):
        users.check_password_rule(secrets.token_urlsafe(12), "panel-northshire", "admin")
    password, generated = demo_password(Settings(data_dir=tmp_path, demo_password=None))
    assert generated
    users.check_password_rule(password)
    with pytest.raises(CaseDataInvalid, match="the demo password: too easy to guess"):
        seed_demo(session, today=today, password="demo-password")
    assert session.exec(select(User)).all() == []
