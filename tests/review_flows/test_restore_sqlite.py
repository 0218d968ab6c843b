"""A restore that cannot destroy (issue 22, finding 2), on SQLite: each damaged backup
is refused by ``cspr restore --force`` with a message naming the file and the check, a
non-zero exit and no traceback, and the live database and index are byte for byte as
they were. A good restore keeps the data it replaced in a dated folder until the next
one.

The live data is the demo's cases with a small index; the backup is taken once per
module and copied for each case. On PostgreSQL: test_restore_postgres.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import get_engine, open_session
from core.migrations import upgrade_database
from cspr.backup import backup, restore
from cspr.backup_manifest import BackupFailed
from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from review_flows.demo import seed_demo
from tests.learning.factories import CORPUS, write_corpus
from tests.review_flows.backup_faults import (
    NOW,
    Fault,
    _add_an_event,
    _alter_another_listed_file,
    _cli_restore,
    _drop_an_event,
    _edit_manifest,
    _garbage,
    _index_hashes,
    _old_manifest,
    _rehash,
    _truncate,
    _unlist,
)

SQLITE_FAULTS: list[tuple[str, Fault, str]] = [
    ("database file missing", lambda b: (b / "cspr.db").unlink(), r"cspr.db: missing"),
    ("database unlisted and missing",
     lambda b: ((b / "cspr.db").unlink(), _unlist(b, "cspr.db")),
     r"cspr.db: not listed in backup.json"),
    ("corrupted pages", lambda b: _garbage(b / "cspr.db"),
     r"cspr.db: SHA-256 does not match the manifest; the backup is damaged, take a new one"),
    ("corrupted pages, manifest hash rewritten",
     lambda b: (_garbage(b / "cspr.db"), _rehash(b, "cspr.db")),
     r"cspr.db: PRAGMA integrity_check fails"),
    ("truncated", lambda b: _truncate(b / "cspr.db"),
     r"cspr.db: \d+ bytes, the manifest says \d+; the file is truncated"),
    ("truncated, manifest size and hash rewritten",
     lambda b: (_truncate(b / "cspr.db"), _rehash(b, "cspr.db")),
     r"cspr.db: PRAGMA integrity_check fails"),
    ("a row deleted, manifest hash rewritten", _drop_an_event,
     r"cspr.db: row counts differ from the manifest: events \d+ \(manifest \d+\)"),
    ("another listed file altered", _alter_another_listed_file,
     r"backup \S+: SHA-256 does not match the manifest"),
    ("wrong manifest version", lambda b: _edit_manifest(b, lambda m: m.update(format_version=9)),
     r"backup.json: wrong version \(format 'cspr-backup' version 9"),
    ("manifest of before format version 2", _old_manifest,
     r"backup.json: wrong version .*take a new backup"),
    ("manifest not JSON", lambda b: (b / "backup.json").write_text("{"),
     r"is not a backup made by `cspr backup`"),
    ("a listed path outside the backup",
     lambda b: _edit_manifest(b, lambda m: m["files"][0].update(path="../cspr.db")),
     r"backup.json: a field is missing or wrong"),
    ("index units.sqlite missing", lambda b: (b / "index" / "units.sqlite").unlink(),
     r"index/units.sqlite: missing"),
    ("index units.sqlite missing and unlisted",
     lambda b: ((b / "index" / "units.sqlite").unlink(), _unlist(b, "index/units.sqlite")),
     r"index/units.sqlite: not listed in backup.json"),
    ("index vectors corrupted", lambda b: _garbage(b / "index" / "vectors.faiss"),
     r"index/vectors.faiss: SHA-256 does not match the manifest"),
    ("index vectors corrupted, manifest hash rewritten",
     lambda b: (_garbage(b / "index" / "vectors.faiss"), _rehash(b, "index/vectors.faiss")),
     r"index: the index does not open \(vectors.faiss does not match units.sqlite"),
    ("index units.sqlite corrupted, manifest hash rewritten",
     lambda b: (_garbage(b / "index" / "units.sqlite"), _rehash(b, "index/units.sqlite")),
     r"index/units.sqlite: PRAGMA integrity_check fails"),
]  # fmt: skip


# --- live data, and what "untouched" means -----------------------------------------------------


def _checkpoint(database: Path) -> None:
    get_engine(f"sqlite:///{database}").dispose()
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _sqlite_state(data_dir: Path) -> dict[str, object]:
    """The bytes of the live database and index files, every table's row count, and the names
    in the data folder (no scratch or previous folder left behind)."""
    database = data_dir / "cspr.db"
    _checkpoint(database)
    files = [database, *sorted((data_dir / "index").iterdir())]
    hashes = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if not p.name.endswith(("-wal", "-shm", ".lock"))
    }
    with sqlite3.connect(database) as connection:
        names = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        counts = {n: connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    connection.close()
    listing = sorted(
        p.name for p in data_dir.iterdir() if not p.name.endswith(("-wal", "-shm", ".lock"))
    )
    return {"hashes": hashes, "counts": counts, "listing": listing}


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the demo's cases and a small index, and its backup ``B``."""
    folder = tmp_path_factory.mktemp("golden")
    live = folder / "data"
    url = f"sqlite:///{live / 'cspr.db'}"
    upgrade_database(url)
    with open_session(url) as session:
        seed_demo(session, today=dt.date(2026, 12, 2))
    write_corpus(folder / "reviews", tuple(CORPUS)[:-1])
    ingest_paths([folder / "reviews"], live / "index", FakeEncoder())
    manifest = backup(url, live / "index", folder / "B", now=NOW)
    assert manifest.index_vectors and manifest.index_vectors > 10
    _checkpoint(live / "cspr.db")
    return folder


