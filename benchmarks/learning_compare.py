"""The comparisons of ``bench_learning``: txtai side by side, and int8 quantisation."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.table import BenchTable
from learning.filters import Filters
from learning.index import UNITS_FILE

ROOT = Path(__file__).resolve().parent.parent
TXTAI_PYTHON = ROOT / ".venv-txtai" / "bin" / "python"
TXTAI_SCRIPT = Path(__file__).resolve().parent / "txtai_side.py"
BATCH_SIZE = 16
K = 10
#: The filtered queries: a year range and findings or recommendations only.
FILTERS = Filters(year_min=2016, year_max=2022, kind=("finding", "recommendation"))


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float


def percentiles(samples: Sequence[float]) -> Latency:
    """p50 and p95 of durations in seconds, in milliseconds."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000

    return Latency(at(0.5), at(0.95))


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def txtai_side(
    txtai_python: Path,
    texts: list[str],
    metadata: list[dict[str, Any]],
    queries: list[str],
    work: Path,
) -> dict[str, Any] | None:
    """Run ``txtai_side.py`` in ``.venv-txtai``; None when that environment is missing."""
    if not txtai_python.exists():
        return None
    from learning.encoder import resolve_model_path

    job = work / "txtai-job.json"
    job.write_text(
        json.dumps(
            {
                "model": str(resolve_model_path()),
                "batch": BATCH_SIZE,
                "k": K,
                "texts": texts,
                "metadata": metadata,
                "queries": queries,
                "filter": {
                    "year_min": FILTERS.year_min,
                    "year_max": FILTERS.year_max,
                    "kind": list(FILTERS.kind),
                },
            }
        ),
        encoding="utf-8",
    )
    environ = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    done = subprocess.run(
        [str(txtai_python), str(TXTAI_SCRIPT), str(job)],
        capture_output=True,
        text=True,
        env=environ,
        cwd=work,
    )
    if done.returncode != 0:
        raise RuntimeError(f"txtai side failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def unit_metadata(index_dir: Path) -> list[dict[str, Any]]:
    """Year and kind of every unit, in id order (for txtai's SQL filter)."""
    with sqlite3.connect(f"file:{index_dir / UNITS_FILE}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT d.year, u.kind FROM units u JOIN documents d "
            "ON d.review_id = u.review_id ORDER BY u.id"
        )
        return [{"year": year, "kind": kind} for year, kind in rows]


def txtai_table(
    ours_index_s: float,
    units: int,
    ours: dict[tuple[str, str], Latency],
    theirs: dict[str, Any] | None,
) -> BenchTable:
    title = f"Same {units:,} units and model: this engine and txtai 9.14 side by side"
    headers = ("figure", "ours", "txtai", "ours / txtai")
    if theirs is None:
        return BenchTable(
            title, headers, (("txtai not installed: run make bench-txtai-env", "-", "-", "-"),)
        )
    rows = [
        (
            "index seconds",
            f"{ours_index_s:.1f}",
            f"{theirs['index_seconds']:.1f}",
            f"{ours_index_s / theirs['index_seconds']:.2f}",
        )
    ]
    for filtered, label in (("none", "no filter"), ("filtered", "filtered")):
        mine = ours[("passages", filtered)]
        other = percentiles(theirs["latency"][filtered])
        for name, a, b in (("p50", mine.p50_ms, other.p50_ms), ("p95", mine.p95_ms, other.p95_ms)):
            rows.append((f"query {name} ms, {label}", f"{a:.1f}", f"{b:.1f}", f"{a / b:.2f}"))
    return BenchTable(
        title,
        headers,
        tuple(rows),
        notes="Ours: ingest_paths from the Markdown files (extraction, splitting, embedding, "
        "FTS5, FAISS); txtai: Embeddings.index over the already extracted unit texts with "
        f"content=True, hybrid=True (BM25 + dense), batch {BATCH_SIZE}, same local model. "
        f"Queries: passage search, k={K}; txtai filters with SQL (where similar(:q) and year "
        "between ... and kind in (...)), which filters its candidates after retrieval while ours "
        f"filters before ranking. txtai {theirs.get('version', '?')}, torch shared from .venv.",
    )


def int8_dynamic(model: Any) -> Any:
    """``model`` with its Linear layers dynamically quantised to int8."""
    import torch

    return torch.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def quantise_table(texts: list[str]) -> BenchTable:
    """fp32 vs dynamic int8 (Linear layers) encode rate on the same texts, and agreement."""
    from sentence_transformers import SentenceTransformer

    from learning.encoder import resolve_model_path

    model = SentenceTransformer(str(resolve_model_path()), device="cpu", local_files_only=True)
    quantised = int8_dynamic(
        SentenceTransformer(str(resolve_model_path()), device="cpu", local_files_only=True)
    )
    encode = {"fp32": model, "int8 dynamic": quantised}
    vectors, seconds = {}, {}
    for name, which in encode.items():
        which.encode(texts[:16], batch_size=BATCH_SIZE)
        vectors[name], seconds[name] = timed(
            lambda m=which: m.encode(
                texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True
            )
        )
    cosine = np.sum(vectors["fp32"] * vectors["int8 dynamic"], axis=1)
    rows = tuple(
        (
            name,
            f"{len(texts):,}",
            f"{seconds[name]:.1f}",
            f"{len(texts) / seconds[name]:,.1f}",
            f"{seconds['fp32'] / seconds[name]:.2f}x",
        )
        for name in encode
    )
    return BenchTable(
        "Encoder: dynamic int8 quantisation of the Linear layers (not used by the product)",
        ("model", "texts", "seconds", "texts/s", "speed vs fp32"),
        rows,
        notes=f"Same unit texts, batch {BATCH_SIZE}. Cosine of int8 vs fp32 vectors: mean "
        f"{float(cosine.mean()):.4f}, min {float(cosine.min()):.4f}. Whether the evaluation set's "
        "scores move by less than a point is not measured here.",
    )
