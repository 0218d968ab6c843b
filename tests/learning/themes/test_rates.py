"""Rates of themes (learning.themes.rates): the Wilson interval against published values, changes
in percentage points, the flag under five reviews, and shares of reviews over time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest  # installed with scikit-learn

from learning.themes.rates import (
    FEW_NOTE,
    Period,
    Rate,
    SharePoint,
    format_interval,
    format_percent,
    format_pp,
    share_over_time,
    wilson_interval,
    year_periods,
)
from learning.themes.trends import ReviewFacts

# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in
# Medicine 17:857-872, Table I, method 3 (score interval without continuity correction).
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("count", "reviews", "low", "high"), NEWCOMBE)
def test_the_wilson_interval_matches_newcombes_table(
    count: int, reviews: int, low: float, high: float
) -> None:
    assert wilson_interval(count, reviews) == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(
    ("count", "reviews", "expected"),
    [
        (1, 1, (1 / (1 + 1.959963984540054**2), 1.0)),  # all: the upper end is exactly 1
        (0, 10, (0.0, 1.959963984540054**2 / (10 + 1.959963984540054**2))),
        (5, 10, (0.2366, 0.7634)),  # symmetric about a half
        (2, 3, (0.2077, 0.9385)),
    ],
)
def test_the_wilson_interval_at_the_edges(
    count: int, reviews: int, expected: tuple[float, float]
) -> None:
    assert wilson_interval(count, reviews) == pytest.approx(expected, abs=5e-5)


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_interval_holds_the_share_and_agrees_with_scipy(case: tuple[int, int]) -> None:
    count, reviews = case
    low, high = wilson_interval(count, reviews)

    assert 0.0 <= low <= count / reviews <= high <= 1.0
    theirs = binomtest(count, reviews).proportion_ci(method="wilson")
    assert (low, high) == pytest.approx((theirs.low, theirs.high), abs=1e-9)


@pytest.mark.parametrize(
    ("count", "reviews", "message"),
    [
        (0, 0, "a share needs at least one review, not 0"),
        (3, 2, "3 reviews with the theme is not between 0 and 2"),
        (-1, 2, "-1 reviews with the theme is not between 0 and 2"),
    ],
)
def test_an_impossible_share_is_refused(count: int, reviews: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wilson_interval(count, reviews)
    with pytest.raises(ValueError, match=message):
        Rate(count, reviews)


@pytest.mark.parametrize(
    ("change", "written"),
    [
        (0.062, "+6.2 pp"),
        (0.24, "+24.0 pp"),
        (-0.1, "-10.0 pp"),
        (1.0, "+100.0 pp"),
        (0.0, "0.0 pp"),
        (-0.0004, "0.0 pp"),  # rounds to nothing: no sign
        (1 / 3 - 0.25, "+8.3 pp"),
    ],
)
def test_changes_are_written_in_percentage_points(change: float, written: str) -> None:
    assert format_pp(change) == written
    assert "%" not in format_pp(change)


@pytest.mark.parametrize(
    ("count", "reviews", "few", "described"),
    [
        (2, 4, True, "50% (2 of 4; 95% interval 15%\u201385%, fewer than 5 reviews)"),
        (2, 5, False, "40% (2 of 5; 95% interval 12%\u201377%)"),
        (0, 1, True, "0% (0 of 1; 95% interval 0%\u201379%, fewer than 5 reviews)"),
        (24, 48, False, "50% (24 of 48; 95% interval 36%\u201364%)"),
    ],
)
def test_a_rate_is_flagged_under_five_reviews(
    count: int, reviews: int, few: bool, described: str
) -> None:
    rate = Rate(count, reviews)

    assert rate.few is few
    assert rate.note == (FEW_NOTE if few else "")
    assert rate.describe() == described


def test_shares_and_intervals_as_written() -> None:
    assert format_percent(0.4) == "40%"
    assert format_interval(Rate(1, 1).interval) == "21%\u2013100%"
    assert FEW_NOTE == "fewer than 5 reviews"


# --- shares over time ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "per", "expected"),
    [
        ([2012, 2014, 2014, 2016], 1, ["2012", "2014", "2016"]),  # a year without reviews: none
        ([2012, 2013, 2014, 2015, 2016], 2, ["2011\u20132012", "2013\u20132014", "2015\u20132016"]),
        ([2018, 2022], 5, ["2018\u20132022"]),  # counted back from the latest: it is whole
        ([2017, 2022], 5, ["2013\u20132017", "2018\u20132022"]),
        ([], 3, []),
    ],
)
def test_periods_count_back_from_the_latest_year(
    years: list[int], per: int, expected: list[str]
) -> None:
    assert [period.label for period in year_periods(years, per)] == expected


def test_a_period_is_at_least_a_year() -> None:
    with pytest.raises(ValueError, match="a period is at least one year, not 0"):
        year_periods([2020], 0)


FACTS = [
    ReviewFacts("r1", 2018),
    ReviewFacts("r2", 2018),
    ReviewFacts("r3", 2019),
    ReviewFacts("r4", 2021),
    ReviewFacts("r5", None),  # no year: in no period
]
TAGS = {
    "r1": frozenset({"neglect", "domestic_abuse"}),
    "r2": frozenset({"neglect"}),
    "r3": frozenset({"domestic_abuse"}),
    "r4": frozenset({"neglect"}),
    "r5": frozenset({"neglect"}),
}


def test_share_over_time_is_reviews_with_the_theme_over_reviews_that_year() -> None:
    points = share_over_time(FACTS, TAGS, ["neglect", "domestic_abuse"])

    assert points == (
        SharePoint("neglect", Period(2018, 2018), Rate(2, 2)),
        SharePoint("neglect", Period(2019, 2019), Rate(0, 1)),
        SharePoint("neglect", Period(2021, 2021), Rate(1, 1)),
        SharePoint("domestic_abuse", Period(2018, 2018), Rate(1, 2)),
        SharePoint("domestic_abuse", Period(2019, 2019), Rate(1, 1)),
        SharePoint("domestic_abuse", Period(2021, 2021), Rate(0, 1)),
    )
    assert all(point.rate.few for point in points)


def test_share_over_periods_of_several_years() -> None:
    points = share_over_time(FACTS, TAGS, ["neglect"], years_per_period=2)

    assert points == (
        SharePoint("neglect", Period(2018, 2019), Rate(2, 3)),
        SharePoint("neglect", Period(2020, 2021), Rate(1, 1)),
    )
    assert share_over_time([], TAGS, ["neglect"]) == ()
