"""The flows' one clock read: today in the sweep's time zone (Europe/London)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.settings import get_settings


def local_today() -> dt.date:
    """Today where the partnerships are (``CSPR_SWEEP_TIMEZONE``), not the server's UTC."""
    return dt.datetime.now(ZoneInfo(get_settings().sweep_timezone)).date()


def flow_day(today: str | None) -> dt.date:
    """The day a flow run works for: its ``today`` parameter, or the local date."""
    return dt.date.fromisoformat(today) if today else local_today()
