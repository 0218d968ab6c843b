"""The system's processes: a local Prefect server, the process serving the deployments, and
``cspr run`` which brings them up together (with the demo on first start) and stops them
cleanly on Ctrl-C. Prefect's own commands do the work; this only sets their environment."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Annotated

import typer

from core.settings import Settings
from cspr.cli.common import DataDirOption, _settings

STOP_SECONDS = 20
#: Niceness of the work beside the app (the demo's seeding, the deployments' process and the
#: flow runs it starts): on a machine of few cores the app's pages go first (an ingest goes
#: lower still, CSPR_INGEST_NICE).
BACKGROUND_NICE = 5


def register(app: typer.Typer) -> None:
    app.command("server")(server_command)
    app.command("serve")(serve_command)
    app.command("deploy")(deploy_command)
    app.command("run")(run_command)
    app.command("app")(app_command)


def api_url(settings: Settings) -> str:
    return settings.prefect_api_url or f"http://127.0.0.1:{settings.prefect_port}/api"


def prefect_environment(settings: Settings) -> dict[str, str]:
    """Environment for Prefect processes: home under the data folder, no telemetry, loopback."""
    home = settings.prefect_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(settings.prefect_port),
        "PREFECT_API_URL": api_url(settings),
        "CSPR_PREFECT_API_URL": api_url(settings),
        "CSPR_DATA_DIR": str(settings.data_dir.resolve()),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


def _prefect() -> str:
    return shutil.which("prefect", path=str(Path(sys.executable).parent)) or "prefect"


def server_command(data_dir: DataDirOption = None) -> None:
    """Start a local Prefect server (UI and API on 127.0.0.1:CSPR_PREFECT_PORT)."""
    settings = _settings(data_dir)
    env = {**prefect_environment(settings), "PREFECT_UI_ENABLED": "true"}
    command = [
        _prefect(),
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(settings.prefect_port),
    ]
    os.execvpe(command[0], command, env)


def serve_command(data_dir: DataDirOption = None) -> None:
    """Serve the deployments (the sweep on its schedule; events, publication, ingest on demand)
    against the Prefect server at CSPR_PREFECT_API_URL."""
    settings = _settings(data_dir)
    os.environ.update(prefect_environment(settings))
    from core.settings import get_settings
    from cspr.deployments import serve_all

    get_settings.cache_clear()
    serve_all()


def deploy_command(
    pool: Annotated[str, typer.Option("--pool", help="Work pool the workers poll.")] = "cspr",
    data_dir: DataDirOption = None,
) -> None:
    """Register the deployments on a work pool, for `prefect worker start --pool POOL` on any
    machine that shares this checkout and the database."""
    settings = _settings(data_dir)
    os.environ.update(prefect_environment(settings))
    from cspr.deployments import deploy_to_pool

    source = Path(__file__).resolve().parents[2]
    for name in deploy_to_pool(pool, source, settings):
        typer.echo(f"deployed {name} to work pool {pool}")


def wait_for_api(url: str, seconds: float, process: subprocess.Popen[bytes] | None = None) -> bool:
    """True once ``url``/health answers; False after ``seconds`` or if ``process`` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def app_command(
    data_dir: DataDirOption = None,
    port: Annotated[int, typer.Option(help="Port of the app (127.0.0.1 only).")] = 8501,
) -> None:
    """Start the Streamlit workbench on 127.0.0.1:PORT."""
    settings = _settings(data_dir)
    command = streamlit_command(port)
    os.execvpe(command[0], command, {**prefect_environment(settings), **_app_env()})


def streamlit_command(port: int) -> list[str]:
    # Streamlit's own server running app.py, with the session-cookie and calendar-feed routes
    app = Path(__file__).resolve().parents[2] / "ui" / "server.py"
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.maxUploadSize", "200", "--client.toolbarMode", "minimal",
        # an uncaught error shows a generic message: no traceback, no server paths
        "--client.showErrorDetails", "none",
        # a running service does not reload its code: the watcher's inotify queue overflows on
        # a checkout with its .venv, and a reload re-imports the models into live metadata
        "--server.fileWatcherType", "none", "--server.runOnSave", "false",
        # Streamlit's full garbage collection after every script run walks the whole heap
        # (torch, pandas, Prefect's client): 64% of the app's time under 20 users, holding the
        # GIL, so every other session waited; Python's own generational collector remains
        "--runner.postScriptGC", "false",
    ]  # fmt: skip


