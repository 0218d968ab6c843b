"""England's milestones against hand-computed dates (checked on a calendar, holidays
marked): CSPR under Working Together 2018 and 2023, and SCR under 2013/2015.

England & Wales bank holidays used below: 25/28 Dec 2020, 1 Jan 2021, 30 Aug 2021;
26/27 Dec 2022, 2 Jan 2023; 29 Mar and 1 Apr 2024 (Easter); 26 May 2025; 14/17 Apr 2017
(Easter); 25/26 Dec 2023, 1 Jan 2024.
"""

from __future__ import annotations

import datetime as dt

import pytest

from review_flows.events import Event
from review_flows.milestones import MilestoneStatus
from review_flows.timeline import add_calendar_months
from tests.review_flows.computed_milestones import D, K, S, _compute, _events, _row

# --- England CSPR, every milestone, across Christmas 2020 ----------------------------------------


def test_cspr_2018_full_case_over_christmas_2020() -> None:
    events = _events(
        (K.AWARE, D(2020, 12, 18)),
        (K.NOTIFIED, D(2020, 12, 23)),
        (K.RAPID_REVIEW_SUBMITTED, D(2021, 1, 15)),
        (K.PANEL_RESPONSE, D(2021, 1, 29)),
        (K.DECISION, D(2021, 2, 1)),
        (K.DELAY_RECORDED, D(2021, 7, 20)),
        (K.PUBLICATION_PLANNED, D(2021, 9, 15)),
        (K.REPORT_SENT, D(2021, 9, 3)),
        (K.PUBLISHED, D(2021, 9, 15)),
    )
    got = _compute("england-cspr-2018", events, D(2021, 10, 1))
    assert list(got) == [
        "notification",
        "rapid_review",
        "rapid_review_from_notification",
        "review_decision",
        "panel_decision",
        "review_published",
        "report_to_panel",
        "publication_kept_until",
        "delay_notice",
    ]
    # 21, 22, 23, 24 Dec; 25 and 28 Dec closed; 29 Dec is day 5.
    assert _row(got["notification"]) == (D(2020, 12, 29), D(2020, 12, 23), S.DONE_ON_TIME, None, 3)
    # From 18 Dec: 21-24 (4), 29-31 (7), 1 Jan closed, 4-8 (12), 11-13 (15).
    assert _row(got["rapid_review"]) == (D(2021, 1, 13), D(2021, 1, 15), S.DONE_LATE, None, 17)
    # From 23 Dec: 24 (1), 29-31 (4), 4-8 (9), 11-15 (14), 18 (15).
    assert _row(got["rapid_review_from_notification"]) == (
        D(2021, 1, 18),
        D(2021, 1, 15),
        S.DONE_ON_TIME,
        None,
        14,
    )
    # no time limit: "done", never "done on time"
    assert _row(got["review_decision"]) == (None, D(2021, 2, 1), S.DONE, None, 11)
    assert _row(got["panel_decision"]) == (None, D(2021, 1, 29), S.DONE, None, 10)
    # Elapsed 2 Feb to 15 Sep 2021: 19 + 23 + 20 (Easter) + 19 (3 and 31 May) + 22 + 22
    # + 21 (30 Aug) + 11 = 157 working days.
    assert _row(got["review_published"]) == (D(2021, 8, 1), D(2021, 9, 15), S.DONE_LATE, None, 157)
    # 7 working days back from Wed 15 Sep 2021: 14, 13, 10, 9, 8, 7, 6 Sep.
    assert _row(got["report_to_panel"]) == (
        D(2021, 9, 6),
        D(2021, 9, 3),
        S.DONE_ON_TIME,
        None,
        None,
    )
    kept = got["publication_kept_until"]
    assert (kept.due, kept.done, kept.status) == (D(2022, 9, 15), None, S.DUE)
    # Oct 20, Nov 22, Dec 21, Jan 20, Feb 20, Mar 23, Apr 19, May 21, Jun 20 (jubilee),
    # Jul 21, Aug 22, 1-15 Sep 11 working days.
    assert kept.working_days_remaining == 240
    assert _row(got["delay_notice"])[:3] == (D(2021, 8, 1), D(2021, 7, 20), S.DONE_ON_TIME)


