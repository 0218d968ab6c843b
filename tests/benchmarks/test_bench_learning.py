"""The learning benchmark's plumbing at a tiny size with the fake encoder (no timing asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_learning import BenchConfig, load_queries, run
from benchmarks.learning_compare import Latency, percentiles
from benchmarks.learning_latency import FILTER_LABEL
from learning.encoder import FakeEncoder


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, BenchConfig()),
        ({"CSPR_BENCH_SIZES": "500, 2_000"}, BenchConfig(sizes=(500, 2000))),
        (
            {"CSPR_BENCH_INGEST_PASSAGES": "300", "CSPR_BENCH_QUERIES": "20"},
            BenchConfig(ingest_passages=300, queries=20),
        ),
        ({"CSPR_BENCH_DIR": "/tmp/x"}, BenchConfig(work_dir=Path("/tmp/x"))),
    ],
)
def test_config_from_env(environ: dict[str, str], expected: BenchConfig) -> None:
    assert BenchConfig.from_env(environ) == expected


@pytest.mark.parametrize(
    ("environ", "match"),
    [
        ({"CSPR_BENCH_SIZES": "10000,0"}, "must be positive"),
        ({"CSPR_BENCH_INGEST_PASSAGES": "-5"}, "must be positive"),
        ({"CSPR_BENCH_SIZES": "ten"}, "invalid literal"),
    ],
)
def test_config_from_env_refuses_bad_sizes(environ: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        BenchConfig.from_env(environ)


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        ([0.010], Latency(10.0, 10.0)),
        ([i / 1000 for i in range(1, 101)], Latency(51.0, 95.0)),
        ([0.003, 0.001, 0.002], Latency(2.0, 3.0)),
    ],
)
def test_percentiles_in_milliseconds(samples: list[float], expected: Latency) -> None:
    result = percentiles(samples)
    assert (round(result.p50_ms, 6), round(result.p95_ms, 6)) == (expected.p50_ms, expected.p95_ms)


def test_percentiles_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentiles([])


def test_queries_start_with_the_evaluation_set_and_are_filled_up() -> None:
    queries = load_queries(100)
    assert len(queries) == 100 and all(q.strip() for q in queries)
    assert queries[0].startswith("babies hurt by a father")


def test_run_at_a_tiny_size_returns_every_table(tmp_path: Path) -> None:
    config = BenchConfig(
        ingest_passages=40,
        sizes=(40, 90),
        queries=12,
        txtai_python=tmp_path / "no-txtai" / "python",
        work_dir=tmp_path,
    )
    tables = run(config, encoder=FakeEncoder())
    ingest, latency, memory, keyword, txtai = tables
    assert [row[0].split(",")[0] for row in ingest.rows] == [
        "ingest_paths (extract",
        "raw model.encode",
        "re-ingest",
    ]
    assert ingest.rows[2][1] == "0 embedded"
    assert [(row[0], row[3]) for row in latency.rows] == [
        (size, search)
        for size in ("40", "90")
        for search in ("query encode only",) + ("passages",) * 2 + ("reviews",) * 2
    ]
    assert "90" in latency.notes and [row[0] for row in memory.rows] == ["40", "90"]
    assert [row[:2] for row in keyword.rows] == [
        ("postings (the product)", "none"),
        ("FTS5 bm25", "none"),
        ("postings (the product)", FILTER_LABEL),
        ("FTS5 bm25", FILTER_LABEL),
    ]
    assert keyword.rows[1][4] == "1.00 / 1.00" and "90" in keyword.title
    assert txtai.rows == (("txtai not installed: run make bench-txtai-env", "-", "-", "-"),)
    assert all("|" not in cell for table in tables for row in table.rows for cell in row)
    assert list(tmp_path.iterdir()) == []  # the work folder is removed afterwards
