"""What the Themes page shows as rates (learning.themes.analyst_views): each theme's share with
its interval and flag, shares by group and over time, changes in percentage points, and
recurring recommendations headed by their own words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from learning.encoder import FakeEncoder
from learning.errors import ThemeNotFound
from learning.themes.analyst_views import (
    ChangeLine,
    TimePoint,
    group_share_table,
    over_time_text,
    recurring_heading,
    shares_over_time,
    shares_text,
    theme_change_lines,
    theme_shares,
    trim_text,
)
from learning.themes.recurring import RecurringRecommendation
from learning.themes.report import trends_report
from learning.themes.tagging import ThemeWorkspace
from learning.themes.views import prevalence_grid
from tests.learning.themes.conftest import Doc, F, R, build_index

DA = "Domestic abuse and coercive control by the father were not recognised."
DA_RISK = "Agencies should assess domestic abuse risk whenever police report an incident."
SLEEP = (
    "Health visitors should give safer sleep advice to both parents at every visit, including "
    "about co-sleeping."
)
NEGLECT = (
    "Chronic neglect of the children, poor home conditions and missed health appointments were "
    "not seen."
)
DOCS = (
    Doc("r0", ((F, DA, "Findings", 3), (R, SLEEP, "Recommendations", 9)), year=2012),
    Doc("r1", ((F, DA, "Findings", 3), (R, SLEEP, "Recommendations", 9)), year=2016),
    Doc("r2", ((F, NEGLECT, "Findings", 4), (R, DA_RISK, "Recommendations", 10)), year=2021),
    Doc("r3", ((F, NEGLECT, "Findings", 4), (R, SLEEP, "Recommendations", 9)), year=2022),
)
DA_LABEL = "Domestic abuse and coercive control"
FEW = "fewer than 5 reviews"


@pytest.fixture
def workspace(
    tmp_path: Path, fake_encoder: FakeEncoder, open_workspace: Callable[..., ThemeWorkspace]
) -> ThemeWorkspace:
    return open_workspace(build_index(tmp_path / "index", DOCS, fake_encoder))


# --- share of all reviews ------------------------------------------------------------------------


def test_each_theme_has_its_share_interval_and_flag(workspace: ThemeWorkspace) -> None:
    bars = theme_shares(prevalence_grid(trends_report(workspace, "year")))
    by_label = {bar.label: bar for bar in bars}

    assert len(bars) == len(workspace.taxonomy.ids)  # every theme, carried or not
    da = by_label[DA_LABEL]
    assert (da.count, da.reviews, da.share) == (3, 4, 0.75)
    assert (round(da.low, 4), round(da.high, 4)) == (0.3006, 0.9544)  # Wilson, 3 of 4
    assert (da.interval, da.few, da.note) == ("30%\u201395%", True, FEW)  # 4 reviews: flagged
    assert da.caption == f"{DA_LABEL}: 75% (3 of 4, {FEW})"
    neglect = by_label["Neglect"]
    assert (neglect.count, neglect.share, neglect.interval) == (2, 0.5, "15%\u201385%")
    assert [bar.count for bar in bars] == sorted((bar.count for bar in bars), reverse=True)
    assert shares_text(bars).startswith(
        "Share of the 4 reviews carrying each theme, with 95% intervals (the lines). Most "
        f"common: {DA_LABEL} 75% (3 of 4; 95% interval 30%\u201395%, {FEW});"
    )


def test_shares_by_group_say_which_groups_are_too_small(workspace: ThemeWorkspace) -> None:
    headings, rows = group_share_table(prevalence_grid(trends_report(workspace, "nation")))

    assert headings == ["Theme", "All reviews (4)", f"England (4 reviews, {FEW})"]
    assert (DA_LABEL, 0.75, 0.75) in rows
    by_year, _ = group_share_table(prevalence_grid(trends_report(workspace, "year")))
    assert by_year[2] == f"2012 (1 review, {FEW})"


# --- shares over time ----------------------------------------------------------------------------


def test_share_over_time_per_year_of_publication(workspace: ThemeWorkspace) -> None:
    points = shares_over_time(workspace, ["domestic_abuse", "neglect"])

    assert [(p.theme, p.period, p.count, p.reviews) for p in points] == [
        (DA_LABEL, "2012", 1, 1),
        (DA_LABEL, "2016", 1, 1),
        (DA_LABEL, "2021", 1, 1),
        (DA_LABEL, "2022", 0, 1),
        ("Neglect", "2012", 0, 1),
        ("Neglect", "2016", 0, 1),
        ("Neglect", "2021", 1, 1),
        ("Neglect", "2022", 1, 1),
    ]
    assert points[0] == TimePoint(
        DA_LABEL, "2012", 2012, 1, 1, 1.0, pytest.approx(0.2065, abs=1e-4), 1.0, True,
        "21%\u2013100%", FEW,
    )  # fmt: skip
    assert over_time_text(points[:4]) == (
        f"{DA_LABEL}: 100% of reviews in 2012 (1 of 1, 95% interval 21%\u2013100%) and 0% in "
        f"2022 (0 of 1, 95% interval 0%\u201379%). 4 of the 4 rest on {FEW} (pale bars)."
    )


def test_years_taken_together_rest_on_more_reviews(workspace: ThemeWorkspace) -> None:
    points = shares_over_time(workspace, ["domestic_abuse"], years_per_period=5)

    assert [(p.period, p.count, p.reviews, p.few) for p in points] == [
        ("2008\u20132012", 1, 1, True),
        ("2013\u20132017", 1, 1, True),
        ("2018\u20132022", 1, 2, True),
    ]
    with pytest.raises(ThemeNotFound, match="no theme 'colour'"):
        shares_over_time(workspace, ["colour"])


# --- rising and new ------------------------------------------------------------------------------


def test_changes_are_in_percentage_points_with_the_flag(workspace: ThemeWorkspace) -> None:
    lines = theme_change_lines(trends_report(workspace, "year", 3))

    assert lines[:2] == (
        ChangeLine(
            "Missing from home, care or education", "New", 2021, "2 of 2", 1.0,
            "34%\u2013100%", 0.0, "0%\u201366%", "+100.0 pp", f"{FEW} (recent and earlier years)",
        ),
        ChangeLine(
            "Neglect", "New", 2021, "2 of 2", 1.0, "34%\u2013100%", 0.0, "0%\u201366%",
            "+100.0 pp", f"{FEW} (recent and earlier years)",
        ),
    )  # fmt: skip
    assert all(line.change.endswith(" pp") and "%" not in line.change for line in lines)
    falling = theme_change_lines(trends_report(workspace, "year", 3), ("falling",))
    da = next(line for line in falling if line.label == DA_LABEL)
    assert (da.status, da.recent, da.change) == ("Falling", "1 of 2", "-50.0 pp")


# --- recurring recommendations -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Share   the plan\nwith the GP.", 40, "Share the plan with the GP."),
        ("Agencies should assess domestic abuse risk, always.", 30, "Agencies should assess\u2026"),
        ("one two three", 13, "one two three"),
    ],
)
def test_text_is_trimmed_at_a_word(text: str, limit: int, expected: str) -> None:
    assert trim_text(text, limit) == expected
    assert len(trim_text(text, limit)) <= limit


def _group(statement: str, first: int | None, last: int | None) -> RecurringRecommendation:
    return RecurringRecommendation("r-1", statement, 3, 2, first, last, "domestic_abuse", ())


def test_a_recurring_recommendation_is_headed_by_its_own_words() -> None:
    long = "Agencies should assess domestic abuse risk whenever police report an incident " * 3

    assert recurring_heading(_group(SLEEP, 2016, 2022), DA_LABEL) == (
        f"\u201c{SLEEP}\u201d: 3 times in 2 reviews, 2016\u20132022 ({DA_LABEL})"
    )
    heading = recurring_heading(_group(long, 2021, 2021), None)
    assert heading.startswith("\u201cAgencies should assess domestic abuse risk whenever police")
    assert heading.endswith("\u2026\u201d: 3 times in 2 reviews, 2021 (no theme)")
    assert recurring_heading(_group("Share it.", None, None), None) == (
        "\u201cShare it.\u201d: 3 times in 2 reviews, years unknown (no theme)"
    )
