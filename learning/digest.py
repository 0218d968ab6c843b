"""The monthly digest of new learning (issue 27): the reviews added to the library in a month,
per partnership and nationally, each with its themes, three key learning points and a link.

Extractive: a key point is the opening of one of the review's own findings (a sentence or
two, never rewritten), cited to the page it is printed on, so nothing is invented. A review
with fewer than three findings is topped up from its recommendations. "Added" is the day the
review went into the library (its ``ingested_at``), read in the partnerships' time zone.

:func:`compose_digest` is pure (documents, units and tags in, a :class:`Digest` out);
:func:`monthly_digest` reads them from an open index.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from core.digest_model import Digest, DigestEdition, DigestReview, KeyPoint, Month
from core.learning_seam import LearningFailed
from learning.index import StoredDocument, UnitRow
from learning.index.store import UnitStore
from learning.models import UnitKind
from learning.themes.values import ThemeTag

if TYPE_CHECKING:
    from core.settings import Settings
    from learning.encoder import Encoder

KEY_POINTS = 3
#: A key point is cut at a sentence end before this many characters (or at a word, with "…").
MAX_POINT_CHARS = 320
#: The number a finding is listed under ("1.", "2.3", "(4)"): the digest lists points itself.
_LIST_NUMBER = re.compile(r"^(?:\(\d+\)|\d+(?:\.\d+)*[.)]|\d+(?:\.\d+)+)\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'‘“(])")

#: Where a digest's link to a review leads: the Library page, filtered to that review.
REVIEW_LINK = "{app_url}/library?review={review_id}"

UnitsOf = Callable[[str], Sequence[UnitRow]]


def added_on(document: StoredDocument, timezone: str) -> dt.date | None:
    """The local day ``document`` went into the library; None if the index did not record it."""
    if not document.ingested_at:
        return None
    moment = dt.datetime.fromisoformat(document.ingested_at)
    if moment.tzinfo is None:  # written by an ingest without a zone: taken as UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def key_points(units: Sequence[UnitRow], limit: int = KEY_POINTS) -> tuple[KeyPoint, ...]:
    """Up to ``limit`` points quoted from the findings, in the review's order, then from its
    recommendations; a point repeating an earlier one's text is skipped."""
    ordered = [u for u in units if u.kind == UnitKind.FINDING]
    ordered += [u for u in units if u.kind == UnitKind.RECOMMENDATION]
    points: list[KeyPoint] = []
    seen: set[str] = set()
    for unit in ordered:
        text = opening(unit.text)
        folded = " ".join(text.split()).casefold()
        if not text or folded in seen:
            continue
        seen.add(folded)
        points.append(KeyPoint(text, unit.page_label or str(unit.page)))
        if len(points) == limit:
            break
    return tuple(points)


def opening(text: str, limit: int = MAX_POINT_CHARS) -> str:
    """The whole sentences of ``text`` that fit in ``limit`` characters (at least the first,
    cut at a word with "…" if it alone is longer): a quotation, never a paraphrase."""
    flat = _LIST_NUMBER.sub("", " ".join(text.split()), count=1)
    if len(flat) <= limit:
        return flat
    kept = ""
    for sentence in _SENTENCE_END.split(flat):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def compose_digest(
    month: Month,
    documents: Sequence[StoredDocument],
    units_of: UnitsOf,
    tags: Mapping[str, Sequence[ThemeTag]],
    *,
    app_url: str,
    timezone: str = "Europe/London",
) -> Digest:
    """The digest of ``month`` from the library's ``documents`` (``units_of(review_id)`` gives
    a review's findings and recommendations; ``tags`` its themes, best first)."""
    reviews = []
    for document in documents:
        day = added_on(document, timezone)
        if day is None or not month.first_day <= day < month.next_first_day:
            continue
        reviews.append(_review(document, day, units_of, tags, app_url))
    reviews.sort(key=lambda r: (r.added, r.title.casefold(), r.review_id))
    by_partnership: dict[str, list[DigestReview]] = {}
    for review in reviews:
        if review.partnership:
            by_partnership.setdefault(review.partnership, []).append(review)
    editions = tuple(
        DigestEdition(name, tuple(found))
        for name, found in sorted(by_partnership.items(), key=lambda item: item[0].casefold())
    )
    return Digest(month, DigestEdition(None, tuple(reviews)), editions)


def monthly_digest(
    store: UnitStore,
    month: Month,
    tags: Mapping[str, Sequence[ThemeTag]],
    *,
    app_url: str,
    timezone: str = "Europe/London",
) -> Digest:
    """The digest of ``month`` from the index's ``store`` as it is now (``tags``: every
    review's themes, best first)."""
    kinds = (str(UnitKind.FINDING), str(UnitKind.RECOMMENDATION))
    return compose_digest(
        month, store.documents(), lambda review_id: store.units_of_review(review_id, kinds),
        tags, app_url=app_url, timezone=timezone,
    )  # fmt: skip


def _review(
    document: StoredDocument,
    day: dt.date,
    units_of: UnitsOf,
    tags: Mapping[str, Sequence[ThemeTag]],
    app_url: str,
) -> DigestReview:
    link = REVIEW_LINK.format(
        app_url=app_url.rstrip("/"), review_id=quote(document.review_id, safe="")
    )
    return DigestReview(
        review_id=document.review_id,
        title=document.title or document.review_id,
        partnership=document.partnership,
        nation=document.nation,
        year=document.year,
        added=day,
        themes=tuple(tag.label for tag in tags.get(document.review_id, ())),
        key_points=key_points(units_of(document.review_id)),
        link=link,
    )


def read_monthly_digest(
    month: Month, encoder_factory: Callable[[], Encoder], settings: Settings
) -> Digest:
    """The digest of ``month`` from the configured library (see :func:`read_digests`)."""
    return read_digests([month], encoder_factory, settings)[0]


def read_digests(
    months: Sequence[Month], encoder_factory: Callable[[], Encoder] | None, settings: Settings
) -> list[Digest]:
    """The digest of each of ``months`` from the configured library. The themes are read from
    the cache; only if this version of the index has none is the encoder built to work them
    out, and with no ``encoder_factory`` (a web request, which does not wait for the model)
    the reviews are listed without themes. :class:`LearningFailed` if there is no library."""
    from learning.errors import LearningError
    from learning.index import open_index
    from learning.library import ThemeSource, themes_cached
    from learning.themes.decisions import load_decisions
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import load_taxonomy

    source = ThemeSource.from_settings(settings)
    try:
        index = open_index(settings.resolved_index_dir)
    except LearningError as failed:
        raise LearningFailed(str(failed), kind=type(failed).__name__) from failed
    try:
        tags: dict[str, list[ThemeTag]] = {}
        if index.store.documents():
            workspace = ThemeWorkspace(
                index, load_taxonomy(source.taxonomy_path), encoder_factory or _no_encoder,
                decisions=load_decisions(source.database_url), tagger=source.tagger,
            )  # fmt: skip
            if encoder_factory is not None or themes_cached(workspace):
                for tag in workspace.tags():
                    tags.setdefault(tag.review_id, []).append(tag)
        zone = settings.sweep_timezone
        return [
            monthly_digest(index.store, month, tags, app_url=settings.app_url, timezone=zone)
            for month in months
        ]
    except LearningError as failed:
        raise LearningFailed(str(failed), kind=type(failed).__name__) from failed
    finally:
        index.close()


def _no_encoder() -> Encoder:
    raise LearningFailed("the themes are not worked out yet", kind="ThemesNotReady")
