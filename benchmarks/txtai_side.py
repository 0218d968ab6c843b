"""txtai's side of ``bench_learning``, run by ``.venv-txtai/bin/python`` (never by ``.venv``).

    .venv-txtai/bin/python benchmarks/txtai_side.py JOB.json

JOB.json holds the model folder, batch size, k, the unit texts with their year and kind, the
queries and the filter. Indexes the texts with ``txtai.Embeddings`` (content, hybrid BM25 +
dense, faiss), runs every query without and with the filter, and prints one JSON line:
``{"version", "index_seconds", "count", "latency": {"none": [s...], "filtered": [s...]}}``.
Only the indexing and the searches are timed, not the model load.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

_FILTERED = (
    "select id, text, score from txtai where similar(:q) and year >= :low and year <= :high "
    "and kind in ({kinds}) limit {k}"
)


def _documents(job: dict[str, Any]) -> list[tuple[int, dict[str, Any], None]]:
    return [
        (number, {"text": text, **meta}, None)
        for number, (text, meta) in enumerate(zip(job["texts"], job["metadata"], strict=True))
    ]


def _timed_each(run_one: Any, queries: list[str]) -> list[float]:
    samples = []
    for query in queries:
        started = time.perf_counter()
        run_one(query)
        samples.append(time.perf_counter() - started)
    return samples


def main(job_path: Path) -> int:
    from importlib.metadata import version

    from txtai import Embeddings

    job = json.loads(job_path.read_text("utf-8"))
    embeddings = Embeddings(
        path=job["model"],
        content=True,
        hybrid=True,
        backend="faiss",
        batch=job["batch"],
        encodebatch=job["batch"],
    )
    embeddings.transform("warm up")  # loads the model outside the timed indexing
    started = time.perf_counter()
    embeddings.index(_documents(job))
    index_seconds = time.perf_counter() - started
    k, rule = job["k"], job["filter"]
    kinds = ", ".join(f"'{kind}'" for kind in rule["kind"])
    sql = _FILTERED.format(kinds=kinds, k=k)
    bounds = {"low": rule["year_min"], "high": rule["year_max"]}
    queries = job["queries"]
    for query in queries[:10]:
        embeddings.search(query, k)
    latency = {
        "none": _timed_each(lambda q: embeddings.search(q, k), queries),
        "filtered": _timed_each(
            lambda q: embeddings.search(sql, k, parameters={"q": q, **bounds}), queries
        ),
    }
    print(
        json.dumps(
            {
                "version": version("txtai"),
                "index_seconds": index_seconds,
                "count": embeddings.count(),
                "latency": latency,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
