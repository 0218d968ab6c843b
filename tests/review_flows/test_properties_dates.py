"""Properties of typed dates, for all inputs: any date round-trips through its text, and any
typed text or value is a date or a refusal that says what to write."""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cspr.cli.common import _date as parse_typed_date
from review_flows.amendments import parse_amended_value
from review_flows.cases import parse_input
from review_flows.errors import CaseDataInvalid
from review_flows.models import CaseEventCreate

# Text people type in a date box: anything, and things shaped like dates with wrong numbers.
date_shaped = st.builds(
    lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}",
    st.integers(-99, 99_999),
    st.integers(-9, 999),
    st.integers(-9, 999),
    st.sampled_from(["-", "/", ".", " ", ""]),
)
typed_text = st.one_of(st.text(max_size=40), date_shaped, st.dates().map(lambda d: f"{d} x"))


def _parsers() -> list[tuple[str, Any]]:
    """Each parser of typed dates, with the start of its refusal message for ``text``."""
    return [
        ("cli", lambda text: parse_typed_date(text, "ON")),
        ("input", lambda text: parse_input(CaseEventCreate, {"kind": "aware", "on": text}).on),
        ("amended", lambda text: parse_amended_value("incident_date", text)),
    ]


def _refusal_start(parser: str, text: str) -> str:
    return {
        "cli": f"ON: {text!r} is not a date; write YYYY-MM-DD",
        "input": "on: ",
        "amended": f"incident date {text!r} is not a date (YYYY-MM-DD)",
    }[parser]


@settings(max_examples=300, deadline=None)
@given(day=st.dates(), pad=st.sampled_from(["", " ", "\t", " \n "]))
def test_any_date_round_trips_through_its_iso_text(day: dt.date, pad: str) -> None:
    text = day.isoformat()
    assert parse_typed_date(pad + text + pad, "ON") == day
    assert parse_input(CaseEventCreate, {"kind": "aware", "on": text}).on == day
    assert parse_amended_value("incident_date", text) == day


@settings(max_examples=300, deadline=None)
@given(text=typed_text)
def test_typed_text_is_a_date_or_a_refusal_that_says_what_to_write(text: str) -> None:
    for name, parse in _parsers():
        try:
            result = parse(text)
        except CaseDataInvalid as refusal:
            assert str(refusal).startswith(_refusal_start(name, text))
            assert len(str(refusal)) > len("on: ")
        else:
            assert type(result) is dt.date
    # the CLI reads what the amendment reads, and the same date
    try:
        amended = parse_amended_value("incident_date", text)
    except CaseDataInvalid:
        return
    assert parse_typed_date(text, "ON") == amended


# Values a form or a JSON payload may hold where a date is wanted.
any_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.datetimes(),
    typed_text,
)


@settings(max_examples=300, deadline=None)
@given(value=any_value)
def test_any_value_for_an_event_date_is_a_date_or_case_data_invalid(value: object) -> None:
    try:
        event = parse_input(CaseEventCreate, {"kind": "notified", "on": value})
    except CaseDataInvalid as refusal:
        assert str(refusal).startswith("on: ")
    else:
        assert type(event.on) is dt.date


@st.composite
def impossible_dates(draw: st.DrawFn) -> str:
    """``YYYY-MM-DD`` text with one part out of range: month 0 or 13+, a day past the month's
    end (30 February), or year 0 or 10000+."""
    year, month = draw(st.integers(1, 9999)), draw(st.integers(1, 12))
    last = gregorian.monthrange(year, month)[1]
    wrong = draw(st.sampled_from(["year", "month", "day"]))
    day = draw(st.integers(last + 1, 99)) if wrong == "day" else 1
    if wrong == "month":
        month = draw(st.sampled_from([0, *range(13, 100)]))
    if wrong == "year":
        year = draw(st.sampled_from([0, *range(10_000, 10_100)]))
    return f"{year:04d}-{month:02d}-{day:02d}"


@settings(max_examples=200, deadline=None)
@given(text=impossible_dates())
def test_out_of_range_dates_are_refused_with_a_message(text: str) -> None:
    for name, parse in _parsers():
        with pytest.raises(CaseDataInvalid) as refusal:
            parse(text)
        assert str(refusal.value).startswith(_refusal_start(name, text))
