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
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.learning_compare import (
    BATCH_SIZE,
    FILTERS,
    TXTAI_PYTHON,
    K,
    Latency,
    percentiles,
    quantise_table,
    timed,
    txtai_side,
    txtai_table,
    unit_metadata,
)
from benchmarks.table import BenchTable
from learning.encoder import Encoder, FakeEncoder
from learning.filters import Filters
from learning.index import UNITS_FILE, VECTORS_FILE
from learning.ingest import ingest_paths

ROOT = Path(__file__).resolve().parent.parent
QUERIES_FILE = ROOT / "corpus" / "eval" / "queries.jsonl"
SEED = 20240601
FILTER_LABEL = "year 2016-2022, finding or recommendation"


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


class QueryEncoder:
    """A real encoder answering to another encoder's name, so a fake-built index takes real
    query vectors (same dimension)."""

    def __init__(self, inner: Encoder, name: str) -> None:
        self._inner = inner
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._inner.encode(texts)


def measure_latency(
    index_dir: Path, encoder: Encoder, queries: Sequence[str]
) -> dict[tuple[str, str], Latency]:
    """p50/p95 per (search, filter) over ``queries``, after a warm-up pass."""
    from learning.search import open_engine

    engine = open_engine(index_dir, encoder)
    try:
        searches = {"passages": engine.search_passages, "reviews": engine.search_reviews}
        for query in queries[:10]:
            engine.search_passages(query, K)
        # The model's share of each query, measured alone in the same run.
        results = {("query encode only", "none"): _latency_of(_encode_only(encoder), queries, None)}
        for search_name, search in searches.items():
            for filter_name, filters in (("none", None), ("filtered", FILTERS)):
                results[(search_name, filter_name)] = _latency_of(search, queries, filters)
        return results
    finally:
        engine.close()


def measure_keyword_sides(
    index_dir: Path, encoder: Encoder, queries: Sequence[str]
) -> dict[tuple[str, str], Latency]:
    """The keyword side alone, top 100, by the product's postings and by FTS5's own bm25
    ranking of the same query, without and with the filter."""
    from learning.query import extract_terms
    from learning.search import open_engine

    engine = open_engine(index_dir, encoder)
    try:
        terms = [extract_terms(query) for query in queries]
        sides = {"postings (the product)": engine._keyword, "FTS5 bm25": engine._keyword_fts}
        results: dict[tuple[str, str], Latency] = {}
        for filter_name, filters in (("none", None), ("filtered", FILTERS)):
            allowed = engine._allowed(filters)
            for side_name, side in sides.items():
                for term in terms[:20]:  # warm the page cache
                    side(term, engine.pool, allowed)
                samples = []
                for term in terms:
                    started = time.perf_counter()
                    side(term, engine.pool, allowed)
                    samples.append(time.perf_counter() - started)
                results[(side_name, filter_name)] = percentiles(samples)
        return results
    finally:
        engine.close()


def keyword_side_table(size: int, results: dict[tuple[str, str], Latency]) -> BenchTable:
    rows = []
    for (side, filtered), latency in results.items():
        fts5 = results[("FTS5 bm25", filtered)]
        rows.append(
            (
                side,
                FILTER_LABEL if filtered == "filtered" else "none",
                f"{latency.p50_ms:.1f}",
                f"{latency.p95_ms:.1f}",
                f"{latency.p50_ms / fts5.p50_ms:.2f} / {latency.p95_ms / fts5.p95_ms:.2f}",
            )
        )
    return BenchTable(
        f"Keyword side alone at {size:,} passages: postings against FTS5 ranking",
        ("keyword side", "filter", "p50 ms", "p95 ms", "p50 / p95 vs FTS5"),
        tuple(rows),
        notes="Top 100 (the engine's pool) of the same queries as the latency table. Postings: "
        "BM25 computed in arrays from the index's per-word postings (learning.keywords), "
        "phrases by FTS5. FTS5 bm25: FTS5 ranks the whole query itself, scoring every unit "
        "that holds a query word (how the keyword side worked before, and how it works on an "
        "index whose postings are not built yet).",
    )


