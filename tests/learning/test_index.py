"""The index on disk: round trips, checks against tampering, crash safety, HNSW tombstones."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from learning.encoder import FakeEncoder
from learning.errors import IndexCorrupt, IndexMismatch, IndexNotFound
from learning.index import (
    FLAT,
    HNSW,
    MANIFEST_FILE,
    UNITS_FILE,
    VECTORS_FILE,
    LearningIndex,
    VectorIndex,
    create_index,
    disk,
    open_index,
)
from learning.index.store import FileStamp, UnitStore
from learning.index.vectors import choose_index_type
from learning.models import UnitKind
from tests.learning.factories import make_document, make_units

pytest_plugins = ("tests.learning.factories",)

BRUISING = [
    (UnitKind.FINDING, "bruising in a non-mobile infant was missed"),
    (UnitKind.RECOMMENDATION, "follow the bruising protocol for babies"),
    (UnitKind.PASSAGE, "the health visitor saw the baby at home"),
]
EXPLOITATION = [
    (UnitKind.FINDING, "county lines exploitation of a teenager"),
    (UnitKind.PASSAGE, "he went missing from school many times"),
]


def _add(index: LearningIndex, encoder: FakeEncoder, review_id: str, texts, **meta) -> list[int]:
    units = make_units(review_id, texts)
    stamp = FileStamp(f"/reviews/{review_id}.pdf", f"hash-{review_id}", 100, 1)
    vectors = encoder.encode([u.text for u in units])
    return index.add_document(make_document(review_id, **meta), units, vectors, stamp)


def _build(index_dir: Path, encoder: FakeEncoder, **commit_options) -> None:
    create_index(index_dir, encoder.name, encoder.dimension, now="2026-01-01T00:00:00+00:00")
    index = open_index(index_dir, write=True)
    try:
        _add(index, encoder, "r-bruising", BRUISING, year=2019, nation="england")
        _add(index, encoder, "r-exploitation", EXPLOITATION, year=2018, nation="Northern Ireland")
        index.commit("2026-01-02T00:00:00+00:00", **commit_options)
    finally:
        index.close()


def _top(index: LearningIndex, encoder: FakeEncoder, text: str) -> str:
    hit = index.vectors.search(encoder.encode([text])[0], 1)[0]
    return index.store.fetch_units([hit.unit_id])[hit.unit_id].review_id


def test_open_without_index_says_to_ingest(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound, match=r"run `cspr ingest PATH` first"):
        open_index(tmp_path / "nothing")


def test_round_trip_keeps_units_vectors_and_manifest(index_dir: Path, fake_encoder) -> None:
    _build(index_dir, fake_encoder)
    index = open_index(index_dir, model_name=fake_encoder.name, dimension=384)
    try:
        manifest = json.loads((index_dir / MANIFEST_FILE).read_text())
        assert manifest["model_name"] == "fake-hashing-bow-384"
        assert (manifest["dimension"], manifest["count"], manifest["index_type"]) == (384, 5, FLAT)
        assert manifest["generation"] == 2
        assert manifest["created"] == "2026-01-01T00:00:00+00:00"
        assert manifest["updated"] == "2026-01-02T00:00:00+00:00"
        assert manifest["faiss_version"] == "1.15.1"
        assert manifest["sentence_transformers_version"].startswith("6.")
        assert index.store.count_units() == index.vectors.count == 5
        assert _top(index, fake_encoder, "bruising protocol") == "r-bruising"
        row = index.store.units_of_review("r-bruising", ["recommendation"])[0]
        assert (row.section, row.page, row.page_label, row.number) == (
            "Recommendations",
            2,
            "1",
            "2",
        )
        assert row.year == 2019
    finally:
        index.close()


def test_files_are_plain_and_model_is_named_not_stored(index_dir: Path, fake_encoder) -> None:
    _build(index_dir, fake_encoder)
    names = {p.name for p in index_dir.iterdir()}
    assert {MANIFEST_FILE, UNITS_FILE, VECTORS_FILE} <= names
    assert not any(name.endswith((".pkl", ".pickle", ".safetensors", ".bin")) for name in names)


def test_keyword_search_uses_porter_stems_and_filters(index_dir: Path, fake_encoder) -> None:
    from learning.filters import parse_filters

    _build(index_dir, fake_encoder)
    index = open_index(index_dir)
    try:
        store = index.store
        hits = store.keyword_search('"bruises"', 10)
        assert {store.fetch_units([i])[i].review_id for i, _ in hits} == {"r-bruising"}
        assert all(score < 0 for _, score in hits)
        england = store.filtered_ids(parse_filters(["nation=england"]))
        assert england
        assert store.keyword_search('"schools"', 10, store.allow_units(england)) == []
        ni = store.allow_units(store.filtered_ids(parse_filters(["nation=northern_ireland"])))
        assert len(store.keyword_search('"schools"', 10, ni)) == 1
        store.forget_units(ni)
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            store.keyword_search('"schools"', 10, ni)
        with pytest.raises(ValueError, match="not a table of allowed units"):
            store.keyword_search('"schools"', 10, "units; DROP TABLE units")
    finally:
        index.close()


@pytest.mark.parametrize(
    ("tamper", "error", "message"),
    [
        (lambda d: (d / MANIFEST_FILE).write_text("{not json"), IndexCorrupt, "not readable JSON"),
        (lambda d: _edit_manifest(d, count=99), IndexMismatch, r"count 99 vs 5"),
        (lambda d: _edit_manifest(d, model_name="other-model"), IndexMismatch, "model"),
        (lambda d: _edit_manifest(d, schema_version=7), IndexMismatch, "schema version 7"),
        (lambda d: (d / MANIFEST_FILE).unlink(), IndexMismatch, "manifest.json is missing"),
        (lambda d: _flip_byte(d / VECTORS_FILE), IndexMismatch, "checksum differs"),
        (lambda d: (d / VECTORS_FILE).unlink(), IndexMismatch, "vectors.faiss is missing"),
    ],
)
def test_tampered_index_raises_mismatch(
    index_dir: Path, fake_encoder, tamper, error, message
) -> None:
    _build(index_dir, fake_encoder)
    tamper(index_dir)
    with pytest.raises(error, match=message) as raised:
        open_index(index_dir)
    assert "cspr ingest --rebuild" in str(raised.value)


def test_vectors_from_another_index_are_refused(
    index_dir: Path, tmp_path: Path, fake_encoder
) -> None:
    _build(index_dir, fake_encoder)
    other = VectorIndex.create(384)
    other.add([1], fake_encoder.encode(["x"]))
    other.write(index_dir / VECTORS_FILE)
    with pytest.raises(IndexMismatch, match="checksum differs"):
        open_index(index_dir)


def test_encoder_must_match_the_index(index_dir: Path, fake_encoder) -> None:
    _build(index_dir, fake_encoder)
    with pytest.raises(IndexMismatch, match=r"built with model 'fake-hashing-bow-384'.*'other'"):
        open_index(index_dir, model_name="other")
    with pytest.raises(IndexMismatch, match="dimension 384 but the encoder makes 128"):
        open_index(index_dir, dimension=128)


def _edit_manifest(directory: Path, **changes: object) -> None:
    path = directory / MANIFEST_FILE
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def _crash_at(monkeypatch: pytest.MonkeyPatch, point: str) -> None:
    """Make the commit protocol fail at ``point``, as a crash there would."""

    def boom(*_args: object, **_kwargs: object) -> None:
        raise OSError(f"simulated crash at {point}")

    if point == "sqlite commit":
        monkeypatch.setattr(UnitStore, "commit", boom)
    elif point == "vectors rename":
        real_replace = os.replace

        def replace(src, dst):
            if Path(dst).name == VECTORS_FILE:
                boom()
            real_replace(src, dst)

        monkeypatch.setattr(disk.os, "replace", replace)
    elif point == "manifest write":
        monkeypatch.setattr(disk, "save_manifest", boom)
    elif point == "vectors write":
        monkeypatch.setattr(VectorIndex, "write", boom)


@pytest.mark.parametrize(
    ("point", "survivor"),
    [
        ("vectors write", "old"),
        ("sqlite commit", "old"),
        ("vectors rename", "new"),
        ("manifest write", "new"),
    ],
)
def test_crash_during_commit_leaves_a_consistent_index(
    index_dir: Path, fake_encoder, monkeypatch: pytest.MonkeyPatch, point: str, survivor: str
) -> None:
    _build(index_dir, fake_encoder)
    index = open_index(index_dir, write=True)
    index.remove_review("r-exploitation")
    _add(index, fake_encoder, "r-sleep", [(UnitKind.FINDING, "unsafe co-sleeping on a sofa")])
    with monkeypatch.context() as patch:
        _crash_at(patch, point)
        with pytest.raises(OSError, match="simulated crash"):
            index.commit()
    index.close()
    reopened = open_index(index_dir)
    try:
        reviews = {doc.review_id for doc in reopened.store.documents()}
        expected = {"old": {"r-bruising", "r-exploitation"}, "new": {"r-bruising", "r-sleep"}}
        assert reviews == expected[survivor]
        assert reopened.vectors.count == reopened.store.count_units() == reopened.manifest.count
        assert not (index_dir / disk.PENDING_FILE).exists()
        want = "r-sleep" if survivor == "new" else "r-exploitation"
        query = "co-sleeping on a sofa" if survivor == "new" else "county lines exploitation"
        assert _top(reopened, fake_encoder, query) == want
    finally:
        reopened.close()


def test_commit_without_vector_changes_leaves_the_files_alone(
    index_dir: Path, fake_encoder
) -> None:
    _build(index_dir, fake_encoder)
    before = {name: (index_dir / name).read_bytes() for name in (MANIFEST_FILE, VECTORS_FILE)}
    index = open_index(index_dir, write=True)
    index.store.update_file_stat("r-bruising", "/moved/r-bruising.pdf", 100, 2)
    assert index.commit("2027-01-01T00:00:00+00:00").generation == 2
    index.close()
    assert {name: (index_dir / name).read_bytes() for name in before} == before
    reopened = open_index(index_dir)
    try:
        assert reopened.store.document_by_review("r-bruising").source == "/moved/r-bruising.pdf"
    finally:
        reopened.close()


def test_a_second_writer_waits_for_the_first(index_dir: Path, fake_encoder) -> None:
    from learning.errors import IndexBusy

    _build(index_dir, fake_encoder)
    first = open_index(index_dir, write=True)
    try:
        second = UnitStore.open(index_dir / UNITS_FILE, timeout=0.05)
        with pytest.raises(IndexBusy, match="being written by another process"):
            second.begin()
        second.close()
    finally:
        first.close()


@pytest.mark.parametrize(
    ("count", "current", "expected"),
    [(10, FLAT, FLAT), (100, FLAT, FLAT), (101, FLAT, HNSW), (90, HNSW, HNSW), (80, HNSW, FLAT)],
)
def test_index_type_by_size_without_flapping(count: int, current: str, expected: str) -> None:
    assert choose_index_type(count, current, threshold=100) == expected


def test_hnsw_beyond_threshold_with_tombstones(index_dir: Path, fake_encoder) -> None:
    _build(index_dir, fake_encoder, hnsw_threshold=3)
    index = open_index(index_dir, write=True)
    assert index.manifest.index_type == HNSW
    _add(index, fake_encoder, "r-sleep", [(UnitKind.FINDING, "unsafe co-sleeping on a sofa")] * 6)
    index.remove_review("r-exploitation")
    assert index.vectors.tombstones
    index.commit(hnsw_threshold=3)
    index.close()
    index = open_index(index_dir)
    try:
        assert index.manifest.index_type == HNSW
        assert index.vectors.tombstones == index.store.tombstones() != set()
        hits = index.vectors.search(fake_encoder.encode(["county lines exploitation"])[0], 10)
        assert not {h.unit_id for h in hits} & index.vectors.tombstones
        assert len(hits) == index.vectors.count == 9
    finally:
        index.close()


def test_hnsw_rebuilds_when_tombstones_pile_up(index_dir: Path, fake_encoder) -> None:
    _build(index_dir, fake_encoder, hnsw_threshold=3)
    index = open_index(index_dir, write=True)
    _add(index, fake_encoder, "r-sleep", [(UnitKind.FINDING, "unsafe sleep")] * 4)
    index.commit(hnsw_threshold=3)
    index.begin()
    index.remove_review("r-bruising")
    index.commit(hnsw_threshold=3)
    index.close()
    index = open_index(index_dir)
    try:
        assert index.vectors.tombstones == set()
        assert index.vectors.ntotal == index.vectors.count == 6
    finally:
        index.close()


@pytest.mark.parametrize("index_type", [FLAT, HNSW])
def test_vector_search_within_allowed_ids(index_type: str, fake_encoder) -> None:
    vectors = VectorIndex.create(384, index_type)
    texts = ["bruised baby", "bruised infant", "county lines", "neglected toddler"]
    vectors.add([10, 11, 12, 13], fake_encoder.encode(texts))
    query = fake_encoder.encode(["bruised baby"])[0]
    assert [h.unit_id for h in vectors.search(query, 2)] == [10, 11]
    assert [h.unit_id for h in vectors.search(query, 2, allowed=[12, 13])][0] in (12, 13)
    assert {h.unit_id for h in vectors.search(query, 5, allowed=[12, 13])} == {12, 13}
    vectors.remove([10])
    assert 10 not in {h.unit_id for h in vectors.search(query, 4)}
    assert np.allclose(vectors.vectors_for([11])[0], fake_encoder.encode(["bruised infant"])[0])


def test_filtered_hnsw_search_is_exact_over_the_allowed_ids() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((300, 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    vectors = VectorIndex.create(384, HNSW)
    vectors.add(list(range(1000, 1200)), matrix[:200])
    query = matrix[0]
    allowed = list(range(1000, 1200, 3))
    expected = sorted(allowed, key=lambda i: -float(matrix[i - 1000] @ query))[:10]
    assert [hit.unit_id for hit in vectors.search(query, 10, allowed)] == expected
    hit = vectors.search(query, 1, allowed)[0]
    assert hit.score == pytest.approx(float(matrix[hit.unit_id - 1000] @ query), abs=1e-5)
    # Later additions and tombstones are seen; ids the index never held are ignored.
    vectors.add(list(range(1200, 1300)), matrix[200:])
    vectors.remove([expected[0]])
    wider = [*allowed, *range(1200, 1300), 5]
    expected = sorted(
        (i for i in wider if 1000 <= i != expected[0]),
        key=lambda i: -float(matrix[i - 1000] @ query),
    )[:10]
    assert [hit.unit_id for hit in vectors.search(query, 10, wider)] == expected
