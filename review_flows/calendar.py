"""Working-day calendars per UK nation: the two primitives every statutory clock is built on.

A working day is a weekday that is not a bank or public holiday of the nation. Holidays come
from the ``holidays`` package with the nation's subdivision (England and Wales share ``ENG``;
Scotland ``SCT``; Northern Ireland ``NIR``), plus one-off days announced later that an
override file adds. The package lists weekend holidays next to their "(observed)" weekday
substitutes, so a weekend date in the holiday list changes nothing: only weekdays count.

Counting convention (rules.md, "Working day"): the trigger date is day 0 whatever it is, and
the next working day after it is day 1. Counting backwards mirrors this: the last working day
before the anchor is day -1.

Days are held as sorted ordinal arrays: ``_rank[i]`` is the number of working days on or before
``first day + i``, so adding and counting are index look-ups, not loops.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import holidays
import yaml

from review_flows.errors import CalendarRangeError, HolidayOverridesInvalid

logger = logging.getLogger(__name__)

FIRST_YEAR = 1990
LAST_YEAR = 2100
OVERRIDE_NAME = "Announced bank holiday (override)"


class Nation(StrEnum):
    """The UK nations, each with its own child-safeguarding law and bank holidays."""

    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"


_NATION_NAMES: dict[str, Nation] = {
    "eng": Nation.ENGLAND,
    "en": Nation.ENGLAND,
    "wls": Nation.WALES,
    "wal": Nation.WALES,
    "cymru": Nation.WALES,
    "sct": Nation.SCOTLAND,
    "sco": Nation.SCOTLAND,
    "ni": Nation.NORTHERN_IRELAND,
    "nir": Nation.NORTHERN_IRELAND,
    "n_ireland": Nation.NORTHERN_IRELAND,
}


def parse_nation(text: str) -> Nation:
    """A nation as people write it: "England", "england", "ENG", "Northern Ireland", "NI"
    (``ValueError`` naming the nations otherwise)."""
    key = "_".join(text.strip().lower().replace("-", " ").replace(".", " ").split())
    if key in Nation._value2member_map_:
        return Nation(key)
    if key in _NATION_NAMES:
        return _NATION_NAMES[key]
    names = ", ".join(nation.value for nation in Nation)
    raise ValueError(f"unknown nation {text!r}; use one of {names}")


# Wales has the same bank holidays as England; never build a calendar without a subdivision
# (the bare UK calendar mixes in Scotland's and Northern Ireland's days).
_SUBDIVISION: dict[Nation, str] = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days of one nation between ``FIRST_YEAR`` and ``LAST_YEAR``. Build with
    :func:`calendar_for`."""

    nation: Nation
    holidays: Mapping[dt.date, str] = field(repr=False)
    _first: int = field(repr=False)  # ordinal of 1 January of the first year
    _working: tuple[int, ...] = field(repr=False, compare=False)
    _rank: tuple[int, ...] = field(repr=False, compare=False)

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromordinal(self._first)

    @property
    def last_day(self) -> dt.date:
        return dt.date.fromordinal(self._first + len(self._rank) - 1)

    def _out_of_range(self, day: dt.date) -> CalendarRangeError:
        return CalendarRangeError(
            f"{day.isoformat()} is outside the {self.nation.value} calendar "
            f"({self.first_day.isoformat()} to {self.last_day.isoformat()})"
        )

    def _index(self, day: dt.date) -> int:
        index = day.toordinal() - self._first
        if not 0 <= index < len(self._rank):
            raise self._out_of_range(day)
        return index

    def is_working_day(self, day: dt.date) -> bool:
        """True for a weekday that is not a holiday of this nation."""
        index = self._index(day)
        return self._rank[index] != (self._rank[index - 1] if index else 0)

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday's name (weekend holidays included), or None."""
        return self.holidays.get(day)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

        ``start`` is day 0 even when it is not a working day; ``n == 0`` returns ``start``.
        """
        if n == 0:
            return start
        index = self._index(start)
        if n > 0:
            position = self._rank[index] + n - 1
        else:  # working days strictly before start, then step back
            position = (self._rank[index - 1] if index else 0) + n
        if not 0 <= position < len(self._working):
            raise CalendarRangeError(
                f"{n} working days from {start.isoformat()} leaves the {self.nation.value} "
                f"calendar ({self.first_day.isoformat()} to {self.last_day.isoformat()})"
            )
        return dt.date.fromordinal(self._working[position])

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days walked from ``start`` to ``end``, signed.

        Forwards: working days after ``start`` up to and including ``end``. Backwards: minus the
        working days before ``start`` down to and including ``end``. So
        ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n``.
        """
        rank, base = self._rank, self._first
        first, last = start.toordinal() - base, end.toordinal() - base
        if first < 0 or first >= len(rank):
            raise self._out_of_range(start)
        if last < 0 or last >= len(rank):
            raise self._out_of_range(end)
        if last >= first:
            return rank[last] - rank[first]
        # Counts of working days strictly before each day: rank of the day before.
        return (rank[last - 1] if last else 0) - rank[first - 1]