def _encode_only(encoder: Encoder) -> Callable[..., Any]:
    def encode(query: str, k: int, filters: Filters | None) -> Any:
        return encoder.encode([query])

    return encode


def _latency_of(
    search: Callable[..., Any], queries: Sequence[str], filters: Filters | None
) -> Latency:
    samples = []
    for query in queries:
        started = time.perf_counter()
        search(query, K, filters)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def index_type(index_dir: Path) -> tuple[str, int]:
    manifest = json.loads((index_dir / "manifest.json").read_text("utf-8"))
    return str(manifest["index_type"]), int(manifest["count"])


_RSS_SNIPPET = """
import json, sys
from pathlib import Path
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) * 1024
import faiss, sqlite3, numpy
from learning.index import open_index
before = rss()
index = open_index(Path(sys.argv[1]))
index.keywords
print(json.dumps({'delta': rss() - before}))
index.close()
"""


def measure_memory(index_dir: Path) -> dict[str, int]:
    """RSS delta of opening the index in a fresh process (imports done first), file sizes."""
    done = subprocess.run(
        [sys.executable, "-c", _RSS_SNIPPET, str(index_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    delta = json.loads(done.stdout.strip().splitlines()[-1])["delta"]
    return {
        "rss": int(delta),
        "faiss": (index_dir / VECTORS_FILE).stat().st_size,
        "sqlite": (index_dir / UNITS_FILE).stat().st_size,
    }


def latency_table(
    results: dict[int, dict[tuple[str, str], Latency]],
    types: dict[int, tuple[str, int]],
    queries: int,
    fake_sizes: Sequence[int],
) -> BenchTable:
    rows = []
    for size, figures in results.items():
        kind, units = types[size]
        for (search, filtered), latency in figures.items():
            rows.append(
                (
                    f"{size:,}",
                    f"{units:,}",
                    kind,
                    search,
                    FILTER_LABEL if filtered == "filtered" else "none",
                    f"{latency.p50_ms:.1f}",
                    f"{latency.p95_ms:.1f}",
                )
            )
    fake = ", ".join(f"{size:,}" for size in fake_sizes) or "none"
    return BenchTable(
        f"Query latency, model warm, k={K}, {queries} queries (target p95 < 50 ms at 100,000)",
        ("passages", "units", "vectors", "search", "filter", "p50 ms", "p95 ms"),
        tuple(rows),
        notes="Each query: real MiniLM query encode, FAISS and the BM25 postings on the two "
        "sides, fusion, rows and highlights; 'query encode only' is the model's part of that, "
        "timed alone. Queries: the evaluation set's texts plus phrases cut from generated "
        "passages. Indexes built with the fake encoder (same dimension 384): "
        f"{fake}; their FAISS search cost does not depend on vector content, the keyword "
        "postings hold the real text's words, and queries are encoded by the real model.",
    )


def memory_table(
    memory: dict[int, dict[str, int]], types: dict[int, tuple[str, int]]
) -> BenchTable:
    mb = 1024 * 1024
    rows = tuple(
        (
            f"{size:,}",
            f"{types[size][1]:,}",
            types[size][0],
            f"{figures['rss'] / mb:.1f}",
            f"{figures['faiss'] / mb:.1f}",
            f"{figures['sqlite'] / mb:.1f}",
            f"{figures['rss'] / types[size][1] / 1024:.2f}",
        )
        for size, figures in memory.items()
    )
    return BenchTable(
        "Loaded index memory",
        (
            "passages",
            "units",
            "vectors",
            "RSS delta MiB",
            "vectors.faiss MiB",
            "units.sqlite MiB",
            "KiB/unit (RSS)",
        ),
        rows,
        notes="RSS delta of open_index (manifest check, checksum, FAISS read) and of loading "
        "its keyword postings' unit lengths, in a fresh "
        "process after its imports; the model is not included (about 90 MiB once per process).",
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
