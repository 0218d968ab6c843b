"""First start on a fresh data folder: how long until a user can work, and each page's first
render in the new app process.

``cspr run`` (as ``make run`` does, the install aside) on an empty scratch folder, timed from
the moment it is started: until the app answers its health check, until the sign-in page has
rendered (Streamlit's own websocket protocol, as a browser's first load; no browser), and until
the demo library has finished embedding (the ``demo library`` flow run has ended; with a
``cspr run`` that embeds before it starts the app, that is before the app answers). Then the
admin, who may open every page, signs in and opens each page once: each page's first render in
this app process (request to ``script_finished``, its caches cold), while the library may still
be embedding; and once more, in a new session, after it has finished.

Run from another checkout (``git archive`` of an older commit) to compare before and after:
the benchmark starts the ``cspr run`` of the checkout it is in. Target: every first render
under 2 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.bench_load import _alive, _environment, _stop, _system_pids
from benchmarks.loopback import answers, free_port
from benchmarks.streamlit_client import StreamlitSession
from benchmarks.table import BenchTable

ROOT = Path(__file__).resolve().parent.parent
#: The pages an admin opens, in the sidebar's order (the admin lands on Admin).
#: Library before Themes: the issue's 16.6 s was Library working out the themes on first open.
PAGES = ("Deadlines", "Case", "Search", "Similar cases", "Library", "Themes", "Inbox")
CASE = "NSH-DEMO-004"
DEMO_LIBRARY_RUN = "demo library"
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
TARGET_SECONDS = 2.0
#: Between the sign-in page and signing in, as a person types a username and a password.
TYPING_SECONDS = 5.0


@dataclass
class StartUp:
    """Seconds from ``cspr run`` to each point, and each page's first render (seconds)."""

    app_answers: float = 0.0
    sign_in_rendered: float = 0.0
    users_ready: float = 0.0
    library_done: float = 0.0
    library_documents: int = 0
    first_render: dict[str, float] = field(default_factory=dict)
    after_library: dict[str, float] = field(default_factory=dict)
    during_embedding: bool = False
    pages_opened: float = 0.0


def _demo_library_state(api: str) -> str | None:
    """The state type of the ``demo library`` flow run, or None if there is none (yet)."""
    body = json.dumps({"flow_runs": {"name": {"any_": [DEMO_LIBRARY_RUN]}}}).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{api}/flow_runs/filter", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            runs = json.loads(answer.read())
    except OSError:
        return None
    return str(runs[0]["state_type"]) if runs else None


def _documents(data: Path) -> int:
    path = data / "index" / "units.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
        return int(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])


async def _pages(url: str, password: str, open_case: bool = True) -> dict[str, float]:
    """The admin signs in, then opens each page once: seconds per page (and per sign-in)."""
    session = StreamlitSession(url, timeout=600)
    await session.open()
    await asyncio.sleep(TYPING_SECONDS)
    run = await session.rerun({"Username": "admin", "Password": password, "Sign in": True})
    times = {"sign in (password check, then Admin)": run.seconds}
    try:
        for title in PAGES:
            run = await session.rerun(page=title)
            times[title] = run.seconds
            if title == "Case" and open_case:
                run = await session.rerun({"Case reference": CASE})
                times[f"Case ({CASE} chosen)"] = run.seconds
            if run.problems:
                times[f"{title}: {run.problems[0][:60]}"] = float("nan")
    finally:
        await session.close()
    return times


async def _sign_in_page(url: str) -> None:
    """Open the app as a browser's first load does, until its sign-in form has rendered."""
    session = StreamlitSession(url, timeout=300)
    try:
        run = await session.open()
        if "Username" not in run.widgets:
            raise RuntimeError(f"no sign-in form: {run.problems or run.text()[:300]}")
    finally:
        await session.close()


def _wait_for_line(console: Path, line: str, run: subprocess.Popen[bytes], started: float) -> None:
    """Until ``cspr run`` has said ``line`` on its console."""
    while line not in console.read_text(errors="replace"):
        if run.poll() is not None or time.monotonic() - started > 1200:
            raise RuntimeError(console.read_text(errors="replace")[-3000:])
        time.sleep(0.2)


