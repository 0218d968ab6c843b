"""A case précis split into its facets: the child's age, the risks, the agencies involved and
what went wrong, each read against the theme taxonomy. Pure.

Why: searched whole, a précis finds the reviews most like its loudest facts, and a reviewer
cannot tell which of the case's other facts a result shares. Split into facets, each searched
on its own, the page can say which past review matches which part of the case.

The précis is cut into clauses (sentences, commas, semicolons, "and", "but"); each clause is
read for an age ("4-month-old", "a teenager"), an agency ("the health visitor"), taxonomy
themes (its labels, practitioner phrases and definitions, weighted by how few themes use a
word, with a short list of everyday words for the taxonomy's own) and signs that something
went wrong ("missed", "did not"). It is lexical on purpose: the same précis always splits
the same way, the split can be explained, and it needs no model.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from core.labels import AGE_GROUP_LABELS
from learning.facet_roles import PEOPLE_WORDS, Role, about_the_same_person, roles_named
from learning.facet_words import (
    AGENCIES,
    ALIASES,
    FAILURE_WORDS,
    GENERIC_STEMS,
    NEGATION_START,
    NOT_DONE,
    PHRASE_ALIASES,
    ROLE_WORDS,
    Agency,
    find_ages,
)
from learning.query import words_of
from learning.themes.scoring import build_phrase_index, content_stems, lexical_scores
from learning.themes.taxonomy import ThemeSpec

#: At most this many facets a précis (a long précis keeps its first, in the order written).
MAX_FACETS = 10
#: A theme is read in a clause when its evidence reaches this (a phrase, or two telling words).
THEME_THRESHOLD = 2.4
#: A second theme is kept for a clause when it scores this share of the best one.
SECOND_THEME_SHARE = 0.8
#: A passage says what a facet says when it holds this share of the facet's words' weight.
PASSAGE_SHARE = 2 / 3
_PHRASE_BONUS = 3.0
_WEAK_WEIGHT = 0.4
_LABEL_EXTRA = 0.5
_RISK_GROUPS = ("harm", "family")


class FacetKind(StrEnum):
    """What a facet says about the case."""

    AGE = "age"
    RISK = "risk"
    AGENCY = "agency"
    FAILURE = "failure"


_NO_PEOPLE = (FacetKind.AGE, FacetKind.AGENCY)
FACET_KIND_LABELS = {
    FacetKind.AGE: "Age",
    FacetKind.RISK: "Risk",
    FacetKind.AGENCY: "Agency",
    FacetKind.FAILURE: "Practice",
}


@dataclass(frozen=True)
class Facet:
    """One part of a case précis: the précis's own words, what they were read as, and what to
    search for them."""

    kind: FacetKind
    label: str  # the précis's words, shown to the reviewer
    meaning: str  # what they were read as: a theme's label, an age group, an agency
    query: str  # what is searched for this facet
    theme_ids: tuple[str, ...] = ()
    age_groups: tuple[str, ...] = ()
    agency: str | None = None

    @property
    def people(self) -> frozenset[Role]:
        """Whom a risk or practice facet is about ("father's mental health": the father)."""
        return frozenset() if self.kind in _NO_PEOPLE else roles_named(self.query)

    @property
    def key(self) -> tuple[str, ...]:
        """Two facets with the same key say the same thing (the first one written is kept)."""
        if self.kind is FacetKind.AGE:
            return (self.kind, *self.age_groups)
        if self.kind is FacetKind.AGENCY:
            return (self.kind, self.agency or self.label)
        if self.theme_ids:
            return (self.kind, *self.theme_ids)
        return (self.kind, self.label.lower())


@dataclass(frozen=True)
class _ThemeWords:
    theme_id: str
    group: str
    label_stems: frozenset[str]  # stems of the label: one of them names the theme alone
    phrases: tuple[frozenset[str], ...]  # stems of each practitioner phrase
    strong: frozenset[str]  # stems of the label and the practitioner phrases
    weak: frozenset[str]  # stems of the definition only


@dataclass(frozen=True)
class _Reading:
    """What one clause says: ages, agencies, themes (best first), and a sign of failure."""

    ages: tuple[tuple[str, tuple[str, ...]], ...]
    agencies: tuple[Agency, ...]
    themes: tuple[str, ...]
    failure: bool
    negated: bool  # opens by denying: names no risk
    not_done: bool  # opens by denying and says what was not done: a failure

    @property
    def says_anything(self) -> bool:
        return bool(self.ages or self.agencies or self.themes)


@functools.lru_cache(maxsize=4096)
def stems_of(text: str) -> frozenset[str]:
    """Content stems of ``text`` with the taxonomy's words for everyday ones added ("father"
    also reads as "parent", "drinking" as "alcohol"). Cached: one search reads each passage
    for every facet."""
    stems = {stem for stem in content_stems(text) if not stem.isdigit()}
    for word in words_of(text):
        stems.update(ALIASES.get(word.replace("’", "'").split("'")[0], ()))
    return frozenset(stems)


class FacetReader:
    """Reads précis against one taxonomy (built once per taxonomy: see :func:`facet_reader`)."""

    def __init__(self, themes: Sequence[ThemeSpec]) -> None:
        self._themes = tuple(_theme_words(theme) for theme in themes)
        self._labels = {theme.id: theme.label for theme in themes}
        self._columns = {theme.id: column for column, theme in enumerate(themes)}
        self._phrases = build_phrase_index([theme.phrases for theme in themes])
        counts: dict[str, int] = {}
        for words in self._themes:
            for stem in words.strong | words.weak:
                counts[stem] = counts.get(stem, 0) + 1
        size = len(self._themes)
        # a word few themes use tells more than one most of them use ("leaver" vs "health")
        self._idf = {stem: math.log((size + 1) / (count + 0.5)) for stem, count in counts.items()}
        self._rare = math.log((size + 1) / 0.5)

    def facets(self, precis: str) -> tuple[Facet, ...]:
        """The facets of ``precis`` in the order written, one per distinct thing it says."""
        found: dict[tuple[str, ...], Facet] = {}
        for clause, query in self.clauses(precis):
            for facet in self._facets_of(clause, query, self._read(query)):
                found.setdefault(facet.key, facet)
        return tuple(found.values())[:MAX_FACETS]

    def clauses(self, precis: str) -> list[tuple[str, str]]:
        """(words as written, words to search) for each clause; a clause cut off by "and"
        borrows the possessive person of the one before ("father's mental health and substance
        misuse": the second is searched as "father's substance misuse")."""
        result: list[tuple[str, str]] = []
        for part in _CLAUSE_BREAK.split(_protect_ranges(precis)):
            pieces = [_tidy(piece) for piece in _CONJUNCTION.split(part)]
            pieces = [piece for piece in pieces if words_of(piece)]
            result += self._joined(pieces)
        return result

    def _joined(self, pieces: list[str]) -> list[tuple[str, str]]:
        """Pieces that say nothing alone ("drug" of "drug and alcohol misuse") joined to the
        next; each later piece without a person borrows the first piece's possessive one."""
        joined: list[str] = []
        pending = ""
        for piece in pieces:
            text = f"{pending} and {piece}" if pending else piece
            if self._read(text).says_anything:
                joined.append(text)
                pending = ""
            else:
                pending = text
        if pending:
            if joined:
                joined[-1] = f"{joined[-1]} and {pending}"
            else:
                joined.append(pending)
        owner = _possessive_person(joined[0]) if joined else None
        return [
            (text, f"{owner} {text}" if owner and index and _borrows(text) else text)
            for index, text in enumerate(joined)
        ]

    def _read(self, text: str) -> _Reading:
        lowered = _folded(text)
        # the taxonomy's phrase for everyday words of several ("looked after" a child)
        extra = [phrase for pattern, phrase in PHRASE_ALIASES if pattern.search(lowered)]
        themed = ". ".join([text, *extra])
        negation = NEGATION_START.match(lowered)
        return _Reading(
            ages=find_ages(lowered),
            agencies=tuple(agency for agency in AGENCIES if agency.named_in(lowered)),
            themes=self._themes_of(themed, stems_of(themed)),
            failure=bool(set(words_of(lowered)) & FAILURE_WORDS) or "n't" in lowered,
            negated=negation is not None,
            not_done=negation is not None and NOT_DONE.search(lowered, negation.end()) is not None,
        )

    def _themes_of(self, text: str, stems: frozenset[str]) -> tuple[str, ...]:
        """Themes the clause reads as, best first: the best one and a close second."""
        phrases = lexical_scores([text], self._phrases)[0]
        scored = []
        for column, words in enumerate(self._themes):
            strong = stems & words.strong
            # a short stem is too often another word's ("ear" of "early")
            # and a person alone ("the mother") is no theme
            # and "missed" is a failure, not the theme "missing from home"
            named = {s for s in stems & words.label_stems if len(s) >= 4 and s not in _NOT_NAMES}
            # evidence: a phrase, a word of the label, or two words of one phrase
            partial = any(len(stems & phrase) >= 2 for phrase in words.phrases)
            if phrases[column] < 1.0 and not named and not partial:
                continue
            score = _PHRASE_BONUS * float(phrases[column])
            score += sum(self._idf.get(stem, 0.0) for stem in strong)
            score += _LABEL_EXTRA * sum(self._idf.get(stem, 0.0) for stem in named)
            score += _WEAK_WEIGHT * sum(self._idf.get(stem, 0.0) for stem in stems & words.weak)
            if score >= THEME_THRESHOLD:
                scored.append((score, column))
        scored.sort(key=lambda item: (-item[0], item[1]))
        # a risk and a practice theme are told apart on their own ("the police did not share
        # the domestic abuse notifications" is domestic abuse and information sharing)
        kept: list[int] = []
        for risk in (True, False):
            side = [(score, c) for score, c in scored if self._is_risk(c) is risk][:2]
            kept += [c for score, c in side if score >= SECOND_THEME_SHARE * side[0][0]]
        order = [column for _, column in scored]
        return tuple(self._themes[column].theme_id for column in sorted(kept, key=order.index))

    def _is_risk(self, column: int) -> bool:
        return self._themes[column].group in _RISK_GROUPS

    def _facets_of(self, clause: str, query: str, reading: _Reading) -> list[Facet]:
        label = _label(clause)
        facets = [
            Facet(FacetKind.AGE, words, _age_meaning(groups), words, age_groups=groups)
            for words, groups in reading.ages
        ]
        agency_themes = {agency.theme_id for agency in reading.agencies if agency.theme_id}
        facets += [
            Facet(
                FacetKind.AGENCY,
                agency.label,
                agency.label,
                agency.label,
                theme_ids=(agency.theme_id,) if agency.theme_id else (),
                agency=agency.label,
            )  # fmt: skip
            for agency in reading.agencies
        ]
        groups = {words.theme_id: words.group for words in self._themes}
        risks = [t for t in reading.themes if groups[t] in _RISK_GROUPS]
        practice = [t for t in reading.themes if t not in risks or reading.not_done]
        practice = [t for t in practice if t not in agency_themes]
        if not reading.negated or (reading.agencies and not reading.not_done):
            facets += [self._theme_facet(FacetKind.RISK, label, query, (t,)) for t in risks]
        if practice:
            facets.append(self._theme_facet(FacetKind.FAILURE, label, query, tuple(practice)))
        elif reading.failure and reading.agencies:
            facets.append(Facet(FacetKind.FAILURE, label, "what went wrong", query))
        return facets

    def _theme_facet(
        self, kind: FacetKind, label: str, query: str, themes: tuple[str, ...]
    ) -> Facet:
        meaning = "; ".join(self._labels[theme] for theme in themes)
        return Facet(kind, label, meaning, query, theme_ids=themes)

    def passage_says(self, facet: Facet, text: str) -> bool:
        """Whether a passage says what ``facet`` says (see :meth:`_says`), and, for a facet
        about a person, about that person (``learning.facet_roles``): "father's mental
        health" is not borne out by "the mother's mental health deteriorated"."""
        if facet.kind is FacetKind.AGE:
            return False
        if facet.agency is not None:
            named = [agency for agency in AGENCIES if agency.label == facet.agency]
            return any(agency.named_in(_folded(text)) for agency in named)
        if not self._says(facet, text):
            return False
        return about_the_same_person(facet.people, text, lambda part: self._says(facet, part))

    def _says(self, facet: Facet, text: str) -> bool:
        """One of the facet's themes' practitioner phrases, or most of the weight of its own
        words but the people's (a word few themes use weighs more: "leaver" carries "mother a
        care leaver", "care" does not; whose it is, is checked apart)."""
        columns = [self._columns[theme] for theme in facet.theme_ids if theme in self._columns]
        if columns and any(self._phrase_scores(text)[columns] >= 1.0):
            return True
        stems = set(content_stems(facet.query)) - GENERIC_STEMS
        wanted = {stem: self._weight(stem) for stem in (stems - _PEOPLE_STEMS) or stems}
        present = sum(weight for stem, weight in wanted.items() if stem in stems_of(text))
        return bool(wanted) and present >= PASSAGE_SHARE * sum(wanted.values())

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one reader per taxonomy, kept)
    def _phrase_scores(self, text: str) -> np.ndarray:
        # each theme's phrases in ``text``
        scores: np.ndarray = lexical_scores([text], self._phrases)[0]
        return scores

    def _weight(self, stem: str) -> float:
        """A word's weight: how few themes use it; one no theme uses weighs most."""
        return self._idf.get(stem, self._rare)


