"""People's names in free text and in identifiers, for the personal-data guard.

Two readers, and a name found by either counts:

- **spaCy's named entities** (through Presidio's analyzer, ``personal_recogniser``): a PERSON
  wherever it stands, in any case the model knows ("Kwame Mensah", "Emily Smith's", "the
  Kowalski family", "EMILY SMITH");
- **the name lists** (``review_flows/data``: census forenames and surnames, and worldwide ones
  from ``names-dataset``): a title and a name ("Mrs Smith"); a role and a name ("mum Chelsea");
  a known forename before a capitalised word ("Jane Smith") or standing alone where the tagger
  reads it as a proper noun ("Oliver was seen", "Tyler, aged 4"); a forename and a surname in
  lower case ("emily smith"); a capitalised word before "family" ("the Kowalski family").

Both pass the **allow-list**: the pseudonym conventions (Child A, Baby B, Family C, Sibling 2,
Mother of Child A, "Child A's sister"), roles and professions, agencies, months and days,
statute words; and a word inside a place, body, law or date spaCy found ("Victoria Road",
"St Mary's Hospital") is no one's name. Pure apart from the lazily loaded pipeline.
"""

from __future__ import annotations

import re

from core.personal_findings import Finding, Kind, mask_name
from core.personal_recogniser import Reading, Token
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
    forenames,
    stop_words,
    surnames,
    world,
)

# a title and a name in the title's case: "Mrs Smith", "mrs smith", "MRS O'NEILL" (not "Dr
# appointment missed")
_TITLE = re.compile(
    r"\b(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?\s+(?P<name>[A-Z][a-zA-Z'’-]+)"
    r"|(?:mr|mrs|ms)\.?\s+(?P<lower>[a-z][a-z'’-]+)"
    r"|(?:MR|MRS|MS|MISS|DR)\.?\s+(?P<caps>[A-Z][A-Z'’-]+)\b)"
)
_AGED = re.compile(
    r"\b(?P<name>[A-Z][\w'’]+(?:-[A-Z][\w'’]+)?)(?:,\s*(?:aged\s+)?|\s+aged\s+)\d{1,2}\b(?!-)"
)
_NICKNAME = re.compile(r"\b(?:as|called|aka|nicknamed)\s+['‘\"“](?P<name>[A-Z][\w-]+)['’\"”]")
# "Child A", "Baby B", "Family C", "Sibling 2", "Mother of Child A", "Child A's sister"
_PSEUDONYM = re.compile(
    r"\b(?:(?:mother|father|sibling|sister|brother|carer|parent)s?\s+of\s+)?"
    r"(?:child|baby|family|sibling|young\s+person|infant|adult|parent|mother|father|twin|"
    r"subject|person|carer|male|female)\s+"
    r"(?:[A-Z]\d?|(?-i:(?P<twice>[A-Z])(?P=twice))|\d{1,2})(?:['’]s)?\b",  # "Child BB" too
    re.IGNORECASE,
)
# a code written in a note: capitals and digits, parts joined by - / _ ("KWAME-2026-01")
_CODE_IN_TEXT = re.compile(r"\b(?=[\w/-]*\d)[A-Z0-9]{2,}(?:[-/_][A-Za-z0-9]+)+\b")
_THE_FAMILY = re.compile(
    r"\b[Tt]he\s+(?P<name>[A-Z][\w'’-]+)\s+(?:family|household|children|twins|siblings|boys|"
    r"girls|brothers|sisters)\b"
)
_POSSESSIVE_KIN = re.compile(
    r"\b(?P<name>[A-Z][a-z][\w-]*)['’]s\s+(?:mother|father|mum|dad|parents|nan|grandmother|"
    r"grandfather|sister|brother|siblings|carer|aunt|uncle|stepfather|stepmother)\b"
)
_EPONYM_AFTER = re.compile(
    r"(?:['’]s)?(?:-[A-Z][\w]*)?(?:\s+(?:and\s+)?[A-Z][\w'’-]*)*\s+(?:review|reviews|report|"
    r"principle|principles|guidelines|guidance|disease|syndrome|competence|criteria|scale|"
    r"model|framework|recommendations|act|bill|basket|protocol|law|laws)\b"
)
# words after which a capitalised word is a place: "moved from St Helens to Preston"
_PLACE_BEFORE = {"in", "from", "to", "at", "near", "towards", "into", "via", "around"}
_FAMILY_WORDS = {"family", "household", "twins", "children", "siblings", "boys", "girls"}
_CODE_WORDS = {"case", "ref", "review", "rapid", "panel", "local", "national", "child", "baby",
               "demo", "test", "draft", "final", "lscb", "cspr", "lcspr", "scr", "the", "and",
               "north", "south", "east", "west", "city", "county"}  # fmt: skip


