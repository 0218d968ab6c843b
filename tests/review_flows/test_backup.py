"""Backup and restore: a round trip gives back every case, event and search result as they
were at the backup, whatever was written after it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from core.db import get_engine, open_session
from core.migrations import upgrade_database
from cspr.backup import backup, restore
from cspr.backup_manifest import BackupFailed
from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from learning.search import open_engine
from review_flows.cases import record_event
from review_flows.demo import seed_demo
from review_flows.models import Case, CaseEvent, CaseEventCreate
from tests.learning.factories import CORPUS, write_corpus

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
QUERY = "information sharing between agencies"


def _snapshot(url: str, index_dir: Path) -> tuple[list, list, list]:
    with open_session(url) as session:
        cases = [c.model_dump() for c in session.exec(select(Case).order_by(Case.id))]
        events = [e.model_dump() for e in session.exec(select(CaseEvent).order_by(CaseEvent.id))]
    engine = open_engine(index_dir, FakeEncoder())
    hits = [(h.review_id, h.unit_id, round(h.score, 6)) for h in engine.search_passages(QUERY, 10)]
    return cases, events, hits


def test_a_round_trip_gives_back_every_case_event_and_search_result(data_dir: Path) -> None:
    url = f"sqlite:///{data_dir / 'cspr.db'}"
    index_dir = data_dir / "index"
    upgrade_database(url)
    with open_session(url) as session:
        seed_demo(session, today=dt.date(2026, 12, 2))
    ids = tuple(CORPUS)
    write_corpus(data_dir / "reviews", ids[:-1])
    ingest_paths([data_dir / "reviews"], index_dir, FakeEncoder())
    before = _snapshot(url, index_dir)

    manifest = backup(url, index_dir, data_dir / "backup", now=NOW)
    assert (manifest.cases, manifest.index) == (len(before[0]), True)
    # the system goes on after the backup: a new event, a new review
    with open_session(url) as session:
        record_event(
            session, "NSH-DEMO-001", CaseEventCreate(kind="notified", on=dt.date(2026, 12, 2)),
            recorded_by="demo", today=dt.date(2026, 12, 2),
            partnership="Northshire Safeguarding Children Partnership",
        )  # fmt: skip
    write_corpus(data_dir / "reviews", ids[-1:])
    ingest_paths([data_dir / "reviews"], index_dir, FakeEncoder())
    assert _snapshot(url, index_dir) != before

    with pytest.raises(BackupFailed, match="already holds cases"):
        restore(data_dir / "backup", url, index_dir)
    restore(data_dir / "backup", url, index_dir, force=True)
    get_engine(url).dispose()
    assert _snapshot(url, index_dir) == before


def test_refusals(data_dir: Path) -> None:
    url = f"sqlite:///{data_dir / 'cspr.db'}"
    upgrade_database(url)
    (data_dir / "full").mkdir()
    (data_dir / "full" / "x").write_text("x")
    with pytest.raises(BackupFailed, match="not empty"):
        backup(url, data_dir / "index", data_dir / "full", now=NOW)
    with pytest.raises(BackupFailed, match="not a backup made by `cspr backup`"):
        restore(data_dir / "full", url, data_dir / "index")


def test_cli_backs_up_and_restores(data_dir: Path) -> None:
    import typer

    from cspr.cli import backup as cli_backup

    app = typer.Typer()
    cli_backup.register(app)
    url = f"sqlite:///{data_dir / 'cspr.db'}"
    upgrade_database(url)
    with open_session(url) as session:
        seed_demo(session, today=dt.date(2026, 12, 2))
    result = CliRunner().invoke(app, ["backup", str(data_dir / "b1")])
    assert result.exit_code == 0 and result.stdout.startswith("backed up 31 cases")
    result = CliRunner().invoke(app, ["restore", str(data_dir / "b1")])
    assert result.exit_code == 2 and "--force" in result.stderr
    result = CliRunner().invoke(app, ["restore", str(data_dir / "b1"), "--force"])
    assert result.exit_code == 0 and result.stdout.startswith("restored 31 cases")


# --- while writers write, and on PostgreSQL -----------------------------------------------------


def _event_count(url: str) -> int:
    with open_session(url) as session:
        return len(session.exec(select(CaseEvent.id)).all())


def _wait_for_more_events(url: str, *, before: int) -> None:
    import time

    deadline = time.monotonic() + 120
    while _event_count(url) <= before:
        assert time.monotonic() < deadline, "the writers wrote nothing in two minutes"
        time.sleep(0.05)


def _backup_while_writing(url: str, index_dir: Path, target: Path) -> tuple[object, int]:
    """Back up while three processes record events on the demo's cases; the manifest and the
    number of events once all writers are done."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tests.review_flows.writers import record_events

    with open_session(url) as session:
        cases = session.exec(select(Case)).all()
        references = [c.reference for c in cases if c.reference.startswith("NSH")]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(3, mp_context=context) as pool:
        writers = [pool.submit(record_events, url, f"w{n}", references, 40, n) for n in range(3)]
        _wait_for_more_events(url, before=_event_count(url))  # the writers are writing
        manifest = backup(url, index_dir, target, now=NOW)
        results = [f.result(timeout=600) for f in writers]
    assert [f for r in results for f in r["failures"]] == []
    return manifest, _event_count(url)


def _restored_holds_what_the_manifest_says(url: str, manifest: object) -> None:
    from review_flows.audit_log import verify_log

    with open_session(url) as session:
        events = session.exec(select(CaseEvent)).all()
        report = verify_log(session)
    assert len(events) == manifest.events  # type: ignore[attr-defined]
    assert report.intact, [b.describe() for b in report.breaks]


@pytest.mark.slow
def test_a_backup_taken_while_writers_write_is_consistent(data_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{data_dir / 'cspr.db'}"
    upgrade_database(url)
    with open_session(url) as session:
        seed_demo(session, today=dt.date(2026, 3, 31))
    manifest, total = _backup_while_writing(url, data_dir / "index", tmp_path / "backup")
    assert 31 < manifest.events < total  # taken while the writers wrote
    restored = f"sqlite:///{tmp_path / 'restored' / 'cspr.db'}"
    restore(tmp_path / "backup", restored, tmp_path / "restored" / "index")
    _restored_holds_what_the_manifest_says(restored, manifest)
    get_engine(restored).dispose()
