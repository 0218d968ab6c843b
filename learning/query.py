"""Query words: keyword expressions for FTS5, highlighting, and précis sentences. Pure.

A query becomes an OR of quoted terms with stopwords dropped, so any word can match and bm25
rewards the passages that match more of them. Words the user wrote inside double quotes, and
hyphenated words such as ``non-mobile``, are kept together as phrases.

In a large index, words found in a large share of the units ("child", "mother", "services" in a
corpus of safeguarding reviews) are the corpus's own stopwords: bm25 gives them little weight,
yet they cost the most, since every unit that holds one must be scored. So the keyword side
has a budget of scored matches per query: words are taken rarest first while they fit, the
rest are left to the dense side (as in Lucene's common-terms query); a query whose every
word is common requires all of them instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they
    this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yet
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PHRASE = re.compile(r'"([^"]+)"')
_HYPHENATED = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
_SUFFIXES = ("ing", "ies", "ied", "ed", "es", "s", "ly")
#: The keyword side scores at most about this share of the index's units per query ...
KEYWORD_BUDGET_SHARE = 0.4
#: ... but never fewer than this many: a small index scores every matching unit.
KEYWORD_BUDGET_MIN_UNITS = 20_000


@dataclass(frozen=True)
class QueryTerms:
    """The searchable parts of a query: single words and multi-word phrases (lower case)."""

    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.phrases


@functools.lru_cache(maxsize=1 << 16)
def simple_stem(word: str) -> str:
    """A light suffix stripper: ``bruises``/``bruising``/``bruise`` -> ``bruis``."""
    word = word.lower().replace("’", "'").split("'")[0]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] in "ey":
        word = word[:-1]
    return word


def words_of(text: str) -> list[str]:
    return [match.group(0).lower() for match in _WORD.finditer(text)]


def extract_terms(query: str) -> QueryTerms:
    """Split a query into content words and phrases, dropping stopwords and repeats."""
    phrases: list[tuple[str, ...]] = []
    for chunk in [*_PHRASE.findall(query), *_HYPHENATED.findall(_PHRASE.sub(" ", query))]:
        phrase = tuple(words_of(chunk))
        if len(phrase) > 1 and phrase not in phrases:
            phrases.append(phrase)
    loose = _HYPHENATED.sub(" ", _PHRASE.sub(" ", query))
    words = [w for w in dict.fromkeys(words_of(loose)) if w not in STOPWORDS and len(w) > 1]
    return QueryTerms(tuple(words), tuple(phrases))


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def keyword_budget(
    total_units: int,
    share: float = KEYWORD_BUDGET_SHARE,
    min_units: int = KEYWORD_BUDGET_MIN_UNITS,
) -> int:
    """How many (unit, word) matches one query's keyword side may score in this index."""
    return max(int(total_units * share), min_units)


@dataclass(frozen=True)
class KeywordQuery:
    """The terms the keyword side matches, and whether a unit must hold all of them."""

    terms: QueryTerms
    require_all: bool = False

    @property
    def expression(self) -> str:
        return build_match_expression(self.terms, require_all=self.require_all)


def keyword_query(terms: QueryTerms, unit_counts: Mapping[str, int], budget: int) -> KeywordQuery:
    """The words of ``terms`` that fit ``budget``, rarest first, by how many units hold each
    (``unit_counts``); phrases are always kept. If not even the rarest word fits and there is
    no phrase, every word is required instead (few units hold them all)."""
    kept: list[str] = []
    spent = 0
    for word in sorted(terms.words, key=lambda word: unit_counts.get(word, 0)):
        count = unit_counts.get(word, 0)
        if spent + count > budget:
            break
        kept.append(word)
        spent += count
    if kept or terms.phrases:
        chosen = tuple(word for word in terms.words if word in kept)
        return KeywordQuery(replace(terms, words=chosen))
    return KeywordQuery(terms, require_all=len(terms.words) > 1)


def build_match_expression(terms: QueryTerms, *, require_all: bool = False) -> str:
    """An FTS5 MATCH expression: the OR (or AND) of every quoted word and phrase; ``""`` if
    none."""
    parts = [_quote(word) for word in terms.words]
    parts += [_quote(" ".join(phrase)) for phrase in terms.phrases]
    return (" AND " if require_all else " OR ").join(parts)


def highlight_spans(text: str, terms: QueryTerms) -> tuple[tuple[int, int], ...]:
    """Character spans of the words in ``text`` that match a query word or phrase word."""
    wanted = {simple_stem(word) for word in terms.words}
    wanted |= {simple_stem(word) for phrase in terms.phrases for word in phrase}
    wanted.discard("")
    return tuple(
        (match.start(), match.end())
        for match in _WORD.finditer(text)
        if simple_stem(match.group(0)) in wanted
    )


def mark_spans(text: str, spans: tuple[tuple[int, int], ...], marker: str = "**") -> str:
    """``text`` with each span wrapped in ``marker`` (Markdown bold by default)."""
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(f"{marker}{text[start:end]}{marker}")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def split_sentences(text: str, *, min_words: int = 4, limit: int = 20) -> list[str]:
    """Sentences of a précis worth searching on their own (short fragments are dropped)."""
    parts = re.split(r"(?<=[.!?;])\s+|\n\s*\n|\n\s*[-*•]\s+", text.strip())
    sentences = [" ".join(part.split()) for part in parts]
    return [s for s in sentences if len(words_of(s)) >= min_words][:limit]
