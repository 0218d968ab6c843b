"""The Themes page's charts: shares of reviews as horizontal bars with their 95% intervals.

Altair (bundled with Streamlit, drawn in the browser: no CDN, no web font). Built to read at
390 px as at 1280: each theme's name is written above its bar across the whole width (a
y-axis of long names would leave a phone no room for bars), and the figure sits in a margin
kept at the right, clear of the longest bar. A share resting on fewer than five reviews is a
pale bar, and the table beneath says so in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import altair as alt
import pandas as pd

from learning.themes.analyst_views import ShareBar, TimePoint

#: The bars' colour, the pale fill of a bar resting on few reviews (outlined in the bars'
#: colour), and the interval's colour.
BAR = "#2f6aa3"
PALE = "#cfe0f1"
INTERVAL = "#1b1b1b"
#: Pixels kept at the right of every chart for the figure ("100% (48 of 48)").
MARGIN = 110
#: Height of a row: a line of name above a bar for theme shares, a bar alone over time.
NAMED_ROW = 44
PLAIN_ROW = 26
FEW_LEGEND = "Pale bars: fewer than 5 reviews. Lines: 95% intervals."


def _share_axis(title: str) -> alt.X:
    scale = alt.Scale(domain=[0, 1], range=[0, {"expr": f"max(width - {MARGIN}, 40)"}])
    return alt.X("share:Q", title=title, scale=scale, axis=alt.Axis(format="%", tickCount=5))


def _bars(base: alt.Chart, offset: int, size: int) -> list[alt.Chart]:
    """The bar (pale where few), its interval and its figure, ``offset`` px below centre."""
    fill = alt.condition(alt.datum.few, alt.value(PALE), alt.value(BAR))
    return [
        base.mark_bar(size=size, yOffset=offset, stroke=BAR, strokeWidth=1.5).encode(
            x=_share_axis("Share of reviews"), fill=fill
        ),
        base.mark_rule(yOffset=offset, strokeWidth=2, color=INTERVAL).encode(
            x="low:Q", x2="high:Q"
        ),
        base.mark_text(align="right", baseline="middle", dy=offset, fontSize=12, x="width").encode(
            text="figure:N"
        ),
    ]


def _tooltip(name: str, title: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip(f"{name}:N", title=title),
        alt.Tooltip("share:Q", title="Share", format=".0%"),
        alt.Tooltip("interval:N", title="95% interval"),
        alt.Tooltip("count:Q", title="Reviews with the theme"),
        alt.Tooltip("reviews:Q", title="Reviews"),
        alt.Tooltip("note:N", title="Note"),
    ]


def _figure(frame: pd.DataFrame) -> pd.Series:
    return frame.apply(lambda row: f"{row.share:.0%} ({row['count']} of {row.reviews})", axis=1)


def theme_share_chart(bars: Sequence[ShareBar]) -> alt.LayerChart | alt.FacetChart:
    """Each theme's share of all reviews, commonest first, its name above its bar."""
    frame = pd.DataFrame([asdict(bar) for bar in bars])
    frame["figure"] = _figure(frame)
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=list(frame["label"]), axis=None, title=None),
        tooltip=_tooltip("label", "Theme"),
    )
    name = base.mark_text(
        align="left", baseline="bottom", dy=-4, fontSize=13, limit={"expr": "width"}
    ).encode(x=alt.value(0), text="label:N")
    return alt.layer(name, *_bars(base, 7, 12)).properties(height=alt.Step(NAMED_ROW))


def share_over_time_chart(points: Sequence[TimePoint]) -> alt.LayerChart | alt.FacetChart:
    """One theme's share of each period's reviews, oldest period at the top."""
    frame = pd.DataFrame([asdict(point) for point in points])
    frame["figure"] = _figure(frame)
    axis = alt.Axis(labelFontSize=12, labelLimit=90, ticks=False, domain=False)
    base = alt.Chart(frame).encode(
        y=alt.Y("period:N", sort=list(frame["period"]), title=None, axis=axis),
        tooltip=_tooltip("period", "Published"),
    )
    return alt.layer(*_bars(base, 0, 14)).properties(height=alt.Step(PLAIN_ROW))
