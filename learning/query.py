"""Query words: terms for the keyword side, highlighting, and précis sentences. Pure.

A query's words, stopwords dropped, are all searched: any word can match and BM25 rewards the
passages that match more of them. Words the user wrote inside double quotes are kept together
as a phrase (unless they are all stopwords). Hyphenated words such as ``non-mobile`` are
searched as their words, as the index splits them: as phrases they cost FTS5 a positional
scan (up to 45 ms at 100,000 passages) and gained nothing on the evaluation set.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

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
_SUFFIXES = ("ing", "ies", "ied", "ed", "es", "s", "ly")


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
    for chunk in _PHRASE.findall(query):
        phrase = tuple(words_of(chunk))
        meaningful = any(word not in STOPWORDS for word in phrase)
        if len(phrase) > 1 and meaningful and phrase not in phrases:
            phrases.append(phrase)
    loose = _PHRASE.sub(" ", query)
    words = [w for w in dict.fromkeys(words_of(loose)) if w not in STOPWORDS and len(w) > 1]
    return QueryTerms(tuple(words), tuple(phrases))


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def build_match_expression(terms: QueryTerms) -> str:
    """An FTS5 MATCH expression: the OR of every quoted word and phrase; ``""`` if none."""
    parts = [_quote(word) for word in terms.words]
    parts += [_quote(" ".join(phrase)) for phrase in terms.phrases]
    return " OR ".join(parts)


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
