"""What the Themes page shows as rates (glue; no Streamlit here): each theme's share of the
reviews with its 95% interval, shares over time, rising and new themes in percentage points,
and recurring recommendations headed by their own words.

Every share says how many reviews it rests on and carries the flag of
:mod:`learning.themes.rates` below :data:`~learning.themes.rates.FEW_REVIEWS`, so a chart or
table never shows 100% from one review as if it were 100% from fifty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from learning.themes.rates import (
    FEW_NOTE,
    Rate,
    format_interval,
    format_percent,
    format_pp,
    share_over_time,
)
from learning.themes.recurring import RecurringRecommendation
from learning.themes.report import TrendsReport, review_facts
from learning.themes.tagging import ThemeWorkspace
from learning.themes.trends import ThemeChange
from learning.themes.views import PrevalenceGrid, group_label

STATUS_LABELS = {
    "new": "New", "rising": "Rising", "falling": "Falling", "steady": "Steady",
    "absent": "Not found",
}  # fmt: skip


def _reviews(count: int) -> str:
    return f"{count} review" + "s" * (count != 1)


# --- share of all reviews ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareBar:
    """A theme's share of all reviews, ready for a bar with its interval and a table row."""

    label: str
    count: int
    reviews: int
    share: float
    low: float
    high: float
    few: bool
    interval: str
    note: str
    caption: str


def _bar(label: str, rate: Rate) -> ShareBar:
    low, high = rate.interval
    flag = f", {FEW_NOTE}" if rate.few else ""
    return ShareBar(
        label, rate.count, rate.reviews, rate.share, low, high, rate.few,
        format_interval(rate.interval), rate.note,
        f"{label}: {format_percent(rate.share)} ({rate.count} of {rate.reviews}{flag})",
    )  # fmt: skip


def theme_shares(grid: PrevalenceGrid) -> tuple[ShareBar, ...]:
    """Every theme's share of all the grid's reviews, the commonest first (none if no review)."""
    if not grid.total_reviews:
        return ()
    return tuple(_bar(line.label, Rate(line.total, grid.total_reviews)) for line in grid.lines)


def shares_text(bars: Sequence[ShareBar], top: int = 3) -> str:
    """The share chart in words (its text alternative): the commonest themes, with intervals."""
    carried = [bar for bar in bars if bar.count]
    if not carried:
        return "No theme is tagged in the reviews indexed."
    common = "; ".join(
        f"{bar.label} {Rate(bar.count, bar.reviews).describe()}" for bar in carried[:top]
    )
    return (
        f"Share of the {_reviews(carried[0].reviews)} carrying each theme, with 95% intervals "
        f"(the lines). Most common: {common}."
    )


def group_share_table(grid: PrevalenceGrid) -> tuple[list[str], list[tuple[object, ...]]]:
    """Column headings and rows of the shares by group: a theme per row, a group per column.

    A heading gives the group's reviews and, under :data:`FEW_REVIEWS`, says so: every share
    in that column rests on those few.
    """
    columns = ["Theme", f"All reviews ({grid.total_reviews})"]
    for group, size in grid.groups:
        flag = f", {FEW_NOTE}" if Rate(0, size).few else ""
        columns.append(f"{group_label(group)} ({_reviews(size)}{flag})")
    rows = [
        (
            line.label,
            line.total / grid.total_reviews,
            *(count / size for count, (_, size) in zip(line.counts, grid.groups, strict=True)),
        )
        for line in grid.lines
    ]
    return columns, rows


# --- shares over time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimePoint:
    """A theme's share of the reviews published in one period (a year, or several)."""

    theme: str
    period: str
    first_year: int
    count: int
    reviews: int
    share: float
    low: float
    high: float
    few: bool
    interval: str
    note: str


def shares_over_time(
    workspace: ThemeWorkspace, theme_ids: Sequence[str], years_per_period: int = 1
) -> tuple[TimePoint, ...]:
    """The share of each period's reviews carrying each of ``theme_ids`` (in that order),
    oldest period first; reviews without a year are left out."""
    labels = {theme.id: theme.label for theme in workspace.taxonomy.themes}
    for theme_id in theme_ids:
        workspace.taxonomy.theme(theme_id)  # an unknown theme is refused by name
    points = share_over_time(
        review_facts(workspace), workspace.tag_sets(), list(theme_ids), years_per_period
    )
    return tuple(
        TimePoint(
            labels[point.theme_id],
            point.period.label,
            point.period.first,
            point.rate.count,
            point.rate.reviews,
            point.rate.share,
            *point.rate.interval,
            point.rate.few,
            format_interval(point.rate.interval),
            point.rate.note,
        )  # fmt: skip
        for point in points
    )


def over_time_text(points: Sequence[TimePoint]) -> str:
    """One theme's shares over time in words: first and last period, and how many are flagged."""
    if not points:
        return "No review has a year of publication."
    first, last = points[0], points[-1]
    few = sum(point.few for point in points)
    flagged = f" {few} of the {len(points)} rest on {FEW_NOTE} (pale bars)." if few else ""
    return (
        f"{first.theme}: {format_percent(first.share)} of reviews in {first.period} "
        f"({first.count} of {first.reviews}, 95% interval {first.interval}) and "
        f"{format_percent(last.share)} in {last.period} ({last.count} of {last.reviews}, "
        f"95% interval {last.interval}).{flagged}"
    )


# --- rising and new themes -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    """A theme's share of reviews in the recent years against the years before; the change in
    percentage points ("+6.2 pp"), and the flag when either side rests on few reviews."""

    label: str
    status: str
    first_year: int | None
    recent: str
    recent_share: float
    recent_interval: str
    earlier_share: float | None
    earlier_interval: str
    change: str
    note: str


def _change_line(label: str, change: ThemeChange) -> ChangeLine:
    recent = Rate(change.recent_count, change.recent_reviews)
    earlier = Rate(change.earlier_count, change.earlier_reviews) if change.earlier_reviews else None
    few = [side for side, rate in (("recent", recent), ("earlier", earlier)) if rate and rate.few]
    return ChangeLine(
        label, STATUS_LABELS.get(change.status, change.status), change.first_year,
        f"{recent.count} of {recent.reviews}", round(recent.share, 3),
        format_interval(recent.interval),
        round(earlier.share, 3) if earlier else None,
        format_interval(earlier.interval) if earlier else "no earlier reviews",
        format_pp(change.change),
        f"{FEW_NOTE} ({' and '.join(few)} years)" if few else "",
    )  # fmt: skip


def theme_change_lines(
    report: TrendsReport, statuses: tuple[str, ...] = ("new", "rising")
) -> tuple[ChangeLine, ...]:
    """The themes whose status is one of ``statuses`` (new first, then the steepest rise)."""
    return tuple(
        _change_line(report.labels[change.theme_id], change)
        for change in report.changes
        if change.status in statuses and change.recent_reviews
    )


# --- recurring recommendations -------------------------------------------------------------------


def trim_text(text: str, limit: int = 110) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return f"{cut}\u2026"


def recurring_heading(group: RecurringRecommendation, theme_label: str | None) -> str:
    """A recurring recommendation as its heading reads: its own words first (trimmed), then how
    often, in how many reviews, over which years, and its theme."""
    if group.first_year is None:
        years = "years unknown"
    elif group.first_year == group.last_year:
        years = str(group.first_year)
    else:
        years = f"{group.first_year}\u2013{group.last_year}"
    theme = theme_label or "no theme"
    return (
        f"\u201c{trim_text(group.statement)}\u201d: {group.count} times in "
        f"{_reviews(group.reviews)}, {years} ({theme})"
    )
