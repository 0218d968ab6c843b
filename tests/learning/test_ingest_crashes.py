"""A crash costs minutes, not the run: an ingest killed (SIGKILL) at random points keeps what it
committed, and the next run finishes with the right counts and no duplicates. Two writers take
turns."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from learning.encoder import FakeEncoder
from learning.index import open_index
from learning.index.writer_lock import lock_path, read_holder, writer_lock
from learning.ingest import ingest_paths
from tests.learning.factories import CORPUS, review_markdown

REPO = Path(__file__).resolve().parents[2]
COPIES = 8  # 8 x 5 reviews
SCRIPT = """
import sys, time
from pathlib import Path
from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths


class SlowEncoder(FakeEncoder):
    # as slow as the real model on these 2 cores (about 40 units a second), so a run lasts
    # long enough to be killed in the middle
    def encode(self, texts):
        time.sleep(len(texts) / 40)
        return super().encode(texts)


if __name__ == "__main__":
    report = ingest_paths(
        [Path(sys.argv[1])], Path(sys.argv[2]), SlowEncoder(), checkpoint_seconds=0.3,
        encode_group=8,
    )
    print(report.added, report.updated, report.unchanged, len(report.failed), flush=True)
"""


def _corpus(folder: Path) -> int:
    folder.mkdir()
    for copy in range(COPIES):
        for review_id, entry in CORPUS.items():
            name = f"{review_id}-{copy}"
            (folder / f"{name}.md").write_text(review_markdown(name, entry), encoding="utf-8")
    return COPIES * len(CORPUS)


def _state(index_dir: Path) -> tuple[set[str], int, int]:
    index = open_index(index_dir)
    try:
        reviews = {document.review_id for document in index.store.documents()}
        keys = [
            (unit.review_id, unit.ordinal)
            for review in reviews
            for unit in index.store.units_of_review(review)
        ]
        assert len(keys) == len(set(keys)), "duplicate units"
        return reviews, index.store.count_units(), index.vectors.count
    finally:
        index.close()


def _run(script: Path, folder: Path, index_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, str(script), str(folder), str(index_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


@pytest.mark.slow
def test_twenty_kills_at_random_points_lose_nothing_committed(tmp_path: Path) -> None:
    script = tmp_path / "ingest.py"
    script.write_text(SCRIPT)
    folder = tmp_path / "reviews"
    total = _corpus(folder)
    reference = tmp_path / "reference"
    started = time.monotonic()
    finished = _run(script, folder, reference)
    assert finished.wait(timeout=300) == 0, finished.stderr.read()
    duration = time.monotonic() - started
    expected_reviews, expected_units, _ = _state(reference)
    assert len(expected_reviews) == total
    rng = random.Random(20261202)
    kept_some = 0
    for trial in range(20):
        index_dir = tmp_path / f"index-{trial}"
        victim = _run(script, folder, index_dir)
        time.sleep(rng.uniform(0.5, duration * 0.9))
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        if (index_dir / "manifest.json").exists():
            kept, _, _ = _state(index_dir)  # opens, and holds no duplicate
            kept_some += bool(kept)
        resumed = _run(script, folder, index_dir)
        out, err = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, err
        added, updated, unchanged, failed = map(int, out.split())
        assert (added + updated + unchanged, failed) == (total, 0)
        assert _state(index_dir)[:2] == (expected_reviews, expected_units)
        assert _state(index_dir)[2] == expected_units
    assert kept_some >= 10  # most kills came after a checkpoint and kept its work


def test_a_second_writer_waits_its_turn_and_says_for_whom(tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    _corpus(folder)
    index_dir = tmp_path / "index"
    waited: list[object] = []
    with writer_lock(index_dir):
        holder = read_holder(lock_path(index_dir))
        assert holder is not None and holder.pid == os.getpid()
        import threading

        result: dict[str, object] = {}

        def second() -> None:
            result["report"] = ingest_paths(
                [folder], index_dir, FakeEncoder(), on_wait=waited.append
            )

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(1.0)
        assert thread.is_alive() and len(waited) == 1  # waiting, and said so once
        assert "report" not in result
    thread.join(timeout=120)
    report = result["report"]
    assert report.added == COPIES * len(CORPUS) and not report.failed  # type: ignore[attr-defined]
    assert json.loads(lock_path(index_dir).read_text() or "null") is None


def test_a_lock_left_by_a_killed_writer_is_cleared(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from learning.index.writer_lock import writer_lock\n"
            "with writer_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(60)",
            str(index_dir),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    record = read_holder(lock_path(index_dir))
    assert record is not None and record.pid == holder.pid
    holder.kill()
    holder.wait()
    waited: list[object] = []
    started = time.monotonic()
    with writer_lock(index_dir, on_wait=waited.append):
        assert waited == [] and time.monotonic() - started < 5
        assert read_holder(lock_path(index_dir)).pid == os.getpid()  # type: ignore[union-attr]
