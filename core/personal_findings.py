"""What the personal-data guard reports: the kinds of personal data, one finding, the advice a
refusal gives and the placeholder that masks it. Pure values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    NHS_NUMBER = "nhs_number"
    NI_NUMBER = "ni_number"
    DATE_OF_BIRTH = "date_of_birth"
    POSTCODE = "postcode"
    ADDRESS = "address"
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: what kind, where, and how to show it masked."""

    kind: Kind
    start: int
    end: int
    masked: str


ADVICE = {
    Kind.NHS_NUMBER: "never record an NHS number: the case reference identifies the case",
    Kind.NI_NUMBER: "never record a National Insurance number",
    Kind.DATE_OF_BIRTH: "record the child's age group, not a date of birth",
    Kind.POSTCODE: "name the area or the partnership, not an address",
    Kind.ADDRESS: "name the area or the partnership, not an address",
    Kind.EMAIL: "record the role and the agency, not contact details",
    Kind.PHONE: "record the role and the agency, not contact details",
    Kind.NAME: "use the pseudonym (e.g. Child A) or the role (mother, father, the GP)",
}

# What a finding becomes when a text is masked (the précis offered for search)
PLACEHOLDER = {
    Kind.NHS_NUMBER: "[NHS number]",
    Kind.NI_NUMBER: "[NI number]",
    Kind.DATE_OF_BIRTH: "[date of birth]",
    Kind.POSTCODE: "[postcode]",
    Kind.ADDRESS: "[address]",
    Kind.EMAIL: "[email]",
    Kind.PHONE: "[phone]",
    Kind.NAME: "[name]",
}


def mask_name(words: list[str]) -> str:
    return "a person's name (" + " ".join(f"{w[0]}{'*' * (len(w) - 1)}" for w in words) + ")"
