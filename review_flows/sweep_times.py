"""When the deadline sweep runs next, from its cron schedule (``CSPR_SWEEP_CRON`` in
``CSPR_SWEEP_TIMEZONE``, the schedule :mod:`cspr.deployments` gives Prefect) and
"now", an argument. Pure: no clock, no Prefect.

The cron is read as Prefect reads it (standard five fields; when both day of month and day of
week are restricted, either matches) by cronsim, the cron library Prefect's own stack installs.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

from review_flows.errors import ReviewFlowsError


class InvalidSchedule(ReviewFlowsError, ValueError):
    """The sweep's cron expression or time zone cannot be read."""


def next_sweep(cron: str, timezone: str, now: dt.datetime) -> dt.datetime:
    """The first time strictly after ``now`` (timezone-aware) that ``cron`` fires in
    ``timezone``, as an aware datetime in that zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError) as problem:
        raise InvalidSchedule(f"unknown time zone {timezone!r} (CSPR_SWEEP_TIMEZONE)") from problem
    local = now.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    try:
        times = CronSim(cron, local)
    except CronSimError as problem:
        raise InvalidSchedule(f"cannot read the cron {cron!r} (CSPR_SWEEP_CRON)") from problem
    for wall in times:
        when = wall.replace(tzinfo=zone)
        # a wall time skipped by a clock change does not exist: take the next that does
        if when.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall and when > now:
            return when
    raise InvalidSchedule(f"the cron {cron!r} never fires")  # pragma: no cover - cronsim ends


def describe_next_sweep(when: dt.datetime, now: dt.datetime) -> str:
    """ "today at 07:00", "tomorrow at 07:00", "on Monday 14 December at 07:00" (in ``when``'s
    zone, with its name), for the Inbox."""
    day = when.date()
    today = now.astimezone(when.tzinfo).date()
    if day == today:
        on = "today"
    elif day == today + dt.timedelta(days=1):
        on = "tomorrow"
    else:
        year = f" {when.year}" if when.year != today.year else ""
        on = f"on {when:%A} {when.day} {when:%B}{year}"
    return f"{on} at {when:%H:%M} ({when.tzname()})"
