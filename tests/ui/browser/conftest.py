"""The running system for the headless-Chromium tests: one `cspr run` (as `make run` does) on a
scratch data folder per test session, one Chromium, and what every test does with them (sign
in, wait for Streamlit, open a page, an axe-core check, requests that leave the machine).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.loopback import answers, free_port
from learning.ingest_runs import DEMO_LIBRARY_RUN
from tests.conftest import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "demo-password-for-tests"
SHOTS = REPO_ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

#: What the running system's fixture started: the Prefect API's address, the console log of
#: `cspr run`, when it was started and when the app first answered (UTC, ISO 8601).
RUNNING: dict[str, str] = {}
#: The hosts a page may ask anything of: the machine itself (issue 23: nothing leaves it).
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
#: Every browser test: slow, and skipped where Chromium is not installed. Under pytest-xdist
#: (`--dist loadgroup`) they all run on one worker, so only one `cspr run` is started.
BROWSER_MARKS = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium: scripts/ensure-chromium"
    ),
]


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`cspr run` on a scratch data folder; yields the app's URL; Ctrl-C stops it all."""
    data = tmp_path_factory.mktemp("system") / "data"
    app_port = free_port()
    env = {
        **os.environ, "CSPR_DATA_DIR": str(data), "CSPR_DEMO_PASSWORD": PASSWORD,
        "CSPR_PREFECT_PORT": str(free_port()),
        "CSPR_CORPUS_DIR": str(REPO_ROOT / "corpus" / "reviews"),
    }  # fmt: skip
    for name in (
        "CSPR_DATABASE_URL",
        "CSPR_INDEX_DIR",
        "PREFECT_API_URL",
        "CSPR_PREFECT_API_URL",
        "CSPR_APP_URL",
    ):
        env.pop(name, None)
    RUNNING["prefect_api"] = f"http://127.0.0.1:{env['CSPR_PREFECT_PORT']}/api"
    log = (data.parent / "run.log").open("wb")
    RUNNING["run_log"] = str(data.parent / "run.log")
    RUNNING["started_at"] = dt.datetime.now(dt.UTC).isoformat()
    run = subprocess.Popen(
        [sys.executable, "-m", "cspr.cli.main", "run", "--app-port", str(app_port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{app_port}"
    try:
        deadline = time.monotonic() + 600
        while not answers(f"{url}/_stcore/health"):
            assert run.poll() is None, (data.parent / "run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the app did not come up in 10 minutes"
            time.sleep(2)
        RUNNING["app_answered_at"] = dt.datetime.now(dt.UTC).isoformat()
        # the demo users exist once the console says where their password is (the app is up
        # before the demo is seeded beside it), as a person following README would wait
        while "their password:" not in (data.parent / "run.log").read_text():
            assert run.poll() is None, (data.parent / "run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the demo was not seeded in 10 minutes"
            time.sleep(1)
        yield url
    finally:
        run.send_signal(signal.SIGINT)
        try:
            run.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            raise
        log.close()
    text = (data.parent / "run.log").read_text()
    assert "stopped" in text
    assert "their password: the value of CSPR_DEMO_PASSWORD" in text
    _assert_password_in_no_log(data, [data.parent / "run.log", *(data / "logs").glob("*.log")])
    leftovers = subprocess.run(["pgrep", "-f", str(data)], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", "processes left running after Ctrl-C"


def _assert_password_in_no_log(data: Path, logs: list[Path]) -> None:
    """Every demo user signed in with PASSWORD; it may be in no log and not in the database."""
    assert len(logs) >= 4, logs  # the console, the Prefect server, the deployments, the app
    for path in [*logs, *data.glob("cspr.db*")]:
        assert PASSWORD.encode() not in path.read_bytes(), f"the password is in {path}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def page_for(
    browser: object, url: str, username: str, size: tuple[int, int] = (1400, 1000),
    requests: list[str] | None = None,
) -> object:  # fmt: skip
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)  # type: ignore[attr-defined]
    if requests is not None:  # every request the page makes, from its first
        page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.locator("input[aria-label='Username']").fill(username)
    page.locator("input[aria-label='Password']").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=60_000)
    assert PASSWORD not in page.url and "token" not in page.url.lower()  # no secret in a URL
    return page


def accessible(page: object, name: str) -> None:
    """No serious or critical axe-core violation on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5],
         [n.get("failureSummary", "")[:200] for n in v["nodes"]][:2])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]  # fmt: skip
    assert bad == [], f"{name}: {bad}"


def open_page(page: object, title: str) -> None:
    """Go to another page through the sidebar (a reload would start a new, signed-out session)."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()  # type: ignore[attr-defined]
    settle(page)


def wait_for_run(page: object) -> None:
    """Until the script run that an input started has finished (no fixed sleeps: timed)."""
    state = "document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state')"
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # the run may have finished before the first poll
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => {state} === 'running'", polling=10, timeout=5_000)  # type: ignore[attr-defined]
    page.wait_for_function(f"() => {state} === 'notRunning'", polling=10, timeout=120_000)  # type: ignore[attr-defined]


def settle(page: object) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(  # type: ignore[attr-defined]
        timeout=180_000
    )
    # elements of the previous run are faded ("stale") until the new run replaces them
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=120_000
    )
    page.wait_for_timeout(300)  # type: ignore[attr-defined]


def off_the_machine(urls: list[str]) -> list[str]:
    """The URLs of ``urls`` that go to another host (data: and blob: stay in the page)."""
    from urllib.parse import urlsplit

    parts = [urlsplit(url) for url in urls]
    return [
        part.geturl() for part in parts
        if part.scheme not in ("data", "blob") and part.hostname not in LOCAL_HOSTS
    ]  # fmt: skip


def open_anywhere(page: object, title: str) -> None:
    """Through the sidebar, opening it first where a phone's width folds it away."""
    expand = page.locator("[data-testid='stExpandSidebarButton']")  # type: ignore[attr-defined]
    if expand.is_visible():  # a folded sidebar is drawn off-screen, not hidden
        expand.click()
        page.wait_for_timeout(500)  # type: ignore[attr-defined]  # its slide-in
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()  # type: ignore[attr-defined]
    settle(page)


def wait_for_the_demo_library(seconds: float = 900) -> None:
    """Until the flow run embedding the demo library has completed (the app is up before it:
    a Themes page opened earlier would count only the reviews embedded so far)."""
    body = json.dumps({"flow_runs": {"name": {"any_": [DEMO_LIBRARY_RUN]}}}).encode()
    deadline = time.monotonic() + seconds
    states: set[str] = set()
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            f"{RUNNING['prefect_api']}/flow_runs/filter", data=body,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            states = {run["state_type"] for run in json.loads(answer.read())}
        if "COMPLETED" in states:
            return
        assert not states & {"FAILED", "CRASHED", "CANCELLED"}, states
        time.sleep(3)
    raise AssertionError(f"the demo library was not embedded in {seconds:.0f} s: {states}")
