"""The personal-data guard: what it refuses, what it lets through, how it says so, and how well
it does on 258 realistic notes (tests/core/data/personal_data_notes.jsonl), on the
510-note labelled set written blind to its rules (benchmarks/data/personal_data_notes.jsonl) and
on the 505-note second set and the 435-note third set, each written blind and scored blind once
before its misses were read (benchmarks/data/personal_data_holdout.jsonl, _final.jsonl)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from core.errors import PersonalDataFound
from core.personal_data import check_personal_data, find_personal_data, mask_personal_data
from core.personal_findings import Kind
from review_flows.models import CaseCreate, check_free_text, check_reference
from review_flows.partnership_models import UserCreate

# slow: loads the guard's real NER model and scores its labelled sets
# (`make test-fast` leaves it to `make test`)
pytestmark = pytest.mark.slow

NOTES = Path(__file__).parent / "data" / "personal_data_notes.jsonl"
BLIND_SET = Path(__file__).parents[2] / "benchmarks" / "data" / "personal_data_notes.jsonl"
HELD_OUT = Path(__file__).parents[2] / "benchmarks" / "data" / "personal_data_holdout.jsonl"
THIRD_SET = Path(__file__).parents[2] / "benchmarks" / "data" / "personal_data_final.jsonl"
FOURTH_SET = Path(__file__).parents[2] / "benchmarks" / "data" / "personal_data_fourth.jsonl"


def _notes(path: Path = NOTES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def guard_scores(path: Path = NOTES) -> tuple[float, float, int, int]:
    """(share of notes with personal data caught, share of clean notes refused, counts)."""
    notes = _notes(path)
    refused = {
        note["id"]
        for note in notes
        if find_personal_data(note["text"], identifier=note["field"] == "reference")
    }
    personal = [note for note in notes if note["personal"]]
    clean = [note for note in notes if not note["personal"]]
    caught = sum(note["id"] in refused for note in personal) / len(personal)
    wrongly = sum(note["id"] in refused for note in clean) / len(clean)
    return caught, wrongly, len(personal), len(clean)


def test_the_guard_catches_95_percent_and_refuses_at_most_2_percent_of_clean_notes() -> None:
    caught, wrongly, personal, clean = guard_scores()
    assert personal >= 100 and clean >= 100
    assert caught >= 0.95, f"caught {caught:.3f}"
    assert wrongly <= 0.02, f"refused {wrongly:.3f} of clean notes"


def test_on_the_first_labelled_set_the_guard_catches_96_percent_refusing_at_most_2() -> None:
    # measured 97.5% caught and 0.4% refused; loose bounds so a regression fails and a
    # one-note wobble does not
    caught, wrongly, personal, clean = guard_scores(BLIND_SET)
    assert personal >= 200 and clean >= 200
    assert caught >= 0.96, f"caught {caught:.3f}"
    assert wrongly <= 0.02, f"refused {wrongly:.3f} of clean notes"


def test_on_the_second_set_the_guard_catches_93_percent_refusing_at_most_2_5() -> None:
    # Written after the guard was built and scored blind at 93.7% caught, 4.1% refused; its
    # misses were read since (no word from them added to a list): measured 94.5% and 1.1%.
    # Bounds a regression in the general mechanisms would cross, not the target.
    caught, wrongly, personal, clean = guard_scores(HELD_OUT)
    assert personal >= 200 and clean >= 200
    assert caught >= 0.93, f"caught {caught:.3f}"
    assert wrongly <= 0.025, f"refused {wrongly:.3f} of clean notes"


def test_on_the_third_set_the_guard_catches_91_percent_refusing_at_most_8() -> None:
    # Written blind and scored blind at 88.2% caught, 10.4% refused; its misses were read since
    # (general mechanisms only): measured 92.6% and 6.1%. Loose bounds, not the target.
    caught, wrongly, personal, clean = guard_scores(THIRD_SET)
    assert personal >= 150 and clean >= 150
    assert caught >= 0.91, f"caught {caught:.3f}"
    assert wrongly <= 0.08, f"refused {wrongly:.3f} of clean notes"


def test_on_the_fourth_set_never_tuned_on_the_guard_catches_87_percent_refusing_12() -> None:
    # Written blind and never looked at: measured 89.1% caught, 9.6% refused (the figures to
    # expect on new text; README). A regression check only: never tune the guard to this set.
    caught, wrongly, personal, clean = guard_scores(FOURTH_SET)
    assert personal >= 250 and clean >= 250
    assert caught >= 0.87, f"caught {caught:.3f}"
    assert wrongly <= 0.12, f"refused {wrongly:.3f} of clean notes"


# Issue 22, finding 4: each of these got through the old guard.
ATTACKS = [
    ("Emily Smith's health record was reviewed", Kind.NAME),
    ("Oliver was seen by the GP on Tuesday", Kind.NAME),
    ("Tyler, aged 4, attended with his mother", Kind.NAME),
    ("emily smith was seen at home", Kind.NAME),
    ("EMILY SMITH WAS SEEN AT HOME", Kind.NAME),
    ("the Kowalski family moved to the area", Kind.NAME),
    ("Kwame Mensah attended the meeting", Kind.NAME),
    ("The family lived at 12 Acacia Avenue", Kind.ADDRESS),
    ("NHS number 943 476 5918 on the referral", Kind.NHS_NUMBER),  # wrong check digit
    ("NHS 485 777 3456", Kind.NHS_NUMBER),
    ("seen at clinic, ref 943 476 5918", Kind.NHS_NUMBER),  # grouped 3-3-4
    ("Baby Jayden Smith was admitted; mum Chelsea said he fell", Kind.NAME),
    ("mum chelsea said he fell", Kind.NAME),
    ("born 3rd March 2019", Kind.DATE_OF_BIRTH),
    ("Date of birth was wrong: should be 04/03/2021", Kind.DATE_OF_BIRTH),
    ("Reference changed from KWAME-2026-01 to NSH-2026-014", Kind.NAME),  # a reason
    ("Northshire Safeguarding Children Partnership - Jayden Smith", Kind.NAME),
    ("MRS O'NEILL was spoken to on the doorstep", Kind.NAME),
    ("Amber's mother told the paediatrician", Kind.NAME),
]


@pytest.mark.parametrize(("text", "kind"), ATTACKS)
def test_the_forms_that_got_through_are_refused(text: str, kind: Kind) -> None:
    assert kind in {finding.kind for finding in find_personal_data(text)}
    with pytest.raises(PersonalDataFound):
        check_personal_data(text, "note")


@pytest.mark.parametrize(
    ("reference", "kind"),
    [("JAYDEN-01-26", Kind.NAME), ("KWAME-2026-01", Kind.NAME), ("LS6-2AB-01", Kind.POSTCODE),
     ("NSH-9434765919", Kind.NHS_NUMBER)],
)  # fmt: skip
def test_references_built_from_a_name_a_postcode_or_a_number_are_refused(
    reference: str, kind: Kind
) -> None:
    assert kind in {f.kind for f in find_personal_data(reference, identifier=True)}
    with pytest.raises(ValueError, match="reference"):
        check_reference(reference)


@pytest.mark.parametrize(
    "text",
    [
        "Child A's sister was present at the visit",
        "Mother of Child A attended the strategy meeting",
        "Baby B was admitted to Leeds General Infirmary",
        "Family C moved to the area in March",
        "Child Q was seen by the school nurse; Sibling 2 lives with the maternal grandmother",
        "The Children Act 1989 section 47 enquiry began; Working Together 2018 was followed",
        "Westmere Children's Social Care held a strategy discussion",
        "the Family Court made an interim care order 5 weeks later",
        "The Munro review on the importance of professional curiosity",
        "Nan was the main carer during the week.",
        "Paediatrician concluded the injury was likely to be non-accidental.",
        "The family moved from St Helens to Preston shortly before the incident.",
        "training on professional curiosity for all front line staff by Sept",
    ],
)
def test_pseudonyms_roles_agencies_places_and_statutes_pass(text: str) -> None:
    assert find_personal_data(text) == []
    assert check_free_text(text, "note") == text


@pytest.mark.parametrize(
    ("reference"), ["NSH-2026-004", "NSH-DEMO-011", "REF-2026-001", "LCSPR-19-A", "MAY-2025-03"]
)
def test_pseudonymous_references_pass(reference: str) -> None:
    assert check_reference(reference) == reference


def test_a_precis_is_masked_role_by_role() -> None:
    precis = "Baby Jayden Smith was admitted; mum Chelsea said he fell. DOB 03/04/2025."
    assert mask_personal_data(precis) == (
        "Baby [name] was admitted; mum [name] said he fell. [date of birth]."
    )
    assert find_personal_data(mask_personal_data(precis)) == []


def test_a_display_name_may_name_the_staff_member_but_not_hold_contact_details() -> None:
    user = {"username": "sw.jones", "role": "reviewer", "password": "a long passphrase 1"}
    assert UserCreate.model_validate({**user, "display_name": "Sam Jones"}).display_name == (
        "Sam Jones"
    )
    with pytest.raises(ValueError, match="display_name seems to hold personal data: a phone"):
        UserCreate.model_validate({**user, "display_name": "Sam Jones 07700 900123"})


def test_the_guard_opens_no_network_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pipeline is loaded afresh with every socket refused: spaCy loads from the installed
    # package, and no recogniser fetches (Presidio's e-mail/URL ones would, via tldextract).
    from core import personal_evidence, personal_places, personal_recogniser

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the guard tried to connect: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    personal_recogniser._analyzer.cache_clear()
    # and wordfreq's lists, read for rare words and the lower-case re-reading, load afresh too
    personal_places._rare.cache_clear()
    personal_places._seldom.cache_clear()
    for cached in ("_rare", "_seldom", "_very_rare", "_rare_or_seldom", "_bodies"):
        getattr(personal_evidence, cached).cache_clear()
    try:
        text = "Kwame Mensah, NHS 485 777 3456, j.smith@example.com, https://example.org/x"
        kinds = {f.kind for f in find_personal_data(text)}
        letter = "Zainabu's sister wrote to 'kemal arslan' twice."
        names = find_personal_data(letter)
    finally:
        personal_recogniser._analyzer.cache_clear()
    assert {Kind.NAME, Kind.NHS_NUMBER, Kind.EMAIL} <= kinds
    assert {f.kind for f in names} == {Kind.NAME}
    # both words of the lower-case name are found (and masked), not only the forename
    assert [letter[f.start : f.end] for f in names] == ["Zainabu", "kemal", "arslan"]


@pytest.mark.parametrize(
    ("text", "kind", "masked"),
    [
        ("NHS number 943 476 5919, lives at LS1 4AP", Kind.NHS_NUMBER,
         "an NHS number ending 5919"),
        ("lives at LS1 4AP", Kind.POSTCODE, "a postcode (LS1 ***)"),
        ("child NHS 9434765919 DOB 01/02/2026 mother Jane Smith", Kind.NHS_NUMBER,
         "an NHS number ending 5919"),
        ("seen with DOB 01/02/2026", Kind.DATE_OF_BIRTH, "a date of birth"),
        ("the mother, Jane Smith, said", Kind.NAME, "a person's name (J*** S****)"),
        ("mum Ngozi said the baby fed well", Kind.NAME, "a person's name (N****)"),
        ("call her on 07700 900123", Kind.PHONE, "a phone number ending 0123"),
        ("emailed j.smith@example.com", Kind.EMAIL, "an email address (j***@...)"),
        ("Mrs Smith rang the duty desk", Kind.NAME, "a person's name (S****)"),
    ],
)  # fmt: skip
def test_what_the_guard_finds_and_how_it_masks_it(text: str, kind: Kind, masked: str) -> None:
    first = find_personal_data(text)[0]
    assert (first.kind, first.masked) == (kind, masked)


@pytest.mark.parametrize(
    "text",
    [
        "Mother's new partner was not known to the health visitor",
        "Child B's school raised concerns in May",
        "admitted to Leeds General Infirmary, then St Mary's Hospital",
        "strategy meeting 03/04/2026, Section 47 on 12/03/2026",
        "invoice 5379907511 for interpreter costs",  # ten digits, not a valid NHS number
        "Victoria Road Primary made a referral",
        "NSH-2026-004",
    ],
)
def test_ordinary_case_language_is_let_through(text: str) -> None:
    assert find_personal_data(text) == []


@pytest.mark.parametrize(
    "reference",
    ["JOHN-SMITH-2026", "CHILD-JOHN-2026", "OLIVIA-2026", "LILY-EVANS-26", "SMITH-2026-01",
     "9434765919"],
)  # fmt: skip
def test_references_that_name_or_number_a_child_are_refused(reference: str) -> None:
    with pytest.raises(ValueError, match="reference"):
        check_reference(reference)


def test_a_refusal_names_the_field_what_was_found_and_what_to_write() -> None:
    with pytest.raises(PersonalDataFound) as refused:
        check_personal_data("child NHS 9434765919 DOB 01/02/2026 mother Jane Smith", "note")
    assert str(refused.value) == (
        "note seems to hold personal data: an NHS number ending 5919; never record an NHS "
        "number: the case reference identifies the case"
    )
    assert [f.kind for f in refused.value.findings] == [  # type: ignore[attr-defined]
        Kind.NHS_NUMBER, Kind.DATE_OF_BIRTH, Kind.NAME,
    ]  # fmt: skip


def test_every_free_text_and_identifier_field_uses_the_guard() -> None:
    with pytest.raises(ValueError, match="partnership seems to hold personal data"):
        CaseCreate.model_validate(
            {
                "reference": "NSH-2026-004",
                "partnership": "Jane Smith 943 476 5919",
                "nation": "england",
                "incident_date": "2026-01-02",
                "outcome": "death",
                "age_group": "under_1",
                "aware_on": "2026-01-03",
            }
        )
    with pytest.raises(ValueError, match="evidence seems to hold personal data: a postcode"):
        check_free_text("visited the home at M13 9PL", "evidence")


@pytest.mark.parametrize(
    ("text", "identifier"),
    [
        ("CPR/Zwolinskaite/22", True),  # a rare word in a name's shape in a code, on no list
        ("SCR 2023/11 (Zwolinskaite)", True),
        ("LSCP_DOB20190304_2", True),  # an underscore parts a code's words
        ("the okonkwos were not registered with a GP.", False),  # lower-case family plural
    ],
)
def test_rare_names_in_codes_and_lower_case_plurals_are_refused(
    text: str, identifier: bool
) -> None:
    assert find_personal_data(text, identifier=identifier)


@pytest.mark.parametrize(
    "text",
    [
        "Liberty was restricted by the bail conditions.",  # read in lower case: a common noun
        "Mother attended a Freedom Programme course.",
        "Charity was shown by the neighbours.",
        "CSPR-WESTFORD-2025-01",  # a partnership's coinage in capitals is on no name list
    ],
)
def test_ordinary_words_in_a_names_place_pass(text: str) -> None:
    assert find_personal_data(text, identifier=text.startswith("CSPR")) == []


@pytest.mark.parametrize(
    "text",
    [
        "Betsi Cadwaladr safeguarding staff were not invited.",  # NHS bodies (ODS list)
        "Records from Hywel Dda arrived late.",
        "Preston, Lancashire, 15-year-old, exploitation",  # an age after a place: no "aged N"
    ],
)
def test_nhs_bodies_and_places_in_a_list_pass(text: str) -> None:
    assert find_personal_data(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "entry for oksana wozniakowska deleted",  # a listed and an unknown name
        "the mcdaids were not at home.",  # a Mc surname in the plural
        "the teacher said zwolinskaite had not been in school.",  # an unknown word that acts
    ],
)
def test_lower_case_names_without_a_proper_noun_tag_are_refused(text: str) -> None:
    assert find_personal_data(text)


def test_a_common_word_stays_a_name_in_a_persons_context() -> None:
    assert find_personal_data("Auntie Liberty took the baby to nursery.")
