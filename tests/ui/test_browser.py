"""The running system in headless Chromium: `cspr run` (as `make run` does) on a scratch data
folder, every demo role signed in, the daily work done through the pages, an axe-core check of
every page, and screenshots (docs/screenshots, shown in README).

Timings of the Deadlines page and a warm search are printed (never asserted: speed is measured
in `make bench`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.loopback import answers, free_port
from tests.conftest import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "demo-password-for-tests"
SHOTS = REPO_ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium: scripts/ensure-chromium"
    ),
]


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`cspr run` on a scratch data folder; yields the app's URL; Ctrl-C stops it all."""
    data = tmp_path_factory.mktemp("system") / "data"
    app_port = free_port()
    env = {
        **os.environ, "CSPR_DATA_DIR": str(data), "CSPR_DEMO_PASSWORD": PASSWORD,
        "CSPR_PREFECT_PORT": str(free_port()),
        "CSPR_CORPUS_DIR": str(REPO_ROOT / "corpus" / "reviews"),
    }  # fmt: skip
    for name in ("CSPR_DATABASE_URL", "CSPR_INDEX_DIR", "PREFECT_API_URL", "CSPR_PREFECT_API_URL"):
        env.pop(name, None)
    log = (data.parent / "run.log").open("wb")
    run = subprocess.Popen(
        [sys.executable, "-m", "review_flows.cli.main", "run", "--app-port", str(app_port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{app_port}"
    try:
        deadline = time.monotonic() + 600
        while not answers(f"{url}/_stcore/health"):
            assert run.poll() is None, (data.parent / "run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the app did not come up in 10 minutes"
            time.sleep(2)
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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser: object, url: str, username: str) -> object:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)  # type: ignore[attr-defined]
    page.goto(url)
    page.locator("input[aria-label='Username']").fill(username)
    page.locator("input[aria-label='Password']").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=60_000)
    assert PASSWORD not in page.url and "token" not in page.url.lower()  # no secret in a URL
    return page


def _accessible(page: object, name: str) -> None:
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


def _open(page: object, title: str) -> None:
    """Go to another page through the sidebar (a reload would start a new, signed-out session)."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()  # type: ignore[attr-defined]
    _settle(page)


def _wait_for_run(page: object) -> None:
    """Until the script run that an input started has finished (no fixed sleeps: timed)."""
    state = "document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state')"
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # the run may have finished before the first poll
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => {state} === 'running'", polling=10, timeout=5_000)  # type: ignore[attr-defined]
    page.wait_for_function(f"() => {state} === 'notRunning'", polling=10, timeout=120_000)  # type: ignore[attr-defined]


def _settle(page: object) -> None:
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


def test_panel_member_works_the_deadlines_and_a_case(system: str, browser: object) -> None:
    page = _page(browser, system, "panel-northshire")
    started = time.perf_counter()
    page.get_by_role("heading", name="Deadlines").wait_for()
    _settle(page)
    print(f"\nDeadlines rendered in {time.perf_counter() - started:.2f} s after sign-in")
    body = page.inner_text("body")
    assert "Northshire" in body and "Cwm Tawel" not in body and "Westmere Safeguarding" not in body
    page.screenshot(path=str(SHOTS / "deadlines.png"), full_page=True)
    _accessible(page, "deadlines")
    _open(page, "Case")
    _settle(page)
    page.get_by_role("heading", name="Record the next event").wait_for(timeout=60_000)
    _accessible(page, "case")
    page.get_by_role("button", name="Prepare the rapid review draft").click()
    _settle(page)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download the rapid review draft (.docx)").click()
    assert download.value.suggested_filename.endswith(".docx")
    page.get_by_role("button", name="Record event").click()
    # wait for the outcome itself: on a slow machine the run may start after any fixed pause
    page.get_by_text(re.compile("Recorded #|Not recorded:")).first.wait_for(timeout=120_000)
    _settle(page)
    page.screenshot(path=str(SHOTS / "case.png"), full_page=True)


def test_reviewer_searches_and_finds_similar_cases(system: str, browser: object) -> None:
    page = _page(browser, system, "reviewer")
    page.get_by_role("heading", name="Search").first.wait_for()
    _settle(page)
    box = page.locator("input[aria-label='Search findings, recommendations and passages']")
    box.fill("information sharing between health visitor and social care")
    box.press("Enter")
    _settle(page)
    box.fill("bruising in a non-mobile baby")
    started = time.perf_counter()
    box.press("Enter")
    _wait_for_run(page)
    print(f"\nwarm search answered in the browser in {time.perf_counter() - started:.2f} s")
    _settle(page)
    assert "page " in page.inner_text("body").lower()
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)
    _accessible(page, "search")
    _open(page, "Similar cases")
    page.locator("textarea[aria-label='Case précis']").fill(
        "A baby of seven weeks was taken to hospital with bruising; the mother's new partner "
        "had moved in and health visitors had not shared their worries with social care."
    )
    page.get_by_role("button", name="Find similar reviews").click()
    _settle(page)
    _accessible(page, "similar")


@pytest.mark.parametrize(("username", "landing"), [("analyst", "Themes"), ("admin", "Admin")])
def test_analyst_and_admin_land_on_their_pages(
    system: str, browser: object, username: str, landing: str
) -> None:
    page = _page(browser, system, username)
    page.get_by_role("heading", name=landing).first.wait_for(timeout=120_000)
    _settle(page)
    if username == "analyst":
        page.get_by_role("heading", name="By year of publication").wait_for(timeout=180_000)
        page.screenshot(path=str(SHOTS / "themes.png"), full_page=True)
        assert "NSH-" not in page.inner_text("body")  # no case details for analysts
    _accessible(page, landing.lower())
    _open(page, "Inbox")
    _settle(page)
    _accessible(page, "inbox")


def test_three_users_at_once_over_the_websocket(system: str) -> None:
    """The load benchmark's virtual users (Streamlit's own protocol, no browser), small: every
    step of a visit runs for three users at once without an error. Timing is `make bench`'s."""
    from benchmarks.bench_load import ACTIONS, LoadConfig, load_table, run_load, summarise

    config = LoadConfig(users=3, seconds=10, alone_seconds=3, max_actions=500,
                        think_seconds=0.2, password=PASSWORD)  # fmt: skip
    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(run_load, system, config).result(timeout=900)
    errors = [sample.error for sample in (*result.alone, *result.together) if sample.error]
    assert errors == []
    assert {sample.action for sample in result.together} == set(ACTIONS)
    for action in ACTIONS:
        summary = summarise([s for s in result.together if s.action == action])
        assert 0 < summary.p50_ms <= summary.p95_ms <= summary.p99_ms
    assert [row[0] for row in load_table(result).rows] == [*ACTIONS, "**all steps**"]
