"""A précis split into its facets (age, risks, agencies, what went wrong), on varied wording,
short and long; the taxonomy is the shipped one (the facets are read against it)."""

from __future__ import annotations

import pytest

from core.case_facts import CaseFacts
from learning.facets import MAX_FACETS, Facet, FacetKind, facet_reader, precis_facets
from learning.precis import case_precis
from learning.themes.taxonomy import Taxonomy, load_taxonomy

AGE, RISK, AGENCY, FAILURE = FacetKind.AGE, FacetKind.RISK, FacetKind.AGENCY, FacetKind.FAILURE
ISSUE_PRECIS = (
    "4-month-old, non-accidental head injury, father's mental health and substance misuse, "
    "mother a care leaver, health visitor missed bruising, agencies did not share information"
)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def _read(facets: tuple[Facet, ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, label, what it was read as: themes, age groups or agency) of each facet."""
    return [
        (str(f.kind), f.label, f.age_groups or f.theme_ids or ((f.agency,) if f.agency else ()))
        for f in facets
    ]


CASES = [
    pytest.param(
        ISSUE_PRECIS,
        [
            ("age", "4-month-old", ("under_1",)),
            ("risk", "non-accidental head injury", ("nai_infancy",)),
            ("risk", "father's mental health", ("parental_mental_health",)),
            ("risk", "substance misuse", ("parental_substance_misuse",)),
            ("risk", "mother a care leaver", ("children_in_care",)),
            ("agency", "health visitor", ("health_practice",)),
            ("failure", "health visitor missed bruising", ()),
            ("failure", "agencies did not share information", ("information_sharing",)),
        ],
        id="the issue's précis, comma by comma",
    ),
    pytest.param("neglect", [("risk", "neglect", ("neglect",))], id="one word"),
    pytest.param(
        "A 15-year-old girl was sexually exploited by older men and went missing from home "
        "many times; the police and school did not join up what they knew.",
        [
            ("age", "15-year-old", ("15_17",)),
            (
                "risk",
                "15-year-old girl was sexually exploited by older men",
                ("exploitation_ehm",),
            ),
            ("risk", "went missing from home many times", ("missing_education",)),
            ("agency", "police", ("police",)),
            ("agency", "school", ("school",)),
            ("failure", "school did not join up what they knew", ()),
        ],
        id="a teenager exploited, in sentences",
    ),
    pytest.param(
        "Baby died while co-sleeping with his mum who had been drinking.",
        [
            ("age", "baby", ("under_1",)),
            (
                "risk",
                "co-sleeping with his mum who had been drinking",
                ("sudi_unsafe_sleep",),
            ),
        ],
        id="a sudden death in infancy",
    ),
    pytest.param(
        "Toddler died of neglect. Home conditions were poor, the family was not brought to "
        "health appointments, and the social worker changed four times.",
        [
            ("age", "toddler", ("1_4",)),
            ("risk", "Toddler died of neglect", ("neglect",)),
            ("agency", "children's social care", ("children's social care",)),
            (
                "failure",
                "social worker changed four times",
                ("supervision_workforce",),
            ),
        ],
        id="neglect of a toddler; a risk said twice is one facet",
    ),
    pytest.param(
        "There was no domestic abuse. The disabled child was non-verbal and the GP did not "
        "refer; no interpreter was used.",
        [
            ("risk", "disabled child was non-verbal", ("disability_health_needs",)),
            ("agency", "GP", ("health_practice",)),
            ("failure", "GP did not refer", ()),
            ("failure", "no interpreter was used", ("race_culture_faith",)),
        ],
        id="a denied risk is no facet; what was not done is one",
    ),
    pytest.param(
        "The 19-year-old mother, a teenage mother herself, had a baby with rib fractures.",
        [
            ("risk", "teenage mother herself", ("young_parents_capacity",)),
            ("age", "baby", ("under_1",)),
            ("risk", "had a baby with rib fractures", ("nai_infancy",)),
        ],
        id="an adult's age is not the child's",
    ),
    pytest.param(
        "A 2 year old was left alone for days; mum a heroin addict.",
        [
            ("age", "2 year old", ("1_4",)),
            ("risk", "mum a heroin addict", ("parental_substance_misuse",)),
        ],
        id="everyday words for the taxonomy's",
    ),
    pytest.param("?! --", [], id="no words"),
    pytest.param("The weather was cold that week.", [], id="nothing a facet is made of"),
]


@pytest.mark.parametrize(("precis", "expected"), CASES)
def test_a_precis_splits_into_its_facets(
    taxonomy: Taxonomy, precis: str, expected: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    assert _read(precis_facets(precis, taxonomy.themes)) == expected


def test_each_facet_says_what_it_was_read_as_and_what_is_searched(taxonomy: Taxonomy) -> None:
    facets = precis_facets(ISSUE_PRECIS, taxonomy.themes)
    by_label = {facet.label: facet for facet in facets}

    assert by_label["4-month-old"].meaning == "Under 1 year"
    assert by_label["substance misuse"].meaning == "Parental substance misuse"
    # cut off by "and", the second condition is still the father's
    assert by_label["substance misuse"].query == "father's substance misuse"
    assert by_label["health visitor"].query == "health visitor"


@pytest.mark.parametrize(
    ("precis", "clauses"),
    [
        (
            "father's mental health and substance misuse",
            [
                ("father's mental health", "father's mental health"),
                ("substance misuse", "father's substance misuse"),
            ],
        ),
        (
            "The mother's new boyfriend had moved in and was not known to the health visitor",
            [
                (
                    "The mother's new boyfriend had moved in",
                    "The mother's new boyfriend had moved in",
                ),
                ("was not known to the health visitor", "was not known to the health visitor"),
            ],
        ),
        ("drug and alcohol misuse", [("drug and alcohol misuse", "drug and alcohol misuse")]),
        (
            "A child aged between one and four; bruises (two)",
            [("A child aged between one and four", "A child aged between one and four")]
            + [("bruises", "bruises"), ("two", "two")],
        ),
    ],
    ids=["a possessive carries", "a person is not a condition", "a lone word joins", "a range"],
)
def test_clauses_are_cut_where_the_facts_change(
    taxonomy: Taxonomy, precis: str, clauses: list[tuple[str, str]]
) -> None:
    assert facet_reader(taxonomy.themes).clauses(precis) == clauses


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            CaseFacts("death", "15_17", looked_after=True, child_protection_plan=True),
            [
                ("age", "between fifteen and seventeen", ("15_17",)),
                ("risk", "child was looked after by the local authority", ("children_in_care",)),
            ],
        ),
        (CaseFacts("serious_harm", "1_4"), [("age", "between one and four", ("1_4",))]),
        (CaseFacts("death", "under_1", stage="rapid_review"), [("age", "baby", ("under_1",))]),
    ],
)
def test_a_precis_built_from_a_cases_facts_splits_into_them(
    taxonomy: Taxonomy, facts: CaseFacts, expected: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    assert _read(precis_facets(case_precis(facts), taxonomy.themes)) == expected


def test_a_long_precis_keeps_its_first_facets_each_once(taxonomy: Taxonomy) -> None:
    sentences = [
        "Child M was a six week old baby with bruising to his ear.",
        "The health visitor saw the bruise and accepted the explanation.",
        "His father had a history of domestic abuse and coercive control.",
        "His mother had postnatal depression and was a care leaver.",
        "The GP was not informed of the domestic abuse notifications.",
        "The police did not share information with children's social care.",
        "The family moved to another area and the records did not follow the child.",
        "Both parents misused cannabis and alcohol.",
        "There was chronic neglect and the home conditions were poor.",
        "An older sibling was excluded from school and missing from education.",
        "The social worker changed three times and management oversight was weak.",
        "Nobody saw the baby alone or asked what life was like for him.",
    ]
    facets = precis_facets(" ".join(sentences * 2), taxonomy.themes)

    assert len(facets) == MAX_FACETS
    assert len({facet.key for facet in facets}) == len(facets)
    assert _read(facets)[:3] == [
        ("age", "six week old", ("under_1",)),
        ("risk", "Child M was a six week old baby …", ("nai_infancy",)),
        ("agency", "health visitor", ("health_practice",)),
    ]
    assert [f.kind for f in facets].count(AGE) == 1


@pytest.mark.parametrize(
    ("label", "text", "says"),
    [
        ("mother a care leaver", "Personal advisers of care leavers who are pregnant.", True),
        ("mother a care leaver", "The mother cared for the baby in a dirty flat.", False),
        ("non-accidental head injury", "Abusive head trauma was found on the scan.", True),
        ("non-accidental head injury", "The boy had a sprained ankle from football.", False),
        ("health visitor", "The health visitor saw the baby at home.", True),
        ("health visitor", "The GP saw the baby at the surgery.", False),
        ("health visitor missed bruising", "A health visitor noticed the bruising.", True),
        ("health visitor missed bruising", "The health visitor missed an appointment.", False),
        ("4-month-old", "A four month old baby was seen.", False),  # ages are metadata
    ],
)
def test_a_passage_says_what_a_facet_says(
    taxonomy: Taxonomy, label: str, text: str, says: bool
) -> None:
    reader = facet_reader(taxonomy.themes)
    facet = next(facet for facet in reader.facets(ISSUE_PRECIS) if facet.label == label)
    assert reader.passage_says(facet, text) is says


def test_facet_kinds_cover_risks_ages_agencies_and_failures(taxonomy: Taxonomy) -> None:
    kinds = {facet.kind for facet in precis_facets(ISSUE_PRECIS, taxonomy.themes)}
    assert kinds == {AGE, RISK, AGENCY, FAILURE}
