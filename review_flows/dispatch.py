"""Hand the jobs an event set going to Prefect, or run them here without a server.

Recording an event never waits: the CLI starts a detached ``python -m review_flows.dispatch``
and returns. That process submits one flow run per job to the Prefect server (named after the
case reference, tagged with its partnership) when ``CSPR_PREFECT_API_URL`` is set, or runs the
jobs' services itself. If it cannot (server down), the jobs stay pending in the database and
the next sweep does them: nothing an event started is lost.

From the app (``--no-ingest``) a publication is never done in that process: without a Prefect
server it waits for the sweep, which runs in a worker, so no embedding competes with the app.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from core.errors import WorkbenchError
from core.learning_seam import learning_side
from core.settings import Settings, get_settings

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

logger = logging.getLogger(__name__)

NO_INGEST = "--no-ingest"  # the app's flag: publications go to Prefect or wait for the sweep
DEPLOYMENTS = {
    "follow_up": "case-event/case-event",
    "publish": "publication/publication",
}


def dispatch_in_background(
    job_ids: Sequence[int], settings: Settings | None = None, *, ingest_here: bool = True
) -> Path | None:
    """Start the detached process that does ``job_ids``; returns its log file."""
    if not job_ids:
        return None
    settings = settings or get_settings()
    log = settings.data_dir / "logs" / "dispatch.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    flags = [] if ingest_here else [NO_INGEST]
    with log.open("ab") as out:
        subprocess.Popen(  # noqa: S603 - our own module, ids are integers
            [sys.executable, "-m", "review_flows.dispatch", *flags, *map(str, job_ids)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
            env={**os.environ, "CSPR_DATA_DIR": str(settings.data_dir)},
        )
    return log


def dispatch_event_jobs(
    session: Any, event_id: int, settings: Settings | None = None, *, ingest_here: bool = True
) -> list[Any]:
    """Start the jobs a just-recorded event wrote (the CLI's and the app's edge call this);
    returns them. If starting fails, they stay pending for the sweep. The app passes
    ``ingest_here=False``: a publication then goes to Prefect or waits for the sweep."""
    from review_flows.jobs import jobs_of_event

    jobs = jobs_of_event(session, event_id)
    ids = [job.id for job in jobs if job.id is not None]
    try:
        dispatch_in_background(ids, settings, ingest_here=ingest_here)
    except OSError as failed:
        logger.warning("jobs of event %s left for the sweep: %s", event_id, failed)
    return jobs


def submit_or_run(job_ids: Sequence[int], today: dt.date, *, ingest_here: bool = True) -> None:
    """Submit each job as a flow run if a Prefect server is configured, else run it here (a
    publication only if ``ingest_here``; else it waits for the sweep)."""
    settings = get_settings()
    if settings.prefect_api_url:
        _submit(job_ids, settings)
        return
    for job_id in job_ids:
        if ingest_here or not _is_publication(job_id, settings):
            run_job_in_process(job_id, today)
        else:
            logger.info("publication job %s waits for the sweep (no Prefect server)", job_id)


def _is_publication(job_id: int, settings: Settings) -> bool:
    from core.db import open_session
    from review_flows.jobs import load_job
    from review_flows.models import JobKind

    with open_session(settings.resolved_database_url) as session:
        return load_job(session, job_id).job.kind != JobKind.FOLLOW_UP


def _submit(job_ids: Sequence[int], settings: Settings) -> None:
    os.environ.setdefault("PREFECT_API_URL", settings.prefect_api_url or "")
    from prefect.deployments import run_deployment

    from core.db import open_session
    from review_flows.jobs import load_job

    for job_id in job_ids:
        with open_session(settings.resolved_database_url) as session:
            context = load_job(session, job_id)
        # outside an event loop it runs synchronously; async_dispatch types it as a union
        run = cast(
            "FlowRun",
            run_deployment(  # type: ignore[call-arg]  # `_sync`: untyped
                DEPLOYMENTS[context.job.kind],
                parameters={"job_id": job_id},
                flow_run_name=f"{context.case.reference} {context.event.kind}",
                tags=[context.case.partnership, context.job.kind],
                idempotency_key=f"cspr-job-{job_id}",
                timeout=0,
                _sync=True,  # synchronous whatever the context (see cspr.deployments)
            ),
        )
        logger.info("job %s submitted as flow run %s", job_id, run.id)


def run_job_in_process(job_id: int, today: dt.date) -> None:
    from core.db import open_session
    from review_flows.jobs import load_job, run_follow_up
    from review_flows.models import Job, JobKind
    from review_flows.sweep import configured_channels
    from review_flows.upload_jobs import run_upload_job

    settings = get_settings()
    with open_session(settings.resolved_database_url) as session:
        job = session.get(Job, job_id)
        if job is not None and job.kind == JobKind.INGEST_UPLOAD:
            run_upload_job(
                session, job_id, index_dir=settings.resolved_index_dir,
                encoder_factory=learning_side().build_encoder, settings=settings,
                now=dt.datetime.now(dt.UTC),
            )  # fmt: skip
            return
        kind = load_job(session, job_id).job.kind
        if kind == JobKind.FOLLOW_UP:
            run_follow_up(session, job_id, today=today, channels=configured_channels(settings))
            return
    publish_in_process(job_id, today)


def publish_in_process(job_id: int, today: dt.date) -> str:
    from core.db import open_session
    from review_flows.jobs import run_publication
    from review_flows.sweep import configured_channels

    settings = get_settings()
    with open_session(settings.resolved_database_url) as session:
        return run_publication(
            session, job_id, today=today, channels=configured_channels(settings),
            index_dir=settings.resolved_index_dir, encoder_factory=learning_side().build_encoder,
            now=dt.datetime.now(dt.UTC),  # the process's edge: its one clock read
        )  # fmt: skip


def run_pending_in_process(today: dt.date) -> dict[str, Any]:
    """Every job still pending, done here (the sweep's catch-up); failures stay pending."""
    from core.db import open_session
    from review_flows.jobs import pending_jobs

    settings = get_settings()
    with open_session(settings.resolved_database_url) as session:
        ids = [job.id for job in pending_jobs(session)]
    done, failed = 0, []
    for job_id in ids:
        assert job_id is not None
        try:
            run_job_in_process(job_id, today)
            done += 1
        except WorkbenchError as problem:
            failed.append({"job": job_id, "error": str(problem)})
    return {"done": done, "failed": failed}


def main(argv: Sequence[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    ingest_here = NO_INGEST not in argv
    ids = [int(arg) for arg in argv if arg != NO_INGEST]
    try:
        submit_or_run(ids, dt.date.today(), ingest_here=ingest_here)
    except Exception:
        logger.exception("jobs %s stay pending; the next sweep does them", ids)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
