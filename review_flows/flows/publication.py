"""A published report into the learning index (retried with backoff)."""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from review_flows.flows.clock import flow_day


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
    return ingest_published_report(job_id, flow_day(today).isoformat())
