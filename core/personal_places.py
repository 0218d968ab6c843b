"""Context for the personal-data guard's names: when a word the name lists know is a place, a
public figure or a thing named after someone, and when a word is a person by what it does.

- **places**: a gazetteer of the populated places of the UK and Ireland (``core/data/
  uk_places.txt``, GeoNames CC BY 4.0, built by ``scripts/build_uk_places.py``). A name found
  whose words are all places ("Morley and Batley", "Bishop Auckland", "Hull's partnership"), a
  compass word before a place ("South Lanarkshire") or the tail of a hyphenated place ("Stoke-
  on-Trent") is read as the place unless a person's context says otherwise: a title, a role
  word, "aged N", a possessive and a family word, or a forename and a surname side by side the
  first of which is no place;
- **the honoured**: a name after Sir, Lord, Dame, Lady, Baroness or Saint ("Lord Laming's
  emphasis", "Sir John Cass's Foundation") is a public figure or a foundation, not a family's;
- **a person by what they do**: a known forename the tagger left alone because it starts a
  sentence ("Abdirahman told the school nurse"), with a verb that people do next; a known
  name in the possessive ("Faadumo's younger brother"); a family's surname in the plural ("the
  Maughans were living"); a name with letters English never writes ("Gintarė", "Yıldız").

Pure apart from the lazily loaded word lists.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from core.personal_findings import Finding, Kind, mask_name
from core.personal_recogniser import Reading
from core.personal_words import (
    ALLOWED,
    ALSO_WORDS,
    EPONYM_WORDS,
    PLACE_WORDS,
    ROLES,
    any_forename,
    any_name,
    any_surname,
    base,
    names_list,
    stop_words,
)

# wordfreq's Zipf scale: 3 is once in a million words; names from outside England are below 2.5
RARE_ZIPF = 2.5
# a lower-case or capitals word the name lists know is read again in title case below this
SELDOM_ZIPF = 3.0
COMPASS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern",
                     "western", "mid", "central", "upper", "lower", "greater", "inner",
                     "outer"})  # fmt: skip
HONOURS = frozenset({"sir", "lord", "dame", "lady", "baroness", "baron", "saint", "st"})
# an honour and up to two of the person's names before the word: "Sir John Cass's"
_HONOURED = re.compile(
    r"\b(?:Sir|Lord|Dame|Lady|Baroness|Baron|Saint|St)\.?\s+(?:[A-Z][\w'’-]*\s+){0,2}$"
)
_TITLE_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Master|mr|mrs|ms|MR|MRS|MS)\.?\s+$")
_HYPHENATED_PLACE = re.compile(r"-(?:on|upon|under|le|by|in|next|the|en|sur)-$", re.IGNORECASE)
_KIN_AFTER = re.compile(
    r"^['’]s\s+(?:\w+\s+)?(?:mother|father|mum|dad|parents?|nan|gran|grandmother|grandfather|"
    r"sister|brother|siblings?|carer|aunt|uncle|stepfather|stepmother|partner|son|daughter)\b"
)
# "Tyler, 4", "Tyler aged 4", not "Luton, 15-year-old" (a list whose next item is an age)
_AGED_AFTER = re.compile(r"^(?:['’]s)?(?:,\s*(?:aged\s+)?|\s+aged\s+)\d{1,2}\b(?!-)")
# what a person does, right after the name: "Abdirahman told", "Nivethan disclosed"
_PERSON_VERBS = frozenset({
    "said", "says", "told", "tells", "disclosed", "discloses", "reported", "reports", "was",
    "is", "had", "has", "attended", "attends", "admitted", "denied", "explained", "stated",
    "claimed", "refused", "declined", "agreed", "asked", "described", "alleged", "cried",
    "ran", "went", "came", "left", "arrived", "moved", "lived", "lives", "stayed", "missed",
    "presented", "returned", "spoke", "called", "phoned", "rang", "texted", "wrote", "wanted",
    "showed", "seemed", "appeared", "became", "began", "died", "disappeared", "would", "could",
    "did", "does", "will", "never", "often", "later", "then", "also", "still",
})  # fmt: skip
# what only a person does: a place or a body "attended" or "reported" too
_SPEECH_VERBS = frozenset({"said", "says", "told", "tells", "disclosed", "denied", "admitted",
                           "claimed", "alleged", "cried", "texted", "phoned", "rang", "asked",
                           "explained", "stated"})  # fmt: skip
_FAMILY_PLURAL = re.compile(r"\b[Tt]he\s+(?P<name>[A-Z][a-z][\w’'-]*?)(?:es|s)(?:['’])?(?=\W|$)")
_EPONYMS = "|".join(sorted(EPONYM_WORDS))
_EPONYM_AFTER = re.compile(rf"['’]s\s+(?:[A-Z][\w'’-]*\s+){{0,3}}(?i:{_EPONYMS})\b")
_CAP = r"[A-Z][^\W\d_]*(?:[-'’][A-Z]?[^\W\d_]+)*"
# shapes that say a word is someone's name: "Mohamud, Sagal (mother)", "surname changed from
# Popescu to Stoica", "knew him as Bash"
_NAME_SHAPES = (
    re.compile(rf"(?P<name>{_CAP}(?:,?\s+{_CAP})?)\s*\((?:the\s+)?(?P<role>[a-z-]+)\)"),
    re.compile(
        rf"\b(?i:name|surname|forename|spelling|spelt|spelled)\b[^.;:]{{0,40}}?\bfrom\s+['‘\"“]?"
        rf"(?P<name>{_CAP})['’\"”]?\s+to\s+['‘\"“]?(?P<other>{_CAP})"
    ),
    re.compile(rf"\b(?:known|knew\s+(?:him|her|them))\s+as\s+(?P<name>{_CAP})\b"),
)
_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*")


def places() -> frozenset[str]:
    return frozenset(p for p in names_list("uk_places.txt") if not p.startswith("#"))


def plain(word: str) -> str:
    """Lower case, accents, possessive and Turkish dotless i removed ("Yıldız's" -> "yildiz")."""
    decomposed = unicodedata.normalize("NFKD", base(word).replace("ı", "i"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def without_places(
    text: str, found: list[Finding], reading: Reading | None = None
) -> list[Finding]:
    """The names in ``found`` that are not a place, a public figure, a foundation's name, an
    eponym or an ordinary word in a name's place."""
    return [
        f for f in found
        if f.kind != Kind.NAME
        or not (_not_a_person(text, f.start, f.end) or _not_a_name(text, f, reading))
    ]  # fmt: skip


