"""The national picture's exports: the rates table as CSV (read back equal, formulas made
inert), the comparison and change rows, and the chart as a PNG image (issue 27)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from learning.themes.national_chart import (
    ROW,
    chart_themes,
    comparison_chart_png,
    rates_chart_png,
)
from learning.themes.national_figures import PublishedFigure
from learning.themes.national_picture import (
    COMPARISON_COLUMNS,
    RATE_COLUMNS,
    build_national_picture,
    change_rows,
    changes_text,
    comparison_rows,
    rate_rows,
    rates_csv,
    read_table_csv,
    table_csv,
)
from learning.themes.trends import ReviewFacts

LABELS = {"neglect": "Neglect", "domestic_abuse": "Domestic abuse", "online_harm": "Online harm"}
FIGURE = PublishedFigure(
    "da-2020", "2020", "england", 2020, 2020, "notifications", "", "Domestic abuse present",
    "domestic_abuse", "exact", 42.6, "percent", "Panel annual report 2020",
    "https://example.org/report", "p. 12", "secondhand", "",
)  # fmt: skip


def _library() -> tuple[list[ReviewFacts], dict[str, set[str]]]:
    facts, tags = [], {}
    for year, neglect in ((2020, 2), (2021, 10)):
        for i in range(20):
            review = f"r{year}-{i}"
            facts.append(ReviewFacts(review, year, "england", "Northshire LSCB"))
            tags[review] = {"neglect"} if i < neglect else set()
            if i < 5:
                tags[review].add("domestic_abuse")
    return facts, tags


@pytest.fixture
def picture():
    facts, tags = _library()
    return build_national_picture(facts, tags, LABELS, [FIGURE], "year")


def test_the_rates_csv_reads_back_as_the_table(picture) -> None:
    data = rates_csv(picture)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the en dashes right
    back = read_table_csv(data)

    assert list(back[0]) == list(RATE_COLUMNS)
    assert [tuple(row.values()) for row in back] == [
        tuple(str(cell) for cell in row) for row in rate_rows(picture)
    ]
    neglect_2021 = next(r for r in back if (r["Group"], r["Theme"]) == ("2021", "Neglect"))
    assert neglect_2021 == {
        "Group by": "Year of publication", "Group": "2021", "Theme": "Neglect", "Reviews": "20",
        "With the theme": "10", "Share": "0.5", "95% low": "0.2993", "95% high": "0.7007",
        "Note": "",
    }  # fmt: skip


def test_a_cell_that_would_run_as_a_formula_is_written_inert() -> None:
    back = read_table_csv(table_csv(["a", "b", "c"], [("=HYPERLINK(1)", "@x", -51)]))
    assert back == [{"a": "'=HYPERLINK(1)", "b": "'@x", "c": "-51"}]


def test_the_comparison_rows_give_ours_theirs_and_the_source(picture) -> None:
    (row,) = comparison_rows(picture)
    shown = dict(zip(COMPARISON_COLUMNS, row, strict=True))

    assert shown["Theirs"] == "42.6%"
    assert shown["Ours"] == "25% (5 of 20)"  # 2020's reviews only, not 2021's
    assert shown["Our 95% interval"] == "11%\u201347%"
    assert (shown["Difference"], shown["Outside our interval"]) == ("-17.6 pp", "No")
    assert shown["Population"] == "Serious incident notifications (England)"
    assert shown["Source address"] == "https://example.org/report"
    assert shown["Confidence"] == "Reported secondhand"
    assert "Published reviews are a minority of notified cases" in str(shown["Why they differ"])


def test_the_change_rows_and_their_summary(picture) -> None:
    flagged = change_rows(picture, flagged_only=True)
    assert [row[:3] for row in flagged] == [("Neglect", 2020, 2021)]
    assert flagged[0][5] == "+40.0 pp"
    assert len(change_rows(picture)) == 2  # domestic abuse tested too, within chance
    assert changes_text(picture).startswith(
        "2 year-on-year changes tested (two-proportion z-test). 1 has p < 0.05 on its own;"
    )


def test_the_chart_is_a_png_of_the_commonest_themes(picture) -> None:
    assert chart_themes(picture) == ["neglect", "domestic_abuse"]  # online harm: none
    data = rates_chart_png(picture)

    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 2_000
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.width >= 720
    assert image.height > rates_chart_png_height(1)  # two panels are taller than one
    assert Image.open(io.BytesIO(rates_chart_png(picture, ["neglect"]))).height == (
        rates_chart_png_height(1)
    )


def rates_chart_png_height(panels: int) -> int:
    from learning.themes.national_chart import FOOT, PANEL_HEIGHT, TOP

    return TOP + PANEL_HEIGHT * panels + FOOT


def test_nothing_to_draw_is_refused() -> None:
    empty = build_national_picture([], {}, LABELS, [], "year")
    with pytest.raises(ValueError, match="nothing to draw"):
        rates_chart_png(empty)


def test_ours_beside_theirs_is_a_png_with_a_row_per_published_share(picture) -> None:
    one = Image.open(io.BytesIO(comparison_chart_png(picture)))
    assert one.format == "PNG" and one.width == 960
    facts, tags = _library()
    again = build_national_picture(facts, tags, LABELS, [FIGURE, FIGURE], "year")
    two = Image.open(io.BytesIO(comparison_chart_png(again)))
    assert two.height - one.height == ROW
    elsewhere = build_national_picture(facts, tags, LABELS, [], "year")
    with pytest.raises(ValueError, match="nothing to draw"):
        comparison_chart_png(elsewhere)
