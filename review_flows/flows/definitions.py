"""The flows and their tasks. Importing this module imports Prefect (about a second)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from review_flows.settings import get_settings


def local_today() -> dt.date:
    """Today in the sweep's time zone (Europe/London): the flows' one clock read."""
    return dt.datetime.now(ZoneInfo(get_settings().sweep_timezone)).date()


def _day(today: str | None) -> dt.date:
    return dt.date.fromisoformat(today) if today else local_today()


# --- the daily deadline sweep ------------------------------------------------------------------


@task(name="send-reminders", cache_policy=NO_CACHE)
def send_reminders(today: str, dry_run: bool) -> dict[str, Any]:
    from review_flows.db import open_session
    from review_flows.sweep import run_sweep

    settings = get_settings()
    with open_session(settings.resolved_database_url) as session:
        report = run_sweep(session, today=dt.date.fromisoformat(today), dry_run=dry_run)
    return report.to_dict()


@task(name="retry-pending-jobs", cache_policy=NO_CACHE)
def retry_pending_jobs(today: str) -> dict[str, Any]:
    from review_flows.dispatch import run_pending_in_process

    return run_pending_in_process(dt.date.fromisoformat(today))


@flow(name="deadline-sweep", log_prints=True)
def deadline_sweep(today: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Reminders, escalations and digests of every open case; then any job left pending."""
    day = _day(today).isoformat()
    report = send_reminders(day, dry_run)
    logger = get_run_logger()
    logger.info(
        "%d sent, %d already sent, %d failed",
        len(report["sent"]), report["skipped_already_sent"], len(report["failed"]),
    )  # fmt: skip
    if not dry_run:
        report["jobs"] = retry_pending_jobs(day)
    return report


# --- what an event sets going --------------------------------------------------------------


@task(
    name="follow-up", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=exponential_backoff(5)
)
def follow_up(job_id: int, today: str) -> int:
    from review_flows.db import open_session
    from review_flows.jobs import run_follow_up
    from review_flows.sweep import configured_channels

    settings = get_settings()
    with open_session(settings.resolved_database_url) as session:
        report = run_follow_up(
            session, job_id, today=dt.date.fromisoformat(today),
            channels=configured_channels(settings),
        )  # fmt: skip
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} notices failed: {report.failed[0][1]}")
    return len(report.sent)


@flow(name="case-event")
def case_event(job_id: int, today: str | None = None) -> int:
    """The follow-up of one recorded event (runs are named after the case reference)."""
    return follow_up(job_id, _day(today).isoformat())


@task(
    name="ingest-published-report",
    cache_policy=NO_CACHE,
    retries=4,
    retry_delay_seconds=exponential_backoff(10),
)
def ingest_published_report(job_id: int, today: str) -> str:
    from review_flows.dispatch import publish_in_process

    return publish_in_process(job_id, dt.date.fromisoformat(today))


@flow(name="publication")
def publication(job_id: int, today: str | None = None) -> str:
    """Ingest a published report into the learning index, tag it, tell the analysts."""
    return ingest_published_report(job_id, _day(today).isoformat())


# --- a folder of reviews into the learning index ----------------------------------------------


def _content_key(context: Any, parameters: dict[str, Any]) -> str:
    from learning.extract import content_hash

    return f"ingest-{content_hash(Path(parameters['path']))}-{parameters['index_dir']}"


@task(
    name="ingest-document",
    cache_key_fn=_content_key,
    retries=2,
    retry_delay_seconds=[5, 30],
    retry_condition_fn=lambda task, run, state: isinstance(
        state.result(raise_on_failure=False), OSError
    ),
)
def ingest_document(path: str, index_dir: str) -> dict[str, Any]:
    from learning.cli import build_encoder
    from learning.ingest import ingest_paths

    report = ingest_paths([Path(path)], Path(index_dir), build_encoder())
    return report.to_dict()


@flow(name="ingest-folder", log_prints=True)
def ingest_folder(folder: str, index_dir: str | None = None) -> dict[str, Any]:
    """One task per document (cached by content, retried on I/O errors); the counts."""
    from learning.sources import find_documents

    target = index_dir or str(get_settings().resolved_index_dir)
    files, skipped = find_documents([Path(folder)])
    totals: dict[str, Any] = {"documents": len(files), "failed": [], "skipped": []}
    totals["skipped"] = [{"path": str(p), "reason": why} for p, why in skipped]
    for count, path in enumerate(files, 1):
        state = ingest_document(str(path), target, return_state=True)
        result = state.result(raise_on_failure=False)
        if isinstance(result, BaseException):
            totals["failed"].append({"path": str(path), "reason": str(result)})
        else:
            totals["failed"].extend(result["failed"])
        print(f"{count}/{len(files)} {path.name}")
    return totals
