"""Checks a restore runs on the copies in its scratch place, before the live data is touched.

- SQLite: ``PRAGMA integrity_check``, then the schema revision and every table's row count
  against the manifest (a file whose hash an attacker rewrote still fails the first).
- PostgreSQL: ``pg_restore --list`` reads the whole dump's table of contents, then the dump is
  restored into a scratch database of the same server, checked like the SQLite copy and dropped.
- The index: ``units.sqlite``'s integrity check, then :func:`learning.index.open_index` with
  the vectors' checksum, and the vector count against the manifest.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

from sqlalchemy import Connection, func, inspect, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from core.db import build_engine
from cspr.backup_manifest import DAMAGED, BackupFailed, BackupManifest

REQUIRED_TABLES = ("cases", "events", "alembic_version")


def sqlite_contents(connection: sqlite3.Connection) -> tuple[dict[str, int], str | None]:
    """Every table's row count and the schema revision of an open SQLite database."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {
        name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])  # noqa: S608
        for name in names
    }
    revision = None
    if "alembic_version" in counts:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return counts, revision


def sql_contents(connection: Connection) -> tuple[dict[str, int], str | None]:
    """The same for a database reached through SQLAlchemy (PostgreSQL)."""
    names = sorted(inspect(connection).get_table_names())
    counts = {
        name: int(connection.execute(select(func.count()).select_from(table(name))).scalar_one())
        for name in names
    }
    revision = None
    if "alembic_version" in counts:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return counts, revision


def check_sqlite_copy(copy: Path, manifest: BackupManifest, label: str) -> None:
    """Refuse a database copy that fails its integrity check or holds other rows."""
    _integrity_check(copy, label)
    try:
        with sqlite3.connect(f"file:{copy}?mode=rw", uri=True) as connection:
            counts, revision = sqlite_contents(connection)
        connection.close()
    except sqlite3.Error as unreadable:
        raise BackupFailed(
            f"backup {label}: not a readable SQLite database ({unreadable}); {DAMAGED}"
        ) from None
    check_contents(label, manifest, counts, revision)


def _integrity_check(path: Path, label: str) -> None:
    """``PRAGMA integrity_check`` reads every page: a damaged one fails, whatever its hash."""
    try:
        with sqlite3.connect(f"file:{path}?mode=rw", uri=True) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        connection.close()
    except sqlite3.Error as unreadable:
        problems = [str(unreadable)]
    if problems != ["ok"]:
        raise BackupFailed(
            f"backup {label}: PRAGMA integrity_check fails ({problems[0][:160]}); {DAMAGED}"
        )


def check_contents(
    label: str, manifest: BackupManifest, counts: dict[str, int], revision: str | None
) -> None:
    """The copy's tables, row counts and schema revision are the manifest's."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from core.migrations import alembic_config

    missing = [name for name in REQUIRED_TABLES if name not in counts]
    if missing:
        raise BackupFailed(f"backup {label}: no table {', '.join(missing)}; {DAMAGED}")
    if revision is None:
        raise BackupFailed(f"backup {label}: no schema revision recorded; {DAMAGED}")
    if revision != manifest.revision:
        raise BackupFailed(
            f"backup {label}: schema revision {revision}, the manifest says "
            f"{manifest.revision}; {DAMAGED}"
        )
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        raise BackupFailed(
            f"backup {label}: schema revision {revision} is unknown to this version of the "
            "code; restore with the version that made the backup"
        ) from None
    differ = [
        f"{name} {counts.get(name, 'absent')} (manifest {manifest.tables.get(name, 'absent')})"
        for name in sorted(set(counts) | set(manifest.tables))
        if counts.get(name) != manifest.tables.get(name)
    ]
    if differ:
        raise BackupFailed(
            f"backup {label}: row counts differ from the manifest: {'; '.join(differ)}; {DAMAGED}"
        )


def check_index_copy(folder: Path, manifest: BackupManifest, label: str) -> None:
    """Refuse an index copy that does not open, or holds another number of vectors."""
    from learning.errors import LearningError
    from learning.index import open_index
    from learning.index.manifest import REBUILD_HINT

    _integrity_check(folder / "units.sqlite", f"{label}/units.sqlite")
    try:
        index = open_index(folder, verify_checksum=True)
    except (LearningError, sqlite3.Error, RuntimeError, OSError) as unusable:
        reason = str(unusable).replace(f"; {REBUILD_HINT}", "")  # the backup is what is wrong
        raise BackupFailed(
            f"backup {label}: the index does not open ({reason}); {DAMAGED}"
        ) from None
    try:
        count = index.vectors.count
    finally:
        index.close()
    if count != manifest.index_vectors:
        raise BackupFailed(
            f"backup {label}: the index holds {count} vectors, the manifest says "
            f"{manifest.index_vectors}; {DAMAGED}"
        )


def check_pg_dump(dump: Path, manifest: BackupManifest, label: str, database_url: str) -> None:
    """``pg_restore --list``, then a restore into a scratch database, checked and dropped."""
    run_tool(["pg_restore", "--list", str(dump)], f"backup {label}: not a readable dump")
    scratch = _create_scratch(database_url, label)
    try:
        run_tool(
            ["pg_restore", "--no-owner", "--single-transaction", "--exit-on-error",
             f"--dbname={pg_dsn(scratch)}", str(dump)],
            f"backup {label}: does not restore into a scratch database",
        )  # fmt: skip
        engine = build_engine(scratch)
        try:
            with engine.connect() as connection:
                counts, revision = sql_contents(connection)
        finally:
            engine.dispose()
    finally:
        _drop_scratch(database_url, scratch)
    check_contents(label, manifest, counts, revision)


def _create_scratch(database_url: str, label: str) -> str:
    name = f"cspr_restore_check_{uuid.uuid4().hex[:12]}"
    admin = build_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as refused:
        reason = str(getattr(refused, "orig", refused)).splitlines()[0]
        raise BackupFailed(
            f"cannot create a scratch database to check {label} before restoring ({reason}); "
            "run the restore as a user allowed to CREATE DATABASE"
        ) from None
    finally:
        admin.dispose()
    return make_url(database_url).set(database=name).render_as_string(hide_password=False)


def _drop_scratch(database_url: str, scratch: str) -> None:
    admin = build_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = make_url(scratch).database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def run_tool(command: list[str], failure: str) -> None:
    """Run a PostgreSQL client tool; a failure is a :class:`BackupFailed` led by ``failure``."""
    if shutil.which(command[0]) is None:
        raise BackupFailed(f"{command[0]} is not installed; install PostgreSQL's client tools")
    done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        # a tool that crashes on a damaged file (a signal: a negative code) may say nothing
        said = done.stderr.strip().replace("\n", " ")[:300]
        reason = said or f"{command[0]} stopped with exit status {done.returncode} and no message"
        raise BackupFailed(f"{failure} ({reason})")
