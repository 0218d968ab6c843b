"""The national picture as a chart image (PNG) for a report: a panel per theme, a bar per
group (year, nation or area) with its 95% interval, pale where it rests on few reviews.

Drawn with Pillow, which the workbench already has (reportlab and Streamlit both need it):
the page's Altair charts need a browser or vl-convert to become an image, and reportlab's
PNG renderer needs a C extension that is not installed. Text uses Pillow's bundled font, so
the image is the same on every machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from learning.themes.national_picture import NationalPicture
from learning.themes.national_rates import BY, Comparison, GroupRate
from learning.themes.rates import FEW_NOTE
from learning.themes.views import group_label

BAR = (47, 106, 163)
PALE = (207, 224, 241)
INK = (27, 27, 27)
GRID = (220, 220, 220)
PANEL_HEIGHT = 190
PLOT_HEIGHT = 120
LEFT = 56
RIGHT = 24
TOP = 64
FOOT = 48
#: Themes drawn when none are chosen: the most often found.
TOP_THEMES = 6


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, font: object) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:  # type: ignore[arg-type]
        return text
    while text and draw.textlength(f"{text}\u2026", font=font) > width:  # type: ignore[arg-type]
        text = text[:-1]
    return f"{text}\u2026"


def chart_themes(picture: NationalPicture, top: int = TOP_THEMES) -> list[str]:
    """The ``top`` themes found in most reviews, most first (ties by the taxonomy's order)."""
    totals: dict[str, int] = {}
    for item in picture.rates:
        totals[item.theme_id] = totals.get(item.theme_id, 0) + item.rate.count
    order = list(picture.labels)
    found = [theme for theme in order if totals.get(theme)]
    return sorted(found, key=lambda theme: (-totals[theme], order.index(theme)))[:top]


def rates_chart_png(picture: NationalPicture, theme_ids: Sequence[str] | None = None) -> bytes:
    """The chart as PNG bytes; ``theme_ids`` default to :func:`chart_themes`.

    Raises :class:`ValueError` when there is nothing to draw (no review, or no theme found).
    """
    themes = list(theme_ids) if theme_ids is not None else chart_themes(picture)
    if not themes or not picture.rates:
        raise ValueError("no theme is found in the reviews: there is nothing to draw")
    groups = list(dict.fromkeys(item.group for item in picture.rates))
    slot = 64 if picture.by == "year" else 104
    width = max(720, LEFT + RIGHT + slot * len(groups))
    height = TOP + PANEL_HEIGHT * len(themes) + FOOT
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title = f"Share of published reviews with each theme, by {BY[picture.by].lower()}"
    draw.text((LEFT, 16), title, fill=INK, font=_font(18))
    draw.text(
        (LEFT, 40),
        f"{picture.total_reviews} reviews in the library. Bars: share; lines: 95% interval "
        f"(Wilson); pale bars: {FEW_NOTE}.",
        fill=INK, font=_font(13),
    )  # fmt: skip
    by_key = {(item.group, item.theme_id): item for item in picture.rates}
    for place, theme in enumerate(themes):
        items = [by_key[(group, theme)] for group in groups if (group, theme) in by_key]
        _panel(draw, TOP + place * PANEL_HEIGHT, picture.labels.get(theme, theme), items, slot)
    draw.text(
        (LEFT, height - 30),
        "Source: the workbench's library of published case reviews, themes tagged from "
        "their text.",
        fill=INK, font=_font(12),
    )  # fmt: skip
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _panel(
    draw: ImageDraw.ImageDraw, top: int, label: str, items: list[GroupRate], slot: int
) -> None:
    small = _font(12)
    draw.text((LEFT, top + 4), _fit(draw, label, 900, _font(15)), fill=INK, font=_font(15))
    base = top + 42 + PLOT_HEIGHT  # the 0% line

    def y_of(share: float) -> float:
        return base - share * PLOT_HEIGHT

    right = LEFT + slot * len(items)
    for share in (0.0, 0.5, 1.0):
        draw.line([(LEFT, y_of(share)), (right, y_of(share))], fill=GRID, width=1)
        draw.text((LEFT - 6, y_of(share)), f"{share:.0%}", fill=INK, font=small, anchor="rm")
    for column, item in enumerate(items):
        x0 = LEFT + column * slot + slot * 0.2
        x1 = LEFT + (column + 1) * slot - slot * 0.2
        fill = PALE if item.rate.few else BAR
        if item.rate.count:
            draw.rectangle([(x0, y_of(item.rate.share)), (x1, base)], fill=fill, outline=BAR)
        low, high = item.rate.interval
        middle = (x0 + x1) / 2
        draw.line([(middle, y_of(low)), (middle, y_of(high))], fill=INK, width=2)
        for end in (low, high):
            draw.line([(middle - 4, y_of(end)), (middle + 4, y_of(end))], fill=INK, width=2)
        name = _fit(draw, group_label(item.group), slot - 6, small)
        draw.text((middle, base + 4), name, fill=INK, font=small, anchor="mt")
        draw.text(
            (middle, y_of(high) - 3), f"{item.rate.share:.0%}", fill=INK, font=small, anchor="mb"
        )


THEIRS = (170, 51, 17)
ROW = 58


def comparison_chart_png(picture: NationalPicture) -> bytes:
    """Our share beside each published share of a theme, as PNG bytes: a bar with its 95%
    interval for ours, a diamond for theirs, one row per figure.

    Raises :class:`ValueError` when no published share of a theme has reviews of ours beside it.
    """
    items = [item for item in picture.comparisons if item.ours is not None]
    if not items:
        raise ValueError("no published share has reviews of ours beside it: nothing to draw")
    width, plot = 960, 560
    height = TOP + 24 + ROW * len(items) + FOOT
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((LEFT, 16), "Our share beside the published figure", fill=INK, font=_font(18))
    draw.text(
        (LEFT, 40),
        "Bar and line: our share of published reviews and its 95% interval. Diamond: the "
        "published figure. Different populations and coding: see the table.",
        fill=INK, font=_font(12),
    )  # fmt: skip
    axis_top = TOP + 8
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = LEFT + share * plot
        draw.line([(x, axis_top), (x, height - FOOT)], fill=GRID, width=1)
        draw.text((x, axis_top - 2), f"{share:.0%}", fill=INK, font=_font(11), anchor="mb")
    for place, item in enumerate(items):
        _comparison_row(draw, axis_top + 8 + place * ROW, item, plot)
    draw.text(
        (LEFT, height - 30),
        "Sources: the Panel's annual reports and the DfE's statistics, as listed in the table "
        "of published figures.",
        fill=INK, font=_font(12),
    )  # fmt: skip
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _comparison_row(draw: ImageDraw.ImageDraw, top: int, item: Comparison, plot: int) -> None:
    assert item.ours is not None
    figure, ours = item.figure, item.ours
    small = _font(12)
    draw.text(
        (LEFT, top),
        _fit(draw, f"{figure.period}: {figure.measure}", 860, small),
        fill=INK,
        font=small,
    )
    middle = top + 34
    fill = PALE if ours.few else BAR
    if ours.count:
        draw.rectangle(
            [(LEFT, middle - 7), (LEFT + ours.share * plot, middle + 7)], fill=fill, outline=BAR
        )
    low, high = (LEFT + end * plot for end in ours.interval)
    draw.line([(low, middle), (high, middle)], fill=INK, width=2)
    for end in (low, high):
        draw.line([(end, middle - 5), (end, middle + 5)], fill=INK, width=2)
    x = LEFT + figure.value / 100 * plot
    draw.polygon([(x, middle - 8), (x + 8, middle), (x, middle + 8), (x - 8, middle)], fill=THEIRS)
    text = f"ours {ours.share:.0%} ({ours.count} of {ours.reviews}); theirs {figure.value_text()}"
    draw.text((LEFT + plot + 16, middle), text, fill=INK, font=small, anchor="lm")