@functools.lru_cache(maxsize=4)
def facet_reader(themes: tuple[ThemeSpec, ...]) -> FacetReader:
    """The reader of one taxonomy's themes (cached: building it stems every phrase)."""
    return FacetReader(themes)


def precis_facets(precis: str, themes: Sequence[ThemeSpec]) -> tuple[Facet, ...]:
    """The facets of ``precis`` read against ``themes`` (a taxonomy's), in the order written."""
    return facet_reader(tuple(themes)).facets(precis)


def _theme_words(theme: ThemeSpec) -> _ThemeWords:
    label = stems_of(theme.label) - GENERIC_STEMS
    # a phrase's own words (an everyday word and its alias are one word, not two)
    phrases = tuple(frozenset(content_stems(phrase)) - GENERIC_STEMS for phrase in theme.phrases)
    strong = label.union(*(stems_of(phrase) for phrase in theme.phrases)) - GENERIC_STEMS
    weak = stems_of(theme.definition) - strong - GENERIC_STEMS
    return _ThemeWords(
        theme.id, theme.group, frozenset(label), phrases, frozenset(strong), frozenset(weak)
    )


# A clause ends at a sentence's end, a comma, a semicolon or colon, a line, a spaced dash, a
# bullet or a bracket; a full stop inside a number ("2.5") does not end one.
_CLAUSE_BREAK = re.compile(r"[.;:!?]+(?=\s|$)|,|\n+|\s[-–—]\s|(?:^|\s)[•*]\s+|[()]")
# spaces only: a range's protected "and" is joined by no-break spaces (see _protect_ranges)
_CONJUNCTION = re.compile(
    r"[ \t\n]+(?:and|but|while|whereas|although|though|plus|as well as|&)[ \t\n]+", re.I
)
_RANGE = re.compile(r"\b(between\s+\w+)\s+and\s+(\w+)", re.IGNORECASE)
_LEADING = re.compile(r"^(?:(?:a|an|the|his|her|their|its|there\s+(?:was|were|is|are))\s+)+", re.I)
_ROLE = "|".join(ROLE_WORDS)
_POSSESSIVE = re.compile(
    rf"^(?:(?:the|his|her|their|a|an)\s+)?((?:\w+\s+)?(?:{_ROLE})(?:'s|s'))", re.IGNORECASE
)
_PEOPLE_STEMS = frozenset(content_stems(" ".join(PEOPLE_WORDS)))
_NOT_NAMES = frozenset(stems_of(" ".join([*ROLE_WORDS, *FAILURE_WORDS])))
_ROLE_WORD = re.compile(rf"\b(?:{_ROLE})\b", re.IGNORECASE)
_PREDICATE = re.compile(
    r"^(?:was|were|is|are|had|has|have|did|does|do|could|would|should|went|got|became)\b", re.I
)


def _protect_ranges(text: str) -> str:
    """ "between one and four" stays one phrase (its "and" joins a range, not two facts)."""
    return _RANGE.sub("\\1\u00a0and\u00a0\\2", text.replace("’", "'"))


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" -–—'\"")


def _folded(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _label(clause: str) -> str:
    """The clause as a short label: no leading article, at most eight words."""
    words = _LEADING.sub("", clause).split()
    return " ".join(words[:8]) + (" …" if len(words) > 8 else "")


def _possessive_person(text: str) -> str | None:
    """ "father's" of "father's mental health"; none of "mother's new partner" (a person)."""
    match = _POSSESSIVE.match(text)
    if match is None or _ROLE_WORD.search(text, match.end()):
        return None
    return match.group(1)


def _borrows(text: str) -> bool:
    """Whether a clause cut off by "and" is a bare condition ("substance misuse") that is the
    person's of the clause before: it names no one and does not go on as a verb ("was ...")."""
    return _ROLE_WORD.search(text) is None and _PREDICATE.match(text) is None


def _age_meaning(groups: tuple[str, ...]) -> str:
    return " or ".join(AGE_GROUP_LABELS.get(group, group) for group in groups)
