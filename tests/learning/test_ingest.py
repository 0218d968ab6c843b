"""Incremental ingest: idempotent by content, replaces changed files, reports failures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from learning.encoder import FakeEncoder
from learning.errors import IndexMismatch
from learning.index import open_index
from learning.ingest import ingest_paths, remove_review
from learning.ingest_report import IngestProgress, IngestReport
from learning.sources import find_documents
from tests.learning.factories import CORPUS, review_markdown, write_corpus

pytest_plugins = ("tests.learning.factories",)

N = len(CORPUS)


def _reviews(index_dir: Path) -> set[str]:
    index = open_index(index_dir)
    try:
        return {document.review_id for document in index.store.documents()}
    finally:
        index.close()


def _texts(index_dir: Path, review_id: str) -> str:
    index = open_index(index_dir)
    try:
        return " ".join(unit.text for unit in index.store.units_of_review(review_id))
    finally:
        index.close()


def test_first_ingest_adds_every_review(corpus_dir: Path, index_dir: Path, fake_encoder) -> None:
    steps: list[IngestProgress] = []
    report = ingest_paths([corpus_dir], index_dir, fake_encoder, progress=steps.append)
    assert (report.added, report.updated, report.unchanged, report.removed) == (N, 0, 0, 0)
    assert report.failed == ()
    assert report.units_added == fake_encoder.texts_encoded > N
    assert [s.done for s in steps] == list(range(1, N + 1)) and steps[-1].total == N
    assert {s.outcome for s in steps} == {"added"}
    assert _reviews(index_dir) == set(CORPUS)


def test_reingest_of_unchanged_folder_embeds_nothing(corpus_dir: Path, index_dir: Path) -> None:
    ingest_paths([corpus_dir], index_dir, FakeEncoder())
    counting = FakeEncoder()
    report = ingest_paths([corpus_dir], index_dir, counting)
    assert (report.added, report.updated, report.unchanged, report.units_added) == (0, 0, N, 0)
    assert counting.calls == 0


def test_touched_but_unchanged_file_is_not_reembedded(corpus_dir: Path, index_dir: Path) -> None:
    ingest_paths([corpus_dir], index_dir, FakeEncoder())
    path = corpus_dir / "r-neglect.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    counting = FakeEncoder()
    report = ingest_paths([corpus_dir], index_dir, counting)
    assert (report.unchanged, counting.calls) == (N, 0)
    counting_again = FakeEncoder()
    ingest_paths([corpus_dir], index_dir, counting_again)
    assert counting_again.calls == 0


def test_changed_file_replaces_its_units(corpus_dir: Path, index_dir: Path) -> None:
    ingest_paths([corpus_dir], index_dir, FakeEncoder())
    path = corpus_dir / "r-neglect.md"
    path.write_text(path.read_text().replace("heroin", "methadone and alcohol"))
    counting = FakeEncoder()
    report = ingest_paths([corpus_dir], index_dir, counting)
    assert (report.added, report.updated, report.unchanged) == (0, 1, N - 1)
    assert counting.calls == 1
    text = _texts(index_dir, "r-neglect")
    assert "methadone" in text and "heroin" not in text
    index = open_index(index_dir)
    try:
        assert index.store.keyword_search('"heroin"', 10) == []
        assert index.vectors.count == index.store.count_units()
    finally:
        index.close()


def test_deleted_file_is_removed_only_with_remove_missing(
    corpus_dir: Path, index_dir: Path
) -> None:
    ingest_paths([corpus_dir], index_dir, FakeEncoder())
    (corpus_dir / "r-safe-sleep.md").unlink()
    kept = ingest_paths([corpus_dir], index_dir, FakeEncoder())
    assert kept.removed == 0 and "r-safe-sleep" in _reviews(index_dir)
    removed = ingest_paths([corpus_dir], index_dir, FakeEncoder(), remove_missing=True)
    assert (removed.removed, removed.unchanged) == (1, N - 1)
    assert _reviews(index_dir) == set(CORPUS) - {"r-safe-sleep"}


def test_remove_missing_leaves_other_folders_alone(tmp_path: Path, index_dir: Path) -> None:
    write_corpus(tmp_path / "a", ("r-neglect",))
    write_corpus(tmp_path / "b", ("r-safe-sleep",))
    ingest_paths([tmp_path / "a", tmp_path / "b"], index_dir, FakeEncoder())
    report = ingest_paths([tmp_path / "a"], index_dir, FakeEncoder(), remove_missing=True)
    assert report.removed == 0
    assert _reviews(index_dir) == {"r-neglect", "r-safe-sleep"}


def test_failed_files_are_reported_and_the_rest_ingested(corpus_dir: Path, index_dir: Path) -> None:
    broken = corpus_dir / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    report = ingest_paths([corpus_dir, corpus_dir / "absent.md"], index_dir, FakeEncoder())
    assert report.added == N
    failed = dict(report.failed)
    assert set(failed) == {broken.resolve(), corpus_dir / "absent.md"}
    assert failed[broken.resolve()]
    assert failed[corpus_dir / "absent.md"] == "no such file or folder"


def test_two_files_claiming_one_review_id(corpus_dir: Path, index_dir: Path) -> None:
    copy = corpus_dir / "zz-copy-of-neglect.md"
    copy.write_text(review_markdown("r-neglect", CORPUS["r-neglect"]).replace("heroin", "crack"))
    report = ingest_paths([corpus_dir], index_dir, FakeEncoder())
    assert report.added == N
    [(path, reason)] = report.failed
    assert path == copy.resolve()
    assert "claims review id 'r-neglect', which" in reason and "r-neglect.md keeps" in reason
    assert "heroin" in _texts(index_dir, "r-neglect")
    again = ingest_paths([corpus_dir], index_dir, FakeEncoder())
    assert [p for p, _ in again.failed] == [copy.resolve()]


def test_an_impostor_sorting_first_never_takes_a_reviews_id(
    corpus_dir: Path, index_dir: Path
) -> None:
    impostor = corpus_dir / "a0-impostor.md"
    impostor.write_text(review_markdown("r-neglect", CORPUS["r-safe-sleep"]))
    report = ingest_paths([corpus_dir], index_dir, FakeEncoder())
    assert report.added == N
    assert [path.name for path, _ in report.failed] == ["a0-impostor.md"]
    assert "safer sleep" not in _texts(index_dir, "r-neglect").lower()


def test_a_clash_with_no_file_named_after_the_id_ingests_neither(
    corpus_dir: Path, index_dir: Path
) -> None:
    for name in ("first.md", "second.md"):
        (corpus_dir / name).write_text(review_markdown("r-shared", CORPUS["r-neglect"]))
    report = ingest_paths([corpus_dir], index_dir, FakeEncoder())
    assert report.added == N
    assert sorted(path.name for path, _ in report.failed) == ["first.md", "second.md"]
    assert all("claimed by 2 files" in reason for _, reason in report.failed)
    assert "r-shared" not in _reviews(index_dir)


def test_review_id_defaults_to_the_file_stem(tmp_path: Path, index_dir: Path) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "child-x-2020.md").write_text(
        review_markdown("ignored", CORPUS["r-neglect"], with_id=False)
    )
    ingest_paths([folder], index_dir, FakeEncoder())
    assert _reviews(index_dir) == {"child-x-2020"}


def test_side_files_and_hidden_files_are_skipped(corpus_dir: Path) -> None:
    (corpus_dir / "r-neglect.meta.yaml").write_text("year: 2022\n")
    (corpus_dir / "metadata.csv").write_text("review_id,year\n")
    (corpus_dir / ".hidden.md").write_text("secret")
    (corpus_dir / ".git").mkdir()
    (corpus_dir / ".git" / "notes.md").write_text("x")
    (corpus_dir / "notes.xyz").write_text("x")
    files, problems = find_documents([corpus_dir, corpus_dir / "notes.xyz"])
    assert sorted(p.name for p in files) == sorted(f"{r}.md" for r in CORPUS)
    assert problems[0][0].name == "notes.xyz" and "unsupported format '.xyz'" in problems[0][1]


def test_moved_file_keeps_its_entry_without_reembedding(corpus_dir: Path, index_dir: Path) -> None:
    ingest_paths([corpus_dir], index_dir, FakeEncoder())
    (corpus_dir / "archive").mkdir()
    (corpus_dir / "r-neglect.md").rename(corpus_dir / "archive" / "r-neglect.md")
    counting = FakeEncoder()
    report = ingest_paths([corpus_dir], index_dir, counting, remove_missing=True)
    assert (report.unchanged, report.removed, counting.calls) == (N, 0, 0)
    index = open_index(index_dir)
    try:
        assert index.store.document_by_review("r-neglect").source.endswith("archive/r-neglect.md")
    finally:
        index.close()


def test_remove_review(corpus_dir: Path, index_dir: Path) -> None:
    ingest_paths([corpus_dir], index_dir, FakeEncoder())
    assert remove_review(index_dir, "r-neglect") is True
    assert remove_review(index_dir, "r-neglect") is False
    assert _reviews(index_dir) == set(CORPUS) - {"r-neglect"}


def test_checkpoints_commit_along_the_way(corpus_dir: Path, index_dir: Path) -> None:
    report = ingest_paths([corpus_dir], index_dir, FakeEncoder(), checkpoint_units=1)
    index = open_index(index_dir)
    try:
        assert report.added == N
        assert index.manifest.generation == 1 + N  # created, then one commit per file
        assert index.vectors.count == index.store.count_units() == report.units_added
    finally:
        index.close()


def test_a_new_model_needs_a_rebuild(corpus_dir: Path, index_dir: Path) -> None:
    ingest_paths([corpus_dir], index_dir, FakeEncoder())
    other = FakeEncoder(name="another-model")
    with pytest.raises(IndexMismatch, match="run `cspr ingest --rebuild`"):
        ingest_paths([corpus_dir], index_dir, other)
    report = ingest_paths([corpus_dir], index_dir, other, rebuild=True)
    assert report.added == N
    assert open_index(index_dir, model_name=other.name).manifest.model_name == other.name
    assert not index_dir.with_name("index.rebuild").exists()


def test_ingest_time_comes_from_the_caller(corpus_dir: Path, index_dir: Path) -> None:
    from datetime import UTC, datetime

    ingest_paths([corpus_dir], index_dir, FakeEncoder(), now=datetime(2026, 3, 1, tzinfo=UTC))
    index = open_index(index_dir)
    try:
        assert {d.ingested_at for d in index.store.documents()} == {"2026-03-01T00:00:00+00:00"}
        assert index.manifest.created == "2026-03-01T00:00:00+00:00"
    finally:
        index.close()


def test_report_to_dict() -> None:
    report = IngestReport(
        added=1,
        failed=((Path("x.pdf"), "encrypted"),),
        warnings=((Path("y.md"), "year 'abc' has no year"),),
        seconds=0.12345,
    )
    assert report.to_dict() == {
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "failed": [{"path": "x.pdf", "reason": "encrypted"}],
        "warnings": [{"path": "y.md", "warning": "year 'abc' has no year"}],
        "missing": [],
        "units_added": 0,
        "seconds": 0.123,
    }
