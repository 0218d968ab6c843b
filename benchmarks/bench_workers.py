"""The national collection on several workers: staging throughput of one worker against two,
with one of the two killed half-way, and the index built from staging.

On PostgreSQL (a fresh database per run, on ``CSPR_TEST_POSTGRES_URL`` or a throwaway server
from ``scripts/test-postgres start``) and a real ``prefect server start`` (its own database on
the same PostgreSQL server, a free port, no telemetry, no UI):

1. generate the collection (``--reviews`` synthetic reviews of about 333 passages, ~364 units
   each with their findings and recommendations: 1,500 reviews are about 546,000 units);
2. one process worker polls the work pool; ``ingest-collection`` stages the collection;
3. on a fresh database, two workers; when half the documents are staged and worker 2's
   current batch is part staged, its machine is lost (SIGKILL to its process group and to the
   flow run's, which Prefect starts in a session of its own); the coordinator sends what the
   batch left unstaged again once it shows no progress for ``--stall-seconds``; then the
   builder commits staging into a fresh index (HNSW above 100,000 vectors);
4. every document of the manifest must be in the index exactly once.

The encoder is the FakeEncoder (hashing, no model), as in the 100,000-passage benchmark: the
real model embeds ~40 units/s here, so 546,000 units would take about 3.8 hours. Staging
throughput is therefore that of reading, splitting, fake encoding and the database.

    python -m benchmarks workers                    # 1,500 reviews (make bench)
    python -m benchmarks.bench_workers --reviews 300
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.loopback import free_port
from benchmarks.table import BenchTable

REPO = Path(__file__).resolve().parents[1]
REVIEWS = 1500
PASSAGES_PER_REVIEW = 333
BATCH_SIZE = 40
STALL_SECONDS = 90.0
POOL = "cspr-collection"


# --- the collection ---------------------------------------------------------------------------


def write_reviews(
    n_reviews: int, out: Path, passages: int = PASSAGES_PER_REVIEW, seed: int = 0
) -> list[str]:
    """Write ``n_reviews`` synthetic reviews of ``passages`` passages each (the scale
    generator's documents, at a chosen size); return their review ids."""
    from benchmarks.scale_corpus import CORPUS_DIR, _document, _load_pools, check_output_dir

    folder = check_output_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    pools = _load_pools(CORPUS_DIR)
    ids = []
    for index in range(n_reviews):
        rng = random.Random(f"{seed}:{index}")
        size = max(3, passages + rng.randint(-passages // 5, passages // 5))
        document = _document(rng, pools, index, size)
        (folder / f"{document.review_id}.md").write_text(document.markdown, encoding="utf-8")
        ids.append(document.review_id)
    return ids


# --- processes ------------------------------------------------------------------------------


def _prefect() -> str:
    return str(Path(sys.executable).with_name("prefect"))


@dataclass
class Stack:
    """A Prefect server and its workers, each in its own process group."""

    work: Path
    env: dict[str, str]
    server: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return self.env["PREFECT_API_URL"]

    def start_worker(self, name: str, database_url: str) -> subprocess.Popen[bytes]:
        command = [_prefect(), "worker", "start", "--pool", POOL, "--type", "process",
                   "--limit", "1", "--name", name]  # fmt: skip
        env = {**self.env, "CSPR_DATABASE_URL": database_url}
        process = _spawn(command, env, self.work / f"worker-{name}.log")
        self.workers[name] = process
        self.started.append(process)
        return process

    def stop_workers(self) -> None:
        for process in self.workers.values():
            _stop(process)
        self.workers.clear()

    def stop(self) -> None:
        self.stop_workers()
        if self.server is not None:
            _stop(self.server)


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=REPO,
        )  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL what is left of it and of its descendants
    (a process worker starts each flow run in a session of its own)."""
    groups = {process.pid} | {group for _, group in process_tree(process.pid)}
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)
    kill_groups(groups | {group for _, group in process_tree(process.pid)})
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def kill_groups(groups: set[int]) -> None:
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)


def _processes() -> dict[int, tuple[int, int]]:
    """Every process: pid -> (parent pid, process group)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # the fields after the command name, which may hold spaces, in parentheses
            fields = stat.rsplit(")", 1)[1].split()
            found[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return found


def process_tree(pid: int) -> list[tuple[int, int]]:
    """(pid, process group) of every descendant of ``pid``."""
    table = _processes()
    children: dict[int, list[int]] = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    tree, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        tree.append((child, table[child][1]))
        todo.extend(children.get(child, []))
    return tree


def group_members(pgid: int) -> list[int]:
    """The processes in process group ``pgid``."""
    return [pid for pid, (_, group) in _processes().items() if group == pgid]


def kill_machine(worker: subprocess.Popen[bytes]) -> None:
    """What losing the worker's machine does: SIGKILL to the worker's process group and to
    every process it started (flow runs run in sessions of their own)."""
    kill_groups({worker.pid} | {group for _, group in process_tree(worker.pid)})


@contextlib.contextmanager
def prefect_stack(work: Path, server_url: str) -> Iterator[Stack]:
    """A ``prefect server start`` on a free port (its database on the PostgreSQL server at
    ``server_url``), the work pool and the ``ingest-batch`` deployment; all stopped after."""
    port = free_port()
    prefect_db = create_database(server_url, "cspr_prefect")
    async_url = make_url(prefect_db).set(drivername="postgresql+asyncpg")
    env = {
        **os.environ,
        "PREFECT_HOME": str(work / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": async_url.render_as_string(hide_password=False),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_HEARTBEAT_SECONDS": "5",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONPATH": str(REPO),
    }
    stack = Stack(work, env)
    try:
        command = [_prefect(), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        stack.server = _spawn(command, env, work / "prefect-server.log")
        _wait_for_api(stack.api_url, 180, stack.server)
        subprocess.run(
            [_prefect(), "work-pool", "create", POOL, "--type", "process"],
            env=env, check=True, capture_output=True, cwd=REPO,
        )  # fmt: skip
        subprocess.run(
            [sys.executable, "-c", _DEPLOY, POOL, str(REPO)],
            env=env, check=True, capture_output=True, cwd=REPO,
        )  # fmt: skip
        yield stack
    finally:
        stack.stop()
        drop_database(server_url, prefect_db)


def _wait_for_api(url: str, seconds: float, process: subprocess.Popen[bytes]) -> None:
    from cspr.cli.processes import wait_for_api

    if not wait_for_api(url, seconds, process):
        raise RuntimeError(f"the Prefect server at {url} did not start; see its log")


_DEPLOY = (
    "import sys; from pathlib import Path; "
    "from cspr.deployments import deploy_to_pool; "
    "print(deploy_to_pool(sys.argv[1], Path(sys.argv[2]), only={'ingest-batch'}))"
)


# --- databases ------------------------------------------------------------------------------


def postgres_server() -> tuple[str, bool]:
    """The PostgreSQL server's URL, and whether this started it (so must stop it)."""
    url = os.environ.get("CSPR_TEST_POSTGRES_URL", "")
    if url:
        return url, False
    done = subprocess.run(
        [str(REPO / "scripts" / "test-postgres"), "start"], capture_output=True, text=True
    )
    for line in done.stdout.splitlines():
        if "CSPR_TEST_POSTGRES_URL=" in line:
            return line.split("=", 1)[1].strip(), True
    raise RuntimeError(f"no PostgreSQL server could be started: {done.stderr.strip()}")


def create_database(server_url: str, prefix: str) -> str:
    from core.db import build_engine

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = build_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    from core.db import build_engine, get_engine

    get_engine(url).dispose()
    name = make_url(url).database
    admin = build_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# --- one run --------------------------------------------------------------------------------

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


# --- checks ---------------------------------------------------------------------------------


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


# --- the benchmark --------------------------------------------------------------------------


def measure(reviews: int, work: Path, batch_size: int, stall_seconds: float) -> list[BenchTable]:
    from benchmarks.bench_learning import measure_memory

    started = time.perf_counter()
    review_ids = write_reviews(reviews, work / "collection")
    generated = time.perf_counter() - started
    server_url, started_postgres = postgres_server()
    try:
        with prefect_stack(work, server_url) as stack:
            one_db = create_database(server_url, "cspr_bench_one")
            two_db = create_database(server_url, "cspr_bench_two")
            try:
                common = {
                    "batch_size": batch_size,
                    "stall_seconds": stall_seconds,
                    "expected": len(review_ids),
                    "folder": work / "collection",
                }
                one = run_collection(
                    stack, one_db, index_dir=work / "index-one", workers=1,
                    kill_half_way=False, build=False, **common,
                )  # fmt: skip
                two = run_collection(
                    stack, two_db, index_dir=work / "index-two", workers=2,
                    kill_half_way=True, build=True, **common,
                )  # fmt: skip
                checks = check_index(work / "index-two", two_db, review_ids)
            finally:
                drop_database(server_url, one_db)
                drop_database(server_url, two_db)
    finally:
        if started_postgres:
            subprocess.run([str(REPO / "scripts" / "test-postgres"), "stop"], check=False)
    memory = measure_memory(work / "index-two")
    return [_table(reviews, generated, one, two, checks, memory, stall_seconds, batch_size)]


def _table(
    reviews: int,
    generated: float,
    one: RunFigures,
    two: RunFigures,
    checks: dict[str, Any],
    memory: dict[str, int],
    stall_seconds: float,
    batch_size: int,
) -> BenchTable:
    built = two.result["index"]
    staging = two.result["staging"]
    one_rate, two_rate = one.units / one.seconds, two.units / two.seconds
    one_alive = one.alive_units / one.alive_seconds if one.alive_seconds else 0.0
    two_alive = two.alive_units / two.alive_seconds if two.alive_seconds else 0.0
    rows = [
        ("1 worker", f"{one.documents:,}", f"{one.units:,}", f"{one.seconds:.1f}",
         f"{one_rate:,.0f}", f"{one_alive:,.0f}", "1.00x / 1.00x", "-"),
        ("2 workers, one killed half-way", f"{two.documents:,}", f"{two.units:,}",
         f"{two.seconds:.1f}", f"{two_rate:,.0f}", f"{two_alive:,.0f}",
         f"{two_rate / one_rate:.2f}x / {two_alive / one_alive if one_alive else 0:.2f}x",
         f"{len(staging['stalled_runs'])} run lost, {staging['sent_again']} documents sent again"),
    ]  # fmt: skip
    mib = 1024 * 1024
    notes = (
        f"{reviews:,} synthetic reviews (generated in {generated:.0f} s), FakeEncoder (hashing, "
        "no model: the real model embeds ~40 units/s here, so staging throughput is reading, "
        "splitting, fake encoding and the database); case database, staging and Prefect server "
        "on PostgreSQL; process workers polling one work pool (`--limit 1`), batches of "
        f"{batch_size} documents as `ingest-batch` flow runs. "
        "'all alive' is the rate from the first staged document to the last (1 worker) or to "
        f"the kill (2 workers). A lost run is sent again after {stall_seconds:g} s without "
        "progress. "
        f"Documents lost: **{len(checks['lost'])}**; staged twice: **{checks['staged_twice']}**; "
        f"in the index twice: **{checks['indexed_twice']}**; with units differing from "
        f"staging: {len(checks['unit_mismatch'])}. Index built from staging by one writer in "
        f"{built['seconds']:.0f} s: {checks['vectors']:,} vectors, **{checks['index_type']}**; "
        f"loaded index RSS {memory['rss'] / mib:,.0f} MiB (vectors file "
        f"{memory['faiss'] / mib:,.0f} MiB, units.sqlite {memory['sqlite'] / mib:,.0f} MiB)."
    )
    return BenchTable(
        title=f"Collection on workers ({reviews:,} reviews, FakeEncoder, PostgreSQL)",
        headers=(
            "run",
            "documents",
            "units",
            "staging s",
            "units/s",
            "units/s all alive",
            "vs 1 worker (all / alive)",
            "recovery",
        ),  # fmt: skip
        rows=tuple(rows),
        notes=notes,
    )


def run(argv: list[str] | None = None) -> list[BenchTable]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=REVIEWS)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--stall-seconds", type=float, default=STALL_SECONDS)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv or [])
    work = args.keep or Path(tempfile.mkdtemp(prefix="cspr-workers-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return measure(args.reviews, work, args.batch_size, args.stall_seconds)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for table in run(sys.argv[1:]):
        print(table.to_markdown())
