"""Load on the running system, over loopback: many users at once against one user alone.

``cspr run`` (as ``make run`` does) starts on a scratch data folder with the demo seeded and the
corpus indexed; then virtual users (``benchmarks/streamlit_client.py``: Streamlit's own
websocket protocol, no browser) make visits until the time is up or the cap on actions is
reached. A visit is what a panel member or reviewer does: open the app, sign in, then open
Deadlines and a case from it, open Search and search, open Similar cases and ask for similar
reviews (each user starts at a different one of these three tasks); each step is one script
run, timed from the request to ``script_finished``. A step errs if the script raised, showed
an error or warning, lacked what it should show, or did not finish in time (``timeout``); the
visit then starts afresh.

One user alone first (``alone_seconds``, at least one whole visit, the model already loaded),
then ``users`` together for ``seconds``: p50/p95/p99 per step side by side with the lone
user's p50, in the same run.
Target: no errors, p95 under 1 s. Users pause ``think_seconds`` (default 5 s, 0.5x to 1.5x at
random) between steps, as people read a page before their next click; ``make bench`` then runs
the same users at 1 s, a crowd clicking far faster than people do, to show where the one app
process saturates. Settings: ``CSPR_BENCH_LOAD_USERS``,
``_SECONDS``, ``_ALONE_SECONDS``, ``_MAX_ACTIONS``, ``_THINK_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.bench_app import QUERIES
from benchmarks.loopback import answers, free_port
from benchmarks.streamlit_client import Run, StreamlitSession, WidgetValue
from benchmarks.table import BenchTable

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-password-for-load-bench"
#: Demo users who may open all four pages (the admin lands on Admin, the analyst has no cases).
USERS = ("panel-northshire", "panel-westmere", "reviewer")
PRECIS = (
    "A baby of seven weeks was taken to hospital with bruising; the mother's new partner had "
    "moved in and health visitors had not shared their worries with social care.",
    "A fourteen year old girl missing from school and from home, exploited by older men; "
    "agencies saw each episode alone.",
    "A toddler died in a house fire; neglect had been known to services for years and the "
    "family moved between areas.",
)
SEARCH_BOX = "Search findings, recommendations and passages"
#: A visit's three tasks after signing in, of two steps each (a page, then its work).
TASKS = (
    ("open Deadlines", "open a case"), ("open Search", "search"),
    ("open Similar cases", "find similar reviews"),
)  # fmt: skip
#: Every step (the table's rows).
ACTIONS = ("open the app", "sign in", *(step for task in TASKS for step in task))
STOP_SECONDS = 60
HEADERS = (
    "step", "count", "errors", "p50 ms", "p95 ms", "p99 ms", "alone p50 ms", "p50 / alone",
    "target met",
)  # fmt: skip


@dataclass(frozen=True)
class LoadConfig:
    users: int = 20
    seconds: float = 60.0
    alone_seconds: float = 10.0
    max_actions: int = 20_000
    think_seconds: float = 5.0
    timeout: float = 30.0
    password: str = PASSWORD

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> LoadConfig:
        config, prefix = cls(), "CSPR_BENCH_LOAD_"
        casts = {"users": int, "max_actions": int, "seconds": float}
        casts |= {"alone_seconds": float, "think_seconds": float}
        for name, cast in casts.items():
            if (raw := environ.get(prefix + name.upper())) is not None:
                config = replace(config, **{name: cast(raw)})
        if config.users < 1 or config.seconds <= 0 or config.max_actions < 1:
            raise ValueError("users, seconds and max_actions must be positive")
        return config


@dataclass(frozen=True)
class Sample:
    action: str
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class Summary:
    count: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


@dataclass(frozen=True)
class LoadResult:
    config: LoadConfig
    alone: tuple[Sample, ...]
    together: tuple[Sample, ...]
    wall_seconds: float


class _Budget:
    """The cap on actions over all users, and the time they stop starting new ones (the first
    ``floor`` actions are allowed past it, so a lone user completes one whole visit)."""

    def __init__(self, seconds: float, max_actions: int, floor: int = 0) -> None:
        self.ends = time.monotonic() + seconds
        self.left, self.floor, self.taken = max_actions, floor, 0

    def take(self) -> bool:
        late = time.monotonic() >= self.ends and self.taken >= self.floor
        if self.left <= 0 or late:
            return False
        self.left, self.taken = self.left - 1, self.taken + 1
        return True


class _StepFailed(Exception):
    pass


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = math.ceil(share * len(ordered) - 1e-9)  # the float product may overshoot an integer
    return ordered[min(len(ordered), max(1, rank)) - 1]


def summarise(samples: Sequence[Sample]) -> Summary:
    """Count, errors and p50/p95/p99 (ms) of the samples' times, errors included."""
    ordered = sorted(sample.seconds * 1000 for sample in samples)
    if not ordered:
        return Summary(0, 0, float("nan"), float("nan"), float("nan"))
    errors = sum(sample.error is not None for sample in samples)
    p50, p95, p99 = (percentile(ordered, share) for share in (0.5, 0.95, 0.99))
    return Summary(len(ordered), errors, p50, p95, p99)