def calendar_for(
    nation: Nation, overrides: Mapping[Nation, Iterable[dt.date]] | None = None
) -> WorkingCalendar:
    """The working-day calendar of ``nation``, with announced one-off holidays added.

    England and Wales share one calendar, so an override listed under either applies to both.
    Calendars are cached per nation and set of overrides.
    """
    nation = Nation(nation)
    extra: set[dt.date] = set()
    for listed, days in (overrides or {}).items():
        if _SUBDIVISION[Nation(listed)] == _SUBDIVISION[nation]:
            extra.update(days)
    return _build_calendar(nation, frozenset(extra))


@lru_cache(maxsize=32)
def _build_calendar(nation: Nation, extra: frozenset[dt.date]) -> WorkingCalendar:
    names = dict(_statutory_holidays(_SUBDIVISION[nation]))
    for day in extra:
        names.setdefault(day, OVERRIDE_NAME)
    first = dt.date(FIRST_YEAR, 1, 1).toordinal()
    last = dt.date(LAST_YEAR, 12, 31).toordinal()
    closed = {day.toordinal() for day in names}
    working: list[int] = []
    rank: list[int] = []
    for ordinal in range(first, last + 1):
        # date.weekday() of an ordinal: ordinal 1 (0001-01-01) was a Monday.
        if (ordinal - 1) % 7 < 5 and ordinal not in closed:
            working.append(ordinal)
        rank.append(len(working))
    return WorkingCalendar(
        nation=nation,
        holidays=MappingProxyType(names),
        _first=first,
        _working=tuple(working),
        _rank=tuple(rank),
    )


@lru_cache(maxsize=4)
def _statutory_holidays(subdivision: str) -> tuple[tuple[dt.date, str], ...]:
    table = holidays.country_holidays(
        "GB", subdiv=subdivision, years=range(FIRST_YEAR, LAST_YEAR + 1)
    )
    return tuple(sorted(table.items()))


class _PlainDateLoader(yaml.SafeLoader):
    """Safe YAML loader that leaves dates as text, so a bad date gets a message naming its field
    instead of a bare ValueError from the YAML parser."""


_PlainDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_holiday_overrides(path: Path) -> dict[Nation, list[dt.date]]:
    """Read an override file: a YAML mapping of nation to a list of dates.

    Each entry is a date (``2023-05-08``) or a mapping with a ``date`` (and an optional
    ``name``). Raises :class:`HolidayOverridesInvalid` naming the file and the bad entry.
    """
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_PlainDateLoader)  # a SafeLoader
    except (OSError, yaml.YAMLError) as problem:
        raise HolidayOverridesInvalid(f"{path}: cannot read holiday overrides: {problem}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise HolidayOverridesInvalid(f"{path}: expected a mapping of nation to a list of dates")
    result: dict[Nation, list[dt.date]] = {}
    for key, entries in raw.items():
        nation = _parse_nation(path, key)
        if not isinstance(entries, list):
            raise HolidayOverridesInvalid(f"{path}: {key}: expected a list of dates")
        result[nation] = [_parse_override(path, key, entry) for entry in entries]
    return result


def calendar_with_overrides_file(nation: Nation, path: Path | None) -> WorkingCalendar:
    """The calendar of ``nation`` with the overrides of ``path`` (none when ``path`` is None)."""
    return calendar_for(nation, load_holiday_overrides(path) if path is not None else None)


def _parse_nation(path: Path, key: object) -> Nation:
    try:
        return Nation(str(key).strip().lower().replace(" ", "_"))
    except ValueError:
        allowed = ", ".join(n.value for n in Nation)
        raise HolidayOverridesInvalid(
            f"{path}: unknown nation {key!r}; use one of {allowed}"
        ) from None


def _parse_override(path: Path, key: object, entry: Any) -> dt.date:
    value = entry.get("date") if isinstance(entry, dict) else entry
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise HolidayOverridesInvalid(
            f"{path}: {key}: {entry!r} is not a date (write YYYY-MM-DD)"
        ) from None
