"""Issue 23, item 4 in the browser: the pages a panel member opens name no command and show no
stored code where a label belongs; the calendar address made on the Deadlines page is served
by the running system, as a calendar, to a client with no session (a calendar app)."""

from __future__ import annotations

import re
import urllib.request

from tests.ui.browser.conftest import BROWSER_MARKS, open_anywhere, page_for, settle
from tests.ui.test_app_words import COMMAND, RAW_CODE

pytestmark = BROWSER_MARKS
ADDRESS = re.compile(r"http://127\.0\.0\.1:\d+/feeds/[A-Za-z0-9_-]{40,}\.ics")


def test_pages_say_what_to_do_in_the_app_and_the_calendar_address_answers(
    system: str, browser: object
) -> None:
    page = page_for(browser, system, "panel-northshire", (1280, 800))
    settle(page)
    for title in ("Case", "Similar cases", "Search", "Library", "Inbox", "Deadlines"):
        open_anywhere(page, title)
        shown = page.inner_text("body")  # type: ignore[attr-defined]
        assert COMMAND.findall(shown) == [], title
        assert RAW_CODE.findall(shown) == [], title
    page.get_by_role("button", name="Make my calendar address").click()  # type: ignore[attr-defined]
    settle(page)
    code = page.locator("[data-testid='stCode']").first.inner_text()  # type: ignore[attr-defined]
    [address] = ADDRESS.findall(code)
    with urllib.request.urlopen(address, timeout=30) as answer:  # noqa: S310 - loopback
        assert answer.headers["Content-Type"].startswith("text/calendar")
        body = answer.read().decode()
    assert body.startswith("BEGIN:VCALENDAR") and "NSH-DEMO-" in body and "CWT-DEMO" not in body
    page.get_by_role("button", name="Stop my calendar address").click()  # type: ignore[attr-defined]
    settle(page)
    try:
        urllib.request.urlopen(address, timeout=30)  # noqa: S310 - loopback
    except urllib.error.HTTPError as gone:
        assert gone.code == 404
    else:
        raise AssertionError("a stopped address still answers")
    page.close()  # type: ignore[attr-defined]