def find_names(text: str, reading: Reading) -> list[Finding]:
    """Every person's name in free text ``text`` as ``reading`` (spaCy) read it."""
    allowed = _pseudonym_spans(text)
    titled = [(m, m.lastgroup or "name") for m in _TITLE.finditer(text)]
    found = [
        Finding(Kind.NAME, m.start(group), m.end(), mask_name([m.group(group)]))
        for m, group in titled
        if base(m.group(group)) not in ALLOWED and not _inside(m.start(group), allowed)
    ]
    for entity in reading.entities:
        if entity.kind == "PERSON" and not _inside(entity.start, allowed):
            found += _person(text, entity.start, entity.end)
    for pattern in (_AGED, _NICKNAME):
        for m in pattern.finditer(text):
            word = base(m.group("name"))
            if (
                word not in ALLOWED
                and word
                not in ALSO_WORDS - {"hope", "summer", "grace", "joy", "faith", "rose", "dawn"}
                and word not in PLACE_WORDS | ROLES
                and not _inside(m.start(), allowed)
                and word not in stop_words()
            ):
                found.append(Finding(Kind.NAME, m.start("name"), m.end("name"),
                                     mask_name([m.group("name")])))  # fmt: skip
    for m in _CODE_IN_TEXT.finditer(text):  # "changed from KWAME-2026-01", "CSPR/Begum/2025"
        found += [
            Finding(f.kind, f.start + m.start(), f.end + m.start(), f.masked)
            for f in identifier_names(m.group(0))
        ]
    tokens = [t for t in reading.tokens if re.fullmatch(r"[^\W\d_][\w'’-]*", t.text)]
    blocked = [*allowed, *reading.not_people]
    for m in _THE_FAMILY.finditer(text):  # "the Kowalski family", "The Nguyen children"
        if base(m.group("name")) not in ALLOWED | ALSO_WORDS | PLACE_WORDS:
            found.append(Finding(Kind.NAME, m.start("name"), m.end("name"),
                                 mask_name([m.group("name")])))  # fmt: skip
    for m in _POSSESSIVE_KIN.finditer(text):  # "Amber's mother", "Grace's father"
        word = base(m.group("name"))
        if (
            word not in ROLES | stop_words()
            and not _inside(m.start(), allowed)
            and word not in ALLOWED - {"amber", "red", "bill"}
        ):
            found.append(Finding(Kind.NAME, m.start("name"), m.end("name"),
                                 mask_name([m.group("name")])))  # fmt: skip
    for place, token in enumerate(tokens):
        words = _name_at(text, tokens, place)
        # inside a place or body spaCy found, only a role's name or a whole name counts
        hyphenated = re.match(r"-[A-Z][a-z]", text[token.end :]) is not None
        if (
            words
            and _inside(token.start, blocked)
            and len(words) < 2
            and not hyphenated
            and not _after_role(text, tokens, place)
        ):
            continue
        if words:
            found.append(Finding(Kind.NAME, token.start, token.end, mask_name(words)))
    return found


def _person(text: str, start: int, end: int) -> list[Finding]:
    """A PERSON span as a finding from its first to its last named word ("Baby [Jayden
    Smith]"), or nothing if it is a pseudonym, a role or a place ("St Mary's Hospital")."""
    words = _person_words(text[start:end])
    after = re.match(r"\s*([A-Za-z'’]+)", text[end:])
    saint = re.match(r"(?i)(st|saint)\b\.?", text[start:end]) or re.search(
        r"(?i)\b(st|saint)\.?\s*$", text[:start]
    )
    possessive = re.search(r"['’]s$", text[start:end]) is not None
    following = base(after.group(1)) if after else ""
    placed = not possessive and following in PLACE_WORDS
    if not words:
        return []
    if len(words) == 1 and base(words[0]) in ALSO_WORDS:  # "Bill for the reviewer's time"
        return []
    before = re.search(r"\b(\w+)\s+$", text[:start])
    if before and before.group(1) in _PLACE_BEFORE and len(words) < 2:
        return []
    if re.match(r"-[a-z]", text[end:]) or base(words[-1]) in EPONYM_WORDS:
        return []
    if _EPONYM_AFTER.match(text[end:]) and len(words) < 2:
        return []
    if not words or saint or placed:
        return []
    first = start + text[start:end].index(words[0])
    last = start + text[start:end].rindex(words[-1]) + len(words[-1])
    last += len(m.group(0)) if (m := re.match(r"['’]s\b", text[last:end])) else 0
    return [Finding(Kind.NAME, first, last, mask_name(words))]


