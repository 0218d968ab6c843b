"""The Themes page in rates (AppTest, issue 23 item 7): each theme's share of the reviews with
its 95% interval, shares over time, changes in percentage points, and a flag wherever a figure
rests on fewer than five reviews.

The demo store and the tiny corpus's index are the fixtures of tests/ui/demo_pages.py (five
reviews, one a year from 2018 to 2022).
"""

from __future__ import annotations

import json

import pytest

from tests.ui.demo_pages import (  # noqa: F401 - fixtures, used by name
    ANALYST,
    DA_LABEL,
    corpus_index,
    db_url,
    demo_store,
    index_dir,
    open_page,
    texts,
)

FEW = "fewer than 5 reviews"


def _marks(spec: dict) -> set[str]:
    return {layer["mark"]["type"] for layer in spec["layer"]}


@pytest.mark.usefixtures("index_dir")
def test_each_theme_is_shown_as_a_share_with_its_interval() -> None:
    at = open_page("ui/pages/themes.py", ANALYST)

    assert not at.exception and not at.error
    (chart,) = at.get("vega_lite_chart")
    assert _marks(json.loads(chart.proto.spec)) == {"bar", "rule", "text"}
    (table,) = at.dataframe
    frame = table.value
    assert list(frame.columns) == [
        "Theme", "Reviews with it (of 5)", "Share", "95% interval", "Note",
    ]  # fmt: skip
    rows = {row[0]: row[1:] for row in frame.itertuples(index=False)}
    assert rows["The voice and lived experience of the child"] == (2, 0.4, "12%\u201377%", "")
    assert rows[DA_LABEL] == (1, 0.2, "4%\u201362%", "")  # five reviews: not flagged
    # Child D's review ("chronic neglect of a toddler", "this disguised compliance hid chronic
    # neglect") is tagged Neglect since issue 24 (short reviews read sentence by sentence, and
    # the themes' own words as keyword evidence): rightly.
    assert rows["Neglect"] == (1, 0.2, "4%\u201362%", "")
    assert rows["Impact of the Covid-19 pandemic"] == (0, 0.0, "0%\u201343%", "")
    assert chart.proto.alt.startswith(
        "Share of the 5 reviews carrying each theme, with 95% intervals (the lines). Most common: "
    )
    shown = texts(at)
    assert chart.proto.alt in shown
    assert "Pale bars: fewer than 5 reviews. Lines: 95% intervals." in shown


@pytest.mark.usefixtures("index_dir")
def test_shares_by_group_flag_the_small_groups() -> None:
    at = open_page("ui/pages/themes.py", ANALYST)
    at.multiselect(key="themes_by").set_value(["nation", "outcome"]).run()

    _, nation, outcome = (table.value for table in at.dataframe)
    assert list(nation.columns) == [
        "Theme", "All reviews (5)", f"England (3 reviews, {FEW})", f"Scotland (1 review, {FEW})",
        f"Wales (1 review, {FEW})",
    ]  # fmt: skip
    assert {f"Death (3 reviews, {FEW})", f"Serious harm (2 reviews, {FEW})"} <= set(outcome)
    shares = nation.set_index("Theme").loc[DA_LABEL]
    assert shares["All reviews (5)"] == 0.2
    assert sorted(shares.iloc[1:]) == [0.0, 0.0, 1 / 3]  # one of England's three


@pytest.mark.usefixtures("index_dir")
def test_share_over_time_has_intervals_and_flags_each_thin_year() -> None:
    at = open_page("ui/pages/themes.py", ANALYST)
    at.radio(key="themes_section").set_value("Share over time").run()
    assert len(at.multiselect(key="share_themes").value) == 3  # the commonest, to start with

    at.multiselect(key="share_themes").set_value(["domestic_abuse"]).run()

    assert not at.exception and not at.error
    (chart,) = at.get("vega_lite_chart")
    assert _marks(json.loads(chart.proto.spec)) == {"bar", "rule", "text"}
    (table,) = at.dataframe
    rows = [tuple(row) for row in table.value.itertuples(index=False)]
    assert [row[1:4] for row in rows] == [  # published, reviews, with the theme
        ("2018", 1, 0), ("2019", 1, 0), ("2020", 1, 1), ("2021", 1, 0), ("2022", 1, 0),
    ]  # fmt: skip
    assert rows[2][4:] == (1.0, "21%\u2013100%", FEW)
    assert rows[0][4:] == (0.0, "0%\u201379%", FEW)
    assert chart.proto.alt.endswith(f"5 of the 5 rest on {FEW} (pale bars).")
    assert "reviews with the theme / reviews published then" in texts(at)

    at.selectbox(key="share_years").set_value(5).run()

    (table,) = at.dataframe
    assert [tuple(row) for row in table.value.itertuples(index=False)] == [
        (DA_LABEL, "2018\u20132022", 5, 1, 0.2, "4%\u201362%", ""),  # five reviews: no flag
    ]


