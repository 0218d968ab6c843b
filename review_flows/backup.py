"""Backup and restore of the case database and the learning index, consistent while the system
runs.

- SQLite: the online backup API copies a consistent snapshot while others read and write.
  PostgreSQL: ``pg_dump --format=custom`` (and ``pg_restore --clean``), if installed.
- The index folder is copied holding the index's writer lock, so no ingest is half-way
  through it; searches go on meanwhile.
- ``backup.json`` records when, the schema revision, and counts to check a restore against.

A restore replaces the data: it refuses a non-empty target unless ``force`` is given.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from review_flows.db import get_engine
from review_flows.errors import ReviewFlowsError
from review_flows.models import Case, CaseEvent

MANIFEST = "backup.json"


class BackupFailed(ReviewFlowsError):
    """A backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupManifest:
    created_at: str
    database: str  # "sqlite" or "postgresql"
    revision: str | None
    cases: int
    events: int
    index: bool


def backup(database_url: str, index_dir: Path, target: Path, *, now: dt.datetime) -> BackupManifest:
    """Write a consistent copy of the database and the index into ``target`` (a new folder)."""
    from review_flows.migrations import current_revision

    if target.exists() and any(target.iterdir()):
        raise BackupFailed(f"{target} is not empty; back up into a new folder")
    target.mkdir(parents=True, exist_ok=True)
    kind = _kind(database_url)
    if kind == "sqlite":
        _sqlite_copy(_sqlite_path(database_url), target / "cspr.db")
        cases, events = _sqlite_counts(target / "cspr.db")  # of the copy, not of the live one
    else:
        cases, events = _pg_dump(database_url, target / "cspr.dump")
    has_index = index_dir.exists()
    if has_index:
        from learning.index.writer_lock import writer_lock

        with writer_lock(index_dir):
            shutil.copytree(index_dir, target / "index", ignore=shutil.ignore_patterns("*.lock"))
    manifest = BackupManifest(
        now.isoformat(timespec="seconds"), kind, current_revision(database_url), cases, events,
        has_index,
    )  # fmt: skip
    (target / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    return manifest


def restore(
    source: Path, database_url: str, index_dir: Path, *, force: bool = False
) -> BackupManifest:
    """Put a backup back: the database, then the index (swapped in whole)."""
    manifest = read_manifest(source)
    if not force and _counts(database_url, missing_ok=True)[0] > 0:
        raise BackupFailed(
            "the target database already holds cases; restore into an empty one, or pass "
            "--force to replace them"
        )
    kind = _kind(database_url)
    if kind != manifest.database:
        raise BackupFailed(f"the backup is of {manifest.database}, the target is {kind}")
    if kind == "sqlite":
        get_engine(database_url).dispose()
        _sqlite_copy(source / "cspr.db", _sqlite_path(database_url))
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner",
              f"--dbname={_pg_dsn(database_url)}", str(source / "cspr.dump")])  # fmt: skip
    if manifest.index:
        staged = index_dir.with_name(index_dir.name + ".restoring")
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(source / "index", staged)
        old = index_dir.with_name(index_dir.name + ".before-restore")
        shutil.rmtree(old, ignore_errors=True)
        if index_dir.exists():
            index_dir.rename(old)
        staged.rename(index_dir)
        shutil.rmtree(old, ignore_errors=True)
    return manifest


def read_manifest(source: Path) -> BackupManifest:
    try:
        return BackupManifest(**json.loads((source / MANIFEST).read_text()))
    except (OSError, ValueError, TypeError) as unreadable:
        raise BackupFailed(
            f"{source} is not a backup made by `cspr backup` ({unreadable})"
        ) from None


def _counts(database_url: str, *, missing_ok: bool = False) -> tuple[int, int]:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        with get_engine(database_url).connect() as connection:
            cases = connection.execute(
                select(func.count()).select_from(Case.__table__)
            ).scalar_one()
            events = connection.execute(
                select(func.count()).select_from(CaseEvent.__table__)
            ).scalar_one()
    except (OperationalError, ProgrammingError):
        if missing_ok:
            return 0, 0
        raise
    return int(cases), int(events)


def _kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupFailed(f"cannot back up a {backend} database")
    return backend


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory database cannot be backed up")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent snapshot while other connections write."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def _sqlite_counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
        events = connection.execute("SELECT count(*) FROM events").fetchone()[0]
    connection.close()
    return int(cases), int(events)


def _pg_dump(database_url: str, dump: Path) -> tuple[int, int]:
    """``pg_dump`` of one snapshot, exported from a repeatable-read transaction in which the
    cases and events are counted: the counts are those of the dump, whatever is written
    meanwhile."""
    engine = get_engine(database_url).execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as connection:
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        cases = connection.execute(select(func.count()).select_from(Case.__table__)).scalar_one()
        events = connection.execute(
            select(func.count()).select_from(CaseEvent.__table__)
        ).scalar_one()
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}",
              _pg_dsn(database_url)])  # fmt: skip
        connection.rollback()
    return int(cases), int(events)


def _pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupFailed(f"{command[0]} is not installed; install PostgreSQL's client tools")
    done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupFailed(f"{command[0]} failed: {done.stderr.strip()[:300]}")
