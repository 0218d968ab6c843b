"""The national collection on several workers: staging throughput of one worker against two,
with one of the two killed half-way, and the index built from staging.

On PostgreSQL (a fresh database per run, on ``CSPR_TEST_POSTGRES_URL`` or a throwaway server
from ``scripts/test-postgres start``) and a real ``prefect server start`` (its own database on
the same PostgreSQL server, a free port, no telemetry, no UI):

1. generate the collection (``--reviews`` synthetic reviews of about 333 passages, ~364 units
   each with their findings and recommendations: 1,500 reviews are about 546,000 units);
2. one process worker polls the work pool; ``ingest-collection`` stages the collection;
3. on a fresh database, two workers; when half the documents are staged and worker 2's
   current batch is part staged, its machine is lost (SIGKILL to its process group and to the
   flow run's, which Prefect starts in a session of its own); the coordinator sends what the
   batch left unstaged again once it shows no progress for ``--stall-seconds``; then the
   builder commits staging into a fresh index (HNSW above 100,000 vectors);
4. every document of the manifest must be in the index exactly once.

The encoder is the FakeEncoder (hashing, no model), as in the 100,000-passage benchmark: the
real model embeds ~40 units/s here, so 546,000 units would take about 3.8 hours. Staging
throughput is therefore that of reading, splitting, fake encoding and the database.

    python -m benchmarks workers                    # 1,500 reviews (make bench)
    python -m benchmarks.bench_workers --reviews 300
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.collection_run import RunFigures, check_index, run_collection
from benchmarks.postgres_databases import create_database, drop_database, postgres_server
from benchmarks.prefect_stack import prefect_stack
from benchmarks.table import BenchTable

REPO = Path(__file__).resolve().parents[1]
REVIEWS = 1500
PASSAGES_PER_REVIEW = 333
BATCH_SIZE = 40
STALL_SECONDS = 90.0


def write_reviews(
    n_reviews: int, out: Path, passages: int = PASSAGES_PER_REVIEW, seed: int = 0
) -> list[str]:
    """Write ``n_reviews`` synthetic reviews of ``passages`` passages each (the scale
    generator's documents, at a chosen size); return their review ids."""
    from benchmarks.scale_corpus import CORPUS_DIR, check_output_dir, synthetic_document
    from benchmarks.synthetic_text import load_pools

    folder = check_output_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    pools = load_pools(CORPUS_DIR)
    ids = []
    for index in range(n_reviews):
        rng = random.Random(f"{seed}:{index}")
        size = max(3, passages + rng.randint(-passages // 5, passages // 5))
        document = synthetic_document(rng, pools, index, size)
        (folder / f"{document.review_id}.md").write_text(document.markdown, encoding="utf-8")
        ids.append(document.review_id)
    return ids


def measure(reviews: int, work: Path, batch_size: int, stall_seconds: float) -> list[BenchTable]:
    from benchmarks.index_memory import measure_memory

    started = time.perf_counter()
    review_ids = write_reviews(reviews, work / "collection")
    generated = time.perf_counter() - started
    server_url, started_postgres = postgres_server()
    try:
        with prefect_stack(work, server_url) as stack:
            one_db = create_database(server_url, "cspr_bench_one")
            two_db = create_database(server_url, "cspr_bench_two")
            try:
                common = {
                    "batch_size": batch_size,
                    "stall_seconds": stall_seconds,
                    "expected": len(review_ids),
                    "folder": work / "collection",
                }
                one = run_collection(
                    stack, one_db, index_dir=work / "index-one", workers=1,
                    kill_half_way=False, build=False, **common,
                )  # fmt: skip
                two = run_collection(
                    stack, two_db, index_dir=work / "index-two", workers=2,
                    kill_half_way=True, build=True, **common,
                )  # fmt: skip
                checks = check_index(work / "index-two", two_db, review_ids)
            finally:
                drop_database(server_url, one_db)
                drop_database(server_url, two_db)
    finally:
        if started_postgres:
            subprocess.run([str(REPO / "scripts" / "test-postgres"), "stop"], check=False)
    memory = measure_memory(work / "index-two")
    return [_table(reviews, generated, one, two, checks, memory, stall_seconds, batch_size)]


def _table(
    reviews: int,
    generated: float,
    one: RunFigures,
    two: RunFigures,
    checks: dict[str, Any],
    memory: dict[str, int],
    stall_seconds: float,
    batch_size: int,
) -> BenchTable:
    built = two.result["index"]
    staging = two.result["staging"]
    one_rate, two_rate = one.units / one.seconds, two.units / two.seconds
    one_alive = one.alive_units / one.alive_seconds if one.alive_seconds else 0.0
    two_alive = two.alive_units / two.alive_seconds if two.alive_seconds else 0.0
    rows = [
        ("1 worker", f"{one.documents:,}", f"{one.units:,}", f"{one.seconds:.1f}",
         f"{one_rate:,.0f}", f"{one_alive:,.0f}", "1.00x / 1.00x", "-"),
        ("2 workers, one killed half-way", f"{two.documents:,}", f"{two.units:,}",
         f"{two.seconds:.1f}", f"{two_rate:,.0f}", f"{two_alive:,.0f}",
         f"{two_rate / one_rate:.2f}x / {two_alive / one_alive if one_alive else 0:.2f}x",
         f"{len(staging['stalled_runs'])} run lost, {staging['sent_again']} documents sent again"),
    ]  # fmt: skip
    mib = 1024 * 1024
    notes = (
        f"{reviews:,} synthetic reviews (generated in {generated:.0f} s), FakeEncoder (hashing, "
        "no model: the real model embeds ~40 units/s here, so staging throughput is reading, "
        "splitting, fake encoding and the database); case database, staging and Prefect server "
        "on PostgreSQL; process workers polling one work pool (`--limit 1`), batches of "
        f"{batch_size} documents as `ingest-batch` flow runs. "
        "'all alive' is the rate from the first staged document to the last (1 worker) or to "
        f"the kill (2 workers). A lost run is sent again after {stall_seconds:g} s without "
        "progress. "
        f"Documents lost: **{len(checks['lost'])}**; staged twice: **{checks['staged_twice']}**; "
        f"in the index twice: **{checks['indexed_twice']}**; with units differing from "
        f"staging: {len(checks['unit_mismatch'])}. Index built from staging by one writer in "
        f"{built['seconds']:.0f} s: {checks['vectors']:,} vectors, **{checks['index_type']}**; "
        f"loaded index RSS {memory['rss'] / mib:,.0f} MiB (vectors file "
        f"{memory['faiss'] / mib:,.0f} MiB, units.sqlite {memory['sqlite'] / mib:,.0f} MiB)."
    )
    return BenchTable(
        title=f"Collection on workers ({reviews:,} reviews, FakeEncoder, PostgreSQL)",
        headers=(
            "run",
            "documents",
            "units",
            "staging s",
            "units/s",
            "units/s all alive",
            "vs 1 worker (all / alive)",
            "recovery",
        ),  # fmt: skip
        rows=tuple(rows),
        notes=notes,
    )


def run(argv: list[str] | None = None) -> list[BenchTable]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=REVIEWS)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--stall-seconds", type=float, default=STALL_SECONDS)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv or [])
    work = args.keep or Path(tempfile.mkdtemp(prefix="cspr-workers-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return measure(args.reviews, work, args.batch_size, args.stall_seconds)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for table in run(sys.argv[1:]):
        print(table.to_markdown())
