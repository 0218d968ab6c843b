"""Database engine: SQLite (WAL, busy timeout, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import class_mapper
from sqlmodel import Session, SQLModel, create_engine


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the app read while a flow writes; the busy timeout waits instead of failing
    # on a lock.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_private_file(path: Path) -> None:
    """Create ``path`` owner-only (0600, its new folder 0700) whatever the umask, unless it
    exists: SQLite would create a database 0644, and gives its -wal and -shm files the
    database file's mode."""
    if path.exists():
        return
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.fchmod(descriptor, 0o600)
    os.close(descriptor)


def build_engine(url: str) -> Engine:
    """A new engine for ``url``; SQLite files get their folder created and the pragmas set."""
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            create_private_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL per process."""
    return build_engine(url)


def open_session(url: str) -> Session:
    """A short-lived session on the engine for ``url`` (use it in a ``with`` block)."""
    return Session(get_engine(url), expire_on_commit=False)


def table_of(model: type[SQLModel]) -> Table:
    """The ``Table`` of a table model, for Core statements (bulk updates, counts, joins on
    columns): SQLModel sets ``__table__`` on a ``table=True`` class but does not declare it, so
    the mapper's table is read and its type checked here once."""
    table = class_mapper(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table
