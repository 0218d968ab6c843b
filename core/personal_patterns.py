"""The personal-data guard's own rules, where a general recogniser is weak for this domain:
NHS numbers (any check digit when labelled or written 3-3-4, a valid check digit otherwise),
care-record dates of birth, UK postcodes, street addresses, e-mail addresses, phone numbers.
Pure: regular expressions, ``nhs_number`` and ``phonenumbers``."""

from __future__ import annotations

import re
from collections.abc import Callable

import nhs_number
import phonenumbers

from core.personal_findings import Finding, Kind

# ten digits, bare or in the NHS's 3-3-4 grouping (spaces or hyphens)
_NHS = re.compile(r"(?<![\d-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d-])")
# a label, then within a few words the number: "NHS no: ...", "NHS number corrected: the old
# value ...", "health record ...", "hospital number ..."
_NHS_LABEL = re.compile(
    r"\b(?:(?:NHS|CHI|health\s+record|hospital|patient)\s*(?:no\.?|num(?:ber)?\.?|#)?"
    r"|(?:health|record)\s+(?:no\.?|num(?:ber)?\.?))"
    r"(?:[\s:.=#-]+[A-Za-z]+){0,5}?[\s:.=#-]*"
    r"(?<!\d)(?P<number>\d{3}[ -]?\d{3}[ -]?\d{4})(?!\d)",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = (
    # a full date (a month and a year alone, "born in March 2022", identifies no one)
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}[./-]\d{{1,2}}[./-]\d{{1,2}}|"
    rf"\d{{1,2}}[-/]{_MONTH}[-/]\d{{2,4}}|"
    rf"(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{2,4}}|"
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})"
)
_DOB = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|dates?\s+of\s+birth|birth\s*date|born(?:\s+(?:on|in))?|b\.)"
    # a few words may stand between: "date of birth was wrong: should be 04/03/2021"
    rf"(?:\s*[:\-(,;]?\s*[a-z]+){{0,4}}?\s*[:\-(,]?\s*"
    rf"(?P<date>{_DATE}|(?:19|20)\d{{6}}\b)"  # or run together: "DOB20190721"
    # a second date given as one too: "two dates of birth: 1/4/92 and 4/1/92"
    rf"(?:\s*(?:,|and|or)\s*{_DATE})*",
    re.IGNORECASE,
)
_POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r"\s?[0-9][ABD-HJLNP-UW-Z]{2}\b",
    re.IGNORECASE,
)
# a National Insurance number: two letters (not D F I Q U V; not O second), six digits in any
# spacing, A-D ("JT 48 62 17 C", "ny302417a")
_NINO = re.compile(
    r"(?<![A-Za-z0-9])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_STREETS = (
    "road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|cres|terrace|gardens|"
    "place|court|grove|walk|rise|view|mews|row|square|park|hill|parade|green|vale|fold|croft|"
    "wharf|yard|approach|circus|boulevard|grange|meadows?|heights"
)
# a house number and a street as written: "12 Acacia Avenue", "Flat 3, 41b Mill Lane"
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][a-z'’-]+\s+){{1,3}}(?:{_STREETS.title()})\b"
    r"|\b(?i:flat|apartment|apt|plot|pitch)\s+\d{1,4}[a-z]?\b",
)
# written in lower case, only with a street word that is nothing else
_ADDRESS_LOWER = re.compile(
    r"\b\d{1,4}[a-z]?,?\s+(?:[a-z'’-]{3,}\s+){1,2}"
    r"(?:road|street|avenue|lane|crescent|terrace|gardens|grove|mews|drive)\b",
)
_NOT_STREET_NAME = {"the", "and", "of", "a", "to", "in", "on", "at", "for", "with", "was",
                    "were", "from", "by", "days", "weeks", "months", "years", "times"}  # fmt: skip


def find_patterns(text: str, *, identifier: bool = False) -> list[Finding]:
    """Numbers, dates of birth, postcodes, addresses and contact details in ``text``; in an
    identifier the separators count as spaces ("LS6-2AB-01" holds the postcode LS6 2AB)."""
    spaced = re.sub(r"[-_/.]", " ", text) if identifier else text
    return [
        *_nhs_numbers(spaced),
        # in a code an underscore parts words too ("LSCP_DOB20180911_4")
        *_dates_of_birth(text.replace("_", " ") if identifier else text),
        *_matches(_POSTCODE, spaced, Kind.POSTCODE, _mask_postcode),
        *_matches(_NINO, spaced, Kind.NI_NUMBER, _mask_nino),
        *_addresses(text),
        *_matches(_EMAIL, text, Kind.EMAIL, lambda s: f"an email address ({s[0]}***@...)"),
        *_phones(text),
    ]


