"""The sentences a briefing may quote, each checked against the page it cites. Pure.

A briefing draft is extractive: every point is a sentence of the review, or a clause of one cut
at its start or end, never a word of the workbench's own. A unit of the library (a finding, a
recommendation, a passage) records the page where it *starts*; a sentence further in may sit on
the next page, and one that runs over a page break sits on neither. So each candidate sentence
is looked for in the text of the pages from its unit's page on, and cites the page that holds
it whole; a sentence no page holds is not offered (:func:`locate`).

Comparison ignores what the extraction changes between a page and a unit: runs of white space,
a word broken at a line end ("inter-\\nagency"), soft hyphens and Markdown emphasis marks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from learning.models import Page

#: Sentences shorter than this many words say too little to stand alone as a point.
MIN_WORDS = 6
#: Sentences longer than this are cut at a clause boundary, or left out (a briefing point is
#: read in a breath; the eval briefings' points run 10 to 40 words).
MAX_WORDS = 45
#: How many pages after its unit's first page a sentence is looked for on.
PAGES_AHEAD = 3

_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])"
    # a numbered subheading run into the text ("... an infant 5.6 A floppy episode ...")
    r"|(?<=[a-z])\s+\d{1,2}(?:\.\d{1,2})+\.?\s+(?=[A-Z])"
)
_LIST_MARK = re.compile(r"^(?:[-•*]\s+|\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-z]|[ivx]{1,4})[.):]\s+)")
_LABEL = re.compile(
    r"^(?:\*\*)?(?:key\s+)?(?:finding|recommendation|learning point|lesson)s?\s*"
    r"(?:no\.?\s*)?(?:\d{1,2}(?:\.\d{1,2})?|[A-Z])?\s*[:.)\-–—]+\s*(?:\*\*)?",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r";\s+|:\s+(?=[a-z])|,\s+(?:and|but|so|which|because)\s+")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)")
_BROKEN_WORD = re.compile(r"(?<=\w)-\s+(?=\w)")
_SPACE = re.compile(r"\s+")
_ENDS = re.compile(r"[.!?]['\"”’)]*$")
_HEADING_MARK = re.compile(r"(?m)^#{1,6}\s+")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a unit: its text as printed, the unit's kind and section, where the unit
    starts (``unit_page``) and its place in the review (``order``, document order)."""

    text: str
    kind: str
    section: str
    unit_page: int
    order: int
    unit: int = 0  # the unit's place in the review (its ordinal)


@dataclass(frozen=True)
class PlacedSentence:
    """A sentence found whole on a page: the page it cites (file page and printed label)."""

    sentence: Sentence
    page: int
    page_label: str | None

    @property
    def text(self) -> str:
        return self.sentence.text

    @property
    def citation(self) -> str:
        """ "p. 14": the page number printed in the report, else the page of the file."""
        return f"p. {self.page_label or self.page}"


def normalised(text: str) -> str:
    """``text`` as compared with a page: one space for any white space, a word broken at a
    line end joined back ("inter- agency" -> "inter-agency"), no soft hyphens, Markdown
    heading and emphasis marks left out."""
    text = _HEADING_MARK.sub("", text.replace("\u00ad", ""))
    text = _EMPHASIS.sub("", text)
    text = _SPACE.sub(" ", text)
    return _BROKEN_WORD.sub("-", text).strip()


def split_sentences(text: str) -> list[str]:
    """The sentences of a unit's text, each a substring of it (list marks and "Finding 2:"
    labels cut from the start; a sentence too long to read at a glance cut at its first clause
    boundary past :data:`MIN_WORDS` words, or left out)."""
    found: list[str] = []
    for raw in _SENTENCE_BREAK.split(_SPACE.sub(" ", text).strip()):
        sentence = _trimmed(raw)
        words = len(sentence.split())
        if words > MAX_WORDS:
            sentence = _first_clause(sentence)
            words = len(sentence.split())
        if MIN_WORDS <= words <= MAX_WORDS and sentence[:1].isalpha():
            found.append(sentence)
    return found


def _trimmed(sentence: str) -> str:
    sentence = sentence.strip()
    for _ in range(2):  # "1. Recommendation 1: ..." sheds both
        sentence = _LIST_MARK.sub("", sentence)
        sentence = _LABEL.sub("", sentence).strip()
    return sentence.strip(" *_")


def _first_clause(sentence: str) -> str:
    """The sentence up to its first clause break past :data:`MIN_WORDS` words (with a full
    stop added only if the clause ends the sentence), or "" if it has none short enough."""
    for match in _CLAUSE_BREAK.finditer(sentence):
        clause = sentence[: match.start()].rstrip(" ,;:")
        if MIN_WORDS <= len(clause.split()) <= MAX_WORDS:
            return clause
    return ""


def unit_sentences(
    text: str, kind: str, section: str, unit_page: int, first_order: int, unit: int = 0
) -> list[Sentence]:
    """A unit's sentences, numbered in document order from ``first_order``."""
    return [
        Sentence(sentence, kind, section, unit_page, first_order + place, unit)
        for place, sentence in enumerate(split_sentences(text))
    ]


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends as a sentence does (a cut clause does not)."""
    return bool(_ENDS.search(text))


class PageTexts:
    """The review's pages, normalised once, to find on which one a sentence is printed."""

    def __init__(self, pages: Sequence[Page]) -> None:
        self._pages = {page.number: page for page in pages}
        self._texts = {page.number: normalised(page.text) for page in pages}

    def __bool__(self) -> bool:
        return bool(self._pages)

    def holds(self, text: str, page: int) -> bool:
        """Whether page ``page`` (of the file) holds ``text`` whole."""
        needle = normalised(text)
        return bool(needle) and needle in self._texts.get(page, "")

    def locate(self, sentence: Sentence) -> PlacedSentence | None:
        """``sentence`` on the first page from its unit's page on that holds it whole, or None
        (it runs over a page break, or the file no longer holds it)."""
        for number in range(sentence.unit_page, sentence.unit_page + PAGES_AHEAD + 1):
            if self.holds(sentence.text, number):
                return PlacedSentence(sentence, number, self._pages[number].label)
        return None


def locate(sentences: Sequence[Sentence], pages: PageTexts) -> list[PlacedSentence]:
    """The sentences printed whole on a page, each citing it (see :meth:`PageTexts.locate`)."""
    placed = (pages.locate(sentence) for sentence in sentences)
    return [item for item in placed if item is not None]
