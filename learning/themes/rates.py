"""Shares of reviews as an analyst reads them: with a 95% interval, changes in percentage
points, and a flag where a figure rests on too few reviews. Pure.

A theme's share of a handful of reviews swings from 0% to 100% on one review, so every share
here carries its Wilson score interval (it stays inside 0-100% and behaves at 0 and n, where
the textbook normal interval does not) and the number of reviews it rests on. The Wilson
interval is a few lines of arithmetic: statsmodels, which has it, is not a dependency, and the
tests check these values against scipy's (installed with scikit-learn) and published tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from learning.themes.trends import ReviewFacts, tag_matrix

#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054
#: A figure resting on fewer reviews than this is flagged: its interval is too wide to compare.
FEW_REVIEWS = 5
#: The flag, as the tables and charts write it.
FEW_NOTE = f"fewer than {FEW_REVIEWS} reviews"


def wilson_interval(count: int, reviews: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``count`` successes in ``reviews`` trials (0..1 each end).

    Raises :class:`ValueError` for no trials or a count outside 0..reviews: a share of nothing
    has no interval, and the caller should not be drawing one.
    """
    if reviews <= 0:
        raise ValueError(f"a share needs at least one review, not {reviews}")
    if not 0 <= count <= reviews:
        raise ValueError(f"{count} reviews with the theme is not between 0 and {reviews}")
    share = count / reviews
    z2 = z * z
    centre = (share + z2 / (2 * reviews)) / (1 + z2 / reviews)
    half = z / (1 + z2 / reviews) * math.sqrt(share * (1 - share) / reviews + z2 / (4 * reviews**2))
    # the bounds are exactly 0 and 1 at count 0 and n; rounding must not push them past
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == reviews else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Rate:
    """``count`` of ``reviews`` carry something: its share, 95% interval and reliability."""

    count: int
    reviews: int

    def __post_init__(self) -> None:
        wilson_interval(self.count, self.reviews)  # refuses an impossible rate when made

    @property
    def share(self) -> float:
        return self.count / self.reviews

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.count, self.reviews)

    @property
    def few(self) -> bool:
        """True when the share rests on fewer than :data:`FEW_REVIEWS` reviews."""
        return self.reviews < FEW_REVIEWS

    @property
    def note(self) -> str:
        """The flag as a table's note column writes it ("" when the figure is sound)."""
        return FEW_NOTE if self.few else ""

    def describe(self) -> str:
        """ "40% (2 of 5; 95% interval 12%-77%)", and the flag where it applies."""
        flag = f", {FEW_NOTE}" if self.few else ""
        return (
            f"{format_percent(self.share)} ({self.count} of {self.reviews}; 95% interval "
            f"{format_interval(self.interval)}{flag})"
        )


def format_percent(share: float) -> str:
    """A share as a whole percentage: 0.4 -> "40%"."""
    return f"{share * 100:.0f}%"


def format_interval(interval: tuple[float, float]) -> str:
    """An interval as "12%–77%" (an en dash between the ends)."""
    low, high = interval
    return f"{format_percent(low)}\u2013{format_percent(high)}"


def format_pp(change: float) -> str:
    """A difference of two shares in percentage points: 0.062 -> "+6.2 pp", never "%".

    A share rising from 20% to 26% rose 6 points, not 6% (that would be 30%): the sign is
    always written, and a change that rounds to nothing is "0.0 pp".
    """
    points = round(change * 100, 1)
    if points == 0:
        return "0.0 pp"
    return f"{points:+.1f} pp"


# --- shares over time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Years of publication taken together: one year, or ``first``-``last``."""

    first: int
    last: int

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}\u2013{self.last}"

    def holds(self, year: int) -> bool:
        return self.first <= year <= self.last


@dataclass(frozen=True)
class SharePoint:
    """A theme's share of the reviews published in one period."""

    theme_id: str
    period: Period
    rate: Rate


def year_periods(years: Iterable[int], years_per_period: int = 1) -> tuple[Period, ...]:
    """Periods of ``years_per_period`` years that hold ``years``, oldest first.

    They are counted back from the latest year, so the most recent period is always whole
    (the one an analyst compares); periods holding none of ``years`` are left out.
    """
    if years_per_period < 1:
        raise ValueError(f"a period is at least one year, not {years_per_period}")
    present = sorted(set(years))
    if not present:
        return ()
    latest = present[-1]
    periods = {
        Period(latest - (steps + 1) * years_per_period + 1, latest - steps * years_per_period)
        for steps in ((latest - year) // years_per_period for year in present)
    }
    return tuple(sorted(periods, key=lambda period: period.first))


def share_over_time(
    facts: Sequence[ReviewFacts],
    tags: Mapping[str, frozenset[str] | set[str]],
    theme_ids: Sequence[str],
    years_per_period: int = 1,
) -> tuple[SharePoint, ...]:
    """Each theme's share of the reviews of each period (theme by theme, oldest period first).

    Share = reviews of the period carrying the theme / reviews of the period. Reviews without
    a year of publication belong to no period and are left out.
    """
    dated = [fact for fact in facts if fact.year is not None]
    years = [int(fact.year) for fact in dated if fact.year is not None]
    periods = year_periods(years, years_per_period)
    matrix = tag_matrix([fact.review_id for fact in dated], tags, theme_ids)
    points = []
    for column, theme_id in enumerate(theme_ids):
        for period in periods:
            rows = [row for row, year in enumerate(years) if period.holds(year)]
            count = int(matrix[rows, column].sum())
            points.append(SharePoint(theme_id, period, Rate(count, len(rows))))
    return tuple(points)
