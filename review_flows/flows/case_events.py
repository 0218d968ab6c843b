"""The follow-up of a recorded event, as a flow run named after the case."""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from core.settings import get_settings
from review_flows.flows.clock import flow_day


@task(
    name="follow-up", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=exponential_backoff(5)
)
def follow_up(job_id: int, today: str) -> int:
    from core.db import open_session
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
    return follow_up(job_id, flow_day(today).isoformat())