def _matches(
    pattern: re.Pattern[str], text: str, kind: Kind, mask: Callable[[str], str]
) -> list[Finding]:
    return [Finding(kind, m.start(), m.end(), mask(m.group(0))) for m in pattern.finditer(text)]


def _nhs_numbers(text: str) -> list[Finding]:
    """Labelled ("NHS no 485 777 3456") or grouped 3-3-4 with any check digit: a mistyped NHS
    number is still one; a bare run of ten digits only with a valid check digit (an invoice or
    system number is not)."""
    found: dict[int, Finding] = {}
    for match in _NHS_LABEL.finditer(text):
        digits = re.sub(r"\D", "", match.group("number"))
        found[match.start("number")] = Finding(
            Kind.NHS_NUMBER, match.start("number"), match.end(),
            f"an NHS number ending {digits[-4:]}",
        )  # fmt: skip
    for match in _NHS.finditer(text):
        digits = match.group(1) + match.group(3) + match.group(4)
        # grouped 3-3-4 and not dialled (NHS numbers never start with 0; "020 123 4567" is
        # a phone number)
        grouped = match.group(2) != "" and not digits.startswith("0")
        if match.start() not in found and (grouped or nhs_number.is_valid(digits)):
            found[match.start()] = Finding(
                Kind.NHS_NUMBER, match.start(), match.end(), f"an NHS number ending {digits[-4:]}"
            )
    return list(found.values())


def _dates_of_birth(text: str) -> list[Finding]:
    return [
        Finding(Kind.DATE_OF_BIRTH, m.start(), m.end(), "a date of birth")
        for m in _DOB.finditer(text)
    ]


def _mask_nino(value: str) -> str:
    return f"an NI number ending {value.replace(' ', '').upper()[-4:]}"


def _mask_postcode(postcode: str) -> str:
    outward = postcode.split()[0] if " " in postcode else postcode[:-3]
    return f"a postcode ({outward.upper()} ***)"


def _addresses(text: str) -> list[Finding]:
    found = [
        Finding(Kind.ADDRESS, m.start(), m.end(), "a street address")
        for m in _ADDRESS.finditer(text)
    ]
    for match in _ADDRESS_LOWER.finditer(text):
        words = match.group(0).lower().replace(",", " ").split()[1:-1]
        taken = any(f.start <= match.start() < f.end for f in found)
        if not taken and not set(words) & _NOT_STREET_NAME:
            found.append(Finding(Kind.ADDRESS, match.start(), match.end(), "a street address"))
    return found


def _phones(text: str) -> list[Finding]:
    found = []
    nhs = [(finding.start, finding.end) for finding in _nhs_numbers(text)]
    for match in phonenumbers.PhoneNumberMatcher(
        text, "GB", leniency=phonenumbers.Leniency.POSSIBLE
    ):
        digits = re.sub(r"\D", "", match.raw_string)
        # written as a phone number is: a leading 0 (UK) or + (international); a bare run of
        # ten digits is a case, invoice or system number
        dialled = re.match(r"\(?[0+]", match.raw_string.strip()) is not None
        # an NHS number found in it is reported as that; checking the digits alone would miss
        # every phone number whose last ten digits happen to pass the NHS check (1 in 11)
        reported = any(start < match.end and match.start < end for start, end in nhs)
        if dialled and len(digits) >= 10 and not reported:
            found.append(
                Finding(Kind.PHONE, match.start, match.end, f"a phone number ending {digits[-4:]}")
            )
    return found + _dialled_beside_numbers(text, [*nhs, *((f.start, f.end) for f in found)])


# A UK number as dialled (0 or +44, then 9 or 10 digits in groups), on its own: the matcher
# above reads "ring 07700 900123 3 times" as one impossible number and reports nothing.
_DIALLED = re.compile(r"(?<![\d+])(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[\s-]?\d){8,9}(?!\d)")


def _dialled_beside_numbers(text: str, taken: list[tuple[int, int]]) -> list[Finding]:
    found = []
    for match in _DIALLED.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        try:
            number = phonenumbers.parse(match.group(), "GB")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            digits = re.sub(r"\D", "", match.group())
            found.append(
                Finding(
                    Kind.PHONE, match.start(), match.end(), f"a phone number ending {digits[-4:]}"
                )
            )
    return found
