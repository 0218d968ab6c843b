"""The annex of a rapid review draft: learning from published reviews, each point cited. Pure.

A passage that repeats one shown before it is left out. A citation names the page as the
evidence packs and the Search page do: the page printed in the report where it has page
numbers, else the page of the file, through the packs' own
:func:`learning.themes.citations.format_citation`. A finding keeps one label: a text that
already starts "Finding 3:" or "3." is not labelled "Finding 3:" again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.draft_model import ANNEX_HEADING, Paragraph, Section, Style
from core.labels import (
    age_group_label,
    nation_label,
    outcome_label,
    review_type_label,
)
from core.learning_seam import CaseLearning
from learning.case_learning import FACET_WORDS, AnnexReview, LibraryLearning
from learning.results import distinct_passages
from learning.themes.citations import format_citation

if TYPE_CHECKING:
    from learning.results import PassageHit, SimilarReview

_KIND_WORDS = {"finding": "Finding", "recommendation": "Recommendation", "passage": "Extract"}
_SPACE = re.compile(r"\s+")


def case_view(learning: LibraryLearning) -> CaseLearning:
    """What the workflow's draft takes of the library's learning: the reviews' titles (the
    draft names them) and the annex."""
    titles = tuple(item.review.title for item in learning.reviews)
    return CaseLearning(titles, annex_sections(learning))


def annex_sections(learning: LibraryLearning) -> tuple[Section, ...]:
    """The annex: an introduction (or why it is empty), then one section per review."""
    if not learning.reviews:
        if learning.unavailable:
            text = (
                f"The library of published reviews could not be searched: {learning.unavailable}."
            )
        else:
            text = "No similar published review was found in the library."
        return (Section(ANNEX_HEADING, (Paragraph(text), *_missing(learning.missing))),)
    intro = (
        "The published reviews saved to this case's shortlist come first, then those most "
        "like the case, preferring reviews of the same age group, outcome and nation. Each "
        "finding and recommendation is cited by the page number printed in the report (its "
        "page in the file where the report has none). Check each against the report before use."
    )
    head = Section(ANNEX_HEADING, (Paragraph(intro), *_missing(learning.missing)))
    return (head, *(review_section(item) for item in learning.reviews))


def review_section(item: AnnexReview) -> Section:
    """One review: what it is, why it is here, its matching passages each with its source."""
    hit = item.review
    paragraphs = [Paragraph(about(hit)), Paragraph(_why(item))]
    if hit.shared_themes:
        paragraphs.append(
            Paragraph(f"Themes it shares with this case: {_listed(hit.shared_themes)}.")
        )
    # a finding and the passage it was cut from, or one paragraph chunked twice: shown once
    for passage in distinct_passages(hit.passages):
        paragraphs.append(
            Paragraph(labelled(passage.kind, passage.number, passage.text), Style.BULLET)
        )
        paragraphs.append(Paragraph(cite(passage), Style.CITATION))
    return Section(_flat(hit.title), tuple(paragraphs), level=2)


def about(hit: SimilarReview) -> str:
    """ "2021 · National review · England · Children of several ages · Death · Eastshire"."""
    parts = [
        str(hit.year) if hit.year else "",
        review_type_label(hit.review_type) if hit.review_type else "",
        nation_label(hit.nation) if hit.nation else "",
        age_group_label(hit.age_group) if hit.age_group else "",
        outcome_label(hit.outcome) if hit.outcome else "",
        hit.partnership or "",
    ]
    return " · ".join(_flat(part) for part in parts if part) or "Details not known."


def labelled(kind: str, number: str | None, text: str) -> str:
    """ "Finding 3: text", once: a text that starts with its own label keeps it as it is; one
    that starts with its number alone ("3. text") gets the label instead of the number."""
    text = _flat(text)
    word = _KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())
    label = f"{word} {number}" if number else word
    if re.match(rf"\W*{re.escape(label)}\b", text, re.IGNORECASE):
        return text
    if number:
        text = re.sub(rf"^\W*{re.escape(number)}\s*[.):\-–]\s+", "", text)
    return f"{label}: {text}"


def cite(passage: PassageHit) -> str:
    """The passage's source as the evidence packs cite it, with its printed page."""
    return format_citation(
        review_id=passage.review_id,
        title=passage.title,
        partnership=passage.partnership,
        review_type=passage.review_type,
        year=passage.year,
        page=passage.page,
        page_label=passage.page_label,
    )


def _why(item: AnnexReview) -> str:
    if item.shortlisted:
        note = f" Why: {_flat(item.note)}" if item.note and item.note.strip() else ""
        return f"Saved to this case's shortlist.{note}"
    if item.shared_facets:
        shared = _listed([FACET_WORDS[name] for name in item.shared_facets])
        return f"Found by the library search; same {shared} as this case."
    return "Found by the library search; its age group, outcome and nation differ from this case."


def _missing(review_ids: Sequence[str]) -> tuple[Paragraph, ...]:
    """Saved reviews the library no longer holds, counted (their ids are the library's own,
    not what a reader of the draft knows them by; the Case page's shortlist lists them)."""
    if not review_ids:
        return ()
    if len(review_ids) == 1:
        text = "One review saved to this case's shortlist is no longer in the library."
    else:
        text = (
            f"{len(review_ids)} reviews saved to this case's shortlist are no longer in the "
            "library."
        )
    return (Paragraph(f"{text} The shortlist on the Case page names them."),)


def _listed(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [_flat(item) for item in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