_FAMILY = {"family", "families", "household", "twins", "children", "siblings", "boys", "girls"}
_PARTICLES = {"von", "van", "de", "der", "den", "le", "la", "di", "da", "du", "del"}


def _not_a_name(text: str, finding: Finding, reading: Reading | None) -> bool:
    """One word that titles something ("Duke of Edinburgh", "Princess of Wales Hospital"), an
    eponym ("von Willebrand disease"), or a sentence's first word qualifying the noun after it
    ("Frank discussion", "Ruby slippers")."""
    words = [w for w in _WORD.findall(text[finding.start : finding.end])]
    named = [w for w in words if w.lower() not in _PARTICLES]
    after = text[finding.end :]
    if len(named) == 1 and (re.match(r"\s+of\s+[A-Z]", after) or _EPONYM_AFTER.match(after)):
        return True  # "Duke of Edinburgh", "Sarah's Law"
    if len(named) == 1 and (m := re.match(r"\s+([a-z]+)", after)) and m.group(1) in EPONYM_WORDS:
        return True
    if reading is None or len(words) != 1 or not _starts_sentence(text, finding.start):
        return False
    following = [t for t in reading.tokens if t.start >= finding.end][:1]
    # "Kowalski family", "Ifeoma's hair" name their owner
    noun = following[0] if following else None
    return (
        noun is not None and noun.pos == "NOUN" and noun.text.islower()
        and noun.text not in ROLES | _FAMILY
    )  # fmt: skip


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in '.!?:;\n("“-–'


def _not_a_person(text: str, start: int, end: int) -> bool:
    words = [base(w) for w in _WORD.findall(text[start:end])]
    if not words or _TITLE_BEFORE.search(text[:start]):
        return False
    if _HONOURED.search(text[:start]) or words[0] in HONOURS:
        return True
    before = re.search(r"([A-Za-z]+)\s+$", text[:start])
    after = re.match(r"\s+([A-Z][a-z]+)", text[end:])
    if words[0] in COMPASS and (len(words) > 1 or after):  # "North Wales", "South Lanarkshire"
        return True
    if _HYPHENATED_PLACE.search(text[:start]):  # "Stoke-on-Trent"
        return True
    if _person_context(text, start, end, before):
        return False
    gazetteer = places()
    joined = " ".join(words)
    if joined in gazetteer or all(w in gazetteer for w in words):
        return True
    following = f"{words[-1]} {after.group(1).lower()}" if after else ""
    preceding = f"{before.group(1).lower()} {words[0]}" if before else ""
    return (
        following in gazetteer
        or preceding in gazetteer
        or (before is not None and before.group(1).lower() in COMPASS)
    )


def _person_context(text: str, start: int, end: int, before: re.Match[str] | None) -> bool:
    """A title, a role word, "aged N", a possessive and a family word, or a forename (no place)
    and a surname: the words name a person even if they are a place too."""
    if before and before.group(1).lower() in ROLES:
        return True
    if _KIN_AFTER.match(text[end:]) or _AGED_AFTER.match(text[end:]):
        return True
    verb = re.match(r"\s+([a-z]+)", text[end:])  # "Shirley said", not "Shirley, in Solihull"
    if verb and verb.group(1) in _SPEECH_VERBS:
        return True
    words = [base(w) for w in _WORD.findall(text[start:end])]
    if len(words) >= 2 and words[0] in any_forename() and words[0] not in places():
        return True
    # a surname (no place) right after, in the same case: "Harley Jones-Whitfield"
    surname = re.match(r"\s+([^\W\d_][\w'’]*)(?:-[^\W\d_]+)?", text[end:])
    if surname is None or surname.group(1)[0].islower() != text[start].islower():
        return False
    word = base(surname.group(1))
    return word in any_surname() and word not in places() and not _ordinary(word)


