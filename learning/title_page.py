"""What a review's first page says about it, where it says it unambiguously: title, year,
review type, nation and partnership (``learning.metadata`` uses these only where no explicit
metadata gives them). Pure: reads text, never guesses between two answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any


def implied_nation(review_type: str) -> str | None:
    """The nation a review type belongs to, where it belongs to only one."""
    return {
        "cspr": "england",
        "national": "england",
        "cpr": "wales",
        "susr": "wales",
        "cmr": "northern_ireland",
    }.get(review_type)


_TYPE_PHRASES = (
    ("national", r"\bnational (?:child safeguarding )?(?:practice )?review\b(?!\s+panel)"),
    ("cspr", r"(?<!national )\bchild safeguarding practice review\b(?!\s+panel)|\bL?CSPR\b"),
    ("scr", r"\bserious case review\b|\bSCR\b"),
    ("cpr", r"\bchild practice review\b"),
    ("susr", r"\bsingle unified safeguarding review\b|\bSUSR\b"),
    ("cmr", r"\bcase management review\b|\bCMR\b"),
    ("learning_review", r"\blearning review\b"),
)
_NATION_WORDS = (
    ("northern_ireland", r"\bnorthern ireland\b"),
    ("scotland", r"\bscotland\b|\bscottish government\b"),
    ("wales", r"(?<!new south )\bwales\b|\bwelsh government\b"),
    ("england", r"\bengland\b"),
)
_PARTNERSHIP = re.compile(
    r"safeguarding (?:children )?(?:partnership|board)|safeguarding arrangements|"
    r"\bLSCB\b|\bLSCP\b|\bSCP\b|child protection committee",
    re.IGNORECASE,
)
_PUBLISHED = re.compile(r"publish|publication", re.IGNORECASE)
_DATE_LINE = re.compile(r"publish|publication|\bdate\b|^dated\b", re.IGNORECASE)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_BARE_DATE = re.compile(
    rf"^(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{_MONTHS})\s+(?:19|20)\d\d$|^(?:19|20)\d\d$",
    re.IGNORECASE,
)
_SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s")  # "1. Introduction" is no title
_YEAR = re.compile(r"\b(199\d|20\d\d)\b")
_GENERIC_HEADINGS = re.compile(
    r"^(?:contents|table of contents|foreword|preface|official(?:[- ]sensitive)?|"
    r"executive summary|summary|introduction|final(?: report| version)?|draft|"
    r"private and confidential|confidential|glossary)$",
    re.IGNORECASE,
)


def infer_from_text(pages: Sequence[str]) -> dict[str, Any]:
    """What the first page says unambiguously: title, year, review type, nation, partnership."""
    first = next((page for page in pages if page.strip()), "")
    lines = [_plain(block) for block in first.split("\n\n") if block.strip()]
    headings = [_plain(b) for b in first.split("\n\n") if b.lstrip().startswith("#")]
    review_type = _infer_type(first, headings)
    nation = implied_nation(review_type) if review_type else None
    return {
        "title": _infer_title(headings),
        "year": _infer_year(lines),
        "review_type": review_type,
        "nation": nation or _only_match(_NATION_WORDS, first),
        "partnership": _infer_partnership(lines),
    }


def _plain(block: str) -> str:
    return " ".join(block.strip().lstrip("#").split())


def _only_match(patterns: Sequence[tuple[str, str]], text: str) -> str | None:
    """The one value whose pattern occurs in the text, or ``None`` if none or several do."""
    found = {value for value, pattern in patterns if re.search(pattern, text, re.IGNORECASE)}
    return found.pop() if len(found) == 1 else None


def _infer_type(first_page: str, headings: Sequence[str]) -> str | None:
    # "Serious Case Review" in the title settles it even if the page also cites other types
    for heading in headings[:3]:
        found = _only_match(_TYPE_PHRASES, heading)
        if found:
            return found
    return _only_match(_TYPE_PHRASES, first_page)


def _infer_title(headings: Sequence[str]) -> str | None:
    candidates = [
        h
        for h in headings
        if not (_GENERIC_HEADINGS.match(h) or _BARE_DATE.match(h) or _SECTION_NUMBER.match(h))
        and not _is_partnership_name(h)
    ]
    if not candidates:
        return None
    title = candidates[0]
    bare_type = re.fullmatch(r"(?:local |national )?[a-z ]*review", title.lower())
    if bare_type and len(candidates) > 1 and len(candidates[1].split()) <= 8:
        title = f"{title}: {candidates[1]}"  # "Serious Case Review" + "Child T"
    return title


def _is_partnership_name(heading: str) -> bool:
    """A cover's "Northshire Safeguarding Children Partnership": who published, not a title."""
    return (
        len(heading.split()) <= 8
        and bool(_PARTNERSHIP.search(heading))
        and not re.search(r"\breview\b", heading, re.IGNORECASE)
    )


def _infer_year(lines: Sequence[str]) -> int | None:
    """The one year on the publication line(s); failing that, on the other date lines."""
    short = [line for line in lines if len(line.split()) <= 12]
    for wanted in (
        _PUBLISHED.search,
        lambda line: _DATE_LINE.search(line) or _BARE_DATE.match(line),
    ):
        years = {int(year) for line in short if wanted(line) for year in _YEAR.findall(line)}
        if years:
            return years.pop() if len(years) == 1 else None
    return None


def _infer_partnership(lines: Sequence[str]) -> str | None:
    found = {
        line.strip(" .:")
        for line in lines
        if len(line.split()) <= 10 and _PARTNERSHIP.search(line) and not _DATE_LINE.search(line)
    }
    return found.pop() if len(found) == 1 else None
