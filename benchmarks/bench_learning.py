"""Learning engine: ingest throughput, re-ingest, query latency, index memory, txtai side by side.

1. Ingest of ``CSPR_BENCH_INGEST_PASSAGES`` (default 10,000) scale-generator passages with the
   bundled MiniLM into a fresh index, against the raw ``SentenceTransformer.encode`` of exactly
   the unit texts the pipeline embedded (read back from the index, same batch size, one call).
2. Re-ingest of the unchanged folder (no embedding work): first / second.
3. Query latency p50/p95, model warm, at each of ``CSPR_BENCH_SIZES`` (default 10,000 and
   100,000 passages), passage and review search, with and without filters. The index of the
   ingest step serves its own size; other sizes are ingested with the fake encoder (same
   dimension 384: flat/HNSW search cost does not depend on vector content, the keyword
   postings hold the real text's words) and queried with the real model's query vectors.
   The keyword side alone is also timed against FTS5's own ranking of the same queries.
4. Memory of the loaded index (RSS delta of ``open_index`` and its keyword postings' unit lengths
   in a fresh process; files on disk).
5. txtai 9.14 (``make bench-txtai-env``) indexing the same unit texts with the same model and
   running the same queries, in its own virtual environment (``benchmarks/txtai_side.py``).
6. Dynamic int8 quantisation of the encoder's Linear layers: encode speed and agreement.

Every figure is measured in the same run; ratios are side by side. Only the work is timed, not
corpus generation or model loads.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.index_memory import index_type, measure_memory, memory_table
from benchmarks.learning_compare import (
    BATCH_SIZE,
    TXTAI_PYTHON,
    quantise_table,
    timed,
    txtai_side,
    txtai_table,
    unit_metadata,
)
from benchmarks.learning_latency import (
    QueryEncoder,
    keyword_side_table,
    latency_table,
    measure_keyword_sides,
    measure_latency,
)
from benchmarks.table import BenchTable
from learning.encoder import Encoder, FakeEncoder
from learning.index import UNITS_FILE
from learning.ingest import ingest_paths

ROOT = Path(__file__).resolve().parent.parent
QUERIES_FILE = ROOT / "corpus" / "eval" / "queries.jsonl"
SEED = 20240601


@dataclass(frozen=True)
class BenchConfig:
    """What to measure; ``from_env`` reads the ``CSPR_BENCH_*`` overrides."""

    ingest_passages: int = 10_000
    sizes: tuple[int, ...] = (10_000, 100_000)
    queries: int = 200
    txtai_python: Path = TXTAI_PYTHON
    quantise_sample: int = 256
    work_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> BenchConfig:
        config = cls()
        if environ.get("CSPR_BENCH_INGEST_PASSAGES"):
            config = replace(
                config, ingest_passages=_positive(environ["CSPR_BENCH_INGEST_PASSAGES"])
            )
        if environ.get("CSPR_BENCH_SIZES"):
            sizes = tuple(_positive(part) for part in environ["CSPR_BENCH_SIZES"].split(","))
            config = replace(config, sizes=sizes)
        if environ.get("CSPR_BENCH_QUERIES"):
            config = replace(config, queries=_positive(environ["CSPR_BENCH_QUERIES"]))
        if environ.get("CSPR_BENCH_DIR"):
            config = replace(config, work_dir=Path(environ["CSPR_BENCH_DIR"]))
        return config


def _positive(text: str) -> int:
    value = int(text.strip().replace("_", ""))
    if value < 1:
        raise ValueError(f"benchmark sizes must be positive, not {text!r}")
    return value


@dataclass(frozen=True)
class IngestFigures:
    units: int
    first_seconds: float
    raw_seconds: float
    second_seconds: float


def load_queries(count: int, seed: int = SEED) -> list[str]:
    """The evaluation set's query texts, then phrases cut from generated passages, ``count``."""
    texts = [
        json.loads(line)["query"]
        for line in QUERIES_FILE.read_text("utf-8").splitlines()
        if line.strip()
    ]
    from benchmarks.scale_corpus import generate_passages

    rng = np.random.default_rng(seed)
    for passage in generate_passages(max(0, count - len(texts)), seed=seed + 1):
        words = passage.split()
        start = int(rng.integers(0, max(1, len(words) - 14)))
        texts.append(" ".join(words[start : start + int(rng.integers(4, 15))]))
    return texts[:count]


def unit_texts(index_dir: Path) -> list[str]:
    """Every unit's text in the order it was embedded (ids are assigned in insert order)."""
    with sqlite3.connect(f"file:{index_dir / UNITS_FILE}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT text FROM units ORDER BY id")]


def build_corpus(passages: int, folder: Path) -> Path:
    from benchmarks.scale_corpus import write_documents

    write_documents(passages, folder, seed=SEED)
    return folder


