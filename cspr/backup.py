"""Backup and restore of the case database and the learning index, consistent while the system
runs, and a restore that cannot destroy.

- SQLite: the online backup API copies a consistent snapshot while others read and write.
  PostgreSQL: ``pg_dump --format=custom`` of one exported snapshot.
- The index folder is copied holding the index's writer lock, so no ingest is half-way
  through it (``units.sqlite`` through SQLite's backup API too); searches go on meanwhile.
- ``backup.json`` (:mod:`cspr.backup_manifest`) lists every file with its size and
  SHA-256, every table's row count and the schema revision. The backup folder is owner-only.

A restore refuses a non-empty target unless ``force`` is given. It copies each listed file into a
scratch folder beside the live data while hashing it, checks the copies there
(:mod:`cspr.restore_checks`), and only then swaps them in by renames. The data it
replaces is kept in ``restore-previous-<when>/`` until the next successful restore; a failure
while swapping puts the live data back. Any refusal leaves the live data as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from core.db import get_engine
from cspr.backup_manifest import (
    INDEX_FOLDER,
    PG_DUMP_FILE,
    SQLITE_FILE,
    BackupFailed,
    BackupManifest,
    check_listed,
    check_other_hashes,
    copy_verified,
    private_dir,
    read_manifest,
    remove_tree,
    write_manifest,
)
from cspr.restore_checks import (
    check_index_copy,
    check_pg_dump,
    check_sqlite_copy,
    pg_dsn,
    run_tool,
    sql_contents,
    sqlite_contents,
)
from review_flows.models import Case, CaseEvent

STAGING = ".cspr-restore-staging"
PREVIOUS = "restore-previous-"
_SKIPPED = (".lock", "-wal", "-shm", "-journal", ".tmp")  # live-only files of an index folder

Undo = list[Callable[[], object]]


@dataclass(frozen=True)
class Restored:
    """What a restore put back, and where the data it replaced is kept."""

    manifest: BackupManifest
    previous: Path


def backup(
    database_url: str, index_dir: Path, target: Path, *, now: dt.datetime,
    heads_dir: Path | None = None,
) -> BackupManifest:  # fmt: skip
    """Write a consistent copy of the database and the index into ``target`` (a new folder);
    with ``heads_dir``, the event log's chain heads are exported there too."""
    from review_flows.audit_heads import backup_heads

    if target.exists() and any(target.iterdir()):
        raise BackupFailed(f"{target} is not empty; back up into a new folder")
    private_dir(target)
    kind = _kind(database_url)
    # Heads taken before the copy are a prefix of what the copy holds (the log only grows), so
    # a restored backup verifies against its own audit-heads.json.
    backup_heads(database_url, target, now=now, heads_dir=heads_dir)
    if kind == "sqlite":
        _sqlite_copy(_sqlite_path(database_url), target / SQLITE_FILE)
        counts, revision = _sqlite_file_contents(target / SQLITE_FILE)  # of the copy
    else:
        counts, revision = _pg_dump(database_url, target / PG_DUMP_FILE)
    vectors = _copy_index(index_dir, target / INDEX_FOLDER)
    manifest = BackupManifest(
        now.isoformat(timespec="seconds"), kind, revision, counts.get("cases", 0),
        counts.get("events", 0), vectors is not None, tables=counts, index_vectors=vectors,
    )  # fmt: skip
    # Every file written into ``target`` before this line is listed and hashed.
    return write_manifest(target, manifest)


def restore(
    source: Path,
    database_url: str,
    index_dir: Path,
    *,
    force: bool = False,
    now: dt.datetime | None = None,
) -> Restored:
    """Check the backup in a scratch place, then swap it in; the replaced data is kept."""
    from learning.index.writer_lock import writer_lock

    manifest = read_manifest(source)
    kind = _kind(database_url)
    if kind != manifest.database:
        raise BackupFailed(f"the backup is of {manifest.database}, the target is {kind}")
    check_listed(source, manifest)
    check_other_hashes(source, manifest, (manifest.database_file, INDEX_FOLDER))
    if not force and _counts(database_url, missing_ok=True)[0] > 0:
        raise BackupFailed(
            "the target database already holds cases; restore into an empty one, or pass "
            "--force to replace them"
        )
    live_db = _sqlite_path(database_url) if kind == "sqlite" else None
    root = live_db.parent if live_db is not None else index_dir.parent
    scratch = {root / STAGING} | ({index_dir.parent / STAGING} if manifest.index else set())
    # The index's writer lock: no ingest, and no other restore, meanwhile.
    with writer_lock(index_dir):
        for folder in scratch:
            remove_tree(folder)
            private_dir(folder)
        try:
            staged_db = _stage_database(source, manifest, database_url, root / STAGING)
            staged_index = _stage_index(source, manifest, index_dir.parent / STAGING)
            previous = _previous_folder(root, now or dt.datetime.now(dt.UTC))
            _swap(staged_db, live_db, database_url, staged_index, index_dir, previous)
        finally:
            for folder in scratch:
                remove_tree(folder)
    for older in root.glob(PREVIOUS + "*"):
        if older != previous and older.is_dir():
            shutil.rmtree(older)
    return Restored(manifest, previous)


def _stage_database(source: Path, manifest: BackupManifest, url: str, scratch: Path) -> Path:
    copy = scratch / manifest.database_file
    copy_verified(source, manifest, manifest.database_file, copy)
    label = str(source / manifest.database_file)
    if manifest.database == "sqlite":
        check_sqlite_copy(copy, manifest, label)
    else:
        check_pg_dump(copy, manifest, label, url)
    return copy


