"""When the next scheduled sweep runs: the default weekday 07:00 London schedule across a
weekend, the clock changes and the turn of a year, and what the Inbox says of it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.settings import Settings
from review_flows.sweep_times import InvalidSchedule, describe_next_sweep, next_sweep

LONDON = ZoneInfo("Europe/London")
WEEKDAYS_7 = "0 7 * * 1-5"


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (_utc(2026, 12, 7, 6, 59), dt.datetime(2026, 12, 7, 7, 0, tzinfo=LONDON)),  # Monday
        (_utc(2026, 12, 7, 7, 0), dt.datetime(2026, 12, 8, 7, 0, tzinfo=LONDON)),  # strictly after
        (_utc(2026, 12, 11, 9, 0), dt.datetime(2026, 12, 14, 7, 0, tzinfo=LONDON)),  # Fri -> Mon
        (_utc(2026, 12, 12, 12, 0), dt.datetime(2026, 12, 14, 7, 0, tzinfo=LONDON)),  # Saturday
        # summer time: 07:00 in London is 06:00 UTC
        (_utc(2026, 7, 1, 5, 30), dt.datetime(2026, 7, 1, 7, 0, tzinfo=LONDON)),
        (_utc(2026, 7, 1, 6, 30), dt.datetime(2026, 7, 2, 7, 0, tzinfo=LONDON)),
        (_utc(2026, 12, 31, 8, 0), dt.datetime(2027, 1, 1, 7, 0, tzinfo=LONDON)),  # a Friday
    ],
)
def test_the_next_weekday_seven_oclock_in_london(now: dt.datetime, expected: dt.datetime) -> None:
    when = next_sweep(WEEKDAYS_7, "Europe/London", now)
    assert when == expected
    assert when.utcoffset() == expected.utcoffset()


def test_the_default_settings_schedule_is_read() -> None:
    settings = Settings()
    when = next_sweep(settings.sweep_cron, settings.sweep_timezone, _utc(2026, 12, 5, 10, 0))
    assert (when.weekday(), when.hour, when.minute) == (0, 7, 0)  # Saturday -> Monday 07:00


def test_a_wall_time_the_clock_skips_is_not_given() -> None:
    """01:30 on 29 March 2026 does not exist in London (01:00 GMT becomes 02:00 BST)."""
    when = next_sweep("30 1 * * *", "Europe/London", _utc(2026, 3, 29, 0, 0))
    assert when == dt.datetime(2026, 3, 30, 1, 30, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("cron", "zone", "message"),
    [
        ("0 7 * *", "Europe/London", "cannot read the cron"),
        ("0 25 * * *", "Europe/London", "cannot read the cron"),
        (WEEKDAYS_7, "Mars/Olympus_Mons", "unknown time zone"),
    ],
)
def test_a_schedule_that_cannot_be_read_is_named(cron: str, zone: str, message: str) -> None:
    with pytest.raises(InvalidSchedule, match=message):
        next_sweep(cron, zone, _utc(2026, 12, 7, 12, 0))


def test_now_must_carry_its_time_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_sweep(WEEKDAYS_7, "Europe/London", dt.datetime(2026, 12, 7, 12, 0))


@pytest.mark.parametrize(
    ("now", "when", "expected"),
    [
        (_utc(2026, 12, 7, 6, 0), dt.datetime(2026, 12, 7, 7, 0, tzinfo=LONDON),
         "today at 07:00 (GMT)"),
        (_utc(2026, 12, 7, 23, 30), dt.datetime(2026, 12, 8, 7, 0, tzinfo=LONDON),
         "tomorrow at 07:00 (GMT)"),
        (_utc(2026, 12, 11, 9, 0), dt.datetime(2026, 12, 14, 7, 0, tzinfo=LONDON),
         "on Monday 14 December at 07:00 (GMT)"),
        (_utc(2026, 12, 31, 9, 0), dt.datetime(2027, 1, 4, 7, 0, tzinfo=LONDON),
         "on Monday 4 January 2027 at 07:00 (GMT)"),
        (_utc(2026, 6, 30, 23, 30), dt.datetime(2026, 7, 1, 7, 0, tzinfo=LONDON),
         "today at 07:00 (BST)"),  # 00:30 in London already
    ],
)  # fmt: skip
def test_the_inbox_says_when_in_words(now: dt.datetime, when: dt.datetime, expected: str) -> None:
    assert describe_next_sweep(when, now) == expected
