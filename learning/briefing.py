"""A 7-minute briefing drafted from one review of the library: the form partnerships circulate,
each point a sentence of the review cited to its printed page. Pure (takes the encoder).

Parts, in the order practitioners read them: background, what happened in brief, key learning
points, what good practice looks like, questions to reflect on, the recommendations, where to
read more. Every point of the first six parts but the questions is the review's own words
(:mod:`learning.briefing_sentences` checks each against its page;
:mod:`learning.briefing_sections` chooses them). The questions are templates filled with the
names of the themes found in the review, and say so; the last part names the review and the
pages of the themes' evidence. Nothing else is written by the workbench: a part with nothing
to quote says that the review did not offer it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.draft_model import Paragraph, Section, Style
from core.labels import outcome_label, review_type_label
from learning.briefing_sections import Encode, Pool, build_pools, pick, without
from learning.briefing_sentences import PageTexts, PlacedSentence, ends_sentence, unit_sentences
from learning.index import StoredDocument, UnitRow
from learning.models import Page
from learning.themes.citations import short_title
from learning.themes.values import ThemeTag

#: How many points each part holds at most: about 600 words, two printed pages with headings.
PART_SIZES = {"background": 2, "story": 3, "learning": 6, "good_practice": 2, "recs": 6}
MAX_QUESTIONS = 4
HEADINGS = {
    "background": "Background",
    "story": "What happened in brief",
    "learning": "Key learning points",
    "good_practice": "What good practice looks like",
    "questions": "Questions for practitioners to reflect on",
    "recs": "The recommendations",
    "more": "Where to read more",
}
QUESTIONS_NOTE = (
    "Questions drawn from the themes the workbench found in this review, not from the review's "
    "own words."
)
# reflective prompts, one a theme in turn: they ask, and state no fact about the case
_QUESTIONS = (
    "{label}: what does this review's learning mean for your own work?",
    "{label}: what would you do differently tomorrow, and who would you tell?",
    "{label}: how would you know if this was happening in a family you work with?",
    "{label}: what gets in the way of acting on this in your team, and what would help?",
)
_TITLE_PARTS = re.compile(r"\s*[:|]\s*|\s+[-–—]\s+")
_GENERIC_TITLE = re.compile(
    r"(?:(?:child |local |national |significant |serious |safeguarding |practice |case |"
    r"learning |adult |domestic homicide )*(?:review|briefing|summary|report|overview))",
    re.IGNORECASE,
)
_NOTHING = {
    "background": "The review's introduction could not be quoted here: read its opening pages.",
    "story": "The review's account of what happened could not be quoted here.",
    "learning": "The review's findings could not be quoted here: read them in full.",
    "good_practice": "The review does not point to good practice in words this draft could find.",
    "recs": "The review's recommendations could not be quoted here: read them in full.",
}


@dataclass(frozen=True)
class BriefingPoint:
    """A point of the draft: a sentence of the review (or a clause of one) and its page."""

    part: str
    placed: PlacedSentence

    @property
    def text(self) -> str:
        return self.placed.text

    @property
    def citation(self) -> str:
        return self.placed.citation

    def shown(self) -> str:
        """ "Sentence. (p. 14)"; a clause cut from a longer sentence ends "…"."""
        mark = "" if ends_sentence(self.text) else "…"
        return f"{self.text}{mark} ({self.citation})"


@dataclass(frozen=True)
class Briefing:
    """The draft: title, a line about the review, its parts, and the points quoted in them."""

    review_id: str
    title: str
    about: str
    sections: tuple[Section, ...]
    points: tuple[BriefingPoint, ...]
    checked: bool  # every point was found on its cited page (False: the file could not be read)

    def all_text(self) -> str:
        lines = [self.title, self.about]
        for section in self.sections:
            lines.append(section.heading)
            lines += [paragraph.text for paragraph in section.paragraphs]
        return "\n".join(lines)


def draft_briefing(
    document: StoredDocument,
    units: Sequence[UnitRow],
    pages: Sequence[Page],
    tags: Sequence[ThemeTag],
    encode: Encode,
    sizes: dict[str, int] | None = None,
) -> Briefing:
    """The briefing of the review ``document`` from its ``units`` (every kind, document
    order), the ``pages`` of its file (each quoted sentence is checked against them; with none,
    a sentence cites its unit's first page unchecked) and its theme ``tags``."""
    sizes = {**PART_SIZES, **(sizes or {})}
    placed = _placed_sentences(units, pages)
    pools = build_pools(placed)
    encode = _encoded_once(encode, [item.text for item in placed])
    chosen: dict[str, list[PlacedSentence]] = {}
    used: set[int] = set()
    # the parts with the narrowest pools choose first, so that a sentence fit for two of them
    # goes to the one that has no other; the learning comes before the story it explains
    order: list[tuple[str, Pool]] = [
        ("recs", pools.recommendations),
        ("learning", pools.learning),
        ("good_practice", pools.good_practice),
        ("background", pools.background),
        ("story", pools.story),
    ]
    for part, pool in order:
        chosen[part] = pick(without(pool, used), sizes[part], encode)
        used.update(item.sentence.order for item in chosen[part])
    points = tuple(
        BriefingPoint(part, item)
        for part in ("background", "story", "learning", "good_practice", "recs")
        for item in chosen[part]
    )
    sections = _sections(points, tags, document)
    return Briefing(
        review_id=document.review_id,
        title=f"{case_name(document.title, document.review_id)}: 7-minute briefing (draft)",
        about=about_line(document),
        sections=sections,
        points=points,
        checked=bool(pages),
    )


def _encoded_once(encode: Encode, texts: Sequence[str]) -> Encode:
    """``encode`` over ``texts`` done once, in one batch: the parts' pools overlap."""
    distinct = list(dict.fromkeys(texts))
    vectors = np.asarray(encode(distinct), np.float32) if distinct else np.zeros((0, 0))
    row = {text: i for i, text in enumerate(distinct)}

    def lookup(wanted: Sequence[str]) -> np.ndarray:
        missing = [text for text in wanted if text not in row]
        if missing:  # not among the review's sentences: encoded as asked
            return np.asarray(encode(wanted), np.float32)
        found: np.ndarray = vectors[[row[text] for text in wanted]]
        return found

    return lookup


def _placed_sentences(units: Sequence[UnitRow], pages: Sequence[Page]) -> list[PlacedSentence]:
    texts = PageTexts(pages)
    placed: list[PlacedSentence] = []
    order = 0
    for unit in sorted(units, key=lambda unit: unit.ordinal):
        sentences = unit_sentences(
            unit.text, unit.kind, unit.section, unit.page, order, unit.ordinal
        )
        order += len(sentences) + 1
        for sentence in sentences:
            if not texts:
                placed.append(PlacedSentence(sentence, unit.page, unit.page_label))
                continue
            found = texts.locate(sentence)
            if found is not None:
                placed.append(found)
    return placed


def case_name(title: str | None, review_id: str) -> str:
    """The part of the title that names the case: "Serious Case Review: Child C" and "Serious
    Case Review: Serious Case Review: Child C" both give "Child C" (the first part that is not
    a generic word such as "review"), as the citations' short title does for the first two."""
    parts = [part for part in _TITLE_PARTS.split(title or "") if part.strip()]
    named = [part for part in parts if not _GENERIC_TITLE.fullmatch(part.strip())]
    return named[0].strip()[:60] if named else short_title(title, review_id)


def about_line(document: StoredDocument) -> str:
    """ "Serious case review · Northshire LSCB · 2012 · Death": what is known of the review."""
    parts = [
        review_type_label(document.review_type) if document.review_type else "",
        document.partnership or "",
        str(document.year) if document.year else "",
        outcome_label(document.outcome) if document.outcome else "",
    ]
    return " · ".join(part for part in parts if part) or (document.title or document.review_id)


def _sections(
    points: Sequence[BriefingPoint], tags: Sequence[ThemeTag], document: StoredDocument
) -> tuple[Section, ...]:
    def part(name: str) -> Section:
        paragraphs = [Paragraph(p.shown(), Style.BULLET) for p in points if p.part == name]
        return Section(HEADINGS[name], tuple(paragraphs or [Paragraph(_NOTHING[name])]))

    return (
        part("background"),
        part("story"),
        part("learning"),
        part("good_practice"),
        Section(HEADINGS["questions"], questions(tags)),
        part("recs"),
        Section(HEADINGS["more"], read_more(document, tags)),
    )


def questions(tags: Sequence[ThemeTag]) -> tuple[Paragraph, ...]:
    """One templated question per theme of the review (most confident first), said to be
    drawn from the themes; a note instead if none was found."""
    best = sorted(tags, key=lambda tag: -tag.confidence)[:MAX_QUESTIONS]
    if not best:
        return (
            Paragraph("No theme was found in this review to draw questions from.", Style.GUIDANCE),
        )
    asked = [
        Paragraph(_QUESTIONS[place % len(_QUESTIONS)].format(label=tag.label), Style.BULLET)
        for place, tag in enumerate(best)
    ]
    return (Paragraph(QUESTIONS_NOTE, Style.GUIDANCE), *asked)


def read_more(document: StoredDocument, tags: Sequence[ThemeTag]) -> tuple[Paragraph, ...]:
    """The full review, and each theme with the pages of its evidence in the review."""
    named = document.title or document.review_id
    lines = [Paragraph(f"The full review: {named} ({about_line(document)}).")]
    for tag in sorted(tags, key=lambda tag: -tag.confidence):
        pages = sorted({f"p. {e.page_label or e.page}" for e in tag.evidence}, key=_page_key)
        where = f", evidence on {', '.join(pages)}" if pages else ""
        lines.append(Paragraph(f"Theme: {tag.label}{where}.", Style.BULLET))
    return tuple(lines)


def _page_key(citation: str) -> tuple[int, str]:
    number = citation.removeprefix("p. ")
    return (int(number), "") if number.isdigit() else (10**6, number)


def shortened(briefing: Briefing) -> Briefing | None:
    """The briefing less one point, from the part that has most (so it fits its pages);
    None if no part has more than one point left."""
    counts: dict[str, int] = {}
    for point in briefing.points:
        counts[point.part] = counts.get(point.part, 0) + 1
    longest = max(counts.items(), key=lambda item: item[1], default=("", 0))
    if longest[1] <= 1:
        return None
    last = max(i for i, point in enumerate(briefing.points) if point.part == longest[0])
    dropped = briefing.points[last].shown()
    sections = tuple(
        replace(section, paragraphs=tuple(p for p in section.paragraphs if p.text != dropped))
        for section in briefing.sections
    )
    points = briefing.points[:last] + briefing.points[last + 1 :]
    return replace(briefing, sections=sections, points=points)