def _stage_index(source: Path, manifest: BackupManifest, scratch: Path) -> Path | None:
    if not manifest.index:
        return None
    copy = scratch / INDEX_FOLDER
    copy_verified(source, manifest, INDEX_FOLDER, copy)
    check_index_copy(copy, manifest, str(source / INDEX_FOLDER))
    for leftover in copy.glob("*.lock"):  # made by the check's open_index
        leftover.unlink()
    return copy


def _previous_folder(root: Path, now: dt.datetime) -> Path:
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder, n = root / f"{PREVIOUS}{stamp}", 1
    while folder.exists():
        n += 1
        folder = root / f"{PREVIOUS}{stamp}-{n}"
    return folder


def _swap(
    staged_db: Path,
    live_db: Path | None,
    database_url: str,
    staged_index: Path | None,
    index_dir: Path,
    previous: Path,
) -> None:
    """Keep the live data in ``previous``, rename the checked copies in; undo on any failure."""
    undo: Undo = []
    private_dir(previous)
    try:
        get_engine(database_url).dispose()
        if live_db is None:  # PostgreSQL: keep a dump of the live database first
            _run_pg_dump(database_url, previous / PG_DUMP_FILE, snapshot=None)
        if staged_index is not None:
            _put_aside(index_dir, previous / INDEX_FOLDER, undo)
            os.replace(staged_index, index_dir)
            undo.append(lambda: remove_tree(index_dir))
        if live_db is not None:
            _checkpoint(live_db)
            for suffix in ("", "-wal", "-shm"):
                _put_aside(Path(f"{live_db}{suffix}"), previous / f"{live_db.name}{suffix}", undo)
            os.replace(staged_db, live_db)
            undo.append(lambda: remove_tree(live_db))
        else:  # one transaction: a failure leaves the live database as it was
            run_tool(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 "--exit-on-error", f"--dbname={pg_dsn(database_url)}", str(staged_db)],
                "restoring into the live database failed",
            )  # fmt: skip
    except BaseException as failed:
        outcome = _undo(undo, previous)
        if isinstance(failed, OSError | BackupFailed | sqlite3.Error):
            raise BackupFailed(f"{failed}; {outcome}") from None
        raise


def _put_aside(live: Path, kept: Path, undo: Undo) -> None:
    if live.exists() or live.is_symlink():
        shutil.move(live, kept)
        undo.append(lambda: shutil.move(kept, live))


def _undo(undo: Undo, previous: Path) -> str:
    try:
        for step in reversed(undo):
            step()
    except OSError as stuck:
        return f"putting the live data back failed too ({stuck}): what was live is in {previous}"
    remove_tree(previous)
    return "the live data was put back as it was"


def _checkpoint(live_db: Path) -> None:
    """Fold the live database's write-ahead log into it before it is moved aside."""
    if not live_db.exists():
        return
    try:
        with sqlite3.connect(live_db) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
    except sqlite3.Error:
        pass  # a damaged live database is moved aside with its log as it is


def _counts(database_url: str, *, missing_ok: bool = False) -> tuple[int, int]:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        with get_engine(database_url).connect() as connection:
            cases = connection.execute(
                select(func.count()).select_from(Case)
            ).scalar_one()
            events = connection.execute(
                select(func.count()).select_from(CaseEvent)
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
    private_dir(target.parent)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
            with sqlite3.connect(target) as dst:
                src.backup(dst)
            dst.close()
        src.close()
    except sqlite3.Error as unreadable:
        raise BackupFailed(f"cannot copy {source} ({unreadable})") from None


def _sqlite_file_contents(path: Path) -> tuple[dict[str, int], str | None]:
    # read-write: closing the last connection removes the -wal and -shm files (read-only would
    # leave them in the backup)
    with sqlite3.connect(f"file:{path}?mode=rw", uri=True) as connection:
        contents = sqlite_contents(connection)
    connection.close()
    return contents


def _copy_index(index_dir: Path, target: Path) -> int | None:
    """Copy the index under its writer lock; the number of vectors, or None if there is none."""
    from learning.errors import LearningError
    from learning.index.disk import UNITS_FILE, index_exists
    from learning.index.manifest import load_manifest
    from learning.index.writer_lock import writer_lock

    if not index_exists(index_dir):
        return None
    with writer_lock(index_dir):
        private_dir(target)
        for entry in sorted(index_dir.iterdir()):
            if entry.name.endswith(_SKIPPED):
                continue
            if entry.name == UNITS_FILE:
                _sqlite_copy(entry, target / UNITS_FILE)
            elif entry.is_dir():
                shutil.copytree(entry, target / entry.name)
            else:
                shutil.copy2(entry, target / entry.name)
    try:
        return load_manifest(target / "manifest.json").count
    except LearningError as unreadable:
        raise BackupFailed(f"the live index cannot be backed up ({unreadable})") from None


def _pg_dump(database_url: str, dump: Path) -> tuple[dict[str, int], str | None]:
    """``pg_dump`` of one snapshot, exported from a repeatable-read transaction in which the
    tables are counted: the counts are those of the dump, whatever is written meanwhile."""
    engine = get_engine(database_url).execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as connection:
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        contents = sql_contents(connection)
        _run_pg_dump(database_url, dump, snapshot=snapshot)
        connection.rollback()
    return contents


def _run_pg_dump(database_url: str, dump: Path, *, snapshot: str | None) -> None:
    command = ["pg_dump", "--format=custom", f"--file={dump}"]
    if snapshot is not None:
        command.append(f"--snapshot={snapshot}")
    run_tool([*command, pg_dsn(database_url)], f"pg_dump of the database into {dump} failed")
    os.chmod(dump, 0o600)
