"""The personal-data guard: one check for every free-text and identifier field of a case.

Data about a child under review is among the most sensitive there is: the workbench stores a
pseudonym and roles, never a name, an NHS number, a date of birth, an address or contact
details. Pure: no database, no network; the spaCy pipeline is loaded lazily, once.

What it finds, from two sources (README, "Reliability", measures each and the two together):

- a maintained recogniser, Microsoft Presidio's analyzer over spaCy's English pipeline
  (``personal_recogniser``): people's names (PERSON), NHS numbers with a valid check digit,
  National Insurance numbers;
- the guard's own rules where that recogniser is weak for this domain (``personal_patterns``,
  ``personal_names``): NHS numbers with any check digit when labelled or grouped 3-3-4; care-
  record dates of birth; UK postcodes; street addresses, with or without a postcode; e-mail
  addresses and phone numbers; names from census and worldwide lists (a forename starting a
  sentence, lower-case names, "the Kowalski family"); names and postcodes inside identifiers
  ("JAYDEN-01-26", "LS6-2AB-01"); and an allow-list so the pseudonym conventions (Child A,
  Baby B, Family C, Sibling 2, Mother of Child A), roles, agencies and places pass;
- context (``personal_places``): a UK and Irish gazetteer (GeoNames) so a place stays a place
  unless a person's context names someone, honours and eponyms, what people do and own, rare
  words (``wordfreq``), and a second reading in title case of lower-case and capitals names;
- more evidence (``personal_evidence``): rare name-shaped parts of references, lower-case names
  the tagger leaves alone, NHS bodies' own names (NHS ODS), and a second reading in lower case
  that tells an ordinary word ("Patience was needed") from a name ("Oliver was seen").

A refusal names the field, what looked like personal data, masked ("an NHS number ending
5919"), and what to write instead. ``names=False`` checks a field that may hold a staff member's
name (a display name) for everything but names; ``mask_personal_data`` replaces each finding by
its placeholder ("[name]"), for a précis a reviewer chooses to search masked.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from core.errors import PersonalDataFound
from core.personal_evidence import (
    lower_case_names,
    reference_names,
    without_bodies,
    without_ordinary_words,
)
from core.personal_findings import ADVICE, PLACEHOLDER, Finding, Kind
from core.personal_names import find_names, identifier_names
from core.personal_patterns import find_patterns
from core.personal_places import more_names, recase, recased_tokens, without_places
from core.personal_recogniser import Reading, read_text

_PRESIDIO_KINDS = {"UK_NHS": Kind.NHS_NUMBER, "UK_NINO": Kind.NI_NUMBER}


# Texts found clean, remembered (the most recent few thousand): the same partnership name or
# reason is checked on every case of a tracker, and the language model is most of the cost.
# Only clean texts are kept, so the cache never holds personal data.
_CLEAN: OrderedDict[tuple[str, bool, bool], None] = OrderedDict()
_CLEAN_MAX = 4096
_CLEAN_LOCK = Lock()  # the app's sessions run in threads


def find_personal_data(text: str, *, identifier: bool = False, names: bool = True) -> list[Finding]:
    """Every piece of personal data in ``text``, in order, overlaps merged; ``identifier`` for
    a code such as a case reference, whose parts are checked against the name lists whatever
    their case; ``names=False`` for a field that may name a member of staff."""
    key = (text, identifier, names)
    with _CLEAN_LOCK:
        if key in _CLEAN:
            _CLEAN.move_to_end(key)
            return []
    found = _find(text, identifier=identifier, names=names)
    if not found:
        with _CLEAN_LOCK:
            _CLEAN[key] = None
            if len(_CLEAN) > _CLEAN_MAX:
                _CLEAN.popitem(last=False)
    return found


def _find(text: str, *, identifier: bool, names: bool) -> list[Finding]:
    found = find_patterns(text, identifier=identifier)
    if identifier:
        named = identifier_names(text) + reference_names(text)
        found += without_places(text, named) if names else []
    elif text.strip():
        reading = read_text(text)
        found += [
            Finding(kind, e.start, e.end, _masked_number(kind, text[e.start : e.end]))
            for e in reading.entities
            if (kind := _PRESIDIO_KINDS.get(e.kind)) is not None
        ]
        if names:
            named = find_names(text, reading) + more_names(text, reading)
            named += _recased_names(text, reading)
            # lower-case names the other readers missed, not new pieces of ones they found
            named += [
                f for f in lower_case_names(text, reading)
                if not any(n.start < f.end and f.start < n.end for n in named)
            ]  # fmt: skip
            named = without_bodies(text, without_places(text, named, reading))
            found += without_ordinary_words(text, named)
    return _merged(found)


def check_personal_data(
    text: str, field: str, *, identifier: bool = False, names: bool = True
) -> None:
    """Refuse ``text`` (:class:`PersonalDataFound`) if it holds personal data; the message says
    which field, what was found (masked) and what to write instead."""
    found = find_personal_data(text, identifier=identifier, names=names)
    if found:
        first = found[0]
        raise PersonalDataFound(
            f"{field} seems to hold personal data: {first.masked}; {ADVICE[first.kind]}",
            field=field,
            findings=tuple(found),
        )


def mask_personal_data(text: str, findings: list[Finding] | None = None) -> str:
    """``text`` with each finding replaced by its placeholder ("mum [name] said")."""
    found = find_personal_data(text) if findings is None else _merged(list(findings))
    masked, last = [], 0
    for finding in found:
        if finding.start < last:  # inside one already masked
            continue
        masked += [text[last : finding.start], PLACEHOLDER[finding.kind]]
        last = finding.end
    return "".join([*masked, text[last:]])


def _recased_names(text: str, reading: Reading) -> list[Finding]:
    """Names written in lower case or capitals, found by reading the text again with the
    words the name lists know in title case ("kemal arslan" -> "Kemal Arslan")."""
    spans = recased_tokens(text, reading)
    if not spans:
        return []
    recased = recase(text, spans)
    return [
        f
        for f in find_names(recased, read_text(recased))
        if any(f.start < end and start < f.end for start, end in spans)
    ]


def _masked_number(kind: Kind, value: str) -> str:
    tail = "".join(ch for ch in value if ch.isalnum())[-4:]
    return f"an {'NHS' if kind == Kind.NHS_NUMBER else 'NI'} number ending {tail}"


def _merged(found: list[Finding]) -> list[Finding]:
    """Of overlapping findings of one kind the first (then the longest) is kept, so a name
    found by both readers is reported once."""
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if any(k.kind == finding.kind and finding.start < k.end for k in kept):
            continue
        kept.append(finding)
    return kept
