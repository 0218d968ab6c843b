"""The learning index as the Search, Similar cases and Library pages read it: one function per
thing a user does (search, find similar reviews, open a review, list the library).

Each takes the app's :class:`~learning.search.SearchEngine` (one per process) and first picks up
what another process or an upload committed since it was opened. Theme tags come from the
tagger (:class:`~learning.themes.tagging.ThemeWorkspace`) with the analysts' decisions in force;
its scores and tags are cached beside the index, so after the first call per index version a
call reads a small file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from learning.errors import ReviewNotIndexed
from learning.filters import Filters
from learning.highlight import value_label
from learning.index import StoredDocument, UnitRow
from learning.models import UnitKind
from learning.results import PassageHit, ReviewHit, SimilarReview
from learning.search import SearchEngine
from learning.search_form import MAX_PRECIS_CHARS, SearchMode, check_text
from learning.themes.values import ThemeTag

if TYPE_CHECKING:
    from review_flows.settings import Settings

_METADATA_FIELDS = ("nation", "outcome", "age_group", "review_type")


@dataclass(frozen=True)
class ThemeSource:
    """Where tags come from: the taxonomy file in use and the database of analysts' decisions."""

    taxonomy_path: Path
    database_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> ThemeSource:
        from learning.themes.taxonomy import resolve_taxonomy_path

        path = resolve_taxonomy_path(settings.taxonomy_file, settings.data_dir)
        return cls(path, settings.resolved_database_url)


@dataclass(frozen=True)
class FilterChoices:
    """What the filters can offer: the index's span of years and the values it holds."""

    year_span: tuple[int, int] | None
    nation: tuple[str, ...]
    outcome: tuple[str, ...]
    age_group: tuple[str, ...]
    review_type: tuple[str, ...]


@dataclass(frozen=True)
class ReviewReading:
    """One review to read: its metadata, findings and recommendations, and theme tags."""

    document: StoredDocument
    findings: tuple[UnitRow, ...]
    recommendations: tuple[UnitRow, ...]
    tags: tuple[ThemeTag, ...]

    @property
    def title(self) -> str:
        return self.document.title or self.document.review_id


@dataclass(frozen=True)
class LibraryRow:
    """One review of the library listing."""

    review_id: str
    title: str
    year: int | None
    nation: str | None
    partnership: str | None
    review_type: str | None
    outcome: str | None
    age_group: str | None
    pages: int
    units: int
    themes: tuple[str, ...]

    def matches(self, text: str) -> bool:
        """Whether every word of ``text`` is in the title, id, partnership, year, a metadata
        value (as shown) or a theme label, ignoring case."""
        shown = [self.title, self.review_id, self.partnership or "", str(self.year or "")]
        shown += [value_label(getattr(self, field)) for field in _METADATA_FIELDS]
        haystack = _folded(" ".join([*shown, *self.themes]))
        return all(word in haystack for word in _folded(text).split())


def _folded(text: str) -> str:
    """Lower case, with the dashes labels use ("1–4 years") read as the hyphen people type."""
    return text.lower().replace("\u2013", "-").replace("\u2014", "-")


def filter_choices(engine: SearchEngine) -> FilterChoices:
    """The years and metadata values the index holds, for the search filters."""
    engine.reload_if_changed()
    store = engine.index.store
    years = [doc.year for doc in store.documents() if doc.year is not None]
    values = {field: tuple(store.metadata_values(field)) for field in _METADATA_FIELDS}
    return FilterChoices(year_span=(min(years), max(years)) if years else None, **values)


def search_library(
    engine: SearchEngine, query: str, mode: SearchMode, filters: Filters, k: int = 10
) -> list[PassageHit] | list[ReviewHit]:
    """The ``k`` best passages, or reviews, for ``query`` (checked: not empty, not too long)."""
    text = check_text(query)
    engine.reload_if_changed()
    if SearchMode(mode) is SearchMode.REVIEWS:
        return engine.search_reviews(text, k, filters)
    return engine.search_passages(text, k, filters)


def similar_reviews(engine: SearchEngine, precis: str, k: int = 5) -> list[SimilarReview]:
    """Past reviews most like the case ``precis``, with the passages and themes that matched."""
    text = check_text(precis, limit=MAX_PRECIS_CHARS, what="précis")
    engine.reload_if_changed()
    return engine.similar_cases(text, k)


def review_tags(engine: SearchEngine, source: ThemeSource) -> dict[str, tuple[ThemeTag, ...]]:
    """Every indexed review's theme tags, best first (reviews without tags are absent)."""
    from learning.themes.decisions import load_decisions
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import load_taxonomy

    engine.reload_if_changed()
    if not engine.index.store.documents():
        return {}
    workspace = ThemeWorkspace(
        engine.index,
        load_taxonomy(source.taxonomy_path),
        lambda: engine.encoder,
        decisions=load_decisions(source.database_url),
    )
    tags: dict[str, list[ThemeTag]] = {}
    # all tags at once: read from the cache, without loading every unit as tags(id) would
    for tag in workspace.tags():
        tags.setdefault(tag.review_id, []).append(tag)
    return {review_id: tuple(found) for review_id, found in tags.items()}


def review_reading(engine: SearchEngine, review_id: str, source: ThemeSource) -> ReviewReading:
    """The review ``review_id`` to read (``ReviewNotIndexed`` if it is not in the index)."""
    engine.reload_if_changed()
    store = engine.index.store
    document = store.document_by_review(review_id)
    if document is None:
        raise ReviewNotIndexed(f"no review {review_id!r} in the library (it may have been removed)")
    units = store.units_of_review(review_id, (str(UnitKind.FINDING), str(UnitKind.RECOMMENDATION)))
    return ReviewReading(
        document=document,
        findings=tuple(unit for unit in units if unit.kind == UnitKind.FINDING),
        recommendations=tuple(unit for unit in units if unit.kind == UnitKind.RECOMMENDATION),
        tags=review_tags(engine, source).get(review_id, ()),
    )


def library_rows(engine: SearchEngine, source: ThemeSource, text: str = "") -> list[LibraryRow]:
    """The reviews of the library, newest first, with their themes; only those matching
    ``text`` (see :meth:`LibraryRow.matches`) if it is given."""
    engine.reload_if_changed()
    documents = engine.index.store.documents()
    units = _units_per_review(engine)
    tags = review_tags(engine, source)
    rows = [
        LibraryRow(
            review_id=doc.review_id,
            title=doc.title or doc.review_id,
            year=doc.year,
            nation=doc.nation,
            partnership=doc.partnership,
            review_type=doc.review_type,
            outcome=doc.outcome,
            age_group=doc.age_group,
            pages=doc.n_pages,
            units=units.get(doc.review_id, 0),
            themes=tuple(tag.label for tag in tags.get(doc.review_id, ())),
        )  # fmt: skip
        for doc in documents
    ]
    rows.sort(key=lambda row: (-(row.year or 0), row.title.lower()))
    return [row for row in rows if row.matches(text)] if text.strip() else rows


def _units_per_review(engine: SearchEngine) -> dict[str, int]:
    """How many units (findings, recommendations, passages) each review has."""
    # one aggregate over the store's table: cheaper than reading every unit of every review
    rows = engine.index.store.connection.execute(
        "SELECT review_id, COUNT(*) FROM units GROUP BY review_id"
    )
    return {review_id: count for review_id, count in rows}
