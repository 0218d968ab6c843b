"""``cspr themes national`` end to end on the tiny corpus (ingested with the fake encoder):
the rates and the published figures beside ours as JSON and text, the CSV and PNG files, and
one-line errors for a bad grouping or a bad file of figures (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learning.themes.national_picture import RATE_COLUMNS, read_table_csv
from tests.learning.themes.test_cli_themes import (  # noqa: F401 - fixtures, used by name
    cspr,
    loads,
    reviews,
)


@pytest.fixture
def cli(request: pytest.FixtureRequest):
    """``cspr`` over a data folder holding the tiny corpus and the PDF review, ingested."""
    request.getfixturevalue("reviews")
    return request.getfixturevalue("cspr")


def test_json_gives_rates_changes_and_the_published_figures(cli) -> None:
    result = cli("themes", "national", "--json")
    assert result.exit_code == 0, result.output
    picture = json.loads(result.stdout)

    assert (picture["by"], picture["total_reviews"]) == ("year", 6)
    assert {row["Group"] for row in picture["rates"]} >= {"2018", "2019", "2020", "2022"}
    assert len(picture["published"]) == 27
    da = next(
        row for row in picture["published"]
        if row["Measure"] == "Domestic abuse present (non-fatal cases)"
    )  # fmt: skip
    # the one English review of serious harm published in 2020 is the domestic abuse review
    assert (da["Theirs"], da["Ours"], da["Difference"]) == ("42.6%", "100% (1 of 1)", "+57.4 pp")
    assert da["Source address"].startswith("https://www.suttonlscp.org.uk/")
    assert all(set(change) >= {"p", "p (Holm)", "Verdict"} for change in picture["changes"])


def test_text_names_each_figure_with_its_source(cli) -> None:
    result = cli("themes", "national")
    assert result.exit_code == 0, result.output
    assert "6 reviews in the library, by year of publication." in result.stdout
    assert "2020  Serious incident notifications: theirs 482; ours 1 review in the library" in (
        result.stdout
    )
    assert "(reported secondhand)" in result.stdout
    assert "year-on-year changes tested (two-proportion z-test)" in result.stdout


def test_csv_and_chart_files_by_region(cli, tmp_path: Path) -> None:
    table, chart, beside = (tmp_path / name for name in ("rates.csv", "rates.png", "b.png"))
    result = cli(
        "themes", "national", "--by", "region", "--csv", table, "--chart", chart,
        "--beside-chart", beside,
    )  # fmt: skip
    assert result.exit_code == 0, result.output

    rows = read_table_csv(table.read_bytes())
    assert list(rows[0]) == list(RATE_COLUMNS)
    assert {row["Group by"] for row in rows} == {"Area (partnership)"}
    assert {"Northshire", "Eastbridge", "Glenmorven"} <= {row["Group"] for row in rows}
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.stat().st_size > 2_000
    assert beside.read_bytes().startswith(b"\x89PNG")
    assert f"wrote {table}" in result.output and f"wrote {chart}" in result.output


def test_a_bad_grouping_or_file_is_one_line(cli, tmp_path: Path) -> None:
    wrong = cli("themes", "national", "--by", "outcome")
    assert wrong.exit_code == 2
    assert "error: --by 'outcome' is not one of: year, nation, region" in wrong.output
    bad = tmp_path / "figures.csv"
    shipped = Path("corpus/national/panel_figures.csv").read_text(encoding="utf-8")
    bad.write_text(shipped.replace(",42.6,", ",142.6,"), encoding="utf-8")
    refused = cli("themes", "national", "--figures", bad)
    assert refused.exit_code == 2
    assert "line 7, column 'value': 142.6% is not between 0 and 100" in refused.output