def _eponym(text: str, tokens: list[Token], place: int) -> bool:
    """A surname before a report or an eponym's word ("the Jay report", "Munro and MacAlister
    reviews", "Fraser guidelines", "Moses basket"), over capitalised words, "and", "'s"."""
    for token in tokens[place + 1 : place + 5]:
        word = base(token.text)
        if word in EPONYM_WORDS:
            return True
        if not (_capitalised(token.text) or word in ("and", "s")):
            return False
    return False


def _full_name(text: str, tokens: list[Token], place: int) -> bool:
    """A known forename and a known surname, capitalised, side by side ("Cerys Llewellyn")."""
    word = base(tokens[place].text)
    surname = _surname_after(text, tokens, place)
    return (
        _capitalised(tokens[place].text) and word in any_forename()
        and word not in ALSO_WORDS and word not in stop_words() and surname is not None
        and base(surname) not in EPONYM_WORDS
        and base(surname) in any_surname() and not _is_place(tokens, place)
    )  # fmt: skip


def _person_words(span: str) -> list[str]:
    """The words of a PERSON span that make it a name: not the allow-list, not a single letter
    ("Child A"), not a place's words."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", span) if len(base(w)) > 1]
    if _PSEUDONYM.fullmatch(span.strip()):
        return []
    named = [
        w for w in words
        if base(w) not in ALLOWED and base(w) not in ROLES and base(w) not in stop_words()
    ]  # fmt: skip
    if any(base(w) in PLACE_WORDS for w in words):
        return []
    # a lone word the model calls a person is one only if some name list knows it: the small
    # model calls places ("Westmere", "Powys") people
    if len(named) == 1 and _plain(named[0]) not in any_name():
        return []
    # of several words, one a census name or the first a forename anywhere ("Kwame Mensah");
    # "Alder Hey" is a hospital
    plain = [_plain(w) for w in named]
    census = forenames() | surnames()
    if len(named) > 1 and not (set(plain) & census or plain[0] in any_forename()):
        return []
    return named


def _plain(word: str) -> str:
    """Lower case, accents and a possessive removed ("Siobhán's" -> "siobhan")."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", base(word))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _pseudonym_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _PSEUDONYM.finditer(text)]