def _app_env() -> dict[str, str]:
    return {"STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}


def _password_source(settings: Settings, generated: bool) -> str:
    """Where the demo password is (never the password: console output ends up in logs)."""
    if settings.demo_password is not None:
        return "the value of CSPR_DEMO_PASSWORD"
    made = "generated now, " if generated else ""
    return f"{made}in {settings.data_dir / '.demo-password'} (readable by you only)"


def demo_password(settings: Settings) -> tuple[str, bool]:
    """The demo users' password: ``CSPR_DEMO_PASSWORD``, else one generated on first start and
    kept (owner-only) in the data folder. Returns it and whether it was generated now."""
    if settings.demo_password is not None:
        return settings.demo_password.get_secret_value(), False
    path = settings.data_dir / ".demo-password"
    if path.exists():
        return path.read_text().strip(), False
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(password + "\n")
    return password, True


def run_command(
    data_dir: DataDirOption = None,
    seed: Annotated[
        bool, typer.Option(help="Seed the demo cases and corpus on first start.")
    ] = True,
    app_port: Annotated[int, typer.Option("--app-port", help="Port of the app.")] = 8501,
) -> None:
    """The whole system on one machine: Prefect server, the deployments served, the app, the
    case database migrated, the demo seeded on first start. Ctrl-C stops everything."""
    settings = _settings(data_dir)
    stop_on_signals()
    env = prefect_environment(settings)
    # links in reminders and calendar addresses point at this app, unless it is set elsewhere
    env.setdefault("CSPR_APP_URL", f"http://127.0.0.1:{app_port}")
    password, generated = demo_password(settings) if seed else ("", False)
    if seed:
        env["CSPR_DEMO_PASSWORD"] = password
    logs = settings.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen[bytes]] = []
    try:
        server = _start(
            [sys.executable, "-m", "cspr.cli.main", "server"],
            env, logs / "prefect-server.log", children,
        )  # fmt: skip
        typer.echo(
            f"Prefect server starting on {api_url(settings)} (log {logs / 'prefect-server.log'})"
        )
        _migrate(settings, env)
        # the app next: it needs the case database only, so it answers while the demo is
        # seeded, the Prefect server starts and the demo library embeds (the Library page
        # shows how far that has got)
        _start(streamlit_command(app_port), {**env, **_app_env()}, logs / "app.log", children)
        typer.echo(f"Workbench app: http://127.0.0.1:{app_port} (log {logs / 'app.log'})")
        if seed:
            _seed_demo(settings, env)
            typer.echo(
                "demo users: panel-northshire, panel-westmere, reviewer, analyst, admin; "
                f"their password: {_password_source(settings, generated)}"
            )
        if not wait_for_api(api_url(settings), 120, server):
            typer.echo("error: the Prefect server did not start; see its log", err=True)
            raise typer.Exit(1)
        _start(
            _niced([sys.executable, "-m", "cspr.cli.main", "serve"]),
            env,
            logs / "serve.log",
            children,
        )
        ui = api_url(settings).removesuffix("/api")
        typer.echo(f"Prefect UI and API: {ui} (flow runs, the sweep's schedule)")
        typer.echo(
            f"deployments served (log {logs / 'serve.log'}); "
            f"case database {settings.resolved_database_url}"
        )
        _catch_up_sweep(env)
        if seed:
            _demo_library(settings, env)
        typer.echo("running; Ctrl-C stops everything")
        _wait(children)
    except KeyboardInterrupt:
        typer.echo("stopping ...")
    finally:
        _stop(children)
        typer.echo("stopped")


