"""A facet that names a person is borne out by passages about that person (issue 24: "father's
mental health" matched a passage about the mother's). Facets are read from varied précis
against the shipped taxonomy; the passages are written for the test, not taken from the demo
library."""

from __future__ import annotations

import pytest

from learning.facet_roles import Role, about_the_same_person, roles_named
from learning.facets import Facet, FacetReader, facet_reader
from learning.themes.taxonomy import load_taxonomy

FATHER, MOTHER, PARTNER, PARENT = Role.FATHER, Role.MOTHER, Role.PARTNER, Role.PARENT


@pytest.fixture(scope="module")
def reader() -> FacetReader:
    return facet_reader(load_taxonomy().themes)


def _facet(reader: FacetReader, precis: str, label: str) -> Facet:
    return next(facet for facet in reader.facets(precis) if facet.label == label)


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("father's mental health", {FATHER}),
        ("Dad's cannabis use", {FATHER}),
        ("the mother's new boyfriend had moved in", {PARTNER}),  # the mother says whose
        ("maternal depression", {MOTHER}),
        ("Father and Mother both drank", {FATHER, MOTHER}),
        ("both parents misused heroin", {PARENT}),
        ("her foster carers and a kinship carer", {Role.FOSTER_CARER}),
        ("the baby's older half-sister", {Role.SIBLING}),
        ("the stepfather's violence", {Role.STEPFATHER}),
        ("partner agencies did not share what they knew", set()),  # organisations
        ("the safeguarding partners should ensure", set()),
        ("a six week old baby was bruised", set()),
    ],
)
def test_the_people_a_text_names(text: str, people: set[Role]) -> None:
    assert roles_named(text) == people


FATHERS = "Father's mental health and substance misuse"
PARTNERS = "The mother's partner used cocaine and was violent to her"
SLEEP = "Baby died while co-sleeping with his mum who had been drinking"
SIBLING = "An older sibling was excluded from school"


@pytest.mark.parametrize(
    ("precis", "label", "passage", "says"),
    [
        (FATHERS, "Father's mental health", "The father had a long history of psychosis.", True),
        (FATHERS, "Father's mental health", "The mother's mental health deteriorated.", False),
        (FATHERS, "Father's mental health", "Maternal mental health was not assessed.", False),
        (FATHERS, "Father's mental health", "Both parents had mental health problems.", True),
        # names nobody: it may be anyone's
        (FATHERS, "Father's mental health", "Adult mental health services were involved.", True),
        # a pronoun is the last person of its sex named before it
        (
            FATHERS,
            "Father's mental health",
            "The mother was 19. She had postnatal depression and her mental health was poor.",
            False,
        ),
        (
            FATHERS,
            "Father's mental health",
            "Father's control made it harder for Mother to seek help. Her mental health "
            "worsened and her depression was not treated.",
            False,
        ),
        (
            FATHERS,
            "Father's mental health",
            "Mother cared for the baby. His mental health had declined since the father lost "
            "his job, and he was depressed.",
            True,
        ),
        # the second condition is still the father's
        (FATHERS, "substance misuse", "Dad's cannabis and alcohol misuse was known.", True),
        (FATHERS, "substance misuse", "The mother drank heavily and misused drugs.", False),
        (PARTNERS, "mother's partner used cocaine and was violent to …",
         "Her boyfriend had a history of domestic abuse against former partners.", True),
        (PARTNERS, "mother's partner used cocaine and was violent to …",
         "The stepfather was violent: the police attended domestic abuse incidents.", True),
        (PARTNERS, "mother's partner used cocaine and was violent to …",
         "The grandfather was violent: the police attended domestic abuse incidents.", False),
        (SLEEP, "co-sleeping with his mum who had been drinking",
         "The father fell asleep on the sofa with the baby after drinking.", False),
        (SLEEP, "co-sleeping with his mum who had been drinking",
         "Mum had been drinking and was co-sleeping with the baby on the sofa.", True),
        (SIBLING, "older sibling was excluded from school",
         "Her brother had been excluded from school and was missing education.", True),
        (SIBLING, "older sibling was excluded from school",
         "The mother had been excluded from school herself and missed education.", False),
    ],
)  # fmt: skip
def test_a_facet_about_a_person_is_borne_out_by_passages_about_that_person(
    reader: FacetReader, precis: str, label: str, passage: str, says: bool
) -> None:
    assert reader.passage_says(_facet(reader, precis, label), passage) is says


@pytest.mark.parametrize(
    ("label", "passage"),
    [
        ("non-accidental head injury", "Abusive head trauma: the mother's partner shook him."),
        ("health visitor", "The health visitor saw Mother at home."),
        ("agencies did not share information", "Mother's GP did not share information."),
    ],
)
def test_a_facet_about_no_one_in_particular_is_borne_out_whoever_the_passage_names(
    reader: FacetReader, label: str, passage: str
) -> None:
    precis = (
        "4-month-old, non-accidental head injury, father's mental health and substance misuse, "
        "mother a care leaver, health visitor missed bruising, agencies did not share information"
    )
    facet = _facet(reader, precis, label)
    assert not facet.people
    assert reader.passage_says(facet, passage)


def test_more_sentences_about_the_person_than_about_another_carry_the_passage() -> None:
    def says(sentence: str) -> bool:
        return "drank" in sentence

    one_each = "The father drank every day. The mother drank at weekends."
    mostly_hers = "The mother drank. She drank more after the birth. Father drank too."
    assert about_the_same_person(frozenset({FATHER}), one_each, says)
    assert not about_the_same_person(frozenset({FATHER}), mostly_hers, says)
    assert about_the_same_person(frozenset(), mostly_hers, says)  # a facet about no one
