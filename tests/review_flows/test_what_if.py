"""The what-if calculator on every bundled rulebook: future dates give milestones with due dates,
partial histories give the milestones they can with a warning naming each missing step, and
only a date outside the calendars is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from review_flows.calendar import WorkingCalendar, calendar_for
from review_flows.errors import CalendarRangeError
from review_flows.events import Event, EventKind
from review_flows.milestones import Milestone, MilestoneStatus
from review_flows.rulebook import DurationUnit, Rule, Rulebook, list_rulebooks, load_rulebook
from review_flows.timeline import compute_milestones
from review_flows.what_if import CALCULATOR_KINDS, WhatIf, what_if

D = dt.date
K = EventKind
S = MilestoneStatus
BOOKS = list_rulebooks()
#: The local target the tests give every untimed milestone, so each rulebook has due dates.
TARGET_DAYS = 10


def _events(*pairs: tuple[EventKind, dt.date]) -> list[Event]:
    return [Event(kind, day, id=index) for index, (kind, day) in enumerate(pairs, start=1)]


def _targets(book: Rulebook) -> dict[str, int]:
    return {
        f"{book.id}:{rule.milestone}": TARGET_DAYS for rule in book.rules if rule.duration is None
    }


def _run(
    book: Rulebook,
    events: list[Event],
    today: dt.date,
    *,
    incident_date: dt.date | None = None,
    local_targets: dict[str, int] | None = None,
) -> WhatIf:
    return what_if(
        events,
        book,
        calendar_for(book.nation),
        today,
        incident_date=incident_date,
        local_targets=local_targets,
    )


def _by_id(result: WhatIf) -> dict[str, Milestone]:
    return {m.milestone: m for m in result.milestones}


def _working_days_after(calendar: WorkingCalendar, start: dt.date, count: int) -> dt.date:
    """Counted here day by day: a working day is a weekday that is not a bank holiday."""
    day = start
    while count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in calendar.holidays:
            count -= 1
    return day


def _expected_due(rule: Rule, start: dt.date, calendar: WorkingCalendar) -> dt.date:
    if rule.duration is None:
        return _working_days_after(calendar, start, TARGET_DAYS)
    if rule.unit is DurationUnit.WORKING_DAYS:
        return _working_days_after(calendar, start, rule.duration)
    if rule.unit is DurationUnit.CALENDAR_DAYS:
        return start + dt.timedelta(days=rule.duration)
    return start + relativedelta(months=rule.duration)


def _era(book: Rulebook) -> dt.date:
    """An awareness date the book governs: Christmas Eve 2026, or the book's last month."""
    end = book.in_force_to
    return D(2026, 12, 24) if end is None else end - dt.timedelta(days=20)


@pytest.mark.parametrize("book", BOOKS, ids=lambda book: book.id)
def test_a_future_awareness_gives_due_dates_and_no_warning(book: Rulebook) -> None:
    aware = _era(book)
    today = aware - dt.timedelta(days=16)  # a what-if two weeks ahead
    result = _run(
        book, _events((K.AWARE, aware)), today, incident_date=aware, local_targets=_targets(book)
    )
    assert result.warnings == ()
    calendar = calendar_for(book.nation)
    expected = {
        rule.milestone: _expected_due(rule, aware, calendar)
        for rule in book.rules
        if rule.start_event is K.AWARE
    }
    dated = {m.milestone: m.due for m in result.milestones if m.due is not None}
    assert dated == expected
    for milestone in result.milestones:
        assert milestone.status in ({S.DUE, S.DUE_SOON} if milestone.due else {S.NOT_STARTED})


@pytest.mark.parametrize("book", BOOKS, ids=lambda book: book.id)
def test_a_future_awareness_and_notification_give_the_next_due_dates(book: Rulebook) -> None:
    aware = _era(book)
    notified = aware + dt.timedelta(days=3)
    today = aware - dt.timedelta(days=16)
    events = _events((K.AWARE, aware), (K.NOTIFIED, notified))
    result = _run(book, events, today, incident_date=aware, local_targets=_targets(book))
    assert result.warnings == ()
    milestones = _by_id(result)
    calendar = calendar_for(book.nation)
    from_notification = [rule for rule in book.rules if rule.start_event is K.NOTIFIED]
    assert from_notification, "every rulebook has a clock from the notification"
    for rule in from_notification:
        milestone = milestones[rule.milestone]
        assert milestone.due == _expected_due(rule, notified, calendar), rule.milestone
        assert milestone.status in {S.DUE, S.DUE_SOON}


