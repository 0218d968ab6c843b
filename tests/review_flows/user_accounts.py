"""Accounts for the users and sign-in tests: a user added with the shared password, the
stored row read again, and settings with a lock-out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from core.settings import Settings
from review_flows.partnership_models import User, UserCreate
from review_flows.users import create_user

NOW = dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"


def _add_user(session: Session, username: str, role: str = "analyst", **fields: Any) -> Any:
    data = {"username": username, "display_name": username.title(), "role": role}
    return create_user(session, UserCreate(**data, password=PASSWORD, **fields))


def _stored(session: Session, username: str) -> User:
    session.expire_all()
    return session.exec(select(User).where(User.username == username)).one()


def _settings(tmp_path: Path, attempts: int = 3, minutes: int = 15) -> Settings:
    return Settings(data_dir=tmp_path, sign_in_attempts=attempts, lockout_minutes=minutes)
