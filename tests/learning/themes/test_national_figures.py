"""The published national figures: the shipped file loads and names only real themes, a good
row is read exactly, and every malformed or hostile row is refused naming its line and
column (issue 27)."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.errors import PublishedFiguresInvalid
from learning.themes.national_figures import (
    COLUMNS,
    DEFAULT_FIGURES,
    PublishedFigure,
    load_published_figures,
    parse_published_figures,
)
from learning.themes.taxonomy import load_taxonomy

HEADER = ",".join(COLUMNS)
GOOD = (
    "da-2020,2020,england,2020,2020,notifications,serious_harm,Domestic abuse present,"
    "domestic_abuse,exact,42.6,percent,Panel annual report 2020,https://example.org/a,"
    "News item,secondhand,Non-fatal cases"
)


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("utf-8")


def _row(**changes: str) -> str:
    cells = dict(zip(COLUMNS, GOOD.split(","), strict=True))
    cells.update(changes)
    return ",".join(cells[column] for column in COLUMNS)


def test_the_shipped_figures_load_and_name_real_themes() -> None:
    known = frozenset(load_taxonomy().ids)
    figures = load_published_figures(DEFAULT_FIGURES, known)

    assert len(figures) == 27
    assert {figure.nation for figure in figures} == {"england"}
    assert {f.figure_id for f in figures if f.confidence == "stated"} == {"sin-change-2023-24"}
    sin_2020 = next(figure for figure in figures if figure.figure_id == "sin-2020")
    assert (sin_2020.value, sin_2020.unit, sin_2020.population) == (482, "count", "notifications")
    themed = {figure.theme_id for figure in figures if figure.theme_id}
    assert themed == {
        "domestic_abuse", "parental_mental_health", "sudi_unsafe_sleep",
        "adolescent_mental_health", "exploitation_ehm", "neglect", "missing_education",
        "children_in_care",
    }  # fmt: skip
    assert all(figure.source_url.startswith("https://") for figure in figures)


def test_a_good_row_is_read_exactly() -> None:
    (figure,) = parse_published_figures(_csv(GOOD, ""), known_themes=frozenset({"domestic_abuse"}))

    assert figure == PublishedFigure(
        "da-2020", "2020", "england", 2020, 2020, "notifications", "serious_harm",
        "Domestic abuse present", "domestic_abuse", "exact", 42.6, "percent",
        "Panel annual report 2020", "https://example.org/a", "News item", "secondhand",
        "Non-fatal cases",
    )  # fmt: skip
    assert figure.value_text() == "42.6%"


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"qualifier": "more_than", "value": "50"}, "more than 50%"),
        ({"qualifier": "about", "value": "20"}, "about 20%"),
        ({"theme_id": "", "unit": "count", "value": "482"}, "482"),
        ({"theme_id": "", "unit": "change", "value": "-51"}, "-51"),
        ({"theme_id": "", "unit": "change", "value": "12"}, "+12"),
    ],
)
def test_a_figure_is_written_as_published(changes: dict[str, str], text: str) -> None:
    (figure,) = parse_published_figures(_csv(_row(**changes)))
    assert figure.value_text() == text


@pytest.mark.parametrize(
    ("row", "line", "column", "match"),
    [
        (_row(value="120"), 2, "value", "120% is not between 0 and 100"),
        (_row(value="4e2"), 2, "value", "not a plain number"),
        (_row(theme_id="", unit="count", value="3.5"), 2, "value", "not a whole count"),
        (_row(measure='=HYPERLINK("http://x")'), 2, "measure", "spreadsheet formula"),
        (_row(note="@SUM(A1)"), 2, "note", "spreadsheet formula"),
        (_row(source_url="javascript:alert(1)"), 2, "source_url", "one http"),
        (_row(source_url="https://a.org/x y"), 2, "source_url", "one http"),
        (_row(population="cases"), 2, "population", "'cases' is not one of"),
        (_row(nation="france"), 2, "nation", "'france' is not one of"),
        (_row(confidence="sure"), 2, "confidence", "'sure' is not one of"),
        (_row(first_year="2021"), 2, "last_year", "2020 is before first_year 2021"),
        (_row(first_year="20x0"), 2, "first_year", "'20x0' is not a year"),
        (_row(source=""), 2, "source", "is empty"),
        (_row(figure_id="Bad Id"), 2, "figure_id", "lower-case letters"),
        (_row(theme_id="no_such_theme"), 2, "theme_id", "not a theme of the taxonomy"),
        (_row(unit="count", value="4"), 2, "theme_id", "only as a share"),
        (_row(qualifier="roughly"), 2, "qualifier", "'roughly' is not one of"),
        (_row(measure="a\x07b"), 2, "measure", "control character"),
        (_row(note="x" * 501), 2, "note", "longer than 500"),
    ],
)
def test_a_bad_cell_is_refused_with_its_line_and_column(
    row: str, line: int, column: str, match: str
) -> None:
    with pytest.raises(PublishedFiguresInvalid, match=match) as refused:
        parse_published_figures(_csv(row), "f.csv", frozenset({"domestic_abuse"}))
    assert (refused.value.row, refused.value.column) == (line, column)
    assert str(refused.value).startswith(f"f.csv line {line}, column {column!r}: ")


def test_the_line_named_is_the_bad_rows() -> None:
    second = _row(figure_id="other", value="101")
    with pytest.raises(PublishedFiguresInvalid) as refused:
        parse_published_figures(_csv(GOOD, "", second))
    assert (refused.value.row, refused.value.column) == (4, "value")


@pytest.mark.parametrize(
    ("raw", "line", "match"),
    [
        (_csv(GOOD, GOOD), 3, "the same figure_id twice"),
        (_csv(GOOD + ",extra"), 2, "18 cells where the header has 17"),
        (b"figure_id,value\n", 1, "the header must be"),
        (b"", 1, "the header must be"),
        (_csv(GOOD).replace(b"News item", b'"News item'), 0, "not a CSV|cells where"),
        (_csv(GOOD).replace(b"2020", b"\xff\xfe", 1), 0, "not UTF-8"),
        (_csv(GOOD) + b"\x00", 0, "NUL byte"),
        (b"x" * 1_000_001, 0, "larger than"),
    ],
)
def test_a_malformed_file_is_refused(raw: bytes, line: int, match: str) -> None:
    with pytest.raises(PublishedFiguresInvalid, match=match) as refused:
        parse_published_figures(raw)
    if line:
        assert refused.value.row == line


def test_a_missing_file_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(PublishedFiguresInvalid, match="cannot be read"):
        load_published_figures(tmp_path / "none.csv")
