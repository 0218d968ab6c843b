"""A restore that cannot destroy (issue 22, finding 2), on PostgreSQL
(``CSPR_TEST_POSTGRES_URL``): each damaged ``pg_dump`` backup is refused and the live
database and index are as they were; a good restore is checked in a scratch database
first and keeps the data it replaced.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import get_engine, open_session
from core.migrations import upgrade_database
from cspr.backup import backup, restore
from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from review_flows.demo import seed_demo
from tests.learning.factories import CORPUS, write_corpus
from tests.review_flows.backup_faults import (
    NOW,
    Fault,
    _add_an_event,
    _cli_restore,
    _edit_manifest,
    _garbage,
    _index_hashes,
    _rehash,
    _truncate,
)

PG_SERVER = os.environ.get("CSPR_TEST_POSTGRES_URL", "")

PG_FAULTS: list[tuple[str, Fault, str]] = [
    ("dump missing", lambda b: (b / "cspr.dump").unlink(), r"cspr.dump: missing"),
    ("dump corrupted", lambda b: _garbage(b / "cspr.dump"),
     r"cspr.dump: SHA-256 does not match the manifest"),
    ("dump corrupted, manifest hash rewritten",
     lambda b: (_garbage(b / "cspr.dump"), _rehash(b, "cspr.dump")),
     r"cspr.dump: (not a readable dump|does not restore into a scratch database) \(pg_restore"),
    ("dump data corrupted, table of contents intact, manifest hash rewritten",
     lambda b: (_garbage(b / "cspr.dump", 1024, at=0.9), _rehash(b, "cspr.dump")),
     r"cspr.dump: does not restore into a scratch database \(pg_restore"),
    ("dump truncated", lambda b: _truncate(b / "cspr.dump"),
     r"cspr.dump: \d+ bytes, the manifest says \d+"),
    ("dump truncated, manifest size and hash rewritten",
     lambda b: (_truncate(b / "cspr.dump"), _rehash(b, "cspr.dump")),
     r"cspr.dump: (not a readable dump|does not restore into a scratch database) \(pg_restore"),
    ("wrong manifest version", lambda b: _edit_manifest(b, lambda m: m.update(format_version=1)),
     r"backup.json: wrong version"),
    ("index units.sqlite missing", lambda b: (b / "index" / "units.sqlite").unlink(),
     r"index/units.sqlite: missing"),
]  # fmt: skip


def _pg_state(url: str) -> dict[str, object]:
    from sqlalchemy import text

    from cspr.restore_checks import sql_contents

    engine = get_engine(url)
    with engine.connect() as connection:
        counts, revision = sql_contents(connection)
        cases = connection.execute(text("SELECT * FROM cases ORDER BY id")).all()
        events = connection.execute(text("SELECT * FROM events ORDER BY id")).all()
    engine.dispose()
    return {"counts": counts, "revision": revision, "cases": cases, "events": events}


@pytest.fixture(scope="module")
def pg_golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A PostgreSQL database with the demo's cases, an index, and their backup ``B``."""
    from tests.review_flows.test_postgres import _drop_database, _new_database

    folder = tmp_path_factory.mktemp("pg-golden")
    url = _new_database()
    try:
        upgrade_database(url)
        with open_session(url) as session:
            seed_demo(session, today=dt.date(2026, 12, 2))
        write_corpus(folder / "reviews", tuple(CORPUS)[:-1])
        ingest_paths([folder / "reviews"], folder / "index", FakeEncoder())
        manifest = backup(url, folder / "index", folder / "B", now=NOW)
        assert manifest.database == "postgresql" and manifest.index_vectors
        yield url, folder
    finally:
        _drop_database(url)


@pytest.fixture
def pg_live(
    pg_golden: tuple[str, Path], data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Path, Path]:
    from core.settings import get_settings

    url, golden = pg_golden
    shutil.copytree(golden / "index", data_dir / "index")
    shutil.copytree(golden / "B", tmp_path / "B")
    monkeypatch.setenv("CSPR_DATABASE_URL", url)
    get_settings.cache_clear()
    return url, data_dir, tmp_path / "B"


@pytest.mark.parametrize(
    ("fault", "message"),
    [pytest.param(fault, message, id=name) for name, fault, message in PG_FAULTS],
)
@pytest.mark.postgres
@pytest.mark.skipif(not PG_SERVER, reason="CSPR_TEST_POSTGRES_URL is not set")
def test_a_damaged_pg_dump_backup_is_refused_and_the_live_database_is_untouched(
    pg_live: tuple[str, Path, Path], fault: Fault, message: str
) -> None:
    url, data_dir, backup_dir = pg_live
    before = (_pg_state(url), _index_hashes(data_dir / "index"))
    fault(backup_dir)
    result = _cli_restore(backup_dir)
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "Traceback" not in output and isinstance(result.exception, SystemExit)
    assert re.search(message, result.stderr), result.stderr
    assert (_pg_state(url), _index_hashes(data_dir / "index")) == before
    assert sorted(p.name for p in data_dir.iterdir() if p.suffix != ".lock") == ["index"]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_SERVER, reason="CSPR_TEST_POSTGRES_URL is not set")
def test_a_pg_restore_checks_in_a_scratch_database_and_keeps_the_replaced_data(
    pg_golden: tuple[str, Path], tmp_path: Path
) -> None:
    from tests.review_flows.test_postgres import _drop_database, _new_database

    source_url, golden = pg_golden
    url = _new_database()
    try:
        upgrade_database(url)
        with open_session(url) as session:  # the live database holds other data
            seed_demo(session, today=dt.date(2026, 12, 2))
        _add_an_event(url)
        replaced = _pg_state(url)
        first = restore(golden / "B", url, tmp_path / "index", force=True, now=NOW)
        assert _pg_state(url) == _pg_state(source_url)
        assert (first.previous / "cspr.dump").stat().st_mode & 0o777 == 0o600
        assert not (tmp_path / ".cspr-restore-staging").exists()
        # what was replaced can be put back: the kept dump restores the event added
        keep = tmp_path / "keep"
        shutil.copytree(first.previous, keep)
        second = restore(
            golden / "B", url, tmp_path / "index", force=True, now=NOW + dt.timedelta(1)
        )
        assert not first.previous.exists() and second.previous.exists()
        from cspr.restore_checks import pg_dsn, run_tool

        run_tool(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             f"--dbname={pg_dsn(url)}", str(keep / "cspr.dump")], "putting back",
        )  # fmt: skip
        assert _pg_state(url) == replaced
    finally:
        _drop_database(url)
