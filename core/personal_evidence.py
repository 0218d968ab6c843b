"""More evidence for the personal-data guard's names, from how often English uses a word
(``wordfreq``) and from a second reading of the words in lower case. Pure apart from the lazily
loaded pipeline and word frequencies.

- **in a reference**: a part in a name's shape that English hardly uses and no place is
  ("CPR/Okonkwo/22", "(Okonkwo)"; in capitals only if a name list knows it, "SCR-OKONKWO-19"):
  a case code is made of initialisms, numbers, places and years, so a long rare word in it is
  most likely a family's name;
- **in lower case**: two names side by side, one on the lists and neither an English word
  ("ifeoma okonkwo"), a rare name that does what people do ("said ifeoma had"), a family's
  surname in the plural ("the okonkwos were", "the mcdaids");
- **NHS bodies**: a name inside an NHS body's own name ("Betsi Cadwaladr", "Hywel Dda", "Alder
  Hey"; ``core/data/nhs_bodies.txt``, NHS ODS via ``scripts/build_nhs_bodies.py``) is
  the body's;
- **an ordinary word in a name's place**: a capitalised word found alone as a name, which the
  tagger reads as a common noun and not a person once it is written in lower case ("Patience
  was needed", "a Freedom Programme course"), is the word, not a name ("Oliver was seen" reads
  as a person's name in any case).
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.personal_findings import Finding, Kind, mask_name
from core.personal_places import RARE_ZIPF, SELDOM_ZIPF, places, plain
from core.personal_recogniser import Reading, retag
from core.personal_words import (
    ALLOWED,
    ALSO_WORDS,
    PLACE_WORDS,
    ROLES,
    any_forename,
    any_name,
    any_surname,
    forenames,
    names_list,
    stop_words,
    surnames,
)

# parts of a case code that are no one's name
# a capitalised word found alone as a name is read again in lower case from this Zipf up
# (English uses it about once in 300,000 words or more)
COMMON_ZIPF = 3.5
# a lower-case word on no name list counts beside a listed name below this (once in 50 million)
UNKNOWN_ZIPF = 1.7
_CODE_WORDS = {"case", "review", "rapid", "panel", "local", "national", "child", "baby", "demo",
               "test", "draft", "final", "practice", "learning", "serious", "incident",
               "safeguarding", "partnership", "board", "north", "south", "east", "west",
               "county", "city", "borough", "council", "interim", "report"}  # fmt: skip
# a part of a code, split at a change of case ("WesternIsles"), not after Mc, Mac or O'
_PART = re.compile(r"(?:Mc|Mac|O['’])?[A-Z][a-z]+|[A-Z]{2,}(?![a-z])|[a-z]+")
_LOWER = re.compile(r"(?<![\w-])[a-z][a-z'’-]*[a-z](?![\w-])")
_PERSON_VERBS = {"said", "says", "told", "had", "has", "was", "is", "did", "does", "would",
                 "could", "will", "went", "came", "left", "cried", "refused", "denied",
                 "disclosed", "reported", "attended", "missed", "stayed", "lived"}  # fmt: skip
_ASKED = {"ask", "asked", "tell", "told", "saw", "see", "call", "called", "phone", "text",
          "with", "visit", "visited", "contact", "contacted"}  # fmt: skip
_FAMILY_PLURAL = re.compile(r"\bthe\s+(?P<name>(?:mc|mac|o['’])?[a-z]{3,}?)(?:es|s)\b")


@lru_cache(maxsize=8192)
def _rare(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < RARE_ZIPF


def _ordinary(word: str) -> bool:
    return (
        word in ALLOWED or word in ALSO_WORDS or word in ROLES or word in PLACE_WORDS
        or word in stop_words() or word in _CODE_WORDS
    )  # fmt: skip


def reference_names(text: str) -> list[Finding]:
    """Parts of a reference in a name's shape or capitals that English hardly uses, that no
    place is and no initialism could be (five letters or more, a vowel)."""
    found = []
    for m in _PART.finditer(text):
        part = m.group(0)
        word = plain(part)
        if part.islower() or len(word) < 5 or not re.search(r"[aeiou]", word):
            continue
        if _ordinary(word) or word in places() or not _rare(word):
            continue
        if part.isupper() and word not in any_name():  # "WESTMERE": a partnership's coinage
            continue
        found.append(Finding(Kind.NAME, m.start(), m.end(), mask_name([part])))
    return found


def lower_case_names(text: str, reading: Reading) -> list[Finding]:
    """Names written in lower case that the tagger does not read as proper nouns: two names
    side by side, one at least on the lists, neither an English word ("ifeoma okonkwo"); a
    name with what people do ("said ifeoma had"); a family's surname in the plural ("the
    okonkwos", "the mcdaids")."""
    words = list(_LOWER.finditer(text))
    found = []
    for i, m in enumerate(words):
        word = plain(m.group(0))
        nxt = words[i + 1] if i + 1 < len(words) else None
        prev = words[i - 1] if i > 0 else None
        after = plain(nxt.group(0)) if nxt is not None else ""
        spaced = nxt is not None and text[m.end() : nxt.start()] == " "
        pair = spaced and (
            (_listed(word, any_forename()) and (_listed(after, any_surname()) or _unknown(after)))
            or (_unknown(word) and _listed(after, any_surname()))
        )  # fmt: skip
        acts = (
            spaced and after in _PERSON_VERBS
            and prev is not None and prev.group(0) in _ASKED | {"said", "that"}
        )  # fmt: skip
        asked = prev is not None and prev.group(0) in _ASKED and text[prev.end() : m.start()] == " "
        if pair and nxt is not None:  # each word its own finding, as the other readers do
            found += [Finding(Kind.NAME, w.start(), w.end(), mask_name([w.group(0)]))
                      for w in (m, nxt)]  # fmt: skip
        elif (acts and (_listed(word, any_forename()) or _unknown(word))) or (
            asked and _listed(word, any_forename())
        ):
            found.append(Finding(Kind.NAME, m.start(), m.end(), mask_name([m.group(0)])))
    for m in _FAMILY_PLURAL.finditer(text):
        stem = plain(m.group("name"))
        bare = re.sub(r"^(?:mc|mac|o')", "", stem)
        prefixed = bare != stem and (_rare(stem) or bare in any_surname())
        plural = m.group(0)[4:].lstrip()
        surname = (stem in any_surname() or prefixed) and not _ordinary(stem)
        if surname and stem not in places() and _rare(plural):
            found.append(Finding(Kind.NAME, m.start("name"), m.end(), mask_name([stem])))
    return found


