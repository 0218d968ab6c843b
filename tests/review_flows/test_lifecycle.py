"""The pure lifecycle: stages derived from events, and every refusal of a new event."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review_flows.errors import (
    CorrectionInvalid,
    EventDateInvalid,
    EventNoteMissing,
    EventRefused,
    InvalidTransition,
)
from review_flows.event_validation import validate_event
from review_flows.events import Event, EventKind
from review_flows.lifecycle import TRANSITIONS, Stage, accepted_kinds, derive_stage, is_open

D = dt.date
K = EventKind
INCIDENT = D(2026, 1, 5)
TODAY = D(2026, 3, 31)


def log(*steps: tuple) -> list[Event]:
    """Events with ids 1..n from (kind, date[, note[, corrects]]) tuples."""
    events = []
    for number, (kind, on, *rest) in enumerate(steps, start=1):
        note = rest[0] if rest else None
        corrects = rest[1] if len(rest) > 1 else None
        events.append(Event(kind, on, id=number, note=note, corrects=corrects))
    return events


NOTIFIED = ((K.AWARE, D(2026, 1, 6)), (K.NOTIFIED, D(2026, 1, 8)))
SUBMITTED = (*NOTIFIED, (K.RAPID_REVIEW_SUBMITTED, D(2026, 1, 20)))
LOCAL = (*SUBMITTED, (K.DECISION, D(2026, 1, 22)))
REVIEWING = (*LOCAL, (K.REVIEWER_APPOINTED, D(2026, 2, 2)))
REPORT_SENT = (*REVIEWING, (K.REPORT_SENT, D(2026, 3, 2)))
PUBLISHED = (*REPORT_SENT, (K.PUBLISHED, D(2026, 3, 12)))
CLOSED = (*PUBLISHED, (K.CLOSED, D(2026, 3, 20)))

# (case so far, new event, error, message pattern)
REFUSALS = [
    pytest.param((), Event(K.NOTIFIED, D(2026, 1, 8)), InvalidTransition,
                 "starts with aware", id="first-event-not-aware"),
    pytest.param(NOTIFIED[:1], Event(K.AWARE, D(2026, 1, 7)), InvalidTransition,
                 r"aware is already recorded \(#1 on 2026-01-06\); to change its date, record a "
                 r"correction of #1 with the right date$", id="aware-twice"),
    pytest.param(NOTIFIED[:1], Event(K.RAPID_REVIEW_STARTED, D(2026, 1, 7)), InvalidTransition,
                 r"rapid_review_started needs notified first \(the case is at stage "
                 r"incident_recorded\)", id="rr-before-sin"),
    pytest.param(NOTIFIED, Event(K.PUBLISHED, D(2026, 1, 9)), InvalidTransition,
                 r"published needs decision then reviewer_appointed first",
                 id="published-at-notified"),
    pytest.param((*NOTIFIED, (K.RAPID_REVIEW_STARTED, D(2026, 1, 9))),
                 Event(K.DECISION, D(2026, 1, 10)), InvalidTransition,
                 "decision needs rapid_review_submitted first", id="decision-before-rr-submitted"),
    pytest.param(LOCAL, Event(K.DRAFT_RECEIVED, D(2026, 2, 1)), InvalidTransition,
                 "draft_received needs reviewer_appointed first", id="draft-before-reviewer"),
    pytest.param(CLOSED, Event(K.DELAY_RECORDED, D(2026, 3, 25), note="inquest"), InvalidTransition,
                 "closed does not accept delay_recorded; it accepts: correction, void$",
                 id="anything-after-closed"),
    pytest.param((), Event(K.AWARE, D(2026, 1, 4)), EventDateInvalid,
                 r"aware on 2026-01-04 is before the incident \(2026-01-05\)",
                 id="aware-before-incident"),
    pytest.param(NOTIFIED[:1], Event(K.NOTIFIED, D(2026, 4, 1)), EventDateInvalid,
                 r"notified on 2026-04-01 is in the future \(today is 2026-03-31\)", id="future"),
    pytest.param(NOTIFIED, Event(K.RAPID_REVIEW_SUBMITTED, D(2026, 1, 7)), EventDateInvalid,
                 r"before notified \(2026-01-08\)", id="before-previous-step"),
    pytest.param(PUBLISHED[:-1], Event(K.PUBLISHED, D(2026, 3, 1)), EventDateInvalid,
                 r"published on 2026-03-01 is before report_sent \(2026-03-02\)",
                 id="published-before-report"),
    pytest.param(LOCAL, Event(K.PANEL_RESPONSE, D(2026, 1, 19)), EventDateInvalid,
                 r"panel_response on 2026-01-19 is before rapid_review_submitted \(2026-01-20\)",
                 id="panel-response-before-rr"),
    pytest.param(REVIEWING, Event(K.DRAFT_RECEIVED, D(2026, 2, 1)), EventDateInvalid,
                 r"before reviewer_appointed \(2026-02-02\)", id="draft-before-appointment"),
    pytest.param(NOTIFIED, Event(K.DELAY_RECORDED, D(2026, 1, 9)), EventNoteMissing,
                 "needs a note giving the reason", id="delay-without-note"),
    pytest.param(NOTIFIED, Event(K.DELAY_RECORDED, D(2026, 1, 9), note="  "), EventNoteMissing,
                 "needs a note", id="delay-blank-note"),
    pytest.param(NOTIFIED, Event(K.DELAY_RECORDED, D(2026, 4, 2), note="trial"), EventDateInvalid,
                 "in the future", id="delay-in-future"),
    pytest.param(NOTIFIED, Event(K.CORRECTION, D(2026, 1, 7)), CorrectionInvalid,
                 "must name the event it corrects", id="correction-without-target"),
    pytest.param(NOTIFIED, Event(K.CORRECTION, D(2026, 1, 7), corrects=99), CorrectionInvalid,
                 r"event #99 is not an event of this case; correct one of: #1, #2",
                 id="correction-of-unknown-event"),
    pytest.param((*NOTIFIED, (K.CORRECTION, D(2026, 1, 7), None, 2)),
                 Event(K.CORRECTION, D(2026, 1, 7), corrects=3), CorrectionInvalid,
                 r"event #3 is itself a correction; correct event #2 again",
                 id="correction-of-correction"),
    pytest.param(NOTIFIED, Event(K.CORRECTION, D(2026, 1, 1), corrects=2), EventDateInvalid,
                 r"correcting notified \(#2\) to 2026-01-01: notified on 2026-01-01 is before the "
                 r"incident", id="correction-before-incident"),
    pytest.param(NOTIFIED, Event(K.CORRECTION, D(2026, 4, 1), corrects=2), EventDateInvalid,
                 "in the future", id="correction-to-future"),
    pytest.param(SUBMITTED, Event(K.CORRECTION, D(2026, 1, 21), corrects=2), EventDateInvalid,
                 r"rapid_review_submitted on 2026-01-20 is before notified \(2026-01-21\)",
                 id="correction-breaks-order"),
    pytest.param(NOTIFIED, Event(K.NOTIFIED, D(2026, 1, 9), corrects=2), CorrectionInvalid,
                 "only a correction may reference another event", id="corrects-on-non-correction"),
]  # fmt: skip


@pytest.mark.parametrize(("steps", "new", "error", "match"), REFUSALS)
def test_refusals(steps: tuple, new: Event, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        validate_event(log(*steps), new, INCIDENT, TODAY)


def test_every_refusal_is_an_event_refused() -> None:
    for error in (InvalidTransition, EventDateInvalid, EventNoteMissing, CorrectionInvalid):
        assert issubclass(error, EventRefused)


ACCEPTED = [
    pytest.param(REVIEWING, Event(K.PUBLICATION_PLANNED, D(2026, 6, 1)), id="planned-in-future"),
    pytest.param(NOTIFIED, Event(K.DECISION, D(2026, 1, 20)), id="decision-without-rr"),
    pytest.param(REVIEWING, Event(K.DELAY_RECORDED, D(2026, 1, 10), note="trial"),
                 id="delay-early"),
    pytest.param(REVIEWING, Event(K.PANEL_RESPONSE, D(2026, 1, 25)), id="late-panel-response"),
    pytest.param((*REVIEWING, (K.PUBLICATION_PLANNED, D(2026, 6, 1))),
                 Event(K.CORRECTION, D(2026, 7, 1), corrects=6), id="replan-to-future"),
    pytest.param(CLOSED, Event(K.CORRECTION, D(2026, 3, 13), corrects=8), id="correct-closed-case"),
    pytest.param((*SUBMITTED, (K.DECISION_NO_REVIEW, D(2026, 1, 21))),
                 Event(K.REPORT_SENT, D(2026, 1, 22)), id="no-review-notice"),
    pytest.param(SUBMITTED, Event(K.PANEL_RESPONSE, D(2026, 1, 20)), id="same-day"),
    pytest.param(NOTIFIED, Event(K.CORRECTION, D(2026, 1, 6), corrects=2, note="typo"),
                 id="correction-same-day-as-aware"),
]  # fmt: skip


@pytest.mark.parametrize(("steps", "new"), ACCEPTED)
def test_accepted(steps: tuple, new: Event) -> None:
    assert validate_event(log(*steps), new, INCIDENT, TODAY) is None


@pytest.mark.parametrize(
    ("steps", "stage"),
    [
        ((), Stage.INCIDENT_RECORDED),
        (NOTIFIED[:1], Stage.INCIDENT_RECORDED),
        (NOTIFIED, Stage.NOTIFIED),
        ((*NOTIFIED, (K.RAPID_REVIEW_STARTED, D(2026, 1, 9))), Stage.RAPID_REVIEW),
        (SUBMITTED, Stage.AWAITING_DECISION),
        ((*SUBMITTED, (K.PANEL_RESPONSE, D(2026, 1, 25))), Stage.AWAITING_DECISION),
        ((*SUBMITTED, (K.DECISION_NO_REVIEW, D(2026, 1, 21))), Stage.NO_REVIEW),
        ((*SUBMITTED, (K.NATIONAL_REVIEW_REFERRED, D(2026, 1, 21))), Stage.NATIONAL_REVIEW),
        (LOCAL, Stage.LOCAL_REVIEW),
        (REVIEWING, Stage.REVIEWING),
        (REPORT_SENT, Stage.REPORT_SENT),
        (PUBLISHED, Stage.PUBLISHED),
        ((*PUBLISHED, (K.ACTION_PLAN_AGREED, D(2026, 3, 13))), Stage.ACTIONS),
        (CLOSED, Stage.CLOSED),
        ((*NOTIFIED, (K.CORRECTION, D(2026, 1, 7), None, 2)), Stage.NOTIFIED),
        ((*NOTIFIED, (K.DELAY_RECORDED, D(2026, 1, 9), "trial")), Stage.NOTIFIED),
    ],
)
def test_derive_stage(steps: tuple, stage: Stage) -> None:
    assert derive_stage(log(*steps)) is stage


def test_accepted_kinds_and_open_stages() -> None:
    assert accepted_kinds(Stage.INCIDENT_RECORDED) == (
        K.NOTIFIED,
        K.DELAY_RECORDED,
        K.CORRECTION,
        K.VOID,
    )
    assert accepted_kinds(Stage.CLOSED) == (K.CORRECTION, K.VOID)
    assert [stage for stage in Stage if not is_open(stage)] == [Stage.CLOSED]
    # every stage but closed can be left; every stage is reachable from incident_recorded
    reached, frontier = {Stage.INCIDENT_RECORDED}, [Stage.INCIDENT_RECORDED]
    while frontier:
        for after in TRANSITIONS[frontier.pop()].values():
            if after not in reached:
                reached.add(after)
                frontier.append(after)
    assert reached == set(Stage)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 10)), min_size=1, max_size=25))
def test_walks_with_dates_in_order_are_accepted(choices: list[tuple[int, int]]) -> None:
    """Any walk through the graph with non-decreasing dates up to today is accepted."""
    events = [Event(K.AWARE, INCIDENT, id=1)]
    stage, day = Stage.INCIDENT_RECORDED, INCIDENT
    for pick, gap in choices:
        kinds = [k for k in accepted_kinds(stage) if k not in (K.CORRECTION, K.VOID)]
        if not kinds:
            break
        kind = kinds[pick % len(kinds)]
        day = min(day + dt.timedelta(days=gap), TODAY)
        event = Event(kind, day, id=len(events) + 1, note="reason")
        validate_event(events, event, INCIDENT, TODAY)
        events.append(event)
        stage = TRANSITIONS[stage][kind]
        assert derive_stage(events) is stage


LOG = [
    Event(K.AWARE, D(2026, 1, 6), id=1),
    Event(K.NOTIFIED, D(2026, 1, 8), id=2),
    Event(K.RAPID_REVIEW_STARTED, D(2026, 1, 9), id=3),
]


def test_a_voided_event_leaves_the_log_and_the_stage() -> None:
    void = Event(K.VOID, D(2026, 1, 12), id=4, corrects=3, note="recorded on the wrong case")
    validate_event(LOG, void, INCIDENT, TODAY)
    assert derive_stage([*LOG, void]) is Stage.NOTIFIED
    # the withdrawn step can be recorded again, rightly dated
    again = Event(K.RAPID_REVIEW_STARTED, D(2026, 1, 10), id=5)
    validate_event([*LOG, void], again, INCIDENT, TODAY)


@pytest.mark.parametrize(
    ("void", "message"),
    [
        (Event(K.VOID, D(2026, 1, 12), corrects=3), "void needs a note giving the reason"),
        (Event(K.VOID, D(2026, 1, 12), corrects=9, note="x"),
         r"a void must name the event of this case it voids: #1, #2, #3"),
        (Event(K.VOID, D(2026, 1, 12), corrects=1, note="x"), "aware\) cannot be voided"),
        (Event(K.VOID, D(2026, 1, 12), corrects=2, note="x"),
         r"voiding notified \(#2\) would leave the log out of order .*void the later events "
         r"first"),
    ],
)  # fmt: skip
def test_a_void_that_cannot_be(void: Event, message: str) -> None:
    with pytest.raises((CorrectionInvalid, EventNoteMissing), match=message):
        validate_event(LOG, void, INCIDENT, TODAY)


def test_lifecycle_is_pure() -> None:
    """The lifecycle imports no database, Prefect or UI library."""
    code = (
        "import sys, review_flows.lifecycle; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'sqlmodel', 'prefect', 'streamlit', 'faiss', 'alembic'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
