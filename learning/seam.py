"""Learning's side of the seam (:class:`core.learning_seam.LearningSide`): what the workflow
asks of the library, answered with learning's own modules (imported when asked, so the
workflow's processes load no model or index they do not use). Named by the entry point
``cspr.seams: learning`` in pyproject.toml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.learning_seam import (
    CaseLearning,
    IngestedBatch,
    LearningFailed,
    PublishedReport,
    Submission,
)

if TYPE_CHECKING:
    from core.access import Viewer
    from core.case_facts import CaseFacts
    from core.digest_model import Digest, Month
    from core.settings import Settings


class LibrarySide:
    """The published-review library, as the workflow sees it."""

    def build_encoder(self) -> Any:
        from learning import runtime

        return runtime.build_encoder()

    def upload_refusal(self, name: str, size: int, settings: Settings) -> str | None:
        from learning.uploads import upload_refusal

        return upload_refusal(
            name, size, max_bytes=settings.max_document_mb * 1024 * 1024,
            max_text_bytes=settings.max_text_document_mb * 1024 * 1024,
        )  # fmt: skip

    def check_may_upload(self, viewer: Viewer) -> None:
        from learning.uploads import check_may_upload

        check_may_upload(viewer)

    def submit_ingest(self, folder: Path, index_dir: Path, api_url: str) -> Submission:
        from learning.uploads import IngestFlowNotSubmitted, submit_ingest_flow

        try:
            return Submission(submit_ingest_flow(folder, index_dir, api_url=api_url))
        except IngestFlowNotSubmitted as problem:
            return Submission(None, str(problem))

    def ingest_batch(
        self,
        files: Sequence[Path],
        index_dir: Path,
        encoder: Any,
        settings: Settings,
        now: dt.datetime | None,
    ) -> IngestedBatch:
        from learning.errors import LearningError
        from learning.ingest import ingest_paths
        from learning.reader import shared_reader

        try:
            report = ingest_paths(
                files, index_dir, encoder, now=now,
                max_bytes=settings.max_document_mb * 1024 * 1024,
                reader=shared_reader(
                    settings.ingest_memory_mb, settings.ingest_seconds_per_document
                ),
            )  # fmt: skip
        except LearningError as failed:
            raise LearningFailed(str(failed), kind=type(failed).__name__) from failed
        refused = tuple((str(path), reason) for path, reason in report.failed)
        return IngestedBatch(report.added + report.updated, refused)

    def publish_report(
        self,
        path: Path,
        index_dir: Path,
        encoder_factory: Callable[[], Any],
        settings: Settings,
        now: dt.datetime | None,
    ) -> PublishedReport:
        from learning.report_publishing import ingest_and_tag

        return ingest_and_tag(path, index_dir, encoder_factory, settings, now)

    def case_learning(
        self,
        open_search: Callable[[], Any] | None,
        facts: CaseFacts,
        shortlist: Sequence[Any],
    ) -> CaseLearning:
        from learning.case_annex import case_view
        from learning.case_learning import find_learning

        return case_view(find_learning(open_search, facts, shortlist))

    def tagger_retraining_flow(self) -> Callable[..., Any]:
        from learning.flows.tagger import retrain_theme_tagger

        return retrain_theme_tagger

    def monthly_digest(
        self, month: Month, encoder_factory: Callable[[], Any], settings: Settings
    ) -> Digest:
        from learning.digest import read_monthly_digest

        return read_monthly_digest(month, encoder_factory, settings)
