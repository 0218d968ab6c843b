"""Issue 23, item 8 in the browser: no page draws an emoji (an empty box where no emoji font is
installed, as in this headless Chromium); after the admin sends a form the section they used
stays open; the Inbox and Case pages show labels, not stored codes."""

from __future__ import annotations

from streamlit.emojis import ALL_EMOJIS

from tests.ui.browser.conftest import BROWSER_MARKS, SIZES, open_anywhere, page_for, settle
from tests.ui.test_app_words import RAW_CODE

pytestmark = BROWSER_MARKS
SHAPES = set("▲△◆●○□■✓–")
#: Streamlit's single-character emoji drawn as pictures (above U+1F000, and the common ones
#: below it): what shows as an empty box where no emoji font is installed.
EMOJI = {
    emoji for emoji in ALL_EMOJIS
    if len(emoji) == 1 and (ord(emoji) >= 0x1F000 or emoji in "✅❌⚠⏰⌛⭐❗❓⛔")
} - SHAPES  # fmt: skip


def _emoji_in(text: str) -> list[str]:
    return sorted({char for char in text if char in EMOJI})


def test_no_page_draws_an_emoji_on_a_phone(system: str, browser: object) -> None:
    page = page_for(browser, system, "panel-northshire", SIZES["phone"])
    settle(page)
    for title in ("Deadlines", "Case", "Similar cases", "Search", "Library", "Inbox"):
        open_anywhere(page, title)
        shown = page.inner_text("body")  # type: ignore[attr-defined]
        assert _emoji_in(shown) == [], title
        if title in ("Case", "Inbox"):
            assert RAW_CODE.findall(shown) == [], title
    page.close()  # type: ignore[attr-defined]


def test_the_admins_section_stays_open_after_a_form(system: str, browser: object) -> None:
    page = page_for(browser, system, "admin", SIZES["desktop"])
    settle(page)
    page.get_by_role("tab", name="Audit").click()  # type: ignore[attr-defined]
    settle(page)
    page.get_by_role("button", name="Verify the event log").click()  # type: ignore[attr-defined]
    settle(page)
    selected = page.locator("[role='tab'][aria-selected='true']").inner_text()  # type: ignore[attr-defined]
    assert selected.strip() == "Audit"
    assert page.get_by_role("button", name="Verify the event log").is_visible()  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]