@pytest.mark.usefixtures("index_dir")
def test_co_occurrence_is_a_ranked_table_with_the_flag() -> None:
    at = open_page("ui/pages/themes.py", ANALYST)
    at.radio(key="themes_section").set_value("Co-occurrence").run()
    at.number_input(key="co_min").set_value(1).run()

    assert not at.exception and not at.error
    assert not at.get("vega_lite_chart")  # no heat map with two labels in 27
    (table,) = at.table
    frame = table.value
    assert list(frame.columns) == [
        "Themes", "Lift", "Reviews with all", "Note", "Expected if independent",
    ]  # fmt: skip
    assert list(frame.index) == list(range(1, len(frame) + 1))  # ranked
    assert [float(lift) for lift in frame["Lift"]] == sorted(
        (float(lift) for lift in frame["Lift"]), reverse=True
    )
    assert set(frame["Note"]) == {FEW}  # five reviews: no pair is in five
    # Seventeen since issue 24 (four before): reading short reviews sentence by sentence and the
    # themes' own words (keyword evidence) add tags the reviews' words support: Child D's review
    # ("chronic neglect", "this disguised compliance") carries Neglect and Disguised compliance
    # beside parental substance misuse and the child's voice, Child C's ("criminal exploitation
    # through county lines") Exploitation, Child A's (the health visitor, GPs) Health practice.
    shown = texts(at)
    assert f"17 combinations of themes found together in 5 reviews. 17 of them rest on {FEW}" in (
        shown
    )
    assert "Strongest: Neglect + Parental substance misuse + Disguised compliance" in shown
    assert "**The 15 strongest, by lift**" in shown
    (everything,) = at.dataframe  # the full list, beyond the 15 in the table
    assert len(everything.value) == 17
    assert (
        "Sudden unexpected death in infancy and unsafe sleep + Fathers, male carers and "
        "unknown men" in set(everything.value["Themes"])
    )


@pytest.mark.usefixtures("index_dir")
def test_changes_are_written_in_percentage_points() -> None:
    at = open_page("ui/pages/themes.py", ANALYST)
    at.radio(key="themes_section").set_value("Rising and new").run()

    assert not at.exception and not at.error
    (table,) = at.dataframe
    frame = table.value
    assert list(frame.columns[:3]) == ["Theme", "Change", "Note"]
    assert all(change.endswith(" pp") and "%" not in change for change in frame["Change"])
    assert set(frame["Note"]) <= {f"{FEW} (recent and earlier years)", f"{FEW} (recent years)",
                                  f"{FEW} (earlier years)"}  # fmt: skip
    assert len(set(frame["Note"])) >= 1 and all(frame["Note"])  # 3 recent, 2 earlier reviews
    assert "The change is in percentage points (pp)" in texts(at)


@pytest.mark.usefixtures("index_dir")
def test_recurring_recommendations_are_headed_by_their_words() -> None:
    at = open_page("ui/pages/themes.py", ANALYST)
    at.radio(key="themes_section").set_value("Recurring recommendations").run()
    at.slider(key="rec_threshold").set_value(0.0).run()  # the fake encoder's cosines run low

    assert not at.exception and not at.error
    headings = [expander.label for expander in at.expander]
    assert headings, texts(at)
    assert all(heading.startswith("\u201c") for heading in headings)
    assert all(" times in " in heading and " reviews, " in heading for heading in headings)