@pytest.mark.parametrize("book", BOOKS, ids=lambda book: book.id)
def test_a_decision_without_notification_gives_the_review_milestones_and_a_warning(
    book: Rulebook,
) -> None:
    aware = _era(book) - dt.timedelta(days=60)
    decision = aware + dt.timedelta(days=29)
    today = decision + dt.timedelta(days=20)
    events = _events((K.AWARE, aware), (K.DECISION, decision))
    result = _run(book, events, today, incident_date=aware, local_targets=_targets(book))
    missing = [w for w in result.warnings if w.startswith("No date given for “Incident notified”")]
    assert len(missing) == 1
    assert "a step before “Decided to hold a local review”" in missing[0]
    milestones = _by_id(result)
    calendar = calendar_for(book.nation)
    review = [rule for rule in book.rules if rule.start_event is K.DECISION]
    assert review, "every rulebook has a review clock from the decision"
    for rule in review:
        assert milestones[rule.milestone].start == decision
        assert milestones[rule.milestone].due == _expected_due(rule, decision, calendar)
    for rule in book.rules:
        if rule.start_event is K.NOTIFIED:  # its clock needs the date that is missing
            assert milestones[rule.milestone].status is S.NOT_STARTED
            assert f"“{rule.label}”" in missing[0]


@pytest.mark.parametrize(
    "ruleset", [book.id for book in BOOKS if book.nation.value == "england" and "cspr" in book.id]
)
def test_england_names_the_missing_rapid_review_and_what_it_leaves_out(ruleset: str) -> None:
    book = load_rulebook(ruleset)
    aware = _era(book) - dt.timedelta(days=60)
    result = _run(
        book,
        _events((K.AWARE, aware), (K.DECISION, aware + dt.timedelta(days=29))),
        aware + dt.timedelta(days=40),
    )
    assert result.warnings == (
        "No date given for “Incident notified”, a step before “Decided to hold a local review”: "
        "“Serious incident notification to the Panel” is computed from “Became aware of the "
        "incident” and shows as not done; milestones that start from it are not computed "
        "(“Rapid review sent to the Panel (clock from the notification)”)",
        "No date given for “Rapid review submitted”, a step before “Decided to hold a local "
        "review”: “Rapid review sent to the Panel (clock from awareness)” is computed from "
        "“Became aware of the incident” and shows as not done; milestones that start from it are "
        "not computed (“Decision on a local review (LCSPR, none, or national)”, “Panel response "
        "to the rapid review”)",
    )
    milestones = _by_id(result)
    assert milestones["notification"].status is S.OVERDUE
    assert milestones["review_decision"].status is S.NOT_STARTED


ENGLAND = load_rulebook("england-cspr-2023")
WALES = load_rulebook("wales-susr")
A = D(2025, 3, 3)  # aware, a Monday


def test_a_complete_ordered_case_has_no_warning_and_the_timeline_s_milestones() -> None:
    events = _events(
        (K.AWARE, A), (K.NOTIFIED, D(2025, 3, 5)), (K.RAPID_REVIEW_SUBMITTED, D(2025, 3, 20)),
        (K.DECISION, D(2025, 3, 20)), (K.DELAY_RECORDED, D(2025, 4, 1)),
        (K.PANEL_RESPONSE, D(2025, 4, 2)),
    )  # fmt: skip
    today = D(2025, 5, 1)
    result = _run(ENGLAND, events, today, incident_date=A)
    assert result.warnings == ()
    expected = compute_milestones(events, ENGLAND, calendar_for(ENGLAND.nation), today)
    assert list(result.milestones) == expected


def test_no_awareness_is_a_warning_and_its_clocks_are_not_started() -> None:
    result = _run(ENGLAND, _events((K.NOTIFIED, A)), D(2025, 3, 10))
    assert result.warnings == (
        "No date given for “Became aware of the incident”: milestones that start from it are not "
        "computed (“Serious incident notification to the Panel”, “Rapid review sent to the Panel "
        "(clock from awareness)”)",
    )
    milestones = _by_id(result)
    assert milestones["notification"].status is S.NOT_STARTED
    assert milestones["rapid_review_from_notification"].due == D(2025, 3, 24)


def test_steps_out_of_order_are_warnings_and_computed_as_given() -> None:
    events = _events((K.AWARE, A), (K.DECISION, D(2025, 3, 10)), (K.NOTIFIED, D(2025, 3, 12)))
    result = _run(WALES, events, D(2025, 4, 1), incident_date=A)
    assert result.warnings == (
        "“Decided to hold a local review” (2025-03-10) is dated before “Incident notified” "
        "(2025-03-12), which comes before it: check the dates",
    )
    assert _by_id(result)["review_decision"].start == D(2025, 3, 12)


def test_a_rapid_review_after_the_decision_is_named_against_it() -> None:
    events = _events(
        (K.AWARE, A), (K.NOTIFIED, D(2025, 3, 4)), (K.DECISION, D(2025, 3, 10)),
        (K.RAPID_REVIEW_SUBMITTED, D(2025, 3, 12)),
    )  # fmt: skip
    result = _run(ENGLAND, events, D(2025, 4, 1))
    assert result.warnings == (
        "“Rapid review submitted” (2025-03-12) is dated after “Decided to hold a local review” "
        "(2025-03-10), which comes after it: check the dates",
    )
    assert _by_id(result)["rapid_review"].status is S.DONE_ON_TIME


