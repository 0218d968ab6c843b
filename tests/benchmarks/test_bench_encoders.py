"""The encoder comparison's tables: ratios against the first model (the bundled MiniLM), the
least-disturbed speed round kept, and the development set reported only when it was measured."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.encoder_tables import DENSE, HYBRID, KEYWORD, cost_table, demo_table, dev_table
from benchmarks.metrics import paired_difference


def _result(label: str, scale: float, *, dev: bool = True) -> dict[str, Any]:
    quality = {
        kind: {"ndcg10": 0.8 * scale, "map": 0.5 * scale}
        for kind in ("theme", "passage", "case", "all")
    }
    result: dict[str, Any] = {
        "label": label,
        "dimension": 384,
        "model_mb": 90 * scale,
        "ingest": {"units": 100, "seconds": 10 * scale, "encode_seconds": 8 * scale},
        "index_mb": 2.0 * scale,
        "peak_rss_mb": 1000 * scale,
        "load_average_before": 1.0,
        "load_average": 2.0,
        "quality": {HYBRID: quality, DENSE: quality},
        "dev_docs": 60 if dev else 5,
        # the second round was disturbed by someone else's job: the first one is kept
        "speed": [
            {"units_per_s": 40 / scale, "query_ms": 20 * scale, "queries": 69, "load_average": 1},
            {"units_per_s": 10 / scale, "query_ms": 90 * scale, "queries": 69, "load_average": 6},
        ],
    }
    if dev:
        scores = {"map20": 0.6 * scale, "ndcg10": 0.7 * scale}
        result["dev"] = {"queries": 12, HYBRID: scores, DENSE: scores, KEYWORD: scores}
    return result


def test_cost_is_stated_against_the_bundled_model() -> None:
    table = cost_table([_result("all-MiniLM-L6-v2", 1.0), _result("all-mpnet-base-v2", 2.0)])
    assert table.rows[0][3:] == (
        "40.0 (1.00x)",
        "20 (1.00x)",
        "100 in 10 s (1.00x)",
        "1000 (1.00x)",
        "2.0 (1.00x)",
    )
    assert table.rows[1][3:] == (
        "20.0 (0.50x)",
        "40 (2.00x)",
        "100 in 20 s (0.50x)",
        "2000 (2.00x)",
        "4.0 (2.00x)",
    )


def test_quality_rows_per_mode_with_the_ratio_to_the_bundled_model() -> None:
    table = demo_table([_result("all-MiniLM-L6-v2", 1.0), _result("other", 1.1)])
    assert [row[:2] for row in table.rows] == [
        ("all-MiniLM-L6-v2", HYBRID),
        ("other", HYBRID),
        ("all-MiniLM-L6-v2", DENSE),
        ("other", DENSE),
    ]
    assert table.rows[1][2:] == ("0.880 / 0.550",) * 3 + ("0.550 (1.10x)",)


def test_development_set_against_bm25_or_a_note_when_too_small() -> None:
    table = dev_table([_result("all-MiniLM-L6-v2", 1.0), _result("other", 0.5)])
    assert table.rows[0] == ("(any)", KEYWORD, "0.600", "0.700", "-", "1.00x")
    assert table.rows[2] == ("other", HYBRID, "0.300", "0.350", "0.50x", "0.50x")
    small = dev_table([_result("all-MiniLM-L6-v2", 1.0, dev=False)])
    assert small.rows == (("only 5 documents in corpus/dev/docs; not measured",),)


def test_paired_difference_counts_and_brackets_the_mean() -> None:
    base = {"q1": 0.5, "q2": 0.5, "q3": 0.5, "q4": 0.5}
    assert paired_difference(base, {**base, "q1": 0.9}) == pytest.approx((0.1, 0.0, 0.3, 1, 0))
    mixed = paired_difference(base, {"q1": 0.9, "q2": 0.1, "q3": 0.5, "q4": 0.5})
    assert mixed[0] == pytest.approx(0.0)
    assert mixed[1] < 0 < mixed[2]
    assert mixed[3:] == (1, 1)
    assert paired_difference(base, {}) == (0.0, 0.0, 0.0, 0, 0)


def test_a_gain_within_query_noise_is_reported_with_its_interval() -> None:
    base, other = _result("all-MiniLM-L6-v2", 1.0), _result("other", 1.0)
    base["dev"][HYBRID]["per_query"] = {"a": 0.5, "b": 0.5}
    other["dev"][HYBRID]["per_query"] = {"a": 0.9, "b": 0.3}
    assert dev_table([base, other]).notes == (
        "other minus all-MiniLM-L6-v2, hybrid MAP: +0.100 (95% interval -0.200 to +0.400, "
        "paired bootstrap over 2 queries; better on 1, worse on 1)."
    )