def measure_ingest(
    source: Path, index_dir: Path, encoder: Encoder, raw_encode: Callable[[list[str]], Any]
) -> IngestFigures:
    """First ingest, the raw encode of the same texts, then a re-ingest of the same folder."""
    first, first_seconds = timed(lambda: ingest_paths([source], index_dir, encoder))
    texts = unit_texts(index_dir)
    _, raw_seconds = timed(lambda: raw_encode(texts))
    second, second_seconds = timed(lambda: ingest_paths([source], index_dir, encoder))
    if first.failed or second.units_added:
        raise RuntimeError(f"unexpected ingest outcome: {first.failed} / {second.to_dict()}")
    return IngestFigures(len(texts), first_seconds, raw_seconds, second_seconds)


def ingest_table(figures: IngestFigures, passages: int, model: str) -> BenchTable:
    units, first, raw = figures.units, figures.first_seconds, figures.raw_seconds
    rows = (
        (
            "ingest_paths (extract, split, embed, FTS5 and postings, FAISS, commit)",
            f"{units:,}",
            f"{first:.1f}",
            f"{units / first:,.1f}",
            f"{raw / first:.1%} of raw rate",
        ),
        (
            "raw model.encode, same texts, same batch",
            f"{units:,}",
            f"{raw:.1f}",
            f"{units / raw:,.1f}",
            "100%",
        ),
        (
            "re-ingest, unchanged folder",
            "0 embedded",
            f"{figures.second_seconds:.3f}",
            "-",
            f"{first / figures.second_seconds:,.0f}x faster than first",
        ),
    )
    return BenchTable(
        f"Ingest vs raw encode: {passages:,} generated passages, {model} "
        "(targets: >= 90% of raw, re-ingest >= 100x)",
        ("work", "units", "seconds", "units/s", "ratio"),
        rows,
        notes=f"Batch size {BATCH_SIZE}; model loaded and warm before both timings. The raw "
        "encode is one SentenceTransformer.encode call over the unit texts read back from the "
        "index. Re-ingest skips every file by size and mtime.",
    )


def _real_encoders() -> tuple[Encoder, Callable[[list[str]], Any]]:
    """The product's encoder and, separately loaded, the raw SentenceTransformer; both warm."""
    from sentence_transformers import SentenceTransformer

    from benchmarks.scale_corpus import generate_passages
    from learning.encoder import load_sentence_encoder, resolve_model_path

    # Warm on passage-sized texts: the first long batches of a process pay one-off setup.
    warm = generate_passages(48, seed=SEED + 2)
    encoder = load_sentence_encoder(None, BATCH_SIZE)
    encoder.encode(warm)
    model = SentenceTransformer(str(resolve_model_path()), device="cpu", local_files_only=True)
    model.encode(warm, batch_size=BATCH_SIZE)

    def raw(texts: list[str]) -> Any:
        return model.encode(
            texts,
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    return encoder, raw


def _latency_index(size: int, work: Path, encoder: Encoder) -> tuple[Path, Encoder]:
    """A fake-encoded index of ``size`` passages, and the real encoder under the fake's name."""
    fake = FakeEncoder()
    index_dir = work / f"index-fake-{size}"
    ingest_paths([build_corpus(size, work / f"corpus-{size}")], index_dir, fake)
    return index_dir, QueryEncoder(encoder, fake.name)


def run(config: BenchConfig | None = None, encoder: Encoder | None = None) -> list[BenchTable]:
    """All tables; ``encoder`` replaces the real model (the test passes a fake one)."""
    config = config or BenchConfig.from_env(os.environ)
    with tempfile.TemporaryDirectory(prefix="cspr-bench-", dir=config.work_dir) as tmp:
        return _run_in(config, encoder, Path(tmp))


def _run_in(config: BenchConfig, given: Encoder | None, work: Path) -> list[BenchTable]:
    encoder, raw = _real_encoders() if given is None else (given, given.encode)
    queries = load_queries(config.queries)
    passages = config.ingest_passages
    index_dir = work / f"index-{passages}"
    source = build_corpus(passages, work / f"corpus-{passages}")
    figures = measure_ingest(source, index_dir, encoder, raw)
    tables = [ingest_table(figures, passages, encoder.name)]
    latency, types, memory, fake_sizes = {}, {}, {}, []
    for size in sorted(config.sizes):
        if size == passages:
            size_dir, query_encoder = index_dir, encoder
        else:
            size_dir, query_encoder = _latency_index(size, work, encoder)
            fake_sizes.append(size)
        largest = (size, size_dir, query_encoder)
        latency[size] = measure_latency(size_dir, query_encoder, queries)
        types[size], memory[size] = index_type(size_dir), measure_memory(size_dir)
    tables += [latency_table(latency, types, len(queries), fake_sizes), memory_table(memory, types)]
    size, size_dir, query_encoder = largest
    tables.append(keyword_side_table(size, measure_keyword_sides(size_dir, query_encoder, queries)))
    ours = latency.get(passages) or measure_latency(index_dir, encoder, queries)
    texts = unit_texts(index_dir)
    theirs = txtai_side(config.txtai_python, texts, unit_metadata(index_dir), queries, work)
    tables.append(txtai_table(figures.first_seconds, figures.units, ours, theirs))
    if given is None and config.quantise_sample:
        tables.append(quantise_table(texts[: config.quantise_sample]))
    return tables