class _Visit:
    """One user's visit: each step reruns the script once and checks what came back."""

    def __init__(self, url: str, user: str, rng: random.Random, config: LoadConfig) -> None:
        self.session = StreamlitSession(url, timeout=config.timeout)
        self.user, self.rng, self.config = user, rng, config

    async def step(self, action: str) -> Run:
        if action == "open the app":
            return _expect(await self.session.open(), widget="Username")
        if action == "sign in":
            values = {"Username": self.user, "Password": self.config.password, "Sign in": True}
            return _expect(await self.session.rerun(values), text="Signed in as")
        if action == "open Deadlines":
            return _expect(await self.session.rerun(page="Deadlines"), widget="Case to open")
        if action == "open a case":
            return await self._open_case()
        if action == "open Search":
            return _expect(await self.session.rerun(page="Search"), widget=SEARCH_BOX)
        if action == "search":
            run = await self.session.rerun({SEARCH_BOX: self.rng.choice(QUERIES)})
            return _expect(run, text="for your search")
        if action == "open Similar cases":
            return _expect(await self.session.rerun(page="Similar cases"), widget="Case précis")
        values: dict[str, WidgetValue] = {"Case précis": self.rng.choice(PRECIS)}
        values["Find similar reviews"] = True
        return _expect(await self.session.rerun(values), text="Why it matched")

    async def _open_case(self) -> Run:
        references = self.session.widget("Case to open").options
        if not references:
            raise _StepFailed(f"{self.user} sees no case on Deadlines")
        reference = self.rng.choice(references)
        values = {"Case to open": reference, "Open on the Case page": True}
        run = await self.session.rerun(values)
        if run.page_hash != self.session.page_hash("Case"):
            raise _StepFailed("Deadlines did not switch to the Case page")
        return _expect(run, text=f"Case {reference}")


def _expect(run: Run, widget: str | None = None, text: str | None = None) -> Run:
    """The run, if it shows no error and holds ``widget`` and ``text``."""
    if run.problems:
        raise _StepFailed("; ".join(run.problems)[:300])
    if widget is not None and widget not in run.widgets:
        raise _StepFailed(f"no widget {widget!r}")
    if text is not None and text not in run.text():
        raise _StepFailed(f"no text {text!r}")
    return run


def _visit_steps(number: int) -> tuple[str, ...]:
    """Open the app, sign in, then the three tasks, user ``number`` starting at its own one."""
    start = number % len(TASKS)
    tasks = TASKS[start:] + TASKS[:start]
    return (*ACTIONS[:2], *(step for task in tasks for step in task))


async def _user(url: str, number: int, config: LoadConfig, budget: _Budget) -> list[Sample]:
    """Visit after visit until the budget is spent; a failed step ends its visit."""
    rng = random.Random(number)
    samples: list[Sample] = []
    await asyncio.sleep(rng.uniform(0, config.think_seconds))  # not all at the same instant
    while True:
        visit = _Visit(url, USERS[number % len(USERS)], rng, config)
        try:
            for action in _visit_steps(number):
                if not budget.take():
                    return samples
                started = time.perf_counter()
                try:
                    await visit.step(action)
                except Exception as problem:  # noqa: BLE001 - every failure is a counted error
                    spent = time.perf_counter() - started
                    samples.append(Sample(action, spent, f"{type(problem).__name__}: {problem}"))
                    break
                samples.append(Sample(action, time.perf_counter() - started))
                await asyncio.sleep(config.think_seconds * rng.uniform(0.5, 1.5))
        finally:
            with contextlib.suppress(Exception):
                await visit.session.close()


async def _phase(
    url: str, users: int, seconds: float, config: LoadConfig, floor: int = 0
) -> list[Sample]:
    budget = _Budget(seconds, config.max_actions, floor)
    per_user = await asyncio.gather(*(_user(url, n, config, budget) for n in range(users)))
    return [sample for samples in per_user for sample in samples]


async def _warm_up(url: str, config: LoadConfig) -> None:
    """One whole visit untimed, so the model and index are loaded before anything is timed."""
    visit = _Visit(url, USERS[0], random.Random(0), config)
    try:
        for action in ACTIONS:
            await visit.step(action)
    finally:
        await visit.session.close()


def run_load(url: str, config: LoadConfig) -> LoadResult:
    """One user alone, then ``config.users`` together, against the app at ``url``."""
    started = time.perf_counter()
    asyncio.run(_warm_up(url, replace(config, timeout=600)))
    alone = asyncio.run(_phase(url, 1, config.alone_seconds, config, floor=len(ACTIONS)))
    together = asyncio.run(_phase(url, config.users, config.seconds, config))
    return LoadResult(config, tuple(alone), tuple(together), time.perf_counter() - started)


def _system_pids(data: Path) -> set[int]:
    """Processes whose environment names this data folder: the whole system and its children."""
    marker = f"CSPR_DATA_DIR={data}".encode()
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    pids.add(int(entry.name))
    return pids


