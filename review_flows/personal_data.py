"""The personal-data guard: one check for every free-text and identifier field of a case.

Data about a child under review is among the most sensitive there is: the workbench stores a
pseudonym and roles, never a name, an NHS number, a date of birth, an address or contact
details. Pure: no database, no I/O beyond the shipped name lists.

What it finds:

- **NHS numbers**: 10 digits in any spacing whose modulus-11 check digit is valid (``nhs-number``);
- **dates of birth**: "DOB", "d.o.b.", "date of birth", "born", "b." just before a date;
- **postcodes**: a full UK postcode ("LS1 4AP", "m13 9pl");
- **email addresses**; **phone numbers** (``phonenumbers``, UK and international);
- **names**: a title and a name ("Mrs Smith"); a forename and a capitalised word ("Jane Smith",
  unless the word makes it a place, "Victoria Road"); a capitalised word after a role ("mum
  Chelsea", "the child, Olivia,"); a known forename in the middle of a sentence; in an
  identifier (a case reference), any known forename or common surname among its parts.

Forenames and surnames come from ``review_flows/data`` (census and name-dictionary derived,
built by ``scripts/build_name_lists.py``). A refusal names the field, what looked like personal
data, masked ("an NHS number ending 5919"), and what to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files

import nhs_number
import phonenumbers

from review_flows.errors import PersonalDataFound


class Kind(StrEnum):
    NHS_NUMBER = "nhs_number"
    DATE_OF_BIRTH = "date_of_birth"
    POSTCODE = "postcode"
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
    Kind.DATE_OF_BIRTH: "record the child's age group, not a date of birth",
    Kind.POSTCODE: "name the area or the partnership, not an address",
    Kind.EMAIL: "record the role and the agency, not contact details",
    Kind.PHONE: "record the role and the agency, not contact details",
    Kind.NAME: "use the pseudonym (e.g. Child A) or the role (mother, father, the GP)",
}

_NHS = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
    rf"(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{2,4}}|"
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})"
)
_DOB = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?|b\.)"
    rf"\s*(?:[:\-(]|\b(?:is|was|of)\b)?\s*(?P<date>{_DATE})",
    re.IGNORECASE,
)
_POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r"\s?[0-9][ABD-HJLNP-UW-Z]{2}\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?\s+(?P<name>[A-Z][a-zA-Z'’-]+)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_ROLES = {
    "mother", "mum", "mom", "mummy", "father", "dad", "daddy", "stepfather", "stepmother",
    "step-father", "step-mother", "partner", "boyfriend", "girlfriend", "brother", "sister",
    "sibling", "half-brother", "half-sister", "grandmother", "grandfather", "nan", "nana",
    "grandma", "grandad", "granddad", "uncle", "aunt", "auntie", "cousin", "child", "baby",
    "son", "daughter", "carer", "neighbour", "friend", "called", "named", "aka", "husband",
    "wife", "ex-partner", "girl", "boy", "teenager", "infant", "toddler", "pupil", "student",
}  # fmt: skip
# A capitalised word after which a forename is a place or a body, not a person.
_PLACE_WORDS = {
    "road", "street", "lane", "avenue", "close", "drive", "way", "place", "square", "court",
    "gardens", "crescent", "terrace", "hill", "park", "house", "cottage", "centre", "center",
    "hospital", "infirmary", "wing", "ward", "unit", "clinic", "surgery", "practice",
    "school", "primary", "academy", "college", "nursery", "university", "children's",
    "childrens", "trust", "council", "partnership", "board", "committee", "hall", "church",
    "chapel", "mill", "estate", "towers", "tower", "point", "valley", "bridge", "green",
    "health", "medical", "general", "royal", "county", "district", "town", "city", "borough",
    "community", "family", "service", "services", "team", "hub", "project", "foundation",
}  # fmt: skip
# Capitalised words that are names and also months, days or common words of case notes: not
# a person when they stand alone (they still are after a role word: "mum Grace").
_ALSO_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "christmas", "easter", "will", "mark", "grace", "hope", "faith",
    "joy", "rose", "bill", "pat", "sue", "rob", "dawn", "eve", "summer", "autumn", "king",
    "royal", "princess", "prince", "queen", "major", "page", "bishop", "victoria", "george",
    "mary", "saint", "st", "holy", "trinity", "jesus", "christ", "england", "wales",
    "scotland", "ireland", "police", "court", "panel", "chair", "lead", "early", "help",
}  # fmt: skip
_CODE_PART = re.compile(r"[A-Za-z]+")
# Words a case reference is made of that are also surnames ("Case").
_CODE_WORDS = {"case", "ref", "review", "rapid", "panel", "local", "national", "child", "baby"}


@lru_cache(maxsize=1)
def _forenames() -> frozenset[str]:
    return _names("forenames.txt")


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    return _names("surnames.txt")


def _names(file: str) -> frozenset[str]:
    text = files("review_flows").joinpath("data", file).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def find_personal_data(text: str, *, identifier: bool = False) -> list[Finding]:
    """Every piece of personal data in ``text``; ``identifier`` for a code such as a case
    reference, whose parts are checked against the name lists whatever their case."""
    found = [
        *_nhs_numbers(text),
        *_dates_of_birth(text),
        *_matches(_POSTCODE, text, Kind.POSTCODE, _mask_postcode),
        *_matches(_EMAIL, text, Kind.EMAIL, lambda s: f"an email address ({s[0]}***@...)"),
        *_phones(text),
        *(_identifier_names(text) if identifier else _names_in_text(text)),
    ]
    return sorted(found, key=lambda finding: finding.start)


def check_personal_data(text: str, field: str, *, identifier: bool = False) -> None:
    """Refuse ``text`` (:class:`PersonalDataFound`) if it holds personal data; the message says
    which field, what was found (masked) and what to write instead."""
    found = find_personal_data(text, identifier=identifier)
    if found:
        first = found[0]
        raise PersonalDataFound(
            f"{field} seems to hold personal data: {first.masked}; {ADVICE[first.kind]}",
            field=field,
            findings=tuple(found),
        )


def _matches(pattern: re.Pattern[str], text: str, kind: Kind, mask) -> list[Finding]:  # noqa: ANN001
    return [Finding(kind, m.start(), m.end(), mask(m.group(0))) for m in pattern.finditer(text)]


def _nhs_numbers(text: str) -> list[Finding]:
    found = []
    for match in _NHS.finditer(text):
        digits = "".join(match.groups())
        if nhs_number.is_valid(digits):
            found.append(
                Finding(Kind.NHS_NUMBER, match.start(), match.end(),
                        f"an NHS number ending {digits[-4:]}")
            )  # fmt: skip
    return found


def _dates_of_birth(text: str) -> list[Finding]:
    return [
        Finding(Kind.DATE_OF_BIRTH, m.start(), m.end(), "a date of birth")
        for m in _DOB.finditer(text)
    ]


def _mask_postcode(postcode: str) -> str:
    outward = postcode.split()[0] if " " in postcode else postcode[:-3]
    return f"a postcode ({outward.upper()} ***)"


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


def _mask_name(words: list[str]) -> str:
    return "a person's name (" + " ".join(f"{w[0]}{'*' * (len(w) - 1)}" for w in words) + ")"


def _names_in_text(text: str) -> list[Finding]:
    words = list(_WORD.finditer(text))
    found = [
        Finding(Kind.NAME, m.start(), m.end(), _mask_name([m.group("name")]))
        for m in _TITLE.finditer(text)
    ]
    for place, match in enumerate(words):
        reason = _name_at(text, words, place)
        if reason:
            found.append(Finding(Kind.NAME, match.start(), match.end(), _mask_name(reason)))
    return found


def _name_at(text: str, words: list[re.Match[str]], place: int) -> list[str] | None:
    """The words of a person's name starting at ``words[place]``, if one starts there."""
    word = words[place].group(0)
    if not _capitalised(word):
        return None
    full = [word, *_surname_after(text, words, place)]
    if _after_role(text, words, place) and not _is_place(words, place):
        return full
    if _base(word) not in _forenames() or _is_place(words, place):
        return None
    if len(full) == 2 and not _starts_sentence(text, words[place + 1].start()):
        return full
    if _base(word) not in _ALSO_WORDS and not _starts_sentence(text, words[place].start()):
        return full
    return None


