"""Every demo role signed in, the daily work done through the pages, an axe-core check of every
page, and screenshots (docs/screenshots, shown in README). Timings are printed, never asserted:
speed is measured in `make bench`."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.ui.browser.conftest import (
    BROWSER_MARKS,
    PASSWORD,
    SHOTS,
    accessible,
    open_page,
    page_for,
    settle,
    wait_for_run,
    wait_for_the_demo_library,
)

pytestmark = BROWSER_MARKS


def test_panel_member_works_the_deadlines_and_a_case(system: str, browser: object) -> None:
    page = page_for(browser, system, "panel-northshire")
    started = time.perf_counter()
    page.get_by_role("heading", name="Deadlines").wait_for()
    settle(page)
    print(f"\nDeadlines rendered in {time.perf_counter() - started:.2f} s after sign-in")
    body = page.inner_text("body")
    assert "Northshire" in body and "Cwm Tawel" not in body and "Westmere Safeguarding" not in body
    page.screenshot(path=str(SHOTS / "deadlines.png"), full_page=True)
    accessible(page, "deadlines")
    open_page(page, "Case")
    settle(page)
    page.get_by_role("heading", name="Record the next event").wait_for(timeout=60_000)
    accessible(page, "case")
    page.get_by_role("button", name="Prepare the rapid review draft").click()
    settle(page)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download the rapid review draft (.docx)").click()
    assert download.value.suggested_filename.endswith(".docx")
    page.get_by_role("button", name="Record event").click()
    # wait for the outcome itself: on a slow machine the run may start after any fixed pause
    page.get_by_text(re.compile("Recorded #|Not recorded:")).first.wait_for(timeout=120_000)
    settle(page)
    page.screenshot(path=str(SHOTS / "case.png"), full_page=True)


def test_reviewer_searches_and_finds_similar_cases(system: str, browser: object) -> None:
    wait_for_the_demo_library()  # the app is up before the demo library is embedded
    page = page_for(browser, system, "reviewer")
    page.get_by_role("heading", name="Search").first.wait_for()
    settle(page)
    box = page.locator("input[aria-label='Search findings, recommendations and passages']")
    box.fill("information sharing between health visitor and social care")
    box.press("Enter")
    settle(page)
    box.fill("bruising in a non-mobile baby")
    started = time.perf_counter()
    box.press("Enter")
    wait_for_run(page)
    print(f"\nwarm search answered in the browser in {time.perf_counter() - started:.2f} s")
    settle(page)
    assert "page " in page.inner_text("body").lower()
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)
    accessible(page, "search")
    open_page(page, "Similar cases")
    page.locator("textarea[aria-label='Case précis']").fill(
        "A baby of seven weeks was taken to hospital with bruising; the mother's new partner "
        "had moved in and health visitors had not shared their worries with social care."
    )
    page.get_by_role("button", name="Find similar reviews").click()
    settle(page)
    accessible(page, "similar")


@pytest.mark.parametrize(("username", "landing"), [("analyst", "Themes"), ("admin", "Admin")])
def test_analyst_and_admin_land_on_their_pages(
    system: str, browser: object, username: str, landing: str
) -> None:
    if username == "analyst":
        wait_for_the_demo_library()  # themes are counted over the whole library
    page = page_for(browser, system, username)
    page.get_by_role("heading", name=landing).first.wait_for(timeout=120_000)
    settle(page)
    if username == "analyst":
        page.get_by_role("heading", name="Share of all reviews").wait_for(timeout=180_000)
        page.screenshot(path=str(SHOTS / "themes.png"), full_page=True)
        assert "NSH-" not in page.inner_text("body")  # no case details for analysts
    else:
        page.screenshot(path=str(SHOTS / "admin.png"))  # the admin's first screen
    accessible(page, landing.lower())
    open_page(page, "Inbox")
    settle(page)
    accessible(page, "inbox")


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
