"""The daily deadline sweep: reminders, escalations, digests, then pending jobs, then the event
log's chain heads exported (a run that finds the log broken fails, naming the cases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from core.learning_seam import learning_side
from core.settings import get_settings
from review_flows.flows.clock import flow_day


@task(name="send-reminders", cache_policy=NO_CACHE)
def send_reminders(today: str, dry_run: bool) -> dict[str, Any]:
    from core.db import open_session
    from review_flows.sweep import run_sweep

    settings = get_settings()
    with open_session(settings.resolved_database_url) as session:
        report = run_sweep(session, today=dt.date.fromisoformat(today), dry_run=dry_run)
    return report.to_dict()


@task(name="retry-pending-jobs", cache_policy=NO_CACHE)
def retry_pending_jobs(today: str) -> dict[str, Any]:
    from review_flows.dispatch import run_pending_in_process

    return run_pending_in_process(dt.date.fromisoformat(today))


@task(name="export-audit-heads", cache_policy=NO_CACHE)
def export_audit_heads() -> str:
    from core.columns import utc_now
    from core.db import open_session
    from review_flows.audit_heads import export_heads

    settings = get_settings()
    with open_session(settings.resolved_database_url) as session:
        path = export_heads(session, settings.resolved_audit_heads_dir, now=utc_now())
    return str(path)


@flow(name="deadline-sweep", log_prints=True)
def deadline_sweep(today: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Reminders, escalations and digests of every open case; then any job left pending; then
    the chain heads exported (the run fails if the event log does not verify); then the learned
    theme tagger retrained if enough analysts' decisions followed its last training."""
    day = flow_day(today).isoformat()
    report = send_reminders(day, dry_run)
    logger = get_run_logger()
    logger.info(
        "%d sent, %d already sent, %d failed",
        len(report["sent"]), report["skipped_already_sent"], len(report["failed"]),
    )  # fmt: skip
    if not dry_run:
        report["jobs"] = retry_pending_jobs(day)
        report["audit_heads"] = export_audit_heads()
        report["theme_tagger"] = _retrain_tagger_if_due()
    return report


def _retrain_tagger_if_due() -> dict[str, Any] | None:
    """The learned theme tagger, retrained if enough decisions followed its last training (a
    failure is logged: the sweep's own work is done)."""
    retrain_theme_tagger = learning_side().tagger_retraining_flow()
    state = retrain_theme_tagger(only_if_due=True, return_state=True)
    if state.is_failed():
        get_run_logger().warning("theme tagger not retrained: %s", state.message)
        return None
    return state.result()
