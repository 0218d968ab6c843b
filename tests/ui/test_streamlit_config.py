"""The app's Streamlit configuration as an attacker meets it (issue 22, next in line): a plain
``streamlit run app.py`` listens on the loopback only, and an uncaught error (here from a
rewritten websocket message carrying a widget value of the wrong type) shows the browser a
generic message, never a traceback or the server's paths."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config

from tests.conftest import REPO_ROOT
from tests.ui.conftest import PANEL, AppFactory

CONFIG = REPO_ROOT / ".streamlit" / "config.toml"
LOOPBACK = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it


@pytest.fixture
def project_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Streamlit's options read as the server reads them for app.py (its config file)."""
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setattr(config, "_main_script_path", str(REPO_ROOT / "app.py"))
    config.get_config_options(force_reparse=True)
    yield
    monkeypatch.undo()
    config.get_config_options(force_reparse=True)


def test_the_config_keeps_the_app_on_the_loopback_and_its_errors_quiet() -> None:
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings["server"]["address"] == "127.0.0.1"
    assert settings["client"] == {"showErrorDetails": "none", "toolbarMode": "minimal"}
    assert settings["browser"]["gatherUsageStats"] is False


def test_streamlits_own_reading_of_the_config(project_config: None) -> None:
    assert config.get_option("server.address") == "127.0.0.1"
    assert config.get_option("client.showErrorDetails") == "none"
    assert config.get_option("browser.gatherUsageStats") is False


def test_a_crafted_widget_value_shows_no_traceback_and_no_path(
    app: AppFactory, project_config: None
) -> None:
    at = app(PANEL)
    at.session_state["case_ref"] = "NSH-DEMO-004"
    at.switch_page("ui/pages/case.py").run()
    assert not at.exception
    crafted = at._tree.get_widget_states()  # noqa: SLF001 - what the browser would send
    [date] = [w for w in crafted.widgets if w.id == at.date_input[0].id]
    date.int_value = 7  # a date widget sent a number, as a rewritten websocket message can
    at._run(crafted)  # noqa: SLF001 - AppTest's run with the browser's widget states
    assert at.exception, "the crafted value no longer fails: find another to keep this test"
    for shown in at.exception:
        assert shown.message.startswith("This app has encountered an error.")
        assert list(shown.stack_trace) == [] and not shown.proto.type
        assert "/" not in shown.message and "int" not in shown.message


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as the kernel writes them) with a socket listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_plain_streamlit_run_listens_on_the_loopback_only(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CSPR_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
               "--server.port", str(port)]  # fmt: skip
    server = subprocess.Popen(  # from another folder, as app.py's docstring once suggested
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.5)
        listening = _listening(port)
        assert listening and set(listening) == {LOOPBACK}, listening
    finally:
        server.terminate()
        server.wait(timeout=30)
