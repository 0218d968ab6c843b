"""A new partnership's name, checked against those already known. Pure.

A partnership is only a name on cases, users and contacts, so a name typed a little
differently ("Northshire" for "Northshire Safeguarding Children Partnership") would silently
start a second partnership: its panel member would see none of the first one's cases and its
contacts none of its reminders. A new name is therefore refused when it is the same as a known
one but for case, spacing or punctuation, when it has the same distinctive words (those left
once the words every partnership's name uses are dropped), or when those words differ by a
typing slip; the refusal names the partnership meant
(:func:`review_flows.partnerships.check_new_partnership`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

#: Words of the names partnerships use in the four nations, which tell none of them apart.
GENERIC_WORDS = frozenset({
    "the", "and", "of", "for", "a", "an", "safeguarding", "children", "childrens", "child",
    "partnership", "partnerships", "board", "boards", "committee", "panel", "regional",
    "region", "protection", "local", "multi", "agency", "council", "county", "borough", "city",
    "lscb", "lscp", "scp", "sbni", "rsb", "cpc",
})  # fmt: skip
#: How alike two names' distinctive words may be before the new one reads as a slip.
SLIP_RATIO = 0.85
_WORD = re.compile(r"[a-z0-9]+")


def name_words(name: str) -> tuple[str, ...]:
    """The name's words in lower case, ``&`` read as "and", punctuation and apostrophes gone."""
    text = name.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return tuple(_WORD.findall(text))


def distinctive_words(name: str) -> tuple[str, ...]:
    """The words that tell this partnership from others ("northshire"), in their order."""
    return tuple(word for word in name_words(name) if word not in GENERIC_WORDS)


def near_duplicate(name: str, known: Iterable[str]) -> str | None:
    """The known partnership ``name`` is too like to be a new one, if any (the closest)."""
    words, own = name_words(name), distinctive_words(name)
    best: tuple[float, str] | None = None
    for existing in known:
        theirs = distinctive_words(existing)
        if words == name_words(existing) or (own and own == theirs):
            return existing
        mine, other = " ".join(own or words), " ".join(theirs or name_words(existing))
        ratio = SequenceMatcher(None, mine, other).ratio()
        if ratio >= SLIP_RATIO and (best is None or ratio > best[0]):
            best = (ratio, existing)
    return best[1] if best else None
