"""The one seam between the two halves: what the workflow asks of learning, and the
case-facing views learning hands back. The workflow imports this module, never ``learning``;
learning implements :class:`LearningSide` (``learning.seam.LibrarySide``) and the package's
entry point ``cspr.seams: learning`` names the implementation, so neither half imports the
other and another library could stand in for it.

What crosses: a report or an upload batch going in (by path, never a user's path: the
workflow confines them first), the words of a refusal, the case's coded facts
(:class:`core.case_facts.CaseFacts`, never a name or a note) going out, and the annex of
similar reviews coming back as drafted sections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from core.errors import WorkbenchError

if TYPE_CHECKING:
    from core.access import Viewer
    from core.case_facts import CaseFacts
    from core.digest_model import Digest, Month
    from core.draft_model import Section
    from core.settings import Settings

#: The entry-point group naming the implementation of each seam.
SEAM_GROUP = "cspr.seams"


class SeamNotInstalled(WorkbenchError):
    """No package provides the learning side (the workbench is not installed as a package)."""


class LearningFailed(WorkbenchError):
    """Learning could not do what the workflow asked; ``kind`` names learning's own error."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class PublishedReport:
    """A case's published report as the library now holds it, and the themes it was tagged."""

    review_id: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class IngestedBatch:
    """How many files of an upload batch went in, and each file refused with the reason."""

    taken: int
    failed: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Submission:
    """An ingest handed to a flow run (its URL), or why the Prefect server did not take it."""

    flow_url: str | None
    not_submitted: str | None = None


@dataclass(frozen=True)
class CaseLearning:
    """The library's learning for a case's rapid review draft: the titles of the reviews to
    compare with (the draft names them) and the annex, drafted as sections."""

    titles: tuple[str, ...]
    annex: tuple[Section, ...]


@runtime_checkable
class LearningSide(Protocol):
    """Everything the workflow asks of learning."""

    def build_encoder(self) -> Any:
        """The configured encoder (the caller hands it back to the calls below)."""
        ...

    def upload_refusal(self, name: str, size: int, settings: Settings) -> str | None:
        """Why a file of this name and size would be refused by the library, if it would."""
        ...

    def check_may_upload(self, viewer: Viewer) -> None:
        """Raise if ``viewer`` may not add documents to the library."""
        ...

    def submit_ingest(self, folder: Path, index_dir: Path, api_url: str) -> Submission:
        """Hand the batch in ``folder`` to an ingest flow run, not waiting for it."""
        ...

    def ingest_batch(
        self,
        files: Sequence[Path],
        index_dir: Path,
        encoder: Any,
        settings: Settings,
        now: dt.datetime | None,
    ) -> IngestedBatch:
        """Ingest ``files`` into the index now; raises :class:`LearningFailed`."""
        ...

    def publish_report(
        self,
        path: Path,
        index_dir: Path,
        encoder_factory: Callable[[], Any],
        settings: Settings,
        now: dt.datetime | None,
    ) -> PublishedReport:
        """Ingest a case's published report and tag its themes; raises
        :class:`LearningFailed` when the report did not go in."""
        ...

    def case_learning(
        self,
        open_search: Callable[[], Any] | None,
        facts: CaseFacts,
        shortlist: Sequence[Any],
    ) -> CaseLearning:
        """The shortlisted reviews, then the most similar others, as a draft's annex."""
        ...

    def tagger_retraining_flow(self) -> Callable[..., Any]:
        """The flow that retrains the learned theme tagger (the sweep runs it when due)."""
        ...

    def monthly_digest(
        self, month: Month, encoder_factory: Callable[[], Any], settings: Settings
    ) -> Digest:
        """The digest of the reviews added to the library in ``month``; raises
        :class:`LearningFailed` when the library cannot be read."""
        ...


@lru_cache(maxsize=1)
def learning_side() -> LearningSide:
    """The installed implementation of :class:`LearningSide` (``cspr.seams: learning``)."""
    found = entry_points(group=SEAM_GROUP, name="learning")
    if not found:
        raise SeamNotInstalled(
            "no learning side is installed: install the workbench as a package "
            "(`make install`, or `pip install -e .`)"
        )
    implementation: LearningSide = next(iter(found)).load()()
    return implementation


def error_words(failed: BaseException) -> str:
    """``Kind: message`` of an error, naming learning's own error for a :class:`LearningFailed`
    (what a job's ``last_error`` records)."""
    kind = failed.kind if isinstance(failed, LearningFailed) else type(failed).__name__
    return f"{kind}: {failed}"
