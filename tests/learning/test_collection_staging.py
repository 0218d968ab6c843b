"""A collection on many workers, the stores: the staging store on SQLite, the builder
that indexes what was staged once, the batch flow, and (slow, PostgreSQL) the real
thing: a Prefect server, two process workers on one pool, one killed half-way, every
document in the index exactly once."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from core.db import build_engine
from core.migrations import upgrade_database
from learning.collection.builder import build_index
from learning.collection.coordinator import list_collection
from learning.collection.models import CollectionDocument
from learning.collection.staging import (
    FileFacts,
    accounted_hashes,
    stage_document,
    staged_documents,
    staging_counts,
)
from learning.collection.worker import stage_batch
from learning.encoder import FakeEncoder
from learning.models import ExtractedDocument, Page, ReviewMetadata, Unit, UnitKind
from learning.reader import shared_reader
from learning.search import open_engine

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


# --- staging on SQLite ----------------------------------------------------------------------


@pytest.fixture
def staging(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'cspr.db'}"
    upgrade_database(url)
    engine = build_engine(url)
    yield engine
    engine.dispose()


def _document(review_id: str, texts: Sequence[str]) -> tuple[ExtractedDocument, list[Unit]]:
    document = ExtractedDocument(
        source=Path(f"/reviews/{review_id}.md"),
        format="markdown",
        content_hash="",
        pages=(Page(1, " ".join(texts)),),
        metadata=ReviewMetadata(review_id, title=f"Review {review_id}", year=2021),
    )
    units = [
        Unit(review_id, n, UnitKind.PASSAGE, text, "Summary", 1, headings=("Summary",))
        for n, text in enumerate(texts)
    ]
    return document, units


def _stage(engine: Engine, review_id: str, digest: str, texts: Sequence[str]) -> bool:
    document, units = _document(review_id, texts)
    facts = FileFacts(str(document.source), digest, 100, 1)
    vectors = FakeEncoder().encode(texts)
    return stage_document(
        engine, facts, document, units, vectors,
        model_name=FakeEncoder().name, staged_by="test", now=NOW,
    )  # fmt: skip


def test_a_document_staged_twice_is_stored_once(staging: Engine) -> None:
    assert _stage(staging, "r1", "hash-1", ["the health visitor saw the baby"]) is True
    assert _stage(staging, "r1", "hash-1", ["the health visitor saw the baby"]) is False
    counts = staging_counts(staging)
    assert (counts.staged, counts.units, counts.duplicate_review_ids) == (1, 1, 0)
    assert accounted_hashes(staging, ["hash-1", "hash-2"]) == {"hash-1"}


def test_a_document_is_staged_whole_or_not_at_all(
    staging: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("the worker died between the document row and its units")

    monkeypatch.setattr("learning.collection.staging.json.dumps", broken)
    with pytest.raises(RuntimeError, match="the worker died"):
        _stage(staging, "r1", "hash-1", ["a passage"])
    monkeypatch.undo()
    with staging.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(CollectionDocument)).scalar()
    assert rows == 0
    assert accounted_hashes(staging, ["hash-1"]) == set()
    assert _stage(staging, "r1", "hash-1", ["a passage"]) is True


def test_staged_documents_come_back_as_the_index_takes_them(staging: Engine) -> None:
    texts = ["the school nurse", "the police shared nothing"]
    _stage(staging, "r2", "hash-2", texts)
    (staged,) = staged_documents(staging)
    assert staged.document.metadata == ReviewMetadata("r2", title="Review r2", year=2021)
    assert [(u.review_id, u.ordinal, u.text) for u in staged.units] == [
        ("r2", 0, texts[0]),
        ("r2", 1, texts[1]),
    ]
    np.testing.assert_array_equal(staged.vectors, FakeEncoder().encode(texts))
    assert len(staged.document.pages) == 1


def _write_reviews(folder: Path, n: int) -> list[str]:
    from benchmarks.bench_workers import write_reviews

    return write_reviews(n, folder, passages=8)


def test_workers_stage_a_folder_and_the_builder_indexes_it_once(
    staging: Engine, tmp_path: Path
) -> None:
    ids = _write_reviews(tmp_path / "reviews", 4)
    (tmp_path / "reviews" / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    listing = list_collection(tmp_path / "reviews")
    encoder, reader = FakeEncoder(), shared_reader()
    first, second = listing.entries[:3], listing.entries[2:]
    reports = [
        stage_batch(part, staging, encoder, reader, staged_by="test", clock=lambda: NOW)
        for part in (first, second)
    ]
    assert [(r.staged, r.already, r.failed) for r in reports] == [(2, 0, 1), (2, 1, 0)]
    index_dir = tmp_path / "index"
    built = build_index(staging, index_dir, model_name=encoder.name, dimension=encoder.dimension)
    assert (built.added, built.unchanged, built.index_type) == (4, 0, "flat")
    again = build_index(staging, index_dir, model_name=encoder.name, dimension=encoder.dimension)
    assert (again.added, again.unchanged, again.units_added) == (0, 4, 0)
    assert _indexed(index_dir) == {review_id: 1 for review_id in ids}


def test_the_builder_switches_to_hnsw_past_the_threshold(staging: Engine, tmp_path: Path) -> None:
    for n in range(6):
        _stage(staging, f"r{n}", f"hash-{n}", [f"passage {n} {k} about neglect" for k in range(5)])
    encoder = FakeEncoder()
    built = build_index(
        staging, tmp_path / "index", model_name=encoder.name, dimension=encoder.dimension,
        hnsw_threshold=20,
    )  # fmt: skip
    assert (built.vectors, built.index_type) == (30, "hnsw")


def _indexed(index_dir: Path) -> dict[str, int]:
    """Each review id in the index and how many document rows it has."""
    with closing(sqlite3.connect(index_dir / "units.sqlite")) as index:
        rows = index.execute("SELECT review_id, count(*) FROM documents GROUP BY review_id")
        return dict(rows.fetchall())


# --- the real thing: Prefect server, two workers on PostgreSQL, one killed -----------------

SERVER_URL = os.environ.get("CSPR_TEST_POSTGRES_URL", "")


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(
    not SERVER_URL,
    reason="CSPR_TEST_POSTGRES_URL is not set; start a throwaway server with "
    'eval "$(scripts/test-postgres start)"',
)
def test_two_workers_one_killed_half_way_every_document_indexed_once(tmp_path: Path) -> None:
    from benchmarks.collection_run import check_index, run_collection
    from benchmarks.postgres_databases import create_database, drop_database
    from benchmarks.prefect_stack import prefect_stack

    if shutil.which("prefect", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("the prefect command is not installed in this environment")
    ids = _write_reviews(tmp_path / "reviews", 40)
    database = create_database(SERVER_URL, "cspr_test_collection")
    try:
        with prefect_stack(tmp_path, SERVER_URL) as stack:
            figures = run_collection(
                stack, database, tmp_path / "reviews", tmp_path / "index",
                workers=2, kill_half_way=True, batch_size=20, stall_seconds=45,
                build=True, expected=len(ids), kill_after_share=0.0,
            )  # fmt: skip
        leftovers = [p for worker in stack.started for p in _leftovers(worker.pid)]
        checks = check_index(tmp_path / "index", database, ids)
    finally:
        drop_database(SERVER_URL, database)
    assert figures.alive_units > 0 and figures.documents == len(ids)
    assert (checks["lost"], checks["staged_twice"], checks["indexed_twice"]) == ([], 0, 0)
    assert (checks["unit_mismatch"], checks["extra"]) == ([], [])
    assert figures.result["staging"]["stalled_runs"], "the killed worker's batch was sent again"
    assert leftovers == []
    engine = open_engine(tmp_path / "index", FakeEncoder())
    known = ids[17]
    with closing(sqlite3.connect(tmp_path / "index" / "units.sqlite")) as index:
        (passage,) = index.execute(
            "SELECT text FROM units WHERE review_id = ? AND ordinal = 3", (known,)
        ).fetchone()
    assert engine.search_passages(passage, 3)[0].review_id == known


def _leftovers(pid: int) -> list[int]:
    """Processes left of a worker: its group, and anything it started."""
    from benchmarks.process_tree import group_members, process_tree

    return group_members(pid) + [child for child, _ in process_tree(pid)]


def test_the_batch_flow_stages_its_documents(data_dir: Path) -> None:
    from prefect.logging import disable_run_logger

    from core.settings import get_settings
    from learning.flows.collection import ingest_batch

    _write_reviews(data_dir / "reviews", 2)
    url = get_settings().resolved_database_url
    upgrade_database(url)
    entries = [
        {"path": e.path, "content_hash": e.content_hash}
        for e in list_collection(data_dir / "reviews").entries
    ]
    with disable_run_logger():
        first = ingest_batch.fn(entries, fake_encoder=True)
        again = ingest_batch.fn(entries, fake_encoder=True)
    assert (first["staged"], first["already"], again["staged"], again["already"]) == (2, 0, 0, 2)