@pytest.fixture
def live(golden: Path, data_dir: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """The live data folder (``CSPR_DATA_DIR``) and a fresh copy of the backup."""
    shutil.copy2(golden / "data" / "cspr.db", data_dir / "cspr.db")
    shutil.copytree(golden / "data" / "index", data_dir / "index")
    shutil.copytree(golden / "B", tmp_path / "B")
    yield data_dir, tmp_path / "B"
    get_engine(f"sqlite:///{data_dir / 'cspr.db'}").dispose()


@pytest.mark.parametrize(
    ("fault", "message"),
    [pytest.param(fault, message, id=name) for name, fault, message in SQLITE_FAULTS],
)
def test_a_damaged_backup_is_refused_and_the_live_data_is_untouched(
    live: tuple[Path, Path], fault: Fault, message: str
) -> None:
    data_dir, backup_dir = live
    before = _sqlite_state(data_dir)
    fault(backup_dir)
    result = _cli_restore(backup_dir)
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "Traceback" not in output and isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: "), output
    assert re.search(message, result.stderr), result.stderr
    assert _sqlite_state(data_dir) == before


def test_the_good_backup_restores_through_the_cli(live: tuple[Path, Path]) -> None:
    """The control case of the table above: the same backup, undamaged, is restored."""
    data_dir, backup_dir = live
    result = _cli_restore(backup_dir)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("restored 31 cases")
    assert "restore-previous-" in result.stdout


def test_a_restore_keeps_the_replaced_data_until_the_next_restore(
    live: tuple[Path, Path],
) -> None:
    data_dir, backup_dir = live
    url = f"sqlite:///{data_dir / 'cspr.db'}"
    restored = _sqlite_state(data_dir)
    _add_an_event(url)  # the live data moves on after the backup
    replaced = _sqlite_state(data_dir)
    assert replaced["counts"]["events"] == restored["counts"]["events"] + 1  # type: ignore[index]

    first = restore(backup_dir, url, data_dir / "index", force=True, now=NOW)
    assert first.previous == data_dir / "restore-previous-20261202T090000Z"
    now_live = _sqlite_state(data_dir)
    assert now_live["counts"] == restored["counts"]
    assert {k: v for k, v in now_live["hashes"].items() if k != "cspr.db"} == _index_hashes(  # type: ignore[attr-defined]
        backup_dir / "index"
    )
    kept = _sqlite_state(first.previous)  # the replaced database and index, as they were
    assert (kept["hashes"], kept["counts"]) == (replaced["hashes"], replaced["counts"])
    assert os.stat(first.previous).st_mode & 0o777 == 0o700

    second = restore(backup_dir, url, data_dir / "index", force=True, now=NOW + dt.timedelta(1))
    assert second.previous == data_dir / "restore-previous-20261203T090000Z"
    assert not first.previous.exists()
    assert sorted(p.name for p in data_dir.iterdir() if p.is_dir()) == [
        "index", second.previous.name,
    ]  # fmt: skip


def test_a_failure_while_swapping_puts_the_live_data_back(
    live: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is swapped in, then renaming the database copy in fails: both come back."""
    data_dir, backup_dir = live
    url = f"sqlite:///{data_dir / 'cspr.db'}"
    _add_an_event(url)
    before = _sqlite_state(data_dir)
    real_replace = os.replace

    def failing_replace(src: object, dst: object) -> None:
        if Path(str(dst)) == data_dir / "cspr.db":
            raise OSError(28, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(BackupFailed, match="No space left on device.*the live data was put back"):
        restore(backup_dir, url, data_dir / "index", force=True, now=NOW)
    monkeypatch.undo()
    assert _sqlite_state(data_dir) == before