def test_both_rapid_review_readings_alert_on_the_earlier() -> None:
    got = _compute(
        "england-cspr-2018",
        _events((K.AWARE, D(2020, 12, 18)), (K.NOTIFIED, D(2020, 12, 23))),
        D(2021, 1, 5),
    )
    aware, notified = got["rapid_review"], got["rapid_review_from_notification"]
    assert (aware.due, aware.alert) == (D(2021, 1, 13), True)
    assert (notified.due, notified.alert) == (D(2021, 1, 18), False)
    assert aware.alternatives == (("rapid_review_from_notification", D(2021, 1, 18)),)
    assert notified.alternatives == (("rapid_review", D(2021, 1, 13)),)
    assert aware.rule == "15 working days from aware"
    assert notified.rule == "15 working days from notified"


def test_only_reading_with_a_clock_gets_the_alert() -> None:
    got = _compute("england-cspr-2018", _events((K.AWARE, D(2020, 12, 18))), D(2021, 1, 5))
    assert got["rapid_review"].alert
    assert got["rapid_review_from_notification"].status is S.NOT_STARTED
    assert not got["rapid_review_from_notification"].alert
    assert got["rapid_review"].alternatives == (("rapid_review_from_notification", None),)


# --- due soon, overdue, on the due date (Easter 2024, WT2023) -------------------------------------

EASTER_2024 = _events((K.AWARE, D(2024, 3, 25)), (K.NOTIFIED, D(2024, 4, 3)))


@pytest.mark.parametrize(
    ("today", "due_soon", "rapid_review", "from_notification"),
    [
        # RR from 25 Mar: 26-28 (3), 29 Mar and 1 Apr closed, 2-5 (7), 8-12 (12), 15-17 (15).
        # From 3 Apr: 4-5 (2), 8-12 (7), 15-19 (12), 22-24 (15).
        (D(2024, 4, 16), 5, (S.DUE_SOON, 1), (S.DUE, 6)),
        (D(2024, 4, 16), 0, (S.DUE, 1), (S.DUE, 6)),
        (D(2024, 4, 17), 0, (S.DUE_SOON, 0), (S.DUE, 5)),
        (D(2024, 4, 18), 5, (S.OVERDUE, -1), (S.DUE_SOON, 4)),
        (D(2024, 4, 22), 5, (S.OVERDUE, -3), (S.DUE_SOON, 2)),
        (D(2024, 4, 25), 5, (S.OVERDUE, -6), (S.OVERDUE, -1)),
    ],
)
def test_due_soon_and_overdue(
    today: dt.date, due_soon: int, rapid_review: tuple, from_notification: tuple
) -> None:
    got = _compute("england-cspr-2023", EASTER_2024, today, due_soon_working_days=due_soon)
    assert got["notification"].due == D(2024, 4, 3)  # 26, 27, 28, 2, 3 April
    assert got["notification"].status is S.DONE_ON_TIME  # done on the due date
    assert got["rapid_review"].due == D(2024, 4, 17)
    assert got["rapid_review_from_notification"].due == D(2024, 4, 24)
    pairs = (got["rapid_review"], got["rapid_review_from_notification"])
    assert [(m.status, m.working_days_remaining) for m in pairs] == [
        rapid_review,
        from_notification,
    ]


def test_done_one_day_after_the_due_date_is_late() -> None:
    events = [*EASTER_2024, Event(K.RAPID_REVIEW_SUBMITTED, D(2024, 4, 18), id=9)]
    got = _compute("england-cspr-2023", events, D(2024, 5, 1))
    assert got["rapid_review"].status is S.DONE_LATE
    assert got["rapid_review_from_notification"].status is S.DONE_ON_TIME


def test_not_started_milestones_say_so() -> None:
    got = _compute("england-cspr-2023", EASTER_2024, D(2024, 4, 16))
    for name in ("review_decision", "panel_decision", "review_published", "report_to_panel"):
        assert _row(got[name]) == (None, None, S.NOT_STARTED, None, None)
        assert got[name].start is None


# --- six calendar months, end-of-month clamp, delay notice ----------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 3, 31), 1, D(2024, 4, 30)),
        (D(2024, 12, 15), 2, D(2025, 2, 15)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 3, 31), -1, D(2024, 2, 29)),
        (D(2021, 2, 1), 6, D(2021, 8, 1)),
    ],
)
def test_add_calendar_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_calendar_months(day, months) == expected


def test_six_months_from_31_august_is_end_of_february() -> None:
    leap = _compute("england-cspr-2018", _events((K.DECISION, D(2023, 8, 31))), D(2023, 9, 1))
    assert leap["review_published"].due == D(2024, 2, 29)
    plain = _compute("england-cspr-2023", _events((K.DECISION, D(2024, 8, 31))), D(2024, 9, 1))
    assert plain["review_published"].due == D(2025, 2, 28)
    assert plain["delay_notice"].due == D(2025, 2, 28)