def _listed(word: str, lists: frozenset[str]) -> bool:
    """On the name lists, no ordinary word or place, and seldom written in English."""
    return word in lists and not _ordinary(word) and word not in places() and _seldom(word)


def _unknown(word: str) -> bool:
    """A word English text all but never uses, on no list (four letters or more)."""
    return len(word) >= 4 and word.isalpha() and not _ordinary(word) and _very_rare(word)


@lru_cache(maxsize=8192)
def _seldom(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < SELDOM_ZIPF


@lru_cache(maxsize=8192)
def _very_rare(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < UNKNOWN_ZIPF


def without_ordinary_words(text: str, found: list[Finding]) -> list[Finding]:
    """``found`` less the single capitalised words English uses often that read as common
    nouns, and not as a person, once written in lower case ("Patience was needed", "Age
    corrected"), unless a person's context names someone ("Auntie Grace", "the Hope family")."""
    kept = []
    for finding in found:
        word = text[finding.start : finding.end]
        if (
            finding.kind == Kind.NAME and re.fullmatch(r"[A-Z][a-z]+", word)
            and not _rare_or_seldom(word.lower()) and not _person_context(text, finding)
            and not _beside_name(finding, found)
        ):  # fmt: skip
            lowered = text[: finding.start] + word.lower() + text[finding.end :]
            tags, people = retag(lowered)
            if tags.get(finding.start) == "NOUN" and not any(
                a <= finding.start < b for a, b in people
            ):
                continue
        kept.append(finding)
    return kept


def _beside_name(finding: Finding, found: list[Finding]) -> bool:
    """Part of a longer name found too ("Tyler Wood": "Wood" alone is a word)."""
    return any(
        f is not finding and f.kind == Kind.NAME
        and f.start <= finding.end + 1 and finding.start <= f.end + 1
        and (f.start, f.end) != (finding.start, finding.end)
        for f in found
    )  # fmt: skip


@lru_cache(maxsize=8192)
def _rare_or_seldom(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < COMMON_ZIPF


_TITLE_OR_ROLE = re.compile(
    r"(?i:\b(?:mr|mrs|ms|miss|dr|mx|master|" + "|".join(sorted(ROLES)) + r")\.?,?)\s+$"
)
_FAMILY_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:family|household|children|twins|siblings|boys|girls|brothers|sisters)\b"
)


def _person_context(text: str, finding: Finding) -> bool:
    after = text[finding.end :]
    return (
        _TITLE_OR_ROLE.search(text[: finding.start]) is not None
        or re.match(r"(?:['’]s)?,?\s*aged\s+\d|,\s*\d{1,2}\b", after) is not None
        or _FAMILY_AFTER.match(after) is not None
        # a nickname or what only a person does: "known as 'Tank'", "Romeo told"
        or re.search(r"\b(?:as|called|named|aka|nicknamed)\s+['‘\"“]?$", text[: finding.start])
        is not None
        or re.match(r"['’\"”]", after) is not None
        or re.match(r"\s+(?:said|told|says|tells|asked|disclosed|denied|admitted)\b", after)
        is not None
    )


# words of an NHS body's name that say what it is, not which: the rest is its own name
_BODY_WORDS = frozenset({
    "nhs", "trust", "foundation", "university", "teaching", "hospital", "hospitals", "health",
    "board", "lhb", "children's", "childrens", "children", "royal", "general", "district",
    "community", "care", "integrated", "icb", "the", "and", "of", "&", "partnership", "mental",
    "services", "service", "social", "hsc", "county", "infirmary", "medical", "centre", "unit",
    "women's", "womens", "maternity", "specialist", "acute", "hospice", "clinic", "ward",
    "wing", "department", "paediatric", "paediatrics", "neonatal", "sick", "for", "at",
    "local", "memorial", "cottage", "regional", "national", "group", "healthcare",
})  # fmt: skip
_BODY_AFTER = re.compile(
    r"^(?:['’]s?)?\s*(?:university|health|board|hospital|trust|children['’]s|lhb|uhb|nhs|"
    r"safeguarding|team|staff|ward|unit|clinicians?|records?)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def body_names() -> frozenset[str]:
    """The own names of the NHS bodies (``core/data/nhs_bodies.txt``), two words or
    more: "aneurin bevan", "alder hey", "hywel dda"."""
    cores = set()
    for name in names_list("nhs_bodies.txt"):
        if name.startswith("#"):
            continue
        run: list[str] = []
        for word in [*name.split(), "the"]:
            if word in _BODY_WORDS or not re.fullmatch(r"[a-z][a-z'’-]*", word):
                if len(run) >= 2:
                    cores.add(" ".join(run))
                run = []
            else:
                run.append(word)
    return frozenset(cores)


@lru_cache(maxsize=1)
def _bodies() -> re.Pattern[str]:
    cores = sorted(body_names(), key=len, reverse=True)
    return re.compile(rf"(?<![\w'’-])(?:{'|'.join(map(re.escape, cores))})(?![\w-])")


def without_bodies(text: str, found: list[Finding]) -> list[Finding]:
    """``found`` less the names inside an NHS body's own name ("Betsi Cadwaladr", "Alder Hey's
    team"), unless that name is a census forename and surname and no body word follows ("John
    Radcliffe said" names a person; "the John Radcliffe Hospital" a hospital)."""
    spans = []
    for m in _bodies().finditer(text.lower()):
        words = m.group(0).split()
        person = words[0] in forenames() and words[-1] in surnames()
        if person and not _BODY_AFTER.match(text[m.end() :]):
            continue
        spans.append((m.start(), m.end()))
    if not spans:
        return found
    return [
        f for f in found
        if f.kind != Kind.NAME or not any(a <= f.start and f.end <= b + 2 for a, b in spans)
    ]  # fmt: skip
