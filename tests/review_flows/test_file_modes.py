"""The case database, the index and the backups are owner-only (issue 22, next in line: they
were created 0644): every file 0600 and every folder 0700, whatever the umask."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import get_engine, open_session
from core.migrations import upgrade_database
from cspr.backup import backup, restore
from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from tests.learning.factories import CORPUS, write_corpus

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: the modes below must not come from it."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(folder: Path) -> dict[str, str]:
    """Every path below ``folder`` (and itself) with its permission bits, as ``ls`` shows them."""
    paths = [folder, *sorted(folder.rglob("*"))]
    return {str(p.relative_to(folder.parent)): stat.filemode(p.stat().st_mode) for p in paths}


def _not_owner_only(modes: dict[str, str]) -> dict[str, str]:
    return {path: mode for path, mode in modes.items() if mode not in ("drwx------", "-rw-------")}


def test_the_database_index_and_backups_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "data"  # made by the first engine, as on a first run
    url = f"sqlite:///{data / 'cspr.db'}"
    upgrade_database(url)
    write_corpus(tmp_path / "reviews", tuple(CORPUS)[:3])
    ingest_paths([tmp_path / "reviews"], data / "index", FakeEncoder())
    with open_session(url) as session:  # an open connection: its -wal and -shm files exist
        session.connection()
        live = _modes(data)
        assert {"data/cspr.db", "data/cspr.db-wal", "data/cspr.db-shm"} <= set(live)
    get_engine(url).dispose()
    assert {"data/index/units.sqlite", "data/index/vectors.faiss"} <= set(live)
    assert _not_owner_only(live) == {}

    backup(url, data / "index", tmp_path / "backups" / "B", now=NOW)
    assert _not_owner_only(_modes(tmp_path / "backups" / "B")) == {}

    restored = restore(tmp_path / "backups" / "B", url, data / "index", force=True, now=NOW)
    assert restored.previous.parent == data
    assert _not_owner_only(_modes(data)) == {}
