"""A review of the library as its briefing draft: the service the ``cspr brief`` command and the
Library page call (one function per thing a user does).

It reads the review's units and theme tags from the index, and the review's file again for its
pages: a unit records only the page where it starts, and every sentence quoted is checked
against the page it cites (:mod:`learning.briefing_sentences`). A file that can no longer be
read (moved, removed) still gives a draft, citing each unit's first page, marked unchecked.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from learning.briefing import Briefing, draft_briefing
from learning.errors import ReviewNotIndexed, UnreadableDocument
from learning.models import Page

if TYPE_CHECKING:
    from learning.library import ThemeSource
    from learning.search import SearchEngine
    from learning.themes.values import ThemeTag

logger = logging.getLogger(__name__)


def review_briefing(
    engine: SearchEngine, review_id: str, source: ThemeSource | None = None
) -> Briefing:
    """The briefing draft of ``review_id`` (``ReviewNotIndexed`` if the library has no such
    review); its questions and themes come from ``source``'s tags (none without it)."""
    engine.reload_if_changed()
    store = engine.index.store
    document = store.document_by_review(review_id)
    if document is None:
        raise ReviewNotIndexed(
            f"there is no review {review_id!r} in the library: check its name in the "
            "Library listing (it may have been removed)"
        )
    units = store.units_of_review(review_id)
    tags: tuple[ThemeTag, ...] = ()
    if source is not None:
        from learning.library import review_tags

        tags = review_tags(engine, source).get(review_id, ())
    pages = review_pages(Path(document.source))
    return draft_briefing(document, units, pages, tags, engine.encoder.encode)


def review_pages(path: Path) -> tuple[Page, ...]:
    """The pages of the review's file as the ingest read them, or none if it cannot be read."""
    from learning.reader import shared_reader

    try:
        document, _ = shared_reader().read(path)
    except (UnreadableDocument, OSError) as problem:
        logger.warning("briefing: cannot read %s again (%s); pages left unchecked", path, problem)
        return ()
    return document.pages
