"""Issue 23, item 10 in the browser: the first start is usable before the demo library has
finished embedding, and each page's first render by a new browser session is printed.

The time from `cspr run` to the app answering, and each page's first render in a new app
process, are measured side by side with the code before the change by
``python -m benchmarks start_up`` (benchmarks/bench_start_up.py); here the same `cspr run` as
the other browser tests is used, so a page may already have been opened by an earlier test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.request
from pathlib import Path

from tests.ui.browser.conftest import (
    BROWSER_MARKS,
    RUNNING,
    SIZES,
    open_anywhere,
    page_for,
    settle,
)

pytestmark = BROWSER_MARKS

#: The admin's pages after the one they land on (Admin), in the sidebar's order.
PAGES = ("Deadlines", "Case", "Search", "Similar cases", "Themes", "Library", "Inbox")
DEMO_LIBRARY = "The demo library (the published reviews the demo comes with)"


def _demo_library_run() -> dict[str, object] | None:
    """The demo library's flow run; None until there is one (or the server answers)."""
    body = json.dumps({"flow_runs": {"name": {"any_": ["demo library"]}}}).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{RUNNING['prefect_api']}/flow_runs/filter", data=body,
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            runs = json.loads(answer.read())
    except OSError:  # the Prefect server is still starting: the app does not wait for it
        return None
    return runs[0] if runs else None


def _wait_for_console(line: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while line not in Path(RUNNING["run_log"]).read_text():
        assert time.monotonic() < deadline, f"`cspr run` never said {line!r}"
        time.sleep(0.5)


def _wait_until_drawn(page: object, title: str) -> None:
    """Until the page titled ``title`` shows, its script run has ended and nothing of the page
    before is left (polled every 10 ms; no fixed wait, so the time is the page's)."""
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=120_000)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector('[data-testid=stApp]')"
        ".getAttribute('data-test-script-state') === 'notRunning'"
        " && document.querySelectorAll('[data-stale=\"true\"]').length === 0",
        polling=10, timeout=120_000,
    )  # fmt: skip


def _when(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def test_the_app_answers_before_the_demo_library_is_embedded(system: str, browser: object) -> None:
    """The demo library is a flow run started after the app: it ended (if it has) after the
    app first answered, the console says the app's address before it, and the Library page
    says how far it has got, from what the run records."""
    deadline = time.monotonic() + 300  # cspr run asks for it once the deployments are served
    while (run := _demo_library_run()) is None:
        assert time.monotonic() < deadline, "no demo library flow run"
        time.sleep(2)
    answered = dt.datetime.fromisoformat(RUNNING["app_answered_at"])
    ended = _when(run.get("end_time"))
    assert ended is None or ended > answered, (run.get("state_type"), ended, answered)
    console = Path(RUNNING["run_log"]).read_text()
    assert console.index("Workbench app: http://") < console.index("demo library: ")

    _wait_for_console("their password:")
    page = page_for(browser, system, "reviewer", SIZES["desktop"])
    open_anywhere(page, "Library")
    text = page.inner_text("body")  # type: ignore[attr-defined]
    shown = re.search(
        rf"{re.escape(DEMO_LIBRARY)}: (\d+ of \d+ documents done|counting its documents); "
        r"(waiting to start|starting|under way|finished)\.",
        text,
    )
    assert shown, text[:2000]
    started = dt.datetime.fromisoformat(RUNNING["started_at"])
    library = (
        f"ended {(ended - started).total_seconds():.0f} s after it" if ended else "not ended yet"
    )
    print(  # noqa: T201 - the figures are the point
        f"\napp answered {(answered - started).total_seconds():.0f} s after `cspr run`; the "
        f"demo library run ({run.get('state_type')}) {library}"
    )
    page.close()  # type: ignore[attr-defined]


def test_each_pages_first_render_in_a_new_session_is_printed(system: str, browser: object) -> None:
    """The admin opens every page once, from the sidebar: from the click to the end of the
    script run, as the browser saw it. They sign in once the console says where the demo
    users' password is, as a person does (the demo is seeded while the app starts)."""
    _wait_for_console("their password:")
    page = page_for(browser, system, "admin", SIZES["desktop"])
    page.get_by_role("heading", name="Admin").wait_for()  # type: ignore[attr-defined]
    settle(page)
    seconds = {}
    for title in PAGES:
        started = time.perf_counter()
        page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()  # type: ignore[attr-defined]
        _wait_until_drawn(page, title)
        seconds[title] = time.perf_counter() - started
    lines = "\n".join(f"| {title} | {spent:.2f} |" for title, spent in seconds.items())
    print(f"\n| page (admin, first open in this session) | seconds |\n| --- | --- |\n{lines}")  # noqa: T201
    assert len(seconds) == len(PAGES)
    page.close()  # type: ignore[attr-defined]
