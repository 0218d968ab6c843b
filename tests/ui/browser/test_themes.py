"""Issue 23, item 7 in the browser: the analyst's Themes page in rates, at laptop and phone size.

The charts are drawn by Vega on a canvas, so "the bars are visible" is checked on pixels: the
chart's box lies inside the viewport with room for bars, and its screenshot holds a good number
of pixels of the bars' colours (ui/theme_charts.py), not only background and text.
"""

from __future__ import annotations

import io

import pytest

from tests.ui.browser.conftest import (
    BROWSER_MARKS,
    SHOTS,
    SIZES,
    page_for,
    settle,
    wait_for_the_demo_library,
)  # fmt: skip
from ui.theme_charts import BAR, PALE

pytestmark = BROWSER_MARKS

CHART = "[data-testid='stVegaLiteChart']"


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _near(pixel: tuple[int, ...], target: tuple[int, ...], tolerance: int) -> bool:
    return all(abs(have - want) <= tolerance for have, want in zip(pixel, target, strict=True))


def _bar_pixels(png: bytes) -> int:
    """Pixels of ``png`` of the bars' colour or their pale fill (a bar on few reviews); the
    pale fill is close to white, so it is matched tightly."""
    from PIL import Image

    bar, pale = _rgb(BAR), _rgb(PALE)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for pixel in image.getdata() if _near(pixel, bar, 24) or _near(pixel, pale, 8))


def _assert_bars_drawn(page: object, width: int, fewest: int) -> None:
    """The first chart on the page fits the viewport's width and shows its bars."""
    chart = page.locator(CHART).first  # type: ignore[attr-defined]
    chart.wait_for(timeout=120_000)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # type: ignore[attr-defined]  # Vega draws after layout
    box = chart.bounding_box()
    assert box is not None and box["width"] > 0.8 * min(width, 700) and box["height"] > 150, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    shot = chart.screenshot()
    drawn = _bar_pixels(shot)
    assert drawn >= fewest, f"only {drawn} pixels of the bars' colour: no visible bars"


def _show(page: object, section: str) -> None:
    page.locator("[data-testid='stRadio'] label", has_text=section).first.click()  # type: ignore[attr-defined]
    settle(page)


@pytest.mark.parametrize("size", SIZES)
def test_the_analyst_sees_shares_with_intervals_flags_and_bars(
    system: str, browser: object, size: str
) -> None:
    """Each theme's share with its interval, in bars a phone shows; shares over time with the
    flag; changes in percentage points; a ranked co-occurrence table; recurring
    recommendations headed by their words."""
    width, _ = SIZES[size]
    wait_for_the_demo_library()
    page = page_for(browser, system, "analyst", SIZES[size])
    page.get_by_role("heading", name="Share of all reviews").wait_for(timeout=180_000)  # type: ignore[attr-defined]
    settle(page)
    page.screenshot(path=str(SHOTS / f"themes-{size}.png"))  # type: ignore[attr-defined]
    _assert_bars_drawn(page, width, fewest=2_000)
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert "with 95% intervals" in body and "Pale bars: fewer than 5 reviews" in body

    _show(page, "Share over time")
    _assert_bars_drawn(page, width, fewest=1_000)
    page.screenshot(path=str(SHOTS / f"themes-over-time-{size}.png"))  # type: ignore[attr-defined]
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert "rest on fewer than 5 reviews (pale bars)" in body  # most years have 2-4 reviews

    _show(page, "Rising and new")
    assert "The change is in percentage points (pp)" in page.inner_text("body")  # type: ignore[attr-defined]

    _show(page, "Co-occurrence")
    table = page.locator("[data-testid='stTable']").first  # type: ignore[attr-defined]
    box = table.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width + 1, box
    text = table.inner_text()
    assert "Lift" in text and "Reviews with all" in text and " + " in text
    assert "fewer than 5 reviews" in page.inner_text("body")  # type: ignore[attr-defined]

    _show(page, "Recurring recommendations")
    headings = page.locator("[data-testid='stExpander'] summary").all_inner_texts()  # type: ignore[attr-defined]
    assert headings and all("\u201c" in heading and " times in " in heading for heading in headings)
    page.close()  # type: ignore[attr-defined]
