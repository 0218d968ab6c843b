"""Issue 26 in the browser: an admin opens Admin > Import and export, uploads the Northshire
sample tracker (corpus/trackers) as a person would, checks it with nothing saved and reads
each refused row named by its row, reference and column; on a phone the section fits the
screen's width. Only the check is run: the running system's cases stay as they were for the
other browser tests."""

from __future__ import annotations

from tests.conftest import REPO_ROOT
from tests.ui.browser.conftest import (
    BROWSER_MARKS,
    SHOTS,
    SIZES,
    open_anywhere,
    page_for,
    settle,
)
from tests.ui.test_admin_tracker import NORTHSHIRE_REFUSED

pytestmark = BROWSER_MARKS

TRACKER = REPO_ROOT / "corpus" / "trackers" / "northshire-tracker.xlsx"
NORTHSHIRE = "Northshire Safeguarding Children Partnership"
CHECKED = "Checked northshire-tracker.xlsx: 40 cases, 34 can be imported and 6 refused."
#: The page's width against what it would need: a page that scrolls sideways overflows.
_OVERFLOW = """() => [document.documentElement, document.querySelector("[data-testid='stMain']")]
    .filter(Boolean).map(el => el.scrollWidth - el.clientWidth)"""


def _open_section(page: object, size: str) -> None:
    open_anywhere(page, "Admin")
    fold = page.locator("[data-testid='stSidebarCollapseButton'] button")  # type: ignore[attr-defined]
    if size == "phone" and fold.is_visible():  # on a phone the open sidebar covers the page
        fold.click()
        page.wait_for_timeout(500)  # type: ignore[attr-defined]  # its slide-out
    page.get_by_role("tab", name="Import and export").click()  # type: ignore[attr-defined]
    settle(page)


def _check(page: object) -> str:
    """Upload the sample, choose Northshire, check it; the section's text once checked."""
    uploader = page.locator(".st-key-tracker_file")  # type: ignore[attr-defined]
    uploader.locator("input[type='file']").set_input_files(str(TRACKER))
    # the chip shows the name shortened ("norths...racker.xlsx"), its title in full
    chip = uploader.locator(f"[data-testid='stFileChipName'][title='{TRACKER.name}']")
    chip.wait_for(timeout=60_000)
    assert uploader.locator("[data-testid='stFileChipIconError']").count() == 0
    page.locator(".st-key-tracker_partnership input").click()  # type: ignore[attr-defined]
    page.get_by_role("option", name=NORTHSHIRE, exact=True).click()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Check the file (nothing is saved)").click()  # type: ignore[attr-defined]
    settle(page)
    page.get_by_text(CHECKED).first.wait_for(timeout=180_000)  # type: ignore[attr-defined]
    return str(page.locator("[data-testid='stMain']").inner_text())  # type: ignore[attr-defined]


def _overflow(page: object) -> list[int]:
    return list(page.evaluate(_OVERFLOW))  # type: ignore[attr-defined]


def test_an_admin_checks_a_tracker_and_reads_the_refused_rows(system: str, browser: object) -> None:
    page = page_for(browser, system, "admin", SIZES["desktop"])
    settle(page)
    _open_section(page, "desktop")
    shown = _check(page)

    assert "Nothing was saved." in shown
    for row, column in NORTHSHIRE_REFUSED:
        assert f"Row {row} (NSH-" in shown and f"column \u201c{column}\u201d" in shown, row
    assert "Columns not read: RAG." in shown
    # the report's table (the other tabs' tables are hidden)
    page.locator("[data-testid='stDataFrame']:visible").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
    # the screenshot: the choice to skip, the buttons, the outcome and the refused rows
    page.locator(".st-key-tracker_skip_bad").evaluate(  # type: ignore[attr-defined]
        "box => box.scrollIntoView({block: 'start'})"
    )
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / "admin-tracker-import.png"))  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]


def test_on_a_phone_the_section_fits_the_screen(system: str, browser: object) -> None:
    page = page_for(browser, system, "admin", SIZES["phone"])
    settle(page)
    _open_section(page, "phone")
    assert page.get_by_role("button", name="Check the file (nothing is saved)").is_visible()  # type: ignore[attr-defined]
    assert max(_overflow(page)) <= 0, _overflow(page)

    shown = _check(page)

    assert f"Row {NORTHSHIRE_REFUSED[0][0]} (NSH-" in shown
    assert max(_overflow(page)) <= 0, _overflow(page)  # the report too: the table scrolls itself
    page.close()  # type: ignore[attr-defined]
