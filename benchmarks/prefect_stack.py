"""A real Prefect stack for the workers benchmark: ``prefect server start`` on a free port (its
database on the PostgreSQL server), the work pool, the ``ingest-batch`` deployment, and process
workers, each in its own process group; all stopped after.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from benchmarks.loopback import free_port
from benchmarks.postgres_databases import create_database, drop_database
from benchmarks.process_tree import kill_groups, process_tree

REPO = Path(__file__).resolve().parents[1]
POOL = "cspr-collection"


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
