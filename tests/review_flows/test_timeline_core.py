"""The timeline as a pure function: corrections and first events, repeatable results,
the dict form, no framework imported, and statuses that agree with their dates for
any events (hypothesis).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review_flows.calendar import Nation, WorkingCalendar, calendar_for
from review_flows.events import Event, EventKind
from review_flows.milestones import MilestoneStatus, milestone_to_dict
from review_flows.rulebook import load_rulebook
from review_flows.timeline import compute_milestones
from tests.review_flows.computed_milestones import D, K, S, _compute, _events


@pytest.fixture(scope="module")
def calendar_ew() -> WorkingCalendar:
    return calendar_for(Nation.ENGLAND)


# --- corrections, first start, first completion --------------------------------------------


@pytest.mark.parametrize(
    ("events", "due", "status"),
    [
        # No correction: due 29 Dec (21, 22, 23, 28, 29), notified 29th on time.
        (
            [Event(K.AWARE, D(2022, 12, 20), id=1), Event(K.NOTIFIED, D(2022, 12, 29), id=2)],
            D(2022, 12, 29),
            S.DONE_ON_TIME,
        ),
        # Awareness corrected to 19 Dec: due 28 Dec, so the 29th is late.
        (
            [
                Event(K.AWARE, D(2022, 12, 20), id=1),
                Event(K.NOTIFIED, D(2022, 12, 29), id=2),
                Event(K.CORRECTION, D(2022, 12, 19), id=3, corrects=1),
            ],
            D(2022, 12, 28),
            S.DONE_LATE,
        ),
        # A later correction wins: 21 Dec, due 30 Dec.
        (
            [
                Event(K.AWARE, D(2022, 12, 20), id=1),
                Event(K.NOTIFIED, D(2022, 12, 29), id=2),
                Event(K.CORRECTION, D(2022, 12, 19), id=3, corrects=1),
                Event(K.CORRECTION, D(2022, 12, 21), id=4, corrects=1),
            ],
            D(2022, 12, 30),
            S.DONE_ON_TIME,
        ),
        # Correcting the done event.
        (
            [
                Event(K.AWARE, D(2022, 12, 20), id=1),
                Event(K.NOTIFIED, D(2022, 12, 29), id=2),
                Event(K.CORRECTION, D(2023, 1, 3), id=3, corrects=2),
            ],
            D(2022, 12, 29),
            S.DONE_LATE,
        ),
        # Corrections of unknown events, or of nothing, change nothing.
        (
            [
                Event(K.AWARE, D(2022, 12, 20), id=1),
                Event(K.NOTIFIED, D(2022, 12, 29), id=2),
                Event(K.CORRECTION, D(2022, 12, 1), id=3, corrects=99),
                Event(K.CORRECTION, D(2022, 12, 1), id=4),
            ],
            D(2022, 12, 29),
            S.DONE_ON_TIME,
        ),
        # The first (earliest) start event counts.
        (
            [
                Event(K.AWARE, D(2022, 12, 21), id=1),
                Event(K.AWARE, D(2022, 12, 19), id=2),
                Event(K.NOTIFIED, D(2022, 12, 29), id=3),
            ],
            D(2022, 12, 28),
            S.DONE_LATE,
        ),
        # A completing event before the start does not complete it; the next one does.
        (
            [
                Event(K.NOTIFIED, D(2022, 12, 10), id=1),
                Event(K.AWARE, D(2022, 12, 20), id=2),
                Event(K.NOTIFIED, D(2022, 12, 28), id=3),
            ],
            D(2022, 12, 29),
            S.DONE_ON_TIME,
        ),
    ],
)
def test_corrections_and_first_events(
    events: list[Event], due: dt.date, status: MilestoneStatus
) -> None:
    notification = _compute("england-cspr-2018", events, D(2023, 1, 10))["notification"]
    assert (notification.due, notification.status) == (due, status)


def test_compute_is_pure_and_repeatable(calendar_ew: WorkingCalendar) -> None:
    book = load_rulebook("england-cspr-2018")
    events = _events((K.AWARE, D(2022, 12, 20)), (K.NOTIFIED, D(2022, 12, 22)))
    first = compute_milestones(events, book, calendar_ew, D(2023, 1, 16))
    second = compute_milestones(tuple(events), book, calendar_ew, D(2023, 1, 16))
    assert first == second
    assert events == _events((K.AWARE, D(2022, 12, 20)), (K.NOTIFIED, D(2022, 12, 22)))
    with pytest.raises(AttributeError):
        first[0].status = S.DUE  # type: ignore[misc]


def test_milestone_to_dict(calendar_ew: WorkingCalendar) -> None:
    book = load_rulebook("england-cspr-2018")
    events = _events((K.AWARE, D(2022, 12, 20)), (K.NOTIFIED, D(2022, 12, 22)))
    rows = [
        milestone_to_dict(m) for m in compute_milestones(events, book, calendar_ew, D(2023, 1, 16))
    ]
    assert rows[0] == {
        "milestone": "notification",
        "label": "Serious incident notification to the Panel",
        "due": "2022-12-29",
        "done": "2022-12-22",
        "status": "done_on_time",
        "working_days_remaining": None,
        "elapsed_working_days": 2,
        "rule": "5 working days from aware",
        "source": book.source_text(book.rule("notification")),
        "confidence": "confirmed",
        "responsible": "Local authority where the incident happened",
        "start_event": "aware",
        "start": "2022-12-20",
        "local_target": False,
        "alert": True,
        "alternatives": [],
        "note": None,
    }
    assert rows[1]["alternatives"] == [
        {"milestone": "rapid_review_from_notification", "due": "2023-01-17"}
    ]
    assert rows[3]["due"] is None and rows[3]["status"] == "not_started"


def test_clock_core_imports_no_framework() -> None:
    """The pure core (calendar, rulebook, timeline) pulls in no flow, UI, index or DB library."""
    import subprocess
    import sys

    code = (
        "import sys, review_flows.timeline, review_flows.rulebook, review_flows.calendar\n"
        "banned = {'prefect', 'streamlit', 'faiss', 'sqlmodel', 'sqlalchemy', 'torch'}\n"
        "print(sorted(banned & {name.split('.')[0] for name in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


_KINDS = [kind for kind in EventKind if kind is not EventKind.CORRECTION]


@settings(max_examples=200, deadline=None)
@given(
    ruleset=st.sampled_from(["england-cspr-2018", "england-cspr-2023", "england-scr-2015"]),
    logged=st.lists(
        st.tuples(st.sampled_from(_KINDS), st.dates(D(2015, 1, 1), D(2027, 12, 31))), max_size=12
    ),
    today=st.dates(D(2015, 1, 1), D(2028, 12, 31)),
    as_text=st.booleans(),
)
def test_statuses_agree_with_dates(
    ruleset: str, logged: list[tuple[EventKind, dt.date]], today: dt.date, as_text: bool
) -> None:
    # Kinds may arrive as plain strings from a database row; they must count the same.
    events = [
        Event(str(kind) if as_text else kind, day, id=i) for i, (kind, day) in enumerate(logged)
    ]
    for m in _compute(ruleset, events, today).values():
        if m.status in (S.DUE, S.DUE_SOON):
            assert m.due is not None and today <= m.due and m.working_days_remaining >= 0
        elif m.status in (S.OVERDUE, S.LATE_DELAY_NOTIFIED):
            assert m.due is not None and today > m.due and m.working_days_remaining <= 0
        elif m.status is S.DONE_LATE:
            assert m.done > m.due
        elif m.status is S.DONE_ON_TIME:
            assert m.done is not None and m.due is not None and m.done <= m.due
        elif m.status is S.DONE:
            assert m.done is not None and m.due is None
        elif m.status in (S.NO_TIME_LIMIT, S.STALLED):
            assert m.due is None and m.done is None and m.start is not None
        elif m.status is S.NOT_STARTED:
            assert m.start is None and m.due is None
        elif m.status is S.NOT_RECORDED:  # taken over later: its start or its end has no date
            assert events[0].kind == EventKind.HISTORY_IMPORTED
            assert m.start is None or m.done is None
        else:  # not applicable: never started, or waived by a timely event (delay notice)
            assert m.status is S.NOT_APPLICABLE
            assert m.start is None or m.due is not None
