"""Issue 23, item 2 in the browser: a reload keeps a signed-in user where they were; the app's
own link to a case, opened signed out, shows the sign-in form and then that case; sign-out ends
the session on the server, so a reload afterwards asks to sign in again."""

from __future__ import annotations

import pytest

from tests.ui.browser.conftest import (
    BROWSER_MARKS,
    PASSWORD,
    SHOTS,
    SIZES,
    open_anywhere,
    page_for,
    settle,
)

pytestmark = BROWSER_MARKS
CASE = "NSH-DEMO-004"


def _cookie_set(page: object) -> None:
    """Until the signed-in page has handed its token over and the cookie is in the jar."""
    context = page.context  # type: ignore[attr-defined]
    for _ in range(100):
        if any(c["name"] == "cspr_session" for c in context.cookies()):
            return
        page.wait_for_timeout(100)  # type: ignore[attr-defined]
    raise AssertionError("no session cookie was set after sign-in")


@pytest.mark.parametrize("size", SIZES)
def test_a_reload_keeps_the_user_signed_in_where_they_were(
    system: str, browser: object, size: str
) -> None:
    page = page_for(browser, system, "panel-northshire", SIZES[size])
    settle(page)
    _cookie_set(page)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "cspr_session"]  # type: ignore[attr-defined]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    open_anywhere(page, "Inbox")
    page.reload()  # type: ignore[attr-defined]
    page.get_by_text("Signed in as").first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
    settle(page)
    assert page.url.rstrip("/").endswith("/inbox")  # type: ignore[attr-defined]
    assert page.get_by_role("heading", name="Inbox").first.is_visible()  # type: ignore[attr-defined]
    assert not page.locator("input[aria-label='Password']").count()  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]


def test_a_link_to_a_case_opens_it_after_sign_in_and_sign_out_ends_the_session(
    system: str, browser: object
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page.goto(f"{system}/case?ref={CASE}")
    page.locator("input[aria-label='Username']").fill("panel-northshire")
    page.locator("input[aria-label='Password']").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=f"Case {CASE}").wait_for(timeout=60_000)
    settle(page)
    assert "page not found" not in page.inner_text("body").lower()
    page.screenshot(path=str(SHOTS / "deep-link-case.png"))
    _cookie_set(page)

    page.goto(f"{system}/case?ref=NSH-DEMO-002")  # a colleague's link, already signed in
    page.get_by_role("heading", name="Case NSH-DEMO-002").wait_for(timeout=60_000)

    page.get_by_role("button", name="Sign out").click()
    page.locator("input[aria-label='Password']").wait_for(timeout=60_000)
    page.wait_for_timeout(1_000)  # the background request that clears the cookie
    page.reload()
    page.locator("input[aria-label='Password']").wait_for(timeout=60_000)
    assert not page.get_by_text("Signed in as").count()
    page.close()
