"""The guard's general mechanisms for names (core/personal_places.py), on invented text:
a place the gazetteer knows passes unless a person's context names someone; what people do,
own or are called makes a word a name; lower-case and capitals names are read again."""

from __future__ import annotations

import pytest

from core.personal_data import find_personal_data
from core.personal_findings import Kind
from core.personal_places import places, recase


def _names(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_personal_data(text) if f.kind == Kind.NAME]


def test_the_gazetteer_holds_uk_and_irish_places_and_no_comment_line() -> None:
    gazetteer = places()
    assert {"wigan", "ashley", "newry", "kingston upon hull"} <= gazetteer
    assert len(gazetteer) > 10_000 and not any(p.startswith("#") for p in gazetteer)


@pytest.mark.parametrize(
    "text",
    [
        "Ashley and Stanley both appear in the housing history.",  # places that are names too
        "Wigan's early help offer was rated good.",
        "The child was placed in South Kesteven, then North Tyneside.",
        "The family moved between Hanley and Burslem in Stoke-on-Trent.",
        "Dame Cicely Saunders House offered respite care.",  # a person honoured in a name
        "Sir Harold Ridley's school referred the boy.",
        "Girl, 13, missing from care twice in a week.",
        "Child JJ and Child KK were seen together.",
        "Baby F was born in May 2021 at 30 weeks.",  # a month and a year: no date of birth
    ],
)
def test_places_honours_and_ordinary_words_pass(text: str) -> None:
    assert find_personal_data(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mrs Ashley phoned the school twice.", "Ashley"),  # a title
        ("Stanley, aged 7, was seen at home.", "Stanley"),  # "aged N"
        ("Ashley said she would call back.", "Ashley"),  # what only a person does
        ("Oluwadamilare told the teacher he was hungry.", "Oluwadamilare"),  # rare word + verb
        ("Zainabu's older sister collected her from school.", "Zainabu"),  # a possessive
        ("The Kowalczyks were living in a caravan.", "Kowalczyks"),  # a family in the plural
        ("Mensah, Abena (mother) attended the conference.", "Mensah, Abena"),
        ("Surname changed from Ionescu to Radu after the marriage.", "Ionescu"),
        ("Staff knew him as Tiny; his legal name was not used.", "Tiny"),
        ("The note said 'amadou diallo' in lower case.", "amadou"),  # read again, title case
    ],
)
def test_a_persons_context_makes_a_name(text: str, name: str) -> None:
    assert name in _names(text)


def test_recasing_keeps_every_offset() -> None:
    text = "met kemal and AYSEL"
    assert recase(text, [(4, 9), (14, 19)]) == "met Kemal and Aysel"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("NI number: jt 48 62 17 c", Kind.NI_NUMBER),
        ("Health number 4487011797 was struck through.", Kind.NHS_NUMBER),
        ("dob 2015.06.03 on the school system", Kind.DATE_OF_BIRTH),
        ("Her date of birth, 3 May 2017, was wrong.", Kind.DATE_OF_BIRTH),
        ("The family lived at Plot 7 on the council site.", Kind.ADDRESS),
    ],
)
def test_numbers_dates_and_plots_in_more_forms(text: str, kind: Kind) -> None:
    assert kind in {f.kind for f in find_personal_data(text)}