@pytest.mark.parametrize(
    ("extra", "today", "published", "delay_notice"),
    [
        # Nothing recorded by Mon 3 Mar 2025: both late by one working day (due Fri 28 Feb).
        ((), D(2025, 3, 3), (S.OVERDUE, -1), (S.OVERDUE, -1)),
        # Published in time: no delay notice needed.
        (
            ((K.PUBLISHED, D(2025, 2, 20)),),
            D(2025, 3, 3),
            (S.DONE_ON_TIME, None),
            (S.NOT_APPLICABLE, None),
        ),
        # Published late, notice given in time.
        (
            ((K.DELAY_RECORDED, D(2025, 2, 27)), (K.PUBLISHED, D(2025, 3, 10))),
            D(2025, 3, 12),
            (S.DONE_LATE, None),
            (S.DONE_ON_TIME, None),
        ),
        # Published late without a notice: 3-7 and 10-12 March, 8 working days late.
        (((K.PUBLISHED, D(2025, 3, 10)),), D(2025, 3, 12), (S.DONE_LATE, None), (S.OVERDUE, -8)),
        # Still open on 27 Feb: one working day left to publish; no delay notice needed yet.
        ((), D(2025, 2, 27), (S.DUE_SOON, 1), (S.NOT_APPLICABLE, None)),
        # Publication planned after the six months: the notice is due, with a day left.
        (((K.PUBLICATION_PLANNED, D(2025, 4, 1)),), D(2025, 2, 27), (S.DUE_SOON, 1),
         (S.DUE_SOON, 1)),
        # A plan within the six months: no notice needed.
        (((K.PUBLICATION_PLANNED, D(2025, 2, 28)),), D(2025, 2, 20), (S.DUE, 6),
         (S.NOT_APPLICABLE, None)),
        # Late, with the delay notified: "late, delay notified", not plainly overdue.
        (((K.DELAY_RECORDED, D(2025, 2, 27)),), D(2025, 3, 3), (S.LATE_DELAY_NOTIFIED, -1),
         (S.DONE_ON_TIME, None)),
    ],
)  # fmt: skip
def test_review_published_and_delay_notice(
    extra: tuple, today: dt.date, published: tuple, delay_notice: tuple
) -> None:
    events = _events((K.AWARE, D(2024, 7, 1)), (K.DECISION, D(2024, 8, 31)), *extra)
    got = _compute("england-cspr-2023", events, today)
    pairs = (got["review_published"], got["delay_notice"])
    assert [(m.status, m.working_days_remaining) for m in pairs] == [published, delay_notice]


@pytest.mark.parametrize(
    ("today", "status", "remaining"),
    [
        (D(2021, 7, 22), S.DUE, 6),  # 23, 26-30 July
        (D(2021, 7, 23), S.DUE_SOON, 5),
        (D(2021, 7, 30), S.DUE_SOON, 0),  # Friday before a Sunday deadline
        (D(2021, 8, 1), S.DUE_SOON, 0),  # the Sunday itself
        (D(2021, 8, 2), S.OVERDUE, -1),
    ],
)
def test_calendar_month_deadline_on_a_sunday(
    today: dt.date, status: MilestoneStatus, remaining: int
) -> None:
    got = _compute("england-cspr-2018", _events((K.DECISION, D(2021, 2, 1))), today)
    assert got["review_published"].due == D(2021, 8, 1)
    assert (got["review_published"].status, got["review_published"].working_days_remaining) == (
        status,
        remaining,
    )


@pytest.mark.parametrize(
    ("today", "report_sent", "status", "remaining"),
    [
        # Planned Mon 2 June 2025: back 30, 29, 28, 27 May, 26 May closed, 23, 22, 21 May.
        (D(2025, 5, 20), None, S.DUE_SOON, 1),
        (D(2025, 5, 22), None, S.OVERDUE, -1),
        (D(2025, 5, 22), D(2025, 5, 21), S.DONE_ON_TIME, None),
        (D(2025, 5, 22), D(2025, 5, 22), S.DONE_LATE, None),
        (D(2025, 4, 1), D(2025, 3, 1), S.DONE_ON_TIME, None),  # sent long before: fine
    ],
)
def test_report_to_panel_counts_back_from_planned_publication(
    today: dt.date, report_sent: dt.date | None, status: MilestoneStatus, remaining: int | None
) -> None:
    pairs = [(K.AWARE, D(2024, 7, 1)), (K.DECISION, D(2024, 9, 2))]
    pairs.append((K.PUBLICATION_PLANNED, D(2025, 6, 2)))
    if report_sent is not None:
        pairs.append((K.REPORT_SENT, report_sent))
    report = _compute("england-cspr-2023", _events(*pairs), today)["report_to_panel"]
    assert (report.due, report.start, report.status) == (D(2025, 5, 21), D(2025, 6, 2), status)
    assert report.working_days_remaining == remaining
    assert report.rule == "at least 7 working days before publication planned"


