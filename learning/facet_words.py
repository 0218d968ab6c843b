"""The words a précis uses for a child's age, an agency, a person and a failure, and the
everyday words for the taxonomy's own. Pure data and small readers, for ``learning.facets``.

These are general practice vocabulary (what any précis may say), not the words of any one
précis: the taxonomy carries the themes; this carries what the taxonomy does not name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from learning.query import simple_stem

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
}  # fmt: skip
_NUMBER = r"(\d{1,2}|" + "|".join(_NUMBERS) + r")"
_UNIT = r"(day|week|month|year)s?"
_UNIT_YEARS = {"day": 1 / 365, "week": 1 / 52, "month": 1 / 12, "year": 1.0}
#: "4-month-old", "six weeks old", "aged 15", "aged 3 months", "2 years of age".
_AGE_PATTERNS = (
    re.compile(rf"\b{_NUMBER}[\s-]*{_UNIT}[\s-]*old\b"),
    re.compile(rf"\baged\s+{_NUMBER}(?:\s*{_UNIT})?\b"),
    re.compile(rf"\b{_NUMBER}\s*{_UNIT}\s+of\s+age\b"),
)
_UNDER_ONE = re.compile(r"\bunder\s+(?:one|1|a)\s+(?:year|yr)")
_BETWEEN = re.compile(rf"\bbetween\s+{_NUMBER}\s+(?:and|to)\s+{_NUMBER}\b")
#: Words that say the child's age without a number (a teenager may be in either group).
AGE_WORDS: dict[str, tuple[str, ...]] = {
    "baby": ("under_1",), "babies": ("under_1",), "infant": ("under_1",),
    "newborn": ("under_1",), "new-born": ("under_1",), "neonate": ("under_1",),
    "unborn": ("under_1",), "non-mobile": ("under_1",), "toddler": ("1_4",),
    "pre-school": ("1_4",), "preschool": ("1_4",), "teenager": ("10_14", "15_17"),
    "teenage": ("10_14", "15_17"), "adolescent": ("10_14", "15_17"),
    "young person": ("10_14", "15_17"), "teen": ("10_14", "15_17"),
}  # fmt: skip
#: People around the child: an age next to one of them is an adult's, not the child's.
ROLE_WORDS = (
    "mother", "father", "mum", "dad", "parent", "parents", "stepfather", "stepmother",
    "step-father", "step-mother", "carer", "carers", "partner", "boyfriend", "girlfriend",
    "grandmother", "grandfather", "grandparents", "sibling", "siblings", "brother", "sister",
    "man", "woman", "uncle", "aunt", "foster carer", "mothers", "fathers",
)  # fmt: skip
_ADULT_AFTER = re.compile(rf"^[\s-]*(?:\w+[\s-]+)?(?:{'|'.join(ROLE_WORDS)})\b")
#: Words of a clause that say something went wrong (with an agency or a practice theme).
_FAILURE_TEXT = """
    missed overlooked failed fail failing failure not never nobody lack lacked lacking without
    delay delayed delays ignored unaware unchallenged unseen gap gaps poor inadequate
    insufficient unclear lost late
"""
FAILURE_WORDS = frozenset(_FAILURE_TEXT.split())
#: A clause that opens by denying ("no history of", "not known to") names no risk ...
NEGATION_START = re.compile(
    r"^(?:(?:there|it)\s+(?:was|were|is|are)\s+)?(?:no|not|never|without|nothing|none)\b"
)
#: ... unless it goes on to say what was not done ("no interpreter was used"): a failure.
NOT_DONE = re.compile(r"\b(?:was|were|had been|has been|have been|is|are)\b")
#: Words that stand for a phrase of the taxonomy's ("looked after" is "looked after child").
PHRASE_ALIASES = (
    (re.compile(r"\blooked[\s-]+after\b"), "looked after child"),
    (re.compile(r"\bin (?:local authority )?care\b"), "children in care"),
    (re.compile(r"\bfoster (?:care|carers?|placement)\b"), "children in care"),
    (re.compile(r"\bstabb(?:ed|ing)\b"), "knife crime"),
    (re.compile(r"\b(?:share|shared|sharing|pass(?:ed)? on)\b.*\binformation\b"),
     "information sharing"),
)  # fmt: skip
#: Everyday words and the taxonomy's words for the same thing (added, never replacing).
_ALIAS_TEXT = {
    "parent": "father mother mum mom dad stepfather stepmother step-father step-mother parents "
    "parental maternal paternal carer carers",
    "partner": "boyfriend girlfriend stepfather step-father",
    "alcohol": "drinking drink drank drunk alcoholic alcoholism",
    "drug": "drugs cocaine heroin cannabis methadone crack amphetamine opiates addict",
    "misuse": "addiction addicted dependency dependent",
    "substance": "drugs alcohol addiction",
    "mental": "depression depressed anxiety anxious psychosis psychotic schizophrenia "
    "bipolar psychiatric",
    "health": "depression psychosis psychiatric",
    "shaken": "shook shaking shake",
    "fracture": "fractured fractures broken",
    "injury": "injured injuries injuring hurt",
    "head": "skull brain",
    "bruis": "bruised bruises bruise",
    "share": "told tell telling passed communicated",
    "information": "told tell records",
    "neglect": "neglected neglectful unkempt",
    "suicide": "suicidal",
    "self-harm": "self-harming",
    "care": "fostered foster",
    "violence": "violent assaulted assault",
    "knife": "stabbed stabbing stab knifed",
    "exploitation": "exploited groomed",
}
ALIASES: dict[str, tuple[str, ...]] = {}
for _target, _words in _ALIAS_TEXT.items():
    for _word in _words.split():
        ALIASES[_word] = (*ALIASES.get(_word, ()), *(simple_stem(w) for w in _target.split("-")))
#: Stems too common in reviews to tell one theme or facet from another.
_GENERIC_TEXT = """
    child children family families professional professionals practice review reviews service
    services work working support need needs concern concerns case people including where
    whether old older serious incident incidents safeguarding boy boys girl girls local
    authority authorities harm harmed young