def _surname_after(text: str, words: list[re.Match[str]], place: int) -> list[str]:
    """The capitalised word right after a forename, if it reads as a surname ("Jane Smith")."""
    if place + 1 >= len(words):
        return []
    following = words[place + 1]
    between = text[words[place].end() : following.start()]
    word = following.group(0)
    if (
        re.fullmatch(r"\s+", between)
        and _capitalised(word)
        and _base(word) not in _ALSO_WORDS
        and _base(word) not in _PLACE_WORDS
    ):
        return [word]
    return []


def _base(word: str) -> str:
    return re.sub(r"['’]s$", "", word.lower())


def _capitalised(word: str) -> bool:
    """A name's shape: a capital then lower case ("Olivia", "O'Brien"); not "CP", not "A"."""
    return len(word) >= 2 and word[0].isupper() and any(ch.islower() for ch in word[1:])


def _after_role(text: str, words: list[re.Match[str]], place: int) -> bool:
    """Whether the word follows a role word: "mum Chelsea", "the child, Olivia", "named Jo"."""
    if place == 0:
        return False
    previous = words[place - 1]
    between = text[previous.end() : words[place].start()]
    return previous.group(0).lower() in _ROLES and re.fullmatch(r"\s*,?\s*", between) is not None


def _is_place(words: list[re.Match[str]], place: int) -> bool:
    """Whether a capitalised word is part of a place or body's name ("Victoria Road",
    "St Mary's", "Princess Royal Hospital")."""
    if place > 0 and words[place - 1].group(0).lower().rstrip(".") in ("st", "saint"):
        return True
    ahead = [w.group(0).lower() for w in words[place + 1 : place + 3]]
    return any(_base(word) in _PLACE_WORDS for word in ahead)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in '.!?:;\n("“-–'


def _identifier_names(text: str) -> list[Finding]:
    """In a code such as a case reference, any part that is a known forename or a common
    surname ("JOHN-SMITH-2026", "OLIVIA-2026", "SMITH-2026-01")."""
    found = []
    for match in _CODE_PART.finditer(text):
        part = match.group(0).lower()
        if part in _CODE_WORDS:
            continue
        if len(part) >= 3 and (part in _forenames() or part in _surnames()):
            found.append(
                Finding(Kind.NAME, match.start(), match.end(), _mask_name([match.group(0)]))
            )
    return found