def more_names(text: str, reading: Reading) -> list[Finding]:
    """Names the tagger and the lists' positions miss: a known forename, or a word English
    hardly uses, that does what people do or owns something; a family in the plural; a
    capitalised word with letters English never writes; a name in a name's shape ("Mohamud,
    Sagal (mother)", "surname changed from X to Y", "known as X")."""
    blocked = [*reading.not_people]
    found = []
    tokens = [t for t in reading.tokens if _WORD.fullmatch(t.text)]
    for place, token in enumerate(tokens):
        word = plain(token.text)
        if not _name_shaped(token.text) or _ordinary(word):
            continue
        nxt = tokens[place + 1].text.lower() if place + 1 < len(tokens) else ""
        rest = text[token.end :]
        # a known forename, or a word English does not otherwise use ("Nivethan")
        named = word in any_forename() or _rare(word)
        acts = nxt in _PERSON_VERBS and named and rest[:1].isspace()
        # a forename's possessive, not an eponym's ("Munro's principle", "Sarah's Law")
        # and what is owned follows, not a verb ("Barnardo's ran", "Asperger's was")
        verb = place + 1 < len(tokens) and tokens[place + 1].pos in ("VERB", "AUX")
        owns = (
            re.match(r"['’]s\b", rest) is not None and named and not verb
            and not _EPONYM_AFTER.match(rest) and word not in places()
        )  # fmt: skip
        foreign = _foreign(token.text) and token.pos == "PROPN"
        if foreign and any(a <= token.start < b for a, b in blocked):
            foreign = False
        if acts or owns or foreign:
            found.append(Finding(Kind.NAME, token.start, token.end, mask_name([token.text])))
    for pattern in _NAME_SHAPES:
        found += _shaped_names(pattern, text)
    for m in _FAMILY_PLURAL.finditer(text):  # "the Maughans", "The Pughs'"
        stem = plain(m.group("name"))
        if stem in any_surname() and not _ordinary(stem) and stem not in places():
            found.append(Finding(Kind.NAME, m.start("name"), m.end(), mask_name([m.group(0)])))
    return found


@lru_cache(maxsize=4096)
def _rare(word: str) -> bool:
    """Whether English text hardly ever uses the word (``wordfreq``: under once in about
    three million words), as with most names from outside England ("Faadumo", "Tharshini")."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < RARE_ZIPF


def _shaped_names(pattern: re.Pattern[str], text: str) -> list[Finding]:
    found = []
    for m in pattern.finditer(text):
        if "role" in m.groupdict() and m.group("role") not in ROLES:
            continue
        for group in ("name", "other"):
            if group not in m.groupdict() or m.group(group) is None:
                continue
            words = [plain(w) for w in _WORD.findall(m.group(group))]
            if any(_ordinary(w) or w in places() for w in words):
                continue
            found.append(Finding(Kind.NAME, m.start(group), m.end(group),
                                 mask_name(m.group(group).split())))  # fmt: skip
    return found


def _name_shaped(word: str) -> bool:
    """A capital, then lower case ("Hêvî", "McGuigan"), not an initialism ("IMRs")."""
    return len(word) >= 3 and word[0].isupper() and word[-2:].isalpha() and word[-2:].islower()


def _ordinary(word: str) -> bool:
    return word in ALLOWED | ALSO_WORDS | ROLES | PLACE_WORDS | COMPASS or word in stop_words()


def _foreign(word: str) -> bool:
    """Letters with marks English does not use ("Gintarė", "Hêvî", "Yıldız", "Mòrag")."""
    return any(ord(ch) > 127 and ch.isalpha() for ch in word)


def recased_tokens(text: str, reading: Reading) -> list[tuple[int, int]]:
    """Where a word in lower case or capitals is a name the lists know and English text seldom
    uses ("kemal arslan", "AUNTY NGOZI"): the spans a second reading, in title case, checks."""
    spans = []
    for token in reading.tokens:
        word = plain(token.text)
        # in capitals, a short word is an initialism ("NICU", "CAMHS" is no name but "SHAY" is)
        shaped = token.text.islower() or (token.text.isupper() and len(word) >= 5)
        if (
            shaped and len(word) >= 3 and word.isalpha() and word in any_name()
            and not _ordinary(word) and word not in places() and _seldom(word)
        ):  # fmt: skip
            spans.append((token.start, token.end))
    return spans


def recase(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the words at ``spans`` in title case, offsets unchanged."""
    chars = list(text)
    for start, end in spans:
        word = text[start:end].capitalize()
        if len(word) == end - start:
            chars[start:end] = word
    return "".join(chars)


@lru_cache(maxsize=4096)
def _seldom(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < SELDOM_ZIPF