def test_a_rescheduled_publication_moves_the_report_deadline() -> None:
    # Planned for 2 June 2025, then re-planned (recorded later) for an earlier date, 2 May 2025:
    # the latest plan wins, so the report is due 7 working days before 2 May: Wednesday 23 April.
    events = _events(
        (K.AWARE, D(2024, 7, 1)),
        (K.DECISION, D(2024, 9, 2)),
        (K.PUBLICATION_PLANNED, D(2025, 6, 2)),
        (K.PUBLICATION_PLANNED, D(2025, 5, 2)),
    )
    report = _compute("england-cspr-2023", events, D(2025, 4, 1))["report_to_panel"]
    assert (report.start, report.due) == (D(2025, 5, 2), D(2025, 4, 23))


def test_no_review_decision_makes_the_review_milestones_not_applicable() -> None:
    events = _events(
        (K.AWARE, D(2024, 2, 1)),
        (K.RAPID_REVIEW_SUBMITTED, D(2024, 2, 20)),
        (K.DECISION_NO_REVIEW, D(2024, 2, 20)),
    )
    got = _compute("england-cspr-2023", events, D(2024, 3, 1))
    assert got["review_decision"].status is S.DONE
    for name in ("review_published", "report_to_panel", "publication_kept_until", "delay_notice"):
        assert got[name].status is S.NOT_APPLICABLE


# --- SCR (Working Together 2013/2015) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "kept"),
    [
        (D(2019, 3, 4), (D(2019, 3, 5), None, S.DUE, 1, None)),
        (D(2019, 3, 5), (D(2019, 3, 5), D(2019, 3, 5), S.DONE_ON_TIME, None, None)),
    ],
)
def test_scr_full_case_over_easter_2017(today: dt.date, kept: tuple) -> None:
    events = _events(
        (K.AWARE, D(2017, 4, 10)),
        (K.NOTIFIED, D(2017, 4, 19)),
        (K.DECISION, D(2017, 5, 31)),
        (K.REPORT_SENT, D(2018, 2, 20)),
        (K.PUBLICATION_PLANNED, D(2018, 3, 5)),
        (K.PUBLISHED, D(2018, 3, 5)),
    )
    got = _compute("england-scr-2015", events, today)
    # 11, 12, 13 Apr, Good Friday and Easter Monday closed, 18, 19 Apr.
    assert _row(got["notification"]) == (D(2017, 4, 19), D(2017, 4, 19), S.DONE_ON_TIME, None, 5)
    assert _row(got["scr_decision"])[:3] == (D(2017, 5, 19), D(2017, 5, 31), S.DONE_LATE)
    assert got["no_review_notice"].status is S.NOT_APPLICABLE
    assert _row(got["scr_completed"])[:3] == (D(2017, 11, 30), D(2018, 2, 20), S.DONE_LATE)
    assert _row(got["copy_before_publication"]) == (
        D(2018, 2, 26),
        D(2018, 2, 20),
        S.DONE_ON_TIME,
        None,
        None,
    )
    assert _row(got["publication_kept_until"]) == kept


def test_scr_no_review_notice() -> None:
    events = _events(
        (K.AWARE, D(2017, 12, 11)),
        (K.NOTIFIED, D(2017, 12, 15)),
        (K.DECISION_NO_REVIEW, D(2017, 12, 20)),
        (K.REPORT_SENT, D(2018, 1, 5)),
    )
    got = _compute("england-scr-2015", events, D(2018, 1, 10))
    assert _row(got["notification"])[:3] == (D(2017, 12, 18), D(2017, 12, 15), S.DONE_ON_TIME)
    assert _row(got["scr_decision"])[:3] == (D(2018, 1, 15), D(2017, 12, 20), S.DONE_ON_TIME)
    assert _row(got["no_review_notice"])[:3] == (D(2018, 1, 3), D(2018, 1, 5), S.DONE_LATE)
    for name in ("scr_completed", "copy_before_publication", "publication_kept_until"):
        assert got[name].status is S.NOT_APPLICABLE
