"""Ingest under load: what checkpointing costs, and how searches fare while an ingest runs.

1. **Checkpoint cost.** Synthetic reviews ingested twice into fresh indexes, committing every
   ``BENCH_INTERVAL`` seconds and once at the end only, side by side; the difference over the
   extra commits is what one commit costs, and that over the default interval
   (``CSPR_INGEST_CHECKPOINT_SECONDS``) is the cost of checkpointing. The encoder is a fake
   paced at ``PACE`` x the real model's rate on these cores (40 units/s).
2. **Search while ingesting.** A reader searches the demo corpus (real model) every 200 ms:
   idle, then while ``cspr ingest --rebuild`` of the demo corpus runs in another process at
   normal priority, then at ``CSPR_INGEST_NICE`` (10). Target: p95 during an ingest under 3x
   idle.

    python -m benchmarks ingest
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.table import BenchTable
from learning.encoder import FakeEncoder
from learning.ingest import CHECKPOINT_SECONDS, ingest_paths

REPO = Path(__file__).resolve().parents[1]
REVIEWS = REPO / "corpus" / "reviews"
REAL_RATE = 40.0  # units per second of the real model on these 2 cores
PACE = 20.0
BENCH_INTERVAL = 3.0
CHECKPOINT_PASSAGES = 12_000
SEARCH_EVERY = 0.2
PHASE_SECONDS = 30.0


class PacedEncoder(FakeEncoder):
    """The fake encoder, taking the time the real one would (divided by ``PACE``)."""

    def encode(self, texts):  # noqa: ANN001, ANN201
        time.sleep(len(texts) / (REAL_RATE * PACE))
        return super().encode(texts)


def measure_checkpoints(work: Path) -> tuple[float, float, int]:
    """Seconds to ingest committing every ``BENCH_INTERVAL`` s and once at the end only, side
    by side, and how many commits the first made."""
    from benchmarks.scale_corpus import write_documents
    from learning.index import open_index

    corpus = work / "synthetic"
    write_documents(CHECKPOINT_PASSAGES, corpus)
    times: list[float] = []
    for label, seconds in (("checkpoints", BENCH_INTERVAL), ("at end", 1e9)):
        started = time.perf_counter()
        ingest_paths([corpus], work / f"index-{label}", PacedEncoder(), checkpoint_seconds=seconds)
        times.append(time.perf_counter() - started)
    index = open_index(work / "index-checkpoints")
    try:
        commits = index.manifest.generation
    finally:
        index.close()
    return times[0], times[1], commits


def checkpoint_table(with_checkpoints: float, at_end: float, commits: int) -> BenchTable:
    per_commit = max(with_checkpoints - at_end, 0.0) / max(commits - 1, 1)
    return BenchTable(
        f"Checkpointed ingest, {CHECKPOINT_PASSAGES:,} synthetic passages",
        ("commits", "seconds", "vs one commit at the end"),
        (
            (
                f"every {BENCH_INTERVAL:g} s ({commits})",
                f"{with_checkpoints:.1f}",
                f"{(with_checkpoints - at_end) / at_end * 100:+.1f}%",
            ),
            ("once at the end", f"{at_end:.1f}", "-"),
        ),  # fmt: skip
        f"Each extra commit cost {per_commit:.2f} s at this index size; at the default interval "
        f"({CHECKPOINT_SECONDS:g} s) that is {per_commit / CHECKPOINT_SECONDS * 100:.1f}% of "
        "ingest time (target under 5%). The encoder is paced at "
        f"{PACE:g}x the real model's rate; the short interval makes many commits to measure.",
    )


def _latencies(engine, queries: list[str], seconds: float) -> list[float]:  # noqa: ANN001
    times: list[float] = []
    end = time.monotonic() + seconds
    position = 0
    while time.monotonic() < end:
        started = time.perf_counter()
        engine.search_reviews(queries[position % len(queries)], k=10)
        times.append((time.perf_counter() - started) * 1000)
        position += 1
        time.sleep(SEARCH_EVERY)
    return times


def _start_ingest(data_dir: Path, niceness: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CSPR_DATA_DIR": str(data_dir),
        "CSPR_INGEST_NICE": str(niceness),
        "HF_HUB_OFFLINE": "1",
    }
    cspr = Path(sys.executable).with_name("cspr")
    return subprocess.Popen(
        [str(cspr), "ingest", str(REVIEWS), "--rebuild"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure_contention(work: Path) -> dict[str, list[float]]:
    """Search latencies (ms) idle and during an ingest at normal and at lowered priority."""
    from benchmarks.eval import DEFAULT_DATA_DIR, _ingest_corpus, read_queries
    from learning.runtime import build_encoder
    from learning.search import open_engine

    encoder = build_encoder()
    index_dir = _ingest_corpus(DEFAULT_DATA_DIR, encoder)
    queries = [query.text for query in read_queries() if query.type != "case"]
    engine = open_engine(index_dir, encoder)
    try:
        _latencies(engine, queries, 3.0)  # warm
        phases = {"idle": _latencies(engine, queries, PHASE_SECONDS)}
        for label, niceness in (("ingest at priority 0", 0), ("ingest at nice 10", 10)):
            ingest = _start_ingest(work / f"data-{niceness}", niceness)
            try:
                time.sleep(2.0)
                phases[label] = _latencies(engine, queries, PHASE_SECONDS)
            finally:
                ingest.kill()
                ingest.wait()
        return phases
    finally:
        engine.close()


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def contention_table(phases: dict[str, list[float]]) -> BenchTable:
    idle = _p(phases["idle"], 95)
    rows = tuple(
        (label, str(len(times)), f"{_p(times, 50):.1f}", f"{_p(times, 95):.1f}",
         f"{_p(times, 95) / idle:.2f}x")
        for label, times in phases.items()
    )  # fmt: skip
    return BenchTable(
        "Review search (real model, demo corpus) while `cspr ingest --rebuild` runs",
        ("phase", "searches", "p50 ms", "p95 ms", "p95 vs idle"),
        rows,
        "One run, the three phases one after another. Target: p95 during an ingest under 3x idle.",
    )


def run() -> list[BenchTable]:
    with tempfile.TemporaryDirectory(prefix="cspr-bench-ingest-") as tmp:
        work = Path(tmp)
        tables = [checkpoint_table(*measure_checkpoints(work))]
        tables.append(contention_table(measure_contention(work)))
        return tables