"""
GENERIC_STEMS = frozenset(simple_stem(word) for word in _GENERIC_TEXT.split())


@dataclass(frozen=True)
class Agency:
    """An agency a précis may name, how it may be named, and the theme about its practice."""

    label: str
    names: tuple[str, ...]
    theme_id: str | None = None

    def named_in(self, lowered: str) -> bool:
        """Whether lower-case ``lowered`` names this agency."""
        return _agency_pattern(self.names).search(lowered) is not None


def _agency_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return _PATTERNS.setdefault(
        names, re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])")
    )


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}
_HEALTH = "health_practice"
AGENCIES = (
    Agency("health visitor", ("health visitor", "health visitors", "health visiting"), _HEALTH),
    Agency("midwife", ("midwife", "midwives", "midwifery"), _HEALTH),
    Agency("GP", ("gp", "gps", "general practitioner", "family doctor"), _HEALTH),
    Agency(
        "hospital",
        (
            "hospital",
            "emergency department",
            "a&e",
            "accident and emergency",
            "paediatrician",
            "minor injuries unit",
            "ambulance",
        ),
        _HEALTH,
    ),  # fmt: skip
    Agency("school nurse", ("school nurse", "school nursing"), _HEALTH),
    Agency(
        "mental health services",
        (
            "camhs",
            "mental health services",
            "mental health service",
            "mental health team",
            "psychiatrist",
            "community mental health",
        ),
    ),  # fmt: skip
    Agency("police", ("police", "police officer", "police officers", "constabulary")),
    Agency(
        "children's social care",
        (
            "social worker",
            "social workers",
            "children's social care",
            "social services",
            "social care",
            "children's services",
        ),
    ),  # fmt: skip
    Agency("school", ("school", "schools", "teacher", "teachers", "nursery", "college")),
    Agency("probation", ("probation", "youth offending", "youth justice")),
    Agency("housing", ("housing officer", "housing provider", "housing association")),
    Agency(
        "drug and alcohol service",
        ("drug service", "alcohol service", "drug and alcohol service", "substance misuse service"),
    ),
)


def age_group_of_years(years: float) -> str | None:
    """The review age group of a child of ``years`` (None: an adult)."""
    for group, below in (("under_1", 1), ("1_4", 5), ("5_9", 10), ("10_14", 15), ("15_17", 18)):
        if years < below:
            return group
    return None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word]


def find_ages(lowered: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(words, age groups) of each age of the child named in lower-case ``lowered``, in the
    order written, one per set of groups; an age that belongs to an adult ("a 19-year-old
    mother", "teenage mother") is not the child's."""
    found: list[tuple[int, str, tuple[str, ...]]] = []
    for pattern in _AGE_PATTERNS:
        for match in pattern.finditer(lowered):
            years = _number(match.group(1)) * _UNIT_YEARS[match.group(2) or "year"]
            group = age_group_of_years(years)
            if lowered[: match.start()].endswith(("under ", "over ")):
                continue  # "under one year old" is read as a whole below
            if group and not _ADULT_AFTER.match(lowered[match.end() :]):
                found.append((match.start(), match.group(0), (group,)))
    for match in _UNDER_ONE.finditer(lowered):
        found.append((match.start(), match.group(0), ("under_1",)))
    for match in _BETWEEN.finditer(lowered):
        group = age_group_of_years(_number(match.group(1)))
        if group:
            found.append((match.start(), match.group(0), (group,)))
    for word, groups in AGE_WORDS.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered):
            if not _ADULT_AFTER.match(lowered[match.end() :]):
                found.append((match.start(), word, groups))
    first: dict[tuple[str, ...], str] = {}
    for _, words, groups in sorted(found, key=lambda item: item[0]):
        first.setdefault(groups, words)
    # "a teenager aged between fifteen and seventeen" is one age: the precise one
    return tuple(
        (words, groups)
        for groups, words in first.items()
        if not any(set(other) < set(groups) for other in first)
    )
