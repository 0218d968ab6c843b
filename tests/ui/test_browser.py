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

#: What the running system's fixture started: the Prefect API's address.
RUNNING: dict[str, str] = {}
#: The hosts a page may ask anything of: the machine itself (issue 23: nothing leaves it).
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}

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
    RUNNING["prefect_api"] = f"http://127.0.0.1:{env['CSPR_PREFECT_PORT']}/api"
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


def _page(
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


def _off_the_machine(urls: list[str]) -> list[str]:
    """The URLs of ``urls`` that go to another host (data: and blob: stay in the page)."""
    from urllib.parse import urlsplit

    parts = [urlsplit(url) for url in urls]
    return [
        part.geturl() for part in parts
        if part.scheme not in ("data", "blob") and part.hostname not in LOCAL_HOSTS
    ]  # fmt: skip


def _open_anywhere(page: object, title: str) -> None:
    """Through the sidebar, opening it first where a phone's width folds it away."""
    expand = page.locator("[data-testid='stExpandSidebarButton']")  # type: ignore[attr-defined]
    if expand.is_visible():  # a folded sidebar is drawn off-screen, not hidden
        expand.click()
        page.wait_for_timeout(500)  # type: ignore[attr-defined]  # its slide-in
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()  # type: ignore[attr-defined]
    _settle(page)


@pytest.mark.parametrize("size", SIZES)
def test_the_panel_members_first_screen_shows_what_is_due_and_nothing_calls_out(
    system: str, browser: object, size: str
) -> None:
    """Issue 23, items 1 and 9: at 1280x800 and 390x844 the Deadlines first screen shows the
    due date, the working days and the status; no page asks anything of another host (an
    icon font from fonts.gstatic.com, usage statistics): sign-in, then every page."""
    requests: list[str] = []
    page = _page(browser, system, "panel-northshire", SIZES[size], requests)
    page.get_by_role("heading", name="Deadlines").wait_for()
    _settle(page)
    page.screenshot(path=str(SHOTS / f"deadlines-{size}.png"))  # the first screen only
    width, height = SIZES[size]
    if size == "desktop":
        table = page.locator(".st-key-deadlines_table [data-testid='stDataFrame']")
        box = table.bounding_box()
        # Reference, Next milestone, Due, Working days and Status (ui/pages/deadlines.py)
        assert box is not None and box["x"] + 120 + 230 + 105 + 165 + 165 <= width
        assert box["y"] < height / 2  # the table starts in the top half of the first screen
        assert not page.locator(".st-key-deadlines_cards").is_visible()
    else:
        assert not page.locator(".st-key-deadlines_table").is_visible()
        first = page.locator(".st-key-deadline_card_0")
        box = first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height and box["width"] <= width
        text = first.inner_text()
        assert re.search(r"working days? (late|left)|due today", text), text
        assert re.search(r"[▲△◆●○□■✓–] [A-Z]", text), text  # a shape and the status words
    for title in ("Case", "Similar cases", "Search", "Library", "Inbox"):
        _open_anywhere(page, title)
    assert "next scheduled run" in page.inner_text("body")  # the Inbox
    assert any("127.0.0.1" in url for url in requests)
    assert _off_the_machine(requests) == []
    page.close()  # type: ignore[attr-defined]


def test_the_start_up_sweep_ran_without_waiting_for_its_schedule(system: str) -> None:
    """Issue 23, item 3: `cspr run` asks Prefect for a sweep as soon as it serves the
    deployments; it completes (the late demo cases get their reminders) long before 07:00."""
    import json
    import urllib.request

    body = json.dumps({"flow_runs": {"name": {"any_": ["start-up catch-up"]}}}).encode()
    deadline = time.monotonic() + 300
    states: set[str] = set()
    while time.monotonic() < deadline and "COMPLETED" not in states:
        request = urllib.request.Request(
            f"{RUNNING['prefect_api']}/flow_runs/filter", data=body,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            runs = json.loads(answer.read())
        states = {run["state_type"] for run in runs}
        time.sleep(3)
    assert states == {"COMPLETED"}, states
