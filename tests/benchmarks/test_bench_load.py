"""The load benchmark's settings and percentiles. Its users against the running system (3 for
10 s) are in tests/ui/browser/test_daily_work.py, on the system that test already runs."""

from __future__ import annotations

import math

import pytest

from benchmarks.bench_load import (
    LoadConfig,
    Sample,
    summarise,
)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, LoadConfig()),
        ({"CSPR_BENCH_LOAD_USERS": "3", "CSPR_BENCH_LOAD_SECONDS": "10"}, LoadConfig(3, 10.0)),
        ({"CSPR_BENCH_LOAD_THINK_SECONDS": "0"}, LoadConfig(think_seconds=0.0)),
        ({"CSPR_BENCH_LOAD_MAX_ACTIONS": "50"}, LoadConfig(max_actions=50)),
    ],
)
def test_config_from_env(environ: dict[str, str], expected: LoadConfig) -> None:
    assert LoadConfig.from_env(environ) == expected


@pytest.mark.parametrize(
    "environ", [{"CSPR_BENCH_LOAD_USERS": "0"}, {"CSPR_BENCH_LOAD_MAX_ACTIONS": "-1"}]
)
def test_config_from_env_refuses_nonpositive(environ: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        LoadConfig.from_env(environ)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        ([0.010], (1, 0, 10.0, 10.0, 10.0)),
        ([i / 1000 for i in range(1, 101)], (100, 0, 50.0, 95.0, 99.0)),
        ([0.003, 0.001, 0.002], (3, 0, 2.0, 3.0, 3.0)),
    ],
)
def test_summarise_nearest_rank(seconds: list[float], expected: tuple[float, ...]) -> None:
    summary = summarise([Sample("search", s) for s in seconds])
    got = (summary.count, summary.errors, summary.p50_ms, summary.p95_ms, summary.p99_ms)
    assert got == pytest.approx(expected)


def test_summarise_counts_errors_and_empty() -> None:
    assert summarise([Sample("search", 0.1), Sample("search", 0.2, "boom")]).errors == 1
    assert math.isnan(summarise([]).p50_ms)
