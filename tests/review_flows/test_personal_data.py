"""The personal-data guard: what it refuses, what it lets through, how it says so, and how well
it does on 258 realistic notes (tests/review_flows/data/personal_data_notes.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from review_flows.errors import PersonalDataFound
from review_flows.models import CaseCreate, check_free_text, check_reference
from review_flows.personal_data import Kind, check_personal_data, find_personal_data

NOTES = Path(__file__).parent / "data" / "personal_data_notes.jsonl"


def _notes() -> list[dict]:
    return [json.loads(line) for line in NOTES.read_text(encoding="utf-8").splitlines() if line]


def guard_scores() -> tuple[float, float, int, int]:
    """(share of notes with personal data caught, share of clean notes refused, counts)."""
    notes = _notes()
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
