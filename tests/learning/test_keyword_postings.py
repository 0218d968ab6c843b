"""Keyword postings in a real index: BM25 equal to FTS5's, kept in step through adds, removals,
merges, crashes and indexes built before the postings existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from learning.encoder import FakeEncoder
from learning.filters import parse_filters
from learning.index import UNITS_FILE, LearningIndex, create_index, open_index
from learning.index import keywords as postings_module
from learning.index.store import FileStamp
from learning.keywords import query_terms
from learning.models import UnitKind
from learning.query import extract_terms
from learning.search import SearchEngine
from tests.learning.factories import make_document, make_units

pytest_plugins = ("tests.learning.factories",)

REVIEWS = {
    "r-bruising": [
        (UnitKind.FINDING, "Bruising in a non-mobile baby was not seen as a sign of abuse."),
        (UnitKind.RECOMMENDATION, "Follow the bruising protocol for every baby who is not mobile."),
        (UnitKind.PASSAGE, "The health visitor saw the baby at home twice in the month."),
    ],
    "r-exploitation": [
        (UnitKind.FINDING, "County lines exploitation of a teenager went unrecognised."),
        (UnitKind.PASSAGE, "He went missing from school and from home many times."),
    ],
    "r-neglect": [
        (UnitKind.FINDING, "Neglect of the baby and her brother was chronic and seen at home."),
        (UnitKind.PASSAGE, "School staff saw that the children were hungry and missing meals."),
        (UnitKind.RECOMMENDATION, "Use the neglect toolkit when a home visit finds hunger."),
    ],
}
QUERY_WORDS = ["baby", "home", "missing", "neglect", "school", "bruising"]


def _add(index: LearningIndex, encoder: FakeEncoder, review_id: str, **meta: object) -> None:
    units = make_units(review_id, REVIEWS[review_id])
    stamp = FileStamp(f"/reviews/{review_id}.pdf", f"hash-{review_id}", 100, 1)
    index.add_document(
        make_document(review_id, **meta), units, encoder.encode([u.text for u in units]), stamp
    )


def _ingest(index_dir: Path, encoder: FakeEncoder, *review_ids: str, **meta: object) -> None:
    if not index_dir.exists():
        create_index(index_dir, encoder.name, encoder.dimension)
    index = open_index(index_dir, write=True)
    try:
        for review_id in review_ids:
            _add(index, encoder, review_id, **meta)
        index.commit()
    finally:
        index.close()


def _remove(index_dir: Path, review_id: str) -> None:
    index = open_index(index_dir, write=True)
    try:
        index.remove_review(review_id)
        index.commit()
    finally:
        index.close()


def _sparse(index: LearningIndex, word: str) -> dict[int, float]:
    reader = index.keywords
    assert reader is not None
    return dict(reader.search(query_terms([word]), 100))


def _fts5(index: LearningIndex, word: str) -> dict[int, float]:
    return {unit: -score for unit, score in index.store.keyword_search(f'"{word}"', 100)}


def _by_text(index: LearningIndex, scores: dict[int, float]) -> dict[str, float]:
    rows = index.store.fetch_units(list(scores))
    return {rows[unit].text: round(score, 5) for unit, score in scores.items()}


def _segments(index_dir: Path) -> int:
    with sqlite3.connect(index_dir / UNITS_FILE) as db:
        return int(db.execute("SELECT count(*) FROM keyword_segments").fetchone()[0])


def test_scores_equal_fts5_bm25_after_adds_and_removals(index_dir: Path, fake_encoder) -> None:
    _ingest(index_dir, fake_encoder, "r-bruising")
    _ingest(index_dir, fake_encoder, "r-exploitation", "r-neglect")
    _remove(index_dir, "r-exploitation")
    index = open_index(index_dir)
    try:
        for word in QUERY_WORDS:
            sparse, fts5 = _sparse(index, word), _fts5(index, word)
            assert sparse, word
            assert sparse.keys() == fts5.keys(), word
            for unit in fts5:
                assert sparse[unit] == pytest.approx(fts5[unit], rel=1e-4), word
        assert _sparse(index, "county") == {}
    finally:
        index.close()


def test_incremental_postings_rank_as_a_fresh_build(tmp_path: Path, fake_encoder) -> None:
    step_by_step, fresh = tmp_path / "steps", tmp_path / "fresh"
    for review_id in REVIEWS:
        _ingest(step_by_step, fake_encoder, review_id)
    _ingest(fresh, fake_encoder, *REVIEWS)
    assert (_segments(step_by_step), _segments(fresh)) == (3, 1)
    built, rebuilt = open_index(step_by_step), open_index(fresh)
    try:
        for word in QUERY_WORDS:
            assert _by_text(built, _sparse(built, word)) == _by_text(
                rebuilt, _sparse(rebuilt, word)
            )
    finally:
        built.close()
        rebuilt.close()


def test_merging_segments_drops_removed_units(
    index_dir: Path, fake_encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postings_module, "MAX_SEGMENTS", 2)
    _ingest(index_dir, fake_encoder, "r-bruising")
    _ingest(index_dir, fake_encoder, "r-exploitation")
    _remove(index_dir, "r-bruising")
    assert _segments(index_dir) == 2
    _ingest(index_dir, fake_encoder, "r-neglect")
    assert _segments(index_dir) == 1
    with sqlite3.connect(index_dir / UNITS_FILE) as db:
        held = np.frombuffer(
            db.execute("SELECT unit_ids FROM keyword_segments").fetchone()[0], "<i4"
        )
        live = {row[0] for row in db.execute("SELECT id FROM units")}
        baby = db.execute("SELECT count(*) FROM keyword_postings WHERE term = 'babi'").fetchone()
    assert set(held.tolist()) == live
    assert baby == (1,)  # only r-neglect's postings row, the removed review's are gone
    index = open_index(index_dir)
    try:
        assert set(_by_text(index, _sparse(index, "baby"))) == {REVIEWS["r-neglect"][0][1]}
    finally:
        index.close()


def test_uncommitted_units_leave_no_postings(index_dir: Path, fake_encoder) -> None:
    _ingest(index_dir, fake_encoder, "r-bruising")
    index = open_index(index_dir, write=True)
    _add(index, fake_encoder, "r-neglect")
    index.close()  # a crash before commit: the transaction is rolled back
    assert _segments(index_dir) == 1
    index = open_index(index_dir)
    try:
        assert set(_by_text(index, _sparse(index, "neglect"))) == set()
    finally:
        index.close()


def test_an_index_without_postings_ranks_by_fts5_until_written(
    index_dir: Path, fake_encoder
) -> None:
    _ingest(index_dir, fake_encoder, *REVIEWS)
    with sqlite3.connect(index_dir / UNITS_FILE) as db:  # as an index of the last version
        db.executescript(
            "DROP TABLE keyword_postings; DROP TABLE keyword_segments; DROP TABLE keyword_state;"
        )
    engine = SearchEngine(open_index(index_dir), fake_encoder, weights=(0.0, 1.0))
    try:
        assert engine.index.keywords is None
        old = [hit.text for hit in engine.search_passages("missing school", k=5)]
        assert old
    finally:
        engine.close()
    open_index(index_dir, write=True).close()  # opened for writing: postings built, not kept
    unchanged = open_index(index_dir)
    assert unchanged.keywords is None
    unchanged.close()
    _ingest(index_dir, fake_encoder)  # a write that commits keeps them
    engine = SearchEngine(open_index(index_dir), fake_encoder, weights=(0.0, 1.0))
    try:
        assert engine.index.keywords is not None
        assert [hit.text for hit in engine.search_passages("missing school", k=5)] == old
    finally:
        engine.close()


def test_filters_and_phrases_on_the_postings(index_dir: Path, fake_encoder) -> None:
    _ingest(index_dir, fake_encoder, "r-bruising", nation="england")
    _ingest(index_dir, fake_encoder, "r-exploitation", "r-neglect", nation="wales")
    engine = SearchEngine(open_index(index_dir), fake_encoder, weights=(0.0, 1.0))
    try:
        wales = parse_filters(["nation=wales"])
        hits = engine.search_passages("baby home", k=10, filters=wales)
        assert hits and {hit.review_id for hit in hits} == {"r-neglect", "r-exploitation"}
        # A phrase adds FTS5's score for it: the same total as FTS5 ranking the whole query.
        terms = extract_terms('baby "home visit"')
        ranked = engine._keyword(terms, 10, None)
        whole = engine._keyword_fts(terms, 10, None)
        assert ranked.keys() == whole.keys()
        for unit in whole:
            assert ranked[unit] == pytest.approx(whole[unit], rel=1e-4)
    finally:
        engine.close()


def test_a_reader_loaded_before_another_commit_keeps_working(
    index_dir: Path, fake_encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postings_module, "MAX_SEGMENTS", 1)
    _ingest(index_dir, fake_encoder, "r-bruising")
    engine = SearchEngine(open_index(index_dir), fake_encoder, weights=(0.0, 1.0))
    try:
        assert engine.index.keywords is not None
        _ingest(index_dir, fake_encoder, "r-neglect")  # merged with the reader's segment
        stale = engine.search_passages("baby home", k=10)
        assert {hit.review_id for hit in stale} == {"r-bruising"}
        assert engine.reload_if_changed()
        fresh = engine.search_passages("baby home", k=10)
        assert {hit.review_id for hit in fresh} == {"r-bruising", "r-neglect"}
    finally:
        engine.close()
