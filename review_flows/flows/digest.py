"""The monthly digest of new learning (deployment ``monthly-digest``, on ``CSPR_DIGEST_CRON``):
the month before today's, composed by the library through the seam and emailed to the contacts
who opted in. Idempotent: each address gets a month's digest once (``digest_sends``), so a retry
or a catch-up sends nothing twice."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from core.digest_model import Month
from core.settings import get_settings
from review_flows.errors import DeliveryFailed
from review_flows.flows.clock import flow_day


@task(name="send-monthly-digest", cache_policy=NO_CACHE)
def send_monthly_digest(month: str) -> dict[str, Any]:
    from review_flows.digest_sends import deliver_monthly_digest

    report = deliver_monthly_digest(Month.parse(month), get_settings())
    return {"sent": report.sent, "already_sent": report.already_sent, "failed": report.failed}


# a failed run (a delivery refused, the mail server down) is run again later the same day; it
# sends only what did not go the first time
@flow(name="monthly-digest", log_prints=True, retries=2, retry_delay_seconds=1800)
def monthly_digest(month: str | None = None, today: str | None = None) -> dict[str, Any]:
    """Email the digest of ``month`` (YYYY-MM; by default the month before ``today``, or before
    the local date) to the contacts who opted in and have not had it yet."""
    chosen = Month.parse(month) if month else Month.before(flow_day(today))
    report = send_monthly_digest(str(chosen))
    get_run_logger().info(
        "digest of %s: %d sent, %d already sent, %d failed",
        chosen, len(report["sent"]), report["already_sent"], len(report["failed"]),
    )  # fmt: skip
    if report["failed"]:
        failed = len(report["failed"])
        raise DeliveryFailed(f"{failed} digest email(s) failed; a re-run retries them")
    return report
