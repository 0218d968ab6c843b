"""Trends over review-level tags: prevalence that adds up, co-occurrence lift by hand, and
rising and new themes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.themes.trends import (
    DIMENSIONS,
    ReviewFacts,
    cooccurrence,
    prevalence,
    tag_matrix,
    theme_changes,
)

THEMES = ("domestic_abuse", "parental_mental_health", "parental_substance_misuse", "neglect")

FACTS = [
    ReviewFacts("r1", 2018, "england", "Northshire", "under_1", "death", "scr"),
    ReviewFacts("r2", 2018, "wales", "Dyfnant", "1_4", "serious_harm", "cpr"),
    ReviewFacts("r3", 2019, "england", "Northshire", "under_1", "death", "cspr"),
    ReviewFacts("r4", 2021, "england", "Kingsford", "15_17", "death", "cspr"),
    ReviewFacts("r5", 2022, None, None, None, None, None),
]
TAGS = {
    "r1": frozenset({"domestic_abuse", "parental_mental_health", "parental_substance_misuse"}),
    "r2": frozenset({"domestic_abuse", "parental_substance_misuse"}),
    "r3": frozenset({"domestic_abuse", "parental_mental_health", "parental_substance_misuse"}),
    "r4": frozenset({"neglect", "not_a_theme"}),
    "r5": frozenset(),
}


def test_prevalence_by_year_counts_and_shares() -> None:
    table = prevalence(FACTS, TAGS, THEMES, "year")
    assert table.groups == (("2018", 2), ("2019", 1), ("2021", 1), ("2022", 1))
    rows = {(row.group, row.theme_id): (row.count, row.reviews) for row in table.rows}
    assert rows[("2018", "domestic_abuse")] == (2, 2)
    assert rows[("2018", "parental_mental_health")] == (1, 2)
    assert rows[("2021", "neglect")] == (1, 1)
    assert rows[("2022", "neglect")] == (0, 1)
    share = {(r.group, r.theme_id): r.share for r in table.rows}
    assert share[("2018", "parental_mental_health")] == 0.5


def test_missing_facts_are_an_unknown_group_listed_last() -> None:
    table = prevalence(FACTS, TAGS, THEMES, "nation")
    assert table.groups == (("england", 3), ("wales", 1), ("unknown", 1))
    ages = prevalence(FACTS, TAGS, THEMES, "age_group")
    assert [group for group, _ in ages.groups] == ["under_1", "1_4", "15_17", "unknown"]


def test_unknown_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot group by 'colour'"):
        prevalence(FACTS, TAGS, THEMES, "colour")


facts_strategy = st.lists(
    st.builds(
        ReviewFacts,
        review_id=st.uuids().map(str),
        year=st.none() | st.integers(2010, 2024),
        nation=st.none() | st.sampled_from(["england", "wales", "scotland"]),
        partnership=st.none() | st.sampled_from(["A", "B"]),
        age_group=st.none() | st.sampled_from(["under_1", "1_4", "15_17"]),
        outcome=st.none() | st.sampled_from(["death", "serious_harm"]),
        review_type=st.none() | st.sampled_from(["scr", "cspr"]),
    ),
    max_size=30,
    unique_by=lambda fact: fact.review_id,
)


@settings(max_examples=60, deadline=None)
@given(facts=facts_strategy, data=st.data())
def test_groups_add_up_to_the_reviews(facts: list[ReviewFacts], data: st.DataObject) -> None:
    tags = {
        fact.review_id: frozenset(data.draw(st.sets(st.sampled_from(THEMES)))) for fact in facts
    }
    for dimension in DIMENSIONS:
        table = prevalence(facts, tags, THEMES, dimension)
        assert sum(size for _, size in table.groups) == len(facts) == table.total_reviews
        for group, size in table.groups:
            members = [f for f in facts if f.value_of(dimension) == group]
            assert size == len(members)
            for theme in THEMES:
                (row,) = [r for r in table.rows if r.group == group and r.theme_id == theme]
                assert row.count == sum(theme in tags[f.review_id] for f in members)
        for theme in THEMES:
            total = sum(r.count for r in table.rows if r.theme_id == theme)
            assert total == sum(theme in tags[f.review_id] for f in facts)


def test_cooccurrence_lift_by_hand() -> None:
    # 5 reviews; DA in 3 (p=.6), PMH in 2 (p=.4), PSM in 3 (p=.6).
    found = {item.themes: item for item in cooccurrence([f.review_id for f in FACTS], TAGS, THEMES)}
    pair = found[("domestic_abuse", "parental_mental_health")]
    assert pair.observed == 2
    assert pair.expected == pytest.approx(5 * 0.6 * 0.4)
    assert pair.lift == pytest.approx(2 / 1.2)
    da_psm = found[("domestic_abuse", "parental_substance_misuse")]
    assert (da_psm.observed, da_psm.expected) == (3, pytest.approx(1.8))
    trio = found[("domestic_abuse", "parental_mental_health", "parental_substance_misuse")]
    assert trio.observed == 2
    assert trio.expected == pytest.approx(5 * 0.6 * 0.4 * 0.6)
    assert trio.lift == pytest.approx(2 / 0.72)
    assert not any("neglect" in themes for themes in found)  # seen once only


def test_cooccurrence_is_ordered_by_lift_then_count() -> None:
    items = cooccurrence([f.review_id for f in FACTS], TAGS, THEMES)
    keys = [(-round(i.lift, 9), -i.observed, i.themes) for i in items]
    assert keys == sorted(keys)
    assert items[0].themes == (
        "domestic_abuse",
        "parental_mental_health",
        "parental_substance_misuse",
    )
    assert cooccurrence([], {}, THEMES) == []
    assert cooccurrence(["r1"], TAGS, THEMES, min_observed=1)[0].lift == pytest.approx(1.0)


def test_new_and_rising_themes() -> None:
    changes = {c.theme_id: c for c in theme_changes(FACTS, TAGS, THEMES, recent_years=2)}
    # window 2021-2022 (2 reviews), before: 2018-2019 (3 reviews)
    assert changes["neglect"].status == "new"
    assert changes["neglect"].first_year == 2021
    assert (changes["neglect"].recent_count, changes["neglect"].recent_reviews) == (1, 2)
    assert changes["domestic_abuse"].status == "falling"
    assert changes["domestic_abuse"].earlier_share == 1.0
    assert changes["domestic_abuse"].first_year == 2018


def test_window_can_end_at_a_given_year() -> None:
    changes = {
        c.theme_id: c for c in theme_changes(FACTS, TAGS, THEMES, recent_years=1, latest_year=2019)
    }
    assert changes["parental_mental_health"].status == "rising"  # 1/1 in 2019 vs 1/2 before
    assert changes["neglect"].status == "absent"  # its only review is after 2019
    assert theme_changes([], TAGS, THEMES) == []


def test_tag_matrix_ignores_unknown_themes() -> None:
    matrix = tag_matrix(["r4"], TAGS, THEMES)
    assert matrix.tolist() == [[False, False, False, True]]