def test_events_before_the_incident_or_awareness_are_warnings() -> None:
    events = _events((K.AWARE, A), (K.NOTIFIED, D(2025, 2, 27)))
    before_aware = _run(ENGLAND, events, D(2025, 3, 10))
    assert before_aware.warnings == (
        "“Incident notified” (2025-02-27) is dated before “Became aware of the incident” "
        "(2025-03-03), which comes first: check the dates",
    )
    before_incident = _run(ENGLAND, events[:1], D(2025, 3, 10), incident_date=D(2025, 3, 4))
    assert before_incident.warnings == (
        "“Became aware of the incident” (2025-03-03) is before the incident (2025-03-04): "
        "check the dates",
    )


def test_a_step_given_twice_is_a_warning_and_the_earliest_is_used() -> None:
    events = _events((K.AWARE, A), (K.NOTIFIED, D(2025, 3, 6)), (K.NOTIFIED, D(2025, 3, 4)))
    result = _run(ENGLAND, events, D(2025, 3, 10))
    assert result.warnings == (
        "“Incident notified” is given more than once (2025-03-04, 2025-03-06): the earliest, "
        "2025-03-04, is used",
    )
    assert _by_id(result)["rapid_review_from_notification"].start == D(2025, 3, 4)


def test_a_step_the_rulebook_does_not_use_is_left_out_with_a_warning() -> None:
    events = _events((K.AWARE, A), (K.NOTIFIED, D(2025, 3, 4)))
    extra = [*events, Event(K.RAPID_REVIEW_SUBMITTED, D(2025, 3, 10), id=3)]
    result = _run(WALES, extra, D(2025, 4, 1))
    assert result.warnings == (
        "“Rapid review submitted” is not part of a case under Wales single unified safeguarding "
        "review (from October 2024) (rapid reviews are part of England's arrangements under "
        "Working Together 2018 and 2023): it is left out",
    )
    assert result.milestones == _run(WALES, events, D(2025, 4, 1)).milestones


def test_a_publication_without_its_report_names_the_report() -> None:
    events = _events(
        (K.AWARE, A), (K.NOTIFIED, D(2025, 3, 4)), (K.RAPID_REVIEW_SUBMITTED, D(2025, 3, 20)),
        (K.DECISION, D(2025, 3, 20)), (K.REVIEWER_APPOINTED, D(2025, 4, 1)),
        (K.PUBLISHED, D(2025, 9, 1)),
    )  # fmt: skip
    result = _run(ENGLAND, events, D(2025, 9, 2))
    assert result.warnings == (
        "No date given for “Report sent”, a step before “Report published”: no milestone of "
        "this rulebook depends on it",
    )
    assert _by_id(result)["review_published"].status is S.DONE_ON_TIME


def test_a_correction_is_applied_before_the_checks() -> None:
    events = [
        Event(K.AWARE, A, id=1),
        Event(K.NOTIFIED, D(2025, 2, 20), id=2),
        Event(K.CORRECTION, D(2025, 3, 4), id=3, corrects=2),
    ]
    result = _run(ENGLAND, events, D(2025, 3, 10))
    assert result.warnings == ()
    assert _by_id(result)["notification"].done == D(2025, 3, 4)


@pytest.mark.parametrize("day", [D(1900, 1, 1), D(2101, 1, 1)])
def test_only_a_date_outside_the_calendars_is_refused(day: dt.date) -> None:
    with pytest.raises(CalendarRangeError, match=rf"{day.isoformat()} is outside the years"):
        _run(ENGLAND, _events((K.AWARE, A), (K.NOTIFIED, day)), A)


@settings(max_examples=150, deadline=None)
@given(
    book=st.sampled_from(BOOKS),
    pairs=st.lists(
        st.tuples(st.sampled_from(CALCULATOR_KINDS), st.dates(D(2015, 1, 1), D(2030, 12, 31))),
        max_size=8,
    ),
    today=st.dates(D(2015, 1, 1), D(2030, 12, 31)),
)
def test_any_dates_in_the_calendars_give_every_milestone(
    book: Rulebook, pairs: list[tuple[EventKind, dt.date]], today: dt.date
) -> None:
    result = _run(book, _events(*pairs), today, incident_date=today)
    assert [m.milestone for m in result.milestones] == [rule.milestone for rule in book.rules]
    assert all(warning[:1] in {"N", "“"} for warning in result.warnings)
    if not any(kind is K.AWARE for kind, _ in pairs):
        assert any(w.startswith("No date given for “Became aware") for w in result.warnings)
