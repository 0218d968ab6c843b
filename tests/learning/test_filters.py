"""Parsing FIELD=VALUE search filters."""

from __future__ import annotations

import pytest

from learning.errors import InvalidFilter
from learning.filters import Filters, parse_filters


@pytest.mark.parametrize(
    ("expressions", "expected"),
    [
        ([], Filters()),
        (["year=2019"], Filters(year_min=2019, year_max=2019)),
        (["year=2018-2022"], Filters(year_min=2018, year_max=2022)),
        (["year = 2018..2022"], Filters(year_min=2018, year_max=2022)),
        (["year>=2019"], Filters(year_min=2019)),
        (["year>2019"], Filters(year_min=2020)),
        (["year<=2019"], Filters(year_max=2019)),
        (["year<2019"], Filters(year_max=2018)),
        (["year>=2015", "year<=2020"], Filters(year_min=2015, year_max=2020)),
        (["nation=England"], Filters(nation=("england",))),
        (["nation=Northern Ireland"], Filters(nation=("northern_ireland",))),
        (["nation=england,wales"], Filters(nation=("england", "wales"))),
        (["nation=england", "nation=wales"], Filters(nation=("england", "wales"))),
        (["outcome=serious harm"], Filters(outcome=("serious_harm",))),
        (["age_group=1-4"], Filters(age_group=("1_4",))),
        (["age=under_1"], Filters(age_group=("under_1",))),
        (["type=cspr"], Filters(review_type=("cspr",))),
        (["review_type=learning-review"], Filters(review_type=("learning_review",))),
        (["kind=recommendation"], Filters(kind=("recommendation",))),
        (["partnership=Northshire"], Filters(partnership=("northshire",))),
        (["outcome=Other"], Filters(outcome=("other",))),
        (["outcome=near miss"], Filters(outcome=("near_miss",))),
        (["outcome=Significant harm"], Filters(outcome=("significant_harm",))),
        (["outcome=unknown"], Filters(outcome=("unknown",))),
    ],
)
def test_parse_filters(expressions: list[str], expected: Filters) -> None:
    assert parse_filters(expressions) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("nation", r"not FIELD=VALUE; fields: year, partnership, nation"),
        ("colour=red", r"unknown filter field 'colour'; fields: year"),
        ("nation=!!!", r"nation='!!!' is not allowed; nation is one of: england, wales"),
        ("outcome=" + "x" * 41, r"outcome is one of: death, serious_harm, other, near_miss, unk"),
        ("kind=chapter", r"kind is one of: finding, recommendation, passage"),
        ("year=last", r"year 'last' is not a year; use year=2019"),
        ("year=2022-2018", r"runs backwards"),
        ("year=1066", r"out of range"),
        ("nation>=england", r"takes FIELD=VALUE, not '>='"),
        ("nation=", r"needs a value"),
    ],
)
def test_invalid_filters_name_the_field(expression: str, message: str) -> None:
    with pytest.raises(InvalidFilter, match=message):
        parse_filters([expression])


def test_contradictory_years_are_refused() -> None:
    with pytest.raises(InvalidFilter, match="leave no year"):
        parse_filters(["year>=2022", "year<=2019"])


def test_empty_filters_are_empty() -> None:
    assert Filters().is_empty
    assert not parse_filters(["kind=finding"]).is_empty