def measure(data: Path) -> StartUp:
    """Start ``cspr run`` on ``data`` and time it (see the module's docstring)."""
    env = _environment(data)
    password, api_port = env["CSPR_DEMO_PASSWORD"], env["CSPR_PREFECT_PORT"]
    api, app_port = f"http://127.0.0.1:{api_port}/api", free_port()
    url = f"http://127.0.0.1:{app_port}"
    data.mkdir(parents=True)
    result, system = StartUp(), set()
    log = (data.parent / "run.log").open("wb")
    started = time.monotonic()
    run = subprocess.Popen(
        [sys.executable, "-m", "cspr.cli.main", "run", "--app-port", str(app_port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while not answers(f"{url}/_stcore/health"):
            if run.poll() is not None or time.monotonic() - started > 1200:
                raise RuntimeError((data.parent / "run.log").read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        result.app_answers = time.monotonic() - started
        asyncio.run(_sign_in_page(url))
        result.sign_in_rendered = time.monotonic() - started
        _wait_for_line(data.parent / "run.log", "their password:", run, started)  # as a person
        result.users_ready = time.monotonic() - started
        system = _system_pids(data)
        result.first_render = asyncio.run(_pages(url, password))
        opened = result.pages_opened = time.monotonic() - started
        # by this line `cspr run` has asked for the demo library's run, if it runs one
        _wait_for_line(data.parent / "run.log", "running; Ctrl-C stops everything", run, started)
        while (state := _demo_library_state(api)) not in (None, *FINAL_STATES):
            time.sleep(1)
        result.library_done = (
            time.monotonic() - started if state is not None else result.app_answers
        )
        result.library_documents = _documents(data)
        result.during_embedding = opened < result.library_done
        result.after_library = asyncio.run(_pages(url, password))
    finally:
        system |= _system_pids(data)
        _stop(run)
        log.close()
    if _alive(system):
        raise RuntimeError(f"processes left running after Ctrl-C: {sorted(_alive(system))}")
    return result


def tables(result: StartUp, label: str = "") -> list[BenchTable]:
    """The start-up table and the per-page table."""
    embedding = "yes" if result.during_embedding else "no"
    start = BenchTable(
        title=f"First start of `cspr run` on an empty data folder{label}",
        headers=("point", "seconds from `cspr run`"),
        rows=(
            ("the app answers (health check)", f"{result.app_answers:.1f}"),
            ("the sign-in page has rendered", f"{result.sign_in_rendered:.1f}"),
            (
                "the console says where the demo users' password is (they can sign in)",
                f"{result.users_ready:.1f}",
            ),
            ("the first pages opened (one user, each page once)", f"{result.pages_opened:.1f}"),
            (
                f"the demo library has been embedded ({result.library_documents} reviews)",
                f"{result.library_done:.1f}",
            ),
        ),  # fmt: skip
        notes=(
            f"The library was still embedding when the pages were first opened: {embedding}. "
            f"The admin signs in {TYPING_SECONDS:.0f} s after the sign-in page has rendered, "
            "as a person types."
        ),
    )
    names = list(dict.fromkeys([*result.first_render, *result.after_library]))
    pages = BenchTable(
        title=f"Each page's first render in the new app process (admin){label}",
        headers=("page", "first open s", "first open after the library is in s", "under 2 s"),
        rows=tuple(
            (
                name,
                _s(result.first_render.get(name)),
                _s(result.after_library.get(name)),
                _met(result.first_render.get(name), result.after_library.get(name)),
            )
            for name in names
        ),  # fmt: skip
        notes="Request to `script_finished` over Streamlit's websocket (no browser paint).",
    )
    return [start, pages]


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _met(*values: float | None) -> str:
    return "yes" if all(v is not None and v < TARGET_SECONDS for v in values) else "no"


def run() -> list[BenchTable]:
    with tempfile.TemporaryDirectory(prefix="cspr-bench-start-") as tmp:
        result = measure(Path(tmp) / "data")
    return tables(result, os.environ.get("CSPR_BENCH_LABEL", ""))


if __name__ == "__main__":
    for table in run():
        print(table.to_markdown(), flush=True)