def _inside(start: int, spans: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> bool:
    return any(a <= start < b for a, b in spans)


def _name_at(text: str, tokens: list[Token], place: int) -> list[str] | None:
    """The words of a person's name starting at ``tokens[place]``, if one starts there."""
    token = tokens[place]
    word, word_base = token.text, base(token.text)
    if re.match(r"-[a-z]", text[token.end :]):  # "non-accidental", "self-harm", "Post-birth"
        return None
    if (
        _capitalised(word)
        and _after_role(text, tokens, place)
        and word_base not in ROLES
        and word_base not in ALLOWED
    ):
        return [word]
    if word_base in ALLOWED or word_base in ROLES or _is_place(tokens, place):
        return None
    if _capitalised(word) and _full_name(text, tokens, place):
        return [word, tokens[place + 1].text]
    if _eponym(text, tokens, place):
        return None
    following = tokens[place + 1] if place + 1 < len(tokens) else None
    if _capitalised(word):
        if (
            place > 0
            and tokens[place - 1].text in _PLACE_BEFORE
            and text[tokens[place - 1].end : token.start] == " "
        ):
            return None
        if (
            following is not None
            and base(following.text) in _FAMILY_WORDS
            and place > 0
            and tokens[place - 1].text.lower() == "the"
            and word_base not in ALSO_WORDS
        ):
            return [word]
        return _capitalised_name(text, tokens, place)
    if word.islower() or word.isupper():
        return _uncapitalised_name(text, tokens, place)
    return None


def _capitalised_name(text: str, tokens: list[Token], place: int) -> list[str] | None:
    token = tokens[place]
    word_base = base(token.text)
    known = word_base in forenames() or (token.pos == "PROPN" and word_base in world())
    if not known or word_base in ALSO_WORDS or word_base in stop_words():
        return None
    if re.match(r"-[A-Z][a-z]", text[token.end :]):  # "Lily-Mae", "Ruby-Mae Clarke"
        return [token.text]
    surname = _surname_after(text, tokens, place)
    if surname:
        return [token.text, surname]
    if not _starts_sentence(text, token.start) or token.pos == "PROPN":
        return [token.text]
    # "Tyler, aged 4", "Tyler's mother": a forename that starts a sentence and is addressed
    if re.match(r"\s*,|['’]s\b", text[token.end :]) and word_base not in stop_words():
        return [token.text]
    return None


def _uncapitalised_name(text: str, tokens: list[Token], place: int) -> list[str] | None:
    """ "emily smith", "EMILY SMITH", "mum chelsea": a forename with a surname or a role. In
    lower case the tagger must read both as proper nouns ("front line staff" are nouns); in
    capitals it cannot read them, so the lists alone decide."""
    token = tokens[place]
    word_base = base(token.text)
    caps = token.text.isupper()
    if len(word_base) < 3 or word_base in ALSO_WORDS | ALLOWED | ROLES | stop_words():
        return None
    if not caps and _after_role(text, tokens, place) and word_base in forenames():
        return [token.text]
    if word_base not in any_forename() or not (caps or token.pos == "PROPN"):
        return None
    if place + 1 < len(tokens):
        nxt = tokens[place + 1]
        nxt_base = base(nxt.text)
        if (
            nxt.text.isupper() == caps
            and (caps or nxt.pos == "PROPN")
            and nxt_base in any_surname()
            and nxt_base not in ALSO_WORDS | ALLOWED | stop_words()
            and text[token.end : nxt.start] == " "
        ):
            return [token.text, nxt.text]
    return None


# parts of speech a name is never tagged with, even in lower case
_NOT_NAME_POS = {"VERB", "AUX", "ADJ", "ADV", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "NUM",
                 "PART", "INTJ"}  # fmt: skip


def _surname_after(text: str, tokens: list[Token], place: int) -> str | None:
    """The capitalised word right after a forename, if it reads as a surname ("Jane Smith")."""
    if place + 1 >= len(tokens):
        return None
    following = tokens[place + 1]
    between = text[tokens[place].end : following.start]
    word = base(following.text)
    if (
        re.fullmatch(r"\s+", between)
        and _capitalised(following.text)
        and word not in ALSO_WORDS
        and word not in PLACE_WORDS
        and word not in ALLOWED
    ):
        return following.text
    return None


def _capitalised(word: str) -> bool:
    """A name's shape: a capital then lower case ("Olivia", "O'Brien"); not "CP", not "A"."""
    return len(base(word)) >= 2 and word[0].isupper() and any(c.islower() for c in word[1:])


def _after_role(text: str, tokens: list[Token], place: int) -> bool:
    """Whether the word follows a role word: "mum Chelsea", "the child, Olivia", "named Jo"."""
    if place == 0:
        return False
    previous = tokens[place - 1]
    between = text[previous.end : tokens[place].start]
    return previous.text.lower() in ROLES and re.fullmatch(r"\s*,?\s*", between) is not None


def _is_place(tokens: list[Token], place: int) -> bool:
    """Whether a word is part of a place or body's name ("Victoria Road", "St Mary's")."""
    if place > 0 and tokens[place - 1].text.lower().rstrip(".") in ("st", "saint"):
        return True
    for token in tokens[place + 1 : place + 6]:
        word = base(token.text)
        if word in PLACE_WORDS:
            return True
        if not (_capitalised(token.text) or word in ("and", "&")):
            return False
    return False


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in '.!?:;\n("“-–'


def identifier_names(text: str) -> list[Finding]:
    """In a code such as a case reference, any part that is a known forename or surname,
    census or worldwide ("JOHN-SMITH-2026", "JAYDEN-01-26", "KWAME-2026-01")."""
    found = []
    names = any_name()
    for match in re.finditer(r"[A-Za-z]+", text):
        part = match.group(0).lower()
        if part in _CODE_WORDS or len(part) < 3 or part in ALSO_WORDS:
            continue
        # codes are made of short initialisms ("SMR", "LCSP"): a part that short counts as a
        # name only when it is a common forename ("AVA-2026-01")
        if len(part) <= 4 and part not in forenames():
            continue
        if part in names:
            found.append(
                Finding(Kind.NAME, match.start(), match.end(), mask_name([match.group(0)]))
            )
    return found
