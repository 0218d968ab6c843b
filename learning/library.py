"""The learning index as the Search, Similar cases and Library pages read it: one function per
thing a user does (search, find similar reviews, open a review, list the library).

Each takes the app's :class:`~learning.search.SearchEngine` (one per process) and first picks up
what another process or an upload committed since it was opened. Theme tags come from the
tagger (:class:`~learning.themes.tagging.ThemeWorkspace`) with the analysts' decisions in force;
its scores and tags are cached beside the index, so after the first call per index version a
call reads a small file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learning.errors import ReviewNotIndexed
from learning.filters import Filters
from learning.highlight import value_label
from learning.index import StoredDocument, UnitRow
from learning.models import UnitKind
from learning.results import PassageHit, ReviewHit, SimilarReview, distinct_passages
from learning.search import SearchEngine
from learning.search_form import MAX_PRECIS_CHARS, SearchMode, check_text
from learning.themes.values import ThemeTag

if TYPE_CHECKING:
    from core.settings import Settings

_METADATA_FIELDS = ("nation", "outcome", "age_group", "review_type")


@dataclass(frozen=True)
class ThemeSource:
    """Where tags come from: the taxonomy file in use and the database of analysts' decisions."""

    taxonomy_path: Path
    database_url: str
    tagger: str = "zero-shot"  # "learned" or "zero-shot" (head_store.tagger_in_use)

    @classmethod
    def from_settings(cls, settings: Settings) -> ThemeSource:
        from learning.themes.head_store import tagger_in_use
        from learning.themes.taxonomy import resolve_taxonomy_path

        path = resolve_taxonomy_path(settings.taxonomy_file, settings.data_dir)
        tagger = tagger_in_use(settings.theme_tagger, settings.data_dir).choice
        return cls(path, settings.resolved_database_url, str(tagger))


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
    """The ``k`` best passages, or reviews, for ``query`` (checked: not empty, not too long),
    best first, none repeating the text of one before it (a finding and its passage)."""
    text = check_text(query)
    engine.reload_if_changed()
    if SearchMode(mode) is SearchMode.REVIEWS:
        hits = engine.search_reviews(text, k, filters)
        return [replace(hit, passages=tuple(distinct_passages(hit.passages))) for hit in hits]
    # twice as many as shown: a passage that repeats a better one's text is dropped first
    return distinct_passages(engine.search_passages(text, 2 * k, filters))[:k]


def similar_reviews(engine: SearchEngine, precis: str, k: int = 5) -> list[SimilarReview]:
    """Past reviews most like the case ``precis``, with the passages and themes that matched."""
    text = check_text(precis, limit=MAX_PRECIS_CHARS, what="précis")
    engine.reload_if_changed()
    return engine.similar_cases(text, k)


def _workspace(engine: SearchEngine, source: ThemeSource) -> Any:
    from learning.themes.decisions import load_decisions
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import load_taxonomy

    return ThemeWorkspace(
        engine.index,
        load_taxonomy(source.taxonomy_path),
        lambda: engine.encoder,
        decisions=load_decisions(source.database_url),
        tagger=source.tagger,
    )


def _grouped(tags: list[ThemeTag]) -> dict[str, tuple[ThemeTag, ...]]:
    found: dict[str, list[ThemeTag]] = {}
    for tag in tags:
        found.setdefault(tag.review_id, []).append(tag)
    return {review_id: tuple(group) for review_id, group in found.items()}


def review_tags(engine: SearchEngine, source: ThemeSource) -> dict[str, tuple[ThemeTag, ...]]:
    """Every indexed review's theme tags, best first (reviews without tags are absent);
    worked out now (with the model) if this version of the index has none cached."""
    engine.reload_if_changed()
    if not engine.index.store.documents():
        return {}
    # all tags at once: read from the cache, without loading every unit as tags(id) would
    return _grouped(_workspace(engine, source).tags())


def cached_review_tags(
    engine: SearchEngine, source: ThemeSource
) -> dict[str, tuple[ThemeTag, ...]] | None:
    """As :func:`review_tags` if this version of the index has its theme scores cached; else
    None, without working them out: that takes the model and many seconds, which a page does
    not wait for (the ingest flow works them out when it has added its reviews)."""
    engine.reload_if_changed()
    if not engine.index.store.documents():
        return {}
    workspace = _workspace(engine, source)
    return _grouped(workspace.tags()) if themes_cached(workspace) else None


def themes_cached(workspace: Any) -> bool:
    """Whether the theme tags of ``workspace`` (a ``ThemeWorkspace``) can be read without the
    model: its index's scores, or its tags, are in the cache for this version of the index."""
    from learning.themes import cache

    directory = workspace.index.directory
    tags_key = cache.digest_of([workspace.scores_key, workspace.decisions_digest])
    if cache.read_tags(directory, tags_key) is not None:
        return True
    return cache.read_scores(directory, workspace.zero_shot_key) is not None


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


@dataclass(frozen=True)
class LibraryListing:
    """The library as listed: its reviews, and whether their themes are known yet."""

    rows: tuple[LibraryRow, ...]
    themes_ready: bool


def library_rows(engine: SearchEngine, source: ThemeSource, text: str = "") -> list[LibraryRow]:
    """The reviews of the library, newest first, with their themes (worked out now if need
    be); only those matching ``text`` (see :meth:`LibraryRow.matches`) if it is given."""
    engine.reload_if_changed()
    return _rows(engine, review_tags(engine, source), text)


def library_listing(
    engine: SearchEngine, source: ThemeSource, text: str = "", *, work_out_themes: bool = True
) -> LibraryListing:
    """As :func:`library_rows` for a page. Themes not yet worked out for this version of the
    index (:func:`cached_review_tags`) are worked out now only if ``work_out_themes``: while
    reviews are still being added the index changes with each one, and the ingest's flow run
    works them out once at its end, so the listing shows the rows without them."""
    tags = cached_review_tags(engine, source)
    if tags is None and work_out_themes:
        tags = review_tags(engine, source)
    return LibraryListing(tuple(_rows(engine, tags or {}, text)), themes_ready=tags is not None)


def _rows(
    engine: SearchEngine, tags: dict[str, tuple[ThemeTag, ...]], text: str
) -> list[LibraryRow]:
    documents = engine.index.store.documents()
    units = _units_per_review(engine)
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


def prepare_themes(engine: SearchEngine, source: ThemeSource) -> int:
    """Work out and cache every review's theme tags for the index as it is now (after an
    ingest, in the worker), so that the Library and Themes pages read them from the cache;
    how many reviews have tags."""
    return len(review_tags(engine, source))


def documents_not_indexed(folder: Path, index_dir: Path) -> int:
    """How many review files under ``folder`` the index at ``index_dir`` does not hold (all of
    them if there is no index yet): whether a folder, such as the demo's, still needs adding."""
    from learning.index.disk import UNITS_FILE, index_exists
    from learning.index.store import UnitStore
    from learning.sources import find_documents

    files, _ = find_documents([folder])
    if not index_exists(index_dir):
        return len(files)
    store = UnitStore.open(index_dir / UNITS_FILE)
    try:
        held = {document.source for document in store.documents()}
    finally:
        store.close()
    return sum(str(path) not in held and str(path.resolve()) not in held for path in files)
