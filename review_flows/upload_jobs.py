"""Library uploads handed to a worker: the app's process saves them and never reads or embeds.

:func:`hand_over_uploads` submits a saved batch as the ``ingest-folder`` flow run when a Prefect
server takes it; when none is configured or it does not answer, the batch waits as a job
(``ingest_upload``) in the jobs table, which the scheduled sweep (or ``cspr jobs run``) does
with :func:`run_upload_job`, as it does an event's pending jobs. The job reads only a batch
folder of ``<data_dir>/uploads/``. No Prefect here (``learning.uploads`` imports it lazily).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from core.access import Viewer
from core.columns import utc_now
from core.learning_seam import LearningFailed, error_words, learning_side
from core.settings import Settings
from review_flows.errors import ReviewFlowsError
from review_flows.models import Job, JobKind

logger = logging.getLogger(__name__)


class UploadIngestFailed(ReviewFlowsError):
    """A waiting upload batch could not be ingested now; the job stays pending and is retried."""


@dataclass(frozen=True)
class UploadHandover:
    """Where a saved batch went: a flow run (its URL), or a waiting job (its id, and why the
    Prefect server did not take it, if one is configured)."""

    flow_url: str | None = None
    job_id: int | None = None
    not_submitted: str | None = None


def hand_over_uploads(
    session: Session, viewer: Viewer, folder: Path, settings: Settings
) -> UploadHandover:
    """Hand the saved batch in ``folder`` to a worker: a flow run if the Prefect server takes
    it, else a job the sweep does."""
    learning = learning_side()
    learning.check_may_upload(viewer)
    why = None
    if settings.prefect_api_url:
        submitted = learning.submit_ingest(
            folder, settings.resolved_index_dir, settings.prefect_api_url
        )
        if submitted.flow_url is not None:
            return UploadHandover(flow_url=submitted.flow_url)
        why = submitted.not_submitted
    job = Job(kind=JobKind.INGEST_UPLOAD, report_path=str(folder))
    session.add(job)
    session.commit()
    logger.info("uploads of %s in %s wait as job %s (%s)", viewer.username, folder, job.id, why)
    return UploadHandover(job_id=job.id, not_submitted=why)


def waiting_uploads(session: Session) -> int:
    """How many upload batches wait for the sweep."""
    query = select(Job).where(Job.kind == JobKind.INGEST_UPLOAD, col(Job.done_at).is_(None))
    return len(session.exec(query).all())


def run_upload_job(
    session: Session,
    job_id: int,
    *,
    index_dir: Path,
    encoder_factory: Callable[[], Any],
    settings: Settings,
    now: dt.datetime | None = None,
) -> int:
    """Ingest a waiting batch (done once); returns how many files went in. Files that cannot
    be read are named in the job's ``last_error`` and not retried; a failure of the run itself
    raises :class:`UploadIngestFailed` and leaves the job pending."""
    job = session.get(Job, job_id)
    if job is None or job.kind != JobKind.INGEST_UPLOAD:
        raise UploadIngestFailed(f"no upload job #{job_id}")
    if job.done_at is not None:
        return 0
    try:
        folder = confined_upload_folder(job.report_path or "", settings)
        files = sorted(path for path in folder.iterdir() if path.is_file())
        report = learning_side().ingest_batch(files, index_dir, encoder_factory(), settings, now)
    except (LearningFailed, OSError, UploadIngestFailed) as failed:
        job.attempts += 1
        job.last_error = error_words(failed)[:500]
        session.add(job)
        session.commit()
        raise UploadIngestFailed(f"upload job #{job_id} was not done: {failed}") from failed
    job.done_at, job.attempts = utc_now(), job.attempts + 1
    job.last_error = (
        "; ".join(f"{Path(path).name}: {reason}" for path, reason in report.failed)[:500] or None
    )
    session.add(job)
    session.commit()
    return report.taken


def confined_upload_folder(stored: str, settings: Settings) -> Path:
    """The batch folder's real path, if it is a folder directly in ``uploads/`` (the job reads
    nothing else)."""
    root = settings.uploads_dir.resolve()
    real = Path(stored).resolve()
    if real.parent != root or not real.is_dir():
        raise UploadIngestFailed("the job's folder is not an upload batch of this workbench")
    return real
