"""One run of the collection on workers, for the workers benchmark: the ``ingest-collection``
flow run in a child process, a killer thread that loses the last worker's machine half-way,
the staging figures read from the database, and the check that every review of the manifest is
in the index exactly once.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.prefect_stack import Stack
from benchmarks.process_tree import kill_machine, process_tree

REPO = Path(__file__).resolve().parents[1]

_COORDINATE = """
import json, sys
from learning.flows.collection import ingest_collection
result = ingest_collection(
    folder=sys.argv[1], index_dir=sys.argv[2], batch_size=int(sys.argv[3]),
    stall_seconds=float(sys.argv[4]), fake_encoder=True, build=sys.argv[5] == "build",
)
print("RESULT " + json.dumps(result))
"""


@dataclass(frozen=True)
class RunFigures:
    workers: int
    result: dict[str, Any]
    documents: int
    units: int
    seconds: float
    # units staged while every worker was alive, and the seconds from the first staged
    # document to the kill (or to the last document, with no kill)
    alive_units: int
    alive_seconds: float


def run_collection(
    stack: Stack,
    database_url: str,
    folder: Path,
    index_dir: Path,
    *,
    workers: int,
    kill_half_way: bool,
    batch_size: int,
    kill_after_share: float = 0.5,
    stall_seconds: float,
    build: bool,
    expected: int,
) -> RunFigures:
    """Stage ``folder`` with ``workers`` workers (killing the last half-way if asked) through
    the ``ingest-collection`` flow run in a child process; its result and the figures."""
    from core.migrations import upgrade_database

    upgrade_database(database_url)
    for n in range(1, workers + 1):
        stack.start_worker(f"w{n}-{uuid.uuid4().hex[:6]}", database_url)
    killer = _Killer(stack, database_url, expected, kill_after_share) if kill_half_way else None
    env = {**stack.env, "CSPR_DATABASE_URL": database_url}
    command = [sys.executable, "-c", _COORDINATE, str(folder), str(index_dir), str(batch_size),
               str(stall_seconds), "build" if build else "stage"]  # fmt: skip
    log = stack.work / f"coordinator-{workers}.log"
    try:
        if killer:
            killer.start()
        with log.open("w") as out:
            done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=out, text=True,
                                  cwd=REPO, timeout=6 * 3600)  # fmt: skip
    finally:
        if killer:
            killer.stop.set()
            killer.join()
        stack.stop_workers()
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        raise RuntimeError(f"ingest-collection failed ({done.returncode}); see {log}")
    result = json.loads(lines[-1].removeprefix("RESULT "))
    counts = _staged(database_url)
    return RunFigures(
        workers, result, counts["documents"], counts["units"],
        float(result["staging"]["seconds"]),
        killer.units_at_kill if killer and killer.units_at_kill else counts["units"],
        killer.seconds_to_kill if killer and killer.units_at_kill else counts["seconds"],
    )  # fmt: skip


class _Killer(threading.Thread):
    """Kills the last worker's machine (its process tree) half-way: once ``after_share`` of
    the documents are staged and the batch it is running has staged at least one document,
    so a batch is really lost in the middle."""

    def __init__(self, stack: Stack, database_url: str, expected: int, after_share: float) -> None:
        super().__init__(daemon=True)
        self.stack, self.url, self.expected = stack, database_url, expected
        self.after_share = after_share
        self.stop = threading.Event()
        self.killed: str | None = None
        self.units_at_kill: int | None = None
        self.seconds_to_kill: float | None = None

    def run(self) -> None:
        name, victim = list(self.stack.workers.items())[-1]
        while not self.stop.wait(0.2):
            counts = _staged(self.url)
            if counts["documents"] < self.after_share * self.expected:
                continue
            runs = _flow_runs_of(victim)
            if runs and _staged_by(self.url, runs) > 0:
                kill_machine(victim)
                self.killed = name
                self.units_at_kill = counts["units"]
                self.seconds_to_kill = counts["seconds"]
                return


def _flow_runs_of(worker: subprocess.Popen[bytes]) -> set[str]:
    """The ids of the flow runs the worker's processes are running."""
    runs = set()
    for pid, _ in process_tree(worker.pid):
        with contextlib.suppress(OSError):
            for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                if item.startswith(b"PREFECT__FLOW_RUN_ID="):
                    runs.add(item.split(b"=", 1)[1].decode())
    return runs


def _staged_by(url: str, runs: set[str]) -> int:
    """Documents staged by these flow runs."""
    from core.db import get_engine

    query = text("SELECT count(*) FROM collection_documents WHERE staged_by = ANY(:by)")
    with get_engine(url).connect() as connection:
        return int(connection.execute(query, {"by": [f"flow-run {r}" for r in runs]}).scalar_one())


def _staged(url: str) -> dict[str, Any]:
    """Documents accounted for, units staged, and seconds from the first staged document to
    the last, in the staging tables at ``url``."""
    from core.db import get_engine

    query = text(
        "SELECT count(*), coalesce(sum(unit_count), 0), "
        "extract(epoch FROM max(staged_at) - min(staged_at)) FROM collection_documents"
    )
    with get_engine(url).connect() as connection:
        documents, units, seconds = connection.execute(query).one()
    return {"documents": int(documents), "units": int(units), "seconds": float(seconds or 0.0)}


def check_index(index_dir: Path, database_url: str, review_ids: list[str]) -> dict[str, Any]:
    """Every review of the manifest in the index exactly once, with all its staged units."""
    from core.db import get_engine

    with contextlib.closing(sqlite3.connect(index_dir / "units.sqlite")) as index:
        indexed = dict(
            index.execute("SELECT review_id, count(*) FROM units GROUP BY review_id").fetchall()
        )
        documents = [row[0] for row in index.execute("SELECT review_id FROM documents")]
    query = text(
        "SELECT review_id, status, unit_count FROM collection_documents WHERE review_id IS NOT NULL"
    )
    with get_engine(database_url).connect() as connection:
        staged_rows = connection.execute(query).all()
        twice = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT review_id FROM collection_documents "
                "GROUP BY review_id HAVING count(*) > 1) AS d"
            )
        ).scalar_one()
    staged = {review_id: units for review_id, status, units in staged_rows if status == "staged"}
    manifest = set(review_ids)
    manifest_json = json.loads((index_dir / "manifest.json").read_text("utf-8"))
    return {
        "lost": sorted(manifest - set(documents)),
        "staged_twice": int(twice),
        "indexed_twice": len(documents) - len(set(documents)),
        "unit_mismatch": sorted(r for r in manifest if indexed.get(r) != staged.get(r)),
        "extra": sorted(set(documents) - manifest),
        "index_type": manifest_json["index_type"],
        "vectors": int(manifest_json["count"]),
    }
