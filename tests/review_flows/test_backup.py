"""Backup and restore: a round trip gives back every case, event and search result as they
were at the backup, whatever was written after it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from learning.search import open_engine
from review_flows.backup import BackupFailed, backup, restore
from review_flows.cases import record_event
from review_flows.db import get_engine, open_session
from review_flows.demo import seed_demo
from review_flows.migrations import upgrade_database
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

    from review_flows.cli import backup as cli_backup

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
