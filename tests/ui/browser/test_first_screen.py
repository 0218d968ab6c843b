"""Issue 23 in the browser: what each user meets first, at laptop and phone size."""

from __future__ import annotations

import re
import time

import pytest

from tests.ui.browser.conftest import (
    BROWSER_MARKS,
    RUNNING,
    SHOTS,
    SIZES,
    off_the_machine,
    open_anywhere,
    page_for,
    settle,
)

pytestmark = BROWSER_MARKS


@pytest.mark.parametrize("size", SIZES)
def test_the_panel_members_first_screen_shows_what_is_due_and_nothing_calls_out(
    system: str, browser: object, size: str
) -> None:
    """Issue 23, items 1 and 9: at 1280x800 and 390x844 the Deadlines first screen shows the
    due date, the working days and the status; no page asks anything of another host (an
    icon font from fonts.gstatic.com, usage statistics): sign-in, then every page."""
    requests: list[str] = []
    page = page_for(browser, system, "panel-northshire", SIZES[size], requests)
    page.get_by_role("heading", name="Deadlines").wait_for()
    settle(page)
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
        open_anywhere(page, title)
    assert "next scheduled run" in page.inner_text("body")  # the Inbox
    assert any("127.0.0.1" in url for url in requests)
    assert off_the_machine(requests) == []
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
