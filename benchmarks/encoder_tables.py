"""The tables of the encoder comparison (benchmarks/bench_encoders.py): cost, and quality on
the demo corpus and the real development set, each model beside the bundled one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.metrics import paired_difference
from benchmarks.table import BenchTable

HYBRID, DENSE, KEYWORD = "hybrid (product)", "meaning alone", "keyword (BM25)"
SPEED_UNITS = 256
SPEED_ROUNDS = 2


def _x(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "-"


def _vs(value: float, base: float, digits: int = 0) -> str:
    """``value (ratio to base)``."""
    return f"{value:.{digits}f} ({_x(value, base)})"


def _best(result: dict[str, Any]) -> dict[str, Any]:
    """The speed round with the highest encoder rate (the least disturbed by others' load)."""
    return max(result["speed"], key=lambda round_: round_["units_per_s"])


def cost_table(results: Sequence[dict[str, Any]]) -> BenchTable:
    base, base_speed = results[0], _best(results[0])
    rows = []
    for r in results:
        ingest, speed = r["ingest"], _best(r)
        rate, base_rate = (x["units"] / x["seconds"] for x in (ingest, base["ingest"]))
        rows.append(
            (
                r["label"],
                str(r["dimension"]),
                f"{r['model_mb']:.0f}",
                _vs(speed["units_per_s"], base_speed["units_per_s"], 1),
                _vs(speed["query_ms"], base_speed["query_ms"]),
                f"{ingest['units']} in {ingest['seconds']:.0f} s ({_x(rate, base_rate)})",
                _vs(r["peak_rss_mb"], base["peak_rss_mb"]),
                _vs(r["index_mb"], base["index_mb"], 1),
            )
        )
    loads = ", ".join(
        f"{r['label']} {r['load_average_before']:.1f}-{r['load_average']:.1f} (ingest), "
        + "/".join(f"{s['load_average']:.1f}" for s in r["speed"])
        + " (speed rounds)"
        for r in results
    )
    return BenchTable(
        "Encoders: cost on 2 shared cores (demo corpus)",
        (
            "model",
            "dim",
            "model MB",
            f"encoder units/s ({SPEED_UNITS} units, best of {SPEED_ROUNDS} alternating rounds)",
            f"review search ms (median of {base_speed['queries']}, same round)",
            "fresh ingest, units in s (units/s vs MiniLM)",
            "peak RSS MB (ingest + searches)",
            "index MB",
        ),
        tuple(rows),
        notes=f"Load average (1 min) while each ran: {loads}.",
    )


def _paired_notes(
    results: Sequence[dict[str, Any]], per_query: Callable[[dict[str, Any]], Any]
) -> str:
    """For each other model: its hybrid MAP minus MiniLM's, with a paired 95% interval."""

    base = per_query(results[0])
    notes = []
    for r in results[1:]:
        other = per_query(r)
        if not base or not other:
            continue
        mean, low, high, better, worse = paired_difference(base, other)
        notes.append(
            f"{r['label']} minus {results[0]['label']}, hybrid MAP: {mean:+.3f} (95% interval "
            f"{low:+.3f} to {high:+.3f}, paired bootstrap over {len(base)} queries; better on "
            f"{better}, worse on {worse})."
        )
    return " ".join(notes)


def demo_table(results: Sequence[dict[str, Any]]) -> BenchTable:
    rows = []
    for mode in (HYBRID, DENSE):
        base = results[0]["quality"][mode]["all"]["map"]
        for r in results:
            q = r["quality"][mode]
            cells = [f"{q[k]['ndcg10']:.3f} / {q[k]['map']:.3f}" for k in ("theme", "passage")]
            cells.append(f"{q['case']['ndcg10']:.3f} / {q['case']['map']:.3f}")
            overall = q["all"]["map"]
            rows.append((r["label"], mode, *cells, f"{overall:.3f} ({_x(overall, base)})"))
    return BenchTable(
        "Encoders: review search on corpus/eval (nDCG@10 / MAP)",
        ("model", "mode", "theme", "passage", "case (similar cases)", "MAP, all"),
        tuple(rows),
        notes=_paired_notes(results, lambda r: r["quality"][HYBRID].get("per_query")),
    )


def dev_table(results: Sequence[dict[str, Any]]) -> BenchTable:
    base = results[0]
    if "dev" not in base:
        return BenchTable(
            "Encoders: review search on the real development set",
            ("note",),
            ((f"only {base['dev_docs']} documents in corpus/dev/docs; not measured",),),
        )
    bm25 = base["dev"][KEYWORD]["map20"]
    bm25_ndcg = base["dev"][KEYWORD]["ndcg10"]
    rows = [("(any)", KEYWORD, f"{bm25:.3f}", f"{bm25_ndcg:.3f}", "-", "1.00x")]
    for mode in (HYBRID, DENSE):
        first = base["dev"][mode]["map20"]
        for r in results:
            d = r["dev"][mode]
            rows.append(
                (
                    r["label"],
                    mode,
                    f"{d['map20']:.3f}",
                    f"{d['ndcg10']:.3f}",
                    _x(d["map20"], first),
                    _x(d["map20"], bm25),
                )
            )
    return BenchTable(
        f"Encoders: theme search on the real development set ({base['dev_docs']} documents, "
        f"{base['dev']['queries']} theme queries)",
        ("model", "mode", "MAP@20", "nDCG@10", "MAP vs MiniLM", "MAP vs BM25"),
        tuple(rows),
        notes=_paired_notes(results, lambda r: r["dev"][HYBRID].get("per_query")),
    )