def _catch_up_sweep(env: dict[str, str], wait_seconds: float = 120) -> None:
    """Start one run of the deadline sweep through Prefect as soon as the deployments are
    served: reminders of cases already late go out now, not at the next scheduled time."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("PREFECT_", "DO_NOT_"))})
    import httpx
    from prefect.exceptions import ObjectNotFound

    from cspr.deployments import run_sweep_now

    try:
        run_id = run_sweep_now(wait_seconds)
    except (ObjectNotFound, OSError, httpx.HTTPError) as failed:
        typer.echo(f"warning: the start-up sweep was not started ({failed!r}); the scheduled "
                   "sweep sends the reminders", err=True)  # fmt: skip
        return
    typer.echo(f"start-up sweep requested (flow run {run_id}): reminders of late cases go now")


def stop_on_signals() -> None:
    """Ctrl-C and SIGTERM (a service manager's stop) both stop everything, in order.

    A process started from a shell's background job inherits SIGINT ignored, so Ctrl-C (or a
    supervisor's SIGINT) would do nothing: restore it, and treat SIGTERM the same way."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def _migrate(settings: Settings, env: dict[str, str]) -> None:
    """Bring the case database to the current schema (the app and the flows need it)."""
    cspr = [sys.executable, "-m", "cspr.cli.main"]
    subprocess.run([*cspr, "db", "upgrade", "--data-dir", str(settings.data_dir)], check=True,
                   env=env)  # fmt: skip


def _seed_demo(settings: Settings, env: dict[str, str]) -> None:
    """On first start, seed the demo users, contacts and cases (users first: sign-in works
    seconds after the app answers). The demo library is embedded later, by a flow run
    (:func:`_demo_library`)."""
    marker = settings.data_dir / ".demo-seeded"
    if marker.exists():
        return
    cspr = [sys.executable, "-m", "cspr.cli.main"]
    # --json: this one line is said; where the users' password is comes after it
    seeded = subprocess.run(
        _niced([*cspr, "demo", "--json", "--data-dir", str(settings.data_dir)]),
        check=True, env=env, stdout=subprocess.PIPE, text=True,  # its errors on the console
    )  # fmt: skip
    report = json.loads(seeded.stdout)
    typer.echo(
        f"demo seeded: {report['cases_created']} fictional cases, "
        f"{report['contacts_created']} contacts, {len(report['users_created'])} users"
    )
    marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"))


def _demo_library(settings: Settings, env: dict[str, str], wait_seconds: float = 120) -> None:
    """Start the embedding of the demo's published reviews as a flow run, if the library does
    not hold them all yet (first start, or a start after one stopped half-way: reviews
    already in are skipped). Not waited for: the Library page shows its progress."""
    from learning.library import documents_not_indexed

    folder, index_dir = settings.corpus_dir.resolve(), settings.resolved_index_dir.resolve()
    missing = documents_not_indexed(folder, index_dir)
    if not missing:
        return
    os.environ.update({k: v for k, v in env.items() if k.startswith(("PREFECT_", "DO_NOT_"))})
    import httpx
    from prefect.exceptions import ObjectNotFound

    from cspr.deployments import run_demo_library_now

    try:
        run_id = run_demo_library_now(folder, index_dir, wait_seconds)
    except (ObjectNotFound, OSError, httpx.HTTPError) as failed:
        typer.echo(f"warning: the demo library was not started ({failed!r}); it is tried "
                   "again at the next start", err=True)  # fmt: skip
        return
    typer.echo(
        f"demo library: {missing} published reviews being embedded (flow run {run_id}); the "
        "app is up meanwhile and its Library page shows how far it has got"
    )


def _niced(command: list[str], niceness: int = BACKGROUND_NICE) -> list[str]:
    """``command`` run at ``niceness`` (through ``nice``, where there is one)."""
    nice = shutil.which("nice")
    return [nice, "-n", str(niceness), *command] if nice else command


def _start(
    command: list[str], env: dict[str, str], log: Path, children: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    children.append(process)
    return process


def _wait(children: list[subprocess.Popen[bytes]]) -> None:
    while all(child.poll() is None for child in children):
        time.sleep(1)
    gone = [child.args for child in children if child.poll() is not None]
    typer.echo(f"error: a process stopped: {gone}; see the logs", err=True)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each child's process group (it and what it started), then SIGKILL stragglers."""
    for child in reversed(children):
        if child.poll() is None:
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()
        _signal_group(child, signal.SIGKILL)  # grandchildren left in the group


def _signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)
