"""The Themes page's national picture (AppTest, issue 27): shares by year, nation and area
with 95% intervals, the published figures beside ours with their sources as links and why
they differ, year-on-year changes tested against chance, the CSV and PNG downloads, and a bad
file of figures refused in words.

The demo store and the tiny corpus's index are the fixtures of tests/ui/demo_pages.py (five
reviews, one a year from 2018 to 2022).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

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

SECTION = "The national picture"


def _national(by: str | None = None) -> AppTest:
    at = open_page("ui/pages/themes.py", ANALYST)
    at.radio(key="themes_section").set_value(SECTION).run()
    if by is not None:
        at.selectbox(key="national_by").set_value(by).run()
    assert not at.exception and not at.error
    return at


def _frames(at: AppTest) -> dict[tuple[str, ...], pd.DataFrame]:
    """The section's tables by their first columns (AppTest does not expose widget keys of
    dataframes)."""
    return {tuple(table.value.columns[:2]): table.value for table in at.dataframe}


def _downloads(at: AppTest) -> dict[str, str]:
    return {element.proto.label: element.proto.url for element in at.get("download_button")}


@pytest.mark.usefixtures("index_dir")
def test_rates_by_year_have_intervals_and_downloads() -> None:
    at = _national()
    chosen = at.multiselect(key="national_themes")
    assert chosen.value  # the commonest themes, chosen for the analyst
    chosen.set_value(["domestic_abuse", "neglect"]).run()

    rates = _frames(at)[("Group", "Theme")]
    assert list(rates.columns) == [
        "Group", "Theme", "Reviews", "With the theme", "Share", "95% interval", "Note",
    ]  # fmt: skip
    da = rates[(rates["Theme"] == DA_LABEL) & (rates["Group"] == "2020")].iloc[0]
    assert (da["Reviews"], da["With the theme"], da["Share"]) == (1, 1, 1.0)
    assert (da["95% interval"], da["Note"]) == ("21%\u2013100%", "fewer than 5 reviews")
    assert set(rates["Group"]) == {"2018", "2019", "2020", "2021", "2022"}
    assert {"Download the rates (CSV)", "Download the chart (PNG)"} <= set(_downloads(at))
    assert "5 published reviews in the library, by year of publication." in texts(at)


@pytest.mark.usefixtures("index_dir")
def test_ours_beside_the_published_figures_with_links_and_reasons() -> None:
    at = _national()

    published = _frames(at)[("Period", "Measure")]
    row = published[published["Measure"] == "Domestic abuse present (non-fatal cases)"].iloc[0]
    assert (row["Theirs"], row["Ours"], row["Difference"]) == ("42.6%", "100% (1 of 1)", "+57.4 pp")
    assert row["Source address"].startswith("https://www.suttonlscp.org.uk/")
    assert row["Confidence"] == "Reported secondhand"
    shown = texts(at)
    assert "Ours and theirs count different things." in shown
    assert "coded by the Panel" in shown and "minority of notified cases" in shown
    assert {"Download ours beside theirs (CSV)", "Download ours beside theirs (PNG)"} <= set(
        _downloads(at)
    )


@pytest.mark.usefixtures("index_dir")
def test_year_on_year_changes_are_tested_and_can_all_be_shown() -> None:
    at = _national()
    shown = texts(at)
    assert "year-on-year changes tested (two-proportion z-test)" in shown
    assert "once adjusted for the number of tests (Holm)" in shown

    at.checkbox(key="national_every").check().run()
    changes = _frames(at)[("Theme", "From")]
    assert list(changes.columns)[-3:] == ["p", "p (Holm)", "Verdict"]
    assert set(changes["Verdict"]) == {"Within chance"}  # one review a year proves nothing


@pytest.mark.usefixtures("index_dir")
def test_by_region_groups_by_the_partnerships_area() -> None:
    at = _national("region")
    rates = _frames(at)[("Group", "Theme")]
    assert {"Northshire", "Eastbridge", "Dyfnant", "Glenmorven", "Kingsford"} == set(rates["Group"])


@pytest.mark.usefixtures("index_dir")
def test_a_bad_file_of_figures_is_refused_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "figures.csv"
    bad.write_text("figure_id,value\nx,1\n", encoding="utf-8")
    monkeypatch.setattr("learning.themes.national_picture.DEFAULT_FIGURES", bad)
    at = open_page("ui/pages/themes.py", ANALYST)
    at.radio(key="themes_section").set_value(SECTION).run()

    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("The file of published figures cannot be used:")
    assert "line 1" in error.value and "the header must be" in error.value
