"""Working-day calendars: real UK holidays, the day-0 convention, overrides, and properties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review_flows.calendar import (
    Nation,
    WorkingCalendar,
    calendar_for,
    calendar_with_overrides_file,
    load_holiday_overrides,
)
from review_flows.errors import CalendarRangeError, HolidayOverridesInvalid

D = dt.date
ENG, WAL, SCO, NIR = Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND


@pytest.fixture(scope="module")
def calendar_ew() -> WorkingCalendar:
    return calendar_for(ENG)


# (nation, date, is a working day): checked against the published bank holiday lists.
HOLIDAY_TABLE = [
    # Christmas and Boxing Day substitutes
    (ENG, D(2020, 12, 25), False),  # Fri
    (ENG, D(2020, 12, 28), False),  # Mon: Boxing Day (Sat 26th) substitute
    (ENG, D(2020, 12, 29), True),
    (ENG, D(2021, 12, 27), False),  # Mon: Christmas (Sat) substitute
    (ENG, D(2021, 12, 28), False),  # Tue: Boxing Day (Sun) substitute
    (ENG, D(2021, 12, 29), True),
    (ENG, D(2022, 12, 26), False),  # Mon: Boxing Day
    (ENG, D(2022, 12, 27), False),  # Tue: Christmas (Sun) substitute
    (ENG, D(2022, 12, 23), True),  # Fri before
    # Easter 2023: Good Friday 7 April, Easter Monday 10 April (not in Scotland)
    (ENG, D(2023, 4, 7), False),
    (ENG, D(2023, 4, 10), False),
    (SCO, D(2023, 4, 7), False),
    (SCO, D(2023, 4, 10), True),
    (NIR, D(2023, 4, 10), False),
    # 2020: May Day moved from Mon 4 May to Fri 8 May (VE Day 75)
    (ENG, D(2020, 5, 4), True),
    (ENG, D(2020, 5, 8), False),
    # 2022: spring bank holiday moved to Thu 2 June, Platinum Jubilee Fri 3 June
    (ENG, D(2022, 5, 30), True),
    (ENG, D(2022, 6, 2), False),
    (ENG, D(2022, 6, 3), False),
    (SCO, D(2022, 6, 3), False),
    # State funeral of Queen Elizabeth II, Mon 19 September 2022, everywhere
    (ENG, D(2022, 9, 19), False),
    (SCO, D(2022, 9, 19), False),
    (NIR, D(2022, 9, 19), False),
    # Coronation of King Charles III, Mon 8 May 2023
    (ENG, D(2023, 5, 8), False),
    (WAL, D(2023, 5, 8), False),
    # Scotland: 2 January; 2023: 1 Jan Sun -> Mon 2nd, 2 Jan -> Tue 3rd
    (SCO, D(2024, 1, 2), False),
    (ENG, D(2024, 1, 2), True),
    (SCO, D(2023, 1, 2), False),
    (SCO, D(2023, 1, 3), False),
    (ENG, D(2023, 1, 3), True),
    # St Andrew's Day: Thu 30 Nov 2023; Sat 2024 -> Mon 2 Dec; Sun 2025 -> Mon 1 Dec
    (SCO, D(2023, 11, 30), False),
    (ENG, D(2023, 11, 30), True),
    (SCO, D(2024, 12, 2), False),
    (ENG, D(2024, 12, 2), True),
    (SCO, D(2025, 12, 1), False),
    # Scotland's summer holiday is early August, not late August
    (SCO, D(2023, 8, 7), False),
    (SCO, D(2023, 8, 28), True),
    # Northern Ireland: St Patrick's Day (Sun 2024 -> Mon 18 March) and 12 July
    (NIR, D(2023, 3, 17), False),
    (ENG, D(2023, 3, 17), True),
    (NIR, D(2024, 3, 18), False),
    (NIR, D(2023, 7, 12), False),
    (ENG, D(2023, 7, 12), True),
    (NIR, D(2020, 7, 13), False),  # Sun 12th -> Mon 13th
    # Weekends are never working days, holiday or not
    (ENG, D(2023, 7, 15), False),
    (ENG, D(2020, 12, 26), False),
]


@pytest.mark.parametrize(("nation", "day", "working"), HOLIDAY_TABLE)
def test_is_working_day_matches_bank_holidays(nation: Nation, day: dt.date, working: bool) -> None:
    assert calendar_for(nation).is_working_day(day) is working


# (nation, start, n, expected): day 0 is the start, day 1 the next working day.
ADD_TABLE = [
    (ENG, D(2020, 12, 24), 1, D(2020, 12, 29)),
    (ENG, D(2021, 12, 24), 1, D(2021, 12, 29)),
    (ENG, D(2022, 12, 23), 1, D(2022, 12, 28)),
    (ENG, D(2022, 12, 20), 5, D(2022, 12, 29)),  # 21, 22, 23, 28, 29
    (ENG, D(2023, 4, 6), 1, D(2023, 4, 11)),
    (SCO, D(2023, 4, 6), 1, D(2023, 4, 10)),
    (ENG, D(2020, 5, 7), 1, D(2020, 5, 11)),
    (ENG, D(2022, 6, 1), 1, D(2022, 6, 6)),
    (ENG, D(2022, 9, 16), 1, D(2022, 9, 20)),
    (ENG, D(2023, 5, 5), 1, D(2023, 5, 9)),
    (SCO, D(2022, 12, 30), 1, D(2023, 1, 4)),  # 2 and 3 January closed in Scotland
    (ENG, D(2022, 12, 30), 1, D(2023, 1, 3)),
    (SCO, D(2024, 11, 29), 1, D(2024, 12, 3)),
    (NIR, D(2024, 3, 15), 1, D(2024, 3, 19)),
    (NIR, D(2023, 7, 11), 1, D(2023, 7, 13)),
    # a weekend or holiday start is day 0
    (ENG, D(2023, 7, 15), 1, D(2023, 7, 17)),
    (ENG, D(2022, 12, 25), 1, D(2022, 12, 28)),
    (ENG, D(2022, 12, 25), 0, D(2022, 12, 25)),
    # counting back: the last working day before the start is day -1
    (ENG, D(2023, 3, 15), -7, D(2023, 3, 6)),
    (ENG, D(2023, 7, 15), -1, D(2023, 7, 14)),
    (ENG, D(2023, 1, 4), -2, D(2022, 12, 30)),
]


@pytest.mark.parametrize(("nation", "start", "n", "expected"), ADD_TABLE)
def test_add_working_days(nation: Nation, start: dt.date, n: int, expected: dt.date) -> None:
    assert calendar_for(nation).add_working_days(start, n) == expected


BETWEEN_TABLE = [
    (D(2022, 12, 20), D(2022, 12, 29), 5),
    (D(2022, 12, 23), D(2022, 12, 27), 0),  # only holidays and a weekend after Friday
    (D(2022, 12, 24), D(2022, 12, 28), 1),
    (D(2023, 3, 6), D(2023, 3, 6), 0),
    (D(2023, 3, 15), D(2023, 3, 6), -7),
    (D(2023, 7, 15), D(2023, 7, 14), -1),  # Sat back to Fri
    (D(2023, 7, 17), D(2023, 7, 14), -1),  # Mon back to Fri
]


@pytest.mark.parametrize(("start", "end", "expected"), BETWEEN_TABLE)
def test_working_days_between(
    calendar_ew: WorkingCalendar, start: dt.date, end: dt.date, expected: int
) -> None:
    assert calendar_ew.working_days_between(start, end) == expected


def test_wales_shares_the_england_calendar() -> None:
    england, wales = calendar_for(ENG), calendar_for(WAL)
    assert wales.nation is WAL
    assert wales.holidays == england.holidays


@pytest.mark.parametrize(
    ("nation", "day", "name"),
    [
        (ENG, D(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        (ENG, D(2020, 12, 28), "Boxing Day (observed)"),
        (SCO, D(2024, 12, 2), "Saint Andrew's Day (observed)"),
        (NIR, D(2023, 7, 12), "Battle of the Boyne"),
        (ENG, D(2023, 7, 12), None),
    ],
)
def test_holiday_name(nation: Nation, day: dt.date, name: str | None) -> None:
    assert calendar_for(nation).holiday_name(day) == name


def test_dates_outside_the_calendar_raise(calendar_ew: WorkingCalendar) -> None:
    with pytest.raises(CalendarRangeError, match="1989-12-31 is outside the england calendar"):
        calendar_ew.add_working_days(D(1989, 12, 31), 5)
    with pytest.raises(CalendarRangeError, match="leaves the england calendar"):
        calendar_ew.add_working_days(D(2100, 12, 20), 30)
    with pytest.raises(CalendarRangeError, match="2101-01-01"):
        calendar_ew.working_days_between(D(2100, 1, 1), D(2101, 1, 1))


# --- overrides -----------------------------------------------------------------------------------


def test_overrides_add_one_off_days(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text(
        "england:\n  - 2030-06-12\nscotland:\n  - date: 2030-06-13\n    name: Announced\n",
        encoding="utf-8",
    )
    overrides = load_holiday_overrides(path)
    assert overrides == {ENG: [D(2030, 6, 12)], SCO: [D(2030, 6, 13)]}
    england = calendar_for(ENG, overrides)
    assert not england.is_working_day(D(2030, 6, 12))
    assert england.holiday_name(D(2030, 6, 12)) == "Announced bank holiday (override)"
    assert england.add_working_days(D(2030, 6, 11), 1) == D(2030, 6, 13)
    assert not calendar_for(WAL, overrides).is_working_day(D(2030, 6, 12))
    assert calendar_for(SCO, overrides).is_working_day(D(2030, 6, 12))
    assert not calendar_for(SCO, overrides).is_working_day(D(2030, 6, 13))
    assert calendar_for(ENG).is_working_day(D(2030, 6, 12))  # the plain calendar is untouched
    assert calendar_with_overrides_file(WAL, path).add_working_days(D(2030, 6, 11), 1) == D(
        2030, 6, 13
    )


def test_empty_override_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert load_holiday_overrides(path) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mordor:\n  - 2030-06-12\n", "unknown nation 'mordor'"),
        ("england:\n  - 2030-02-30\n", "england: '2030-02-30' is not a date"),
        ("england: 2030-06-12\n", "england: expected a list of dates"),
        ("- 2030-06-12\n", "expected a mapping of nation"),
        ("england: [2030-06-12\n", "cannot read holiday overrides"),
    ],
)
def test_bad_override_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HolidayOverridesInvalid, match="bad.yaml: .*" + message.replace("[", r"\[")):
        load_holiday_overrides(path)


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(HolidayOverridesInvalid, match="nope.yaml: cannot read"):
        load_holiday_overrides(tmp_path / "nope.yaml")


# --- properties ----------------------------------------------------------------------------------

days = st.dates(min_value=D(1995, 1, 1), max_value=D(2095, 12, 31))
steps = st.integers(min_value=-400, max_value=400)
nations = st.sampled_from(list(Nation))


@settings(max_examples=300, deadline=None)
@given(nation=nations, start=days, n=steps)
def test_adding_then_counting_gives_back_n(nation: Nation, start: dt.date, n: int) -> None:
    calendar = calendar_for(nation)
    assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


@settings(max_examples=300, deadline=None)
@given(nation=nations, start=days, n=steps.filter(lambda n: n != 0))
def test_results_are_working_days(nation: Nation, start: dt.date, n: int) -> None:
    calendar = calendar_for(nation)
    result = calendar.add_working_days(start, n)
    assert result.weekday() < 5
    assert result not in calendar.holidays
    assert (result > start) is (n > 0)


@settings(max_examples=300, deadline=None)
@given(nation=nations, start=days, a=steps, b=steps)
def test_adding_is_monotonic(nation: Nation, start: dt.date, a: int, b: int) -> None:
    calendar = calendar_for(nation)
    low, high = sorted((a, b))
    assert calendar.add_working_days(start, low) <= calendar.add_working_days(start, high)
    if low < high:
        assert calendar.add_working_days(start, low) < calendar.add_working_days(start, high)


@settings(max_examples=300, deadline=None)
@given(nation=nations, start=days, first=days, second=days)
def test_counting_is_monotonic_in_the_end_date(
    nation: Nation, start: dt.date, first: dt.date, second: dt.date
) -> None:
    calendar = calendar_for(nation)
    low, high = sorted((first, second))
    assert calendar.working_days_between(start, low) <= calendar.working_days_between(start, high)


@settings(max_examples=300, deadline=None)
@given(nation=nations, day=days)
def test_working_day_is_weekday_and_not_holiday(nation: Nation, day: dt.date) -> None:
    calendar = calendar_for(nation)
    expected = day.weekday() < 5 and calendar.holiday_name(day) is None
    assert calendar.is_working_day(day) is expected
    assert calendar.working_days_between(day, day) == 0
    next_day = day + dt.timedelta(days=1)
    assert calendar.working_days_between(day, next_day) == int(calendar.is_working_day(next_day))


@pytest.mark.parametrize(
    ("text", "nation"),
    [("England", "england"), ("ENG", "england"), ("Wales", "wales"), ("Cymru", "wales"),
     ("SCT", "scotland"), ("Northern Ireland", "northern_ireland"), ("NI", "northern_ireland"),
     ("northern-ireland", "northern_ireland")],
)  # fmt: skip
def test_parse_nation_reads_what_people_write(text: str, nation: str) -> None:
    from review_flows.calendar import parse_nation

    assert parse_nation(text).value == nation


def test_parse_nation_names_the_nations_when_it_cannot() -> None:
    from review_flows.calendar import parse_nation

    with pytest.raises(ValueError, match="unknown nation 'France'; use one of england, wales"):
        parse_nation("France")
