"""A case's published report into the library: ingested, then tagged with its themes, so the
workflow can tell the partnership's analysts what the library now holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.learning_seam import LearningFailed, PublishedReport
from core.settings import Settings


def ingest_and_tag(
    path: Path,
    index_dir: Path,
    encoder_factory: Callable[[], Any],
    settings: Settings,
    now: dt.datetime | None,
) -> PublishedReport:
    """Ingest the report at ``path`` and tag it; :class:`LearningFailed` (kind
    ``PublicationFailed``) when the report did not go in."""
    from learning.index import open_index
    from learning.ingest import ingest_paths
    from learning.themes.decisions import load_decisions
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import load_taxonomy, resolve_taxonomy_path

    encoder = encoder_factory()
    report = ingest_paths([path], index_dir, encoder, now=now)
    if report.failed:
        raise LearningFailed(report.failed[0][1], kind="PublicationFailed")
    index = open_index(index_dir)
    try:
        document = index.store.document_by_source(str(path))
        if document is None:
            raise LearningFailed(
                f"{path.name} is not in the index after ingest", kind="PublicationFailed"
            )
        taxonomy = load_taxonomy(resolve_taxonomy_path(settings.taxonomy_file, settings.data_dir))
        decisions = load_decisions(settings.resolved_database_url)
        workspace = ThemeWorkspace(index, taxonomy, lambda: encoder, decisions=decisions)
        themes = tuple(tag.label for tag in workspace.tags(document.review_id))
        return PublishedReport(document.review_id, themes)
    finally:
        index.close()