def _alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (zombies excluded)."""
    alive = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            if (Path("/proc") / str(pid) / "stat").read_text().split(") ")[1][0] != "Z":
                alive.add(pid)
    return alive


def _environment(data: Path) -> dict[str, str]:
    drop = ("CSPR_DATABASE_URL", "CSPR_INDEX_DIR", "PREFECT_API_URL", "CSPR_PREFECT_API_URL")
    env = {name: value for name, value in os.environ.items() if name not in drop}
    env |= {
        "CSPR_DATA_DIR": str(data), "CSPR_DEMO_PASSWORD": PASSWORD,
        "CSPR_PREFECT_PORT": str(free_port()), "CSPR_CORPUS_DIR": str(ROOT / "corpus" / "reviews"),
        "HF_HUB_OFFLINE": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
        # cspr run leaves Streamlit's file watcher on: an edit anywhere in the checkout (or an
        # inotify overflow) reloads the app's modules mid-run and SQLModel then refuses to
        # define its tables again, so every page fails until a restart
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    }  # fmt: skip
    return env


@contextlib.contextmanager
def running_system(data: Path, wait_seconds: float = 900) -> Iterator[str]:
    """``cspr run`` on ``data`` (demo seeded, corpus indexed); yields the app's URL. On leaving,
    SIGINT (Ctrl-C) stops it all; every process of the system must then be gone."""
    data.mkdir(parents=True, exist_ok=True)
    app_port = free_port()
    log = (data.parent / "run.log").open("wb")
    run = subprocess.Popen(
        [sys.executable, "-m", "cspr.cli.main", "run", "--app-port", str(app_port)],
        env=_environment(data), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        start_new_session=True, stdin=subprocess.DEVNULL,
        # a background shell starts its jobs with SIGINT ignored; Ctrl-C must reach cspr run
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    url = f"http://127.0.0.1:{app_port}"
    system: set[int] = set()
    try:
        deadline = time.monotonic() + wait_seconds
        while not answers(f"{url}/_stcore/health"):
            if run.poll() is not None or time.monotonic() > deadline:
                tail = (data.parent / "run.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the system did not come up:\n{tail}")
            time.sleep(2)
        system = _system_pids(data)
        yield url
    finally:
        system |= _system_pids(data)
        _stop(run)
        log.close()
    left = _alive(system)
    if left:
        raise RuntimeError(f"processes left running after Ctrl-C: {sorted(left)}")


def _stop(run: subprocess.Popen[bytes]) -> None:
    run.send_signal(signal.SIGINT)
    try:
        run.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        raise


def _ms(value: float) -> str:
    return f"{value:,.0f}"


def load_table(result: LoadResult) -> BenchTable:
    """Per step and overall: count, errors, p50/p95/p99 together, and the lone user's p50."""
    config, rows = result.config, []
    for action in (*ACTIONS, None):
        together = [s for s in result.together if action is None or s.action == action]
        alone = [s for s in result.alone if action is None or s.action == action]
        load, solo = summarise(together), summarise(alone)
        ratio = f"{load.p50_ms / solo.p50_ms:.1f}x" if solo.count and load.count else "-"
        rows.append((
            action or "**all steps**", str(load.count), str(load.errors), _ms(load.p50_ms),
            _ms(load.p95_ms), _ms(load.p99_ms), _ms(solo.p50_ms) if solo.count else "-", ratio,
            "yes" if load.count and load.p95_ms < 1000 and not load.errors else "no",
        ))  # fmt: skip
    errors = sorted({s.error for s in result.together if s.error})
    notes = (
        f"{config.users} users for {config.seconds:.0f} s (cap {config.max_actions:,} steps), "
        f"after one user alone for {config.alone_seconds:.0f} s; think time "
        f"{config.think_seconds:.1f} s (0.5x-1.5x) between steps; each step one script run, "
        "request to `script_finished`, over loopback (Streamlit's websocket protocol, no "
        f"browser). {len(result.together) / config.seconds:.1f} steps/s together. "
        "Target: no errors, p95 under 1 s."
    )
    if errors:
        notes += " Errors: " + "; ".join(f"`{e[:200]}`" for e in errors[:5])
    return BenchTable(
        title=f"Load: {config.users} users on the running system (`cspr run`) against one alone",
        headers=HEADERS,
        rows=tuple(rows),
        notes=notes,
    )


def run(config: LoadConfig | None = None) -> list[BenchTable]:
    config = config or LoadConfig.from_env(os.environ)
    with (
        tempfile.TemporaryDirectory(prefix="cspr-bench-load-") as tmp,
        running_system(Path(tmp) / "data") as url,
    ):
        result = run_load(url, config)
        crowd = replace(config, think_seconds=min(1.0, config.think_seconds))
        rushed = asyncio.run(_phase(url, crowd.users, crowd.seconds, crowd))
    saturation = LoadResult(crowd, result.alone, tuple(rushed), crowd.seconds)
    return [load_table(result), load_table(saturation)]
