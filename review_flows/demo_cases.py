"""The demo's fictional cases: about thirty, as a plain table dated relative to today.

Why it exists: a new user, a screenshot or a training session needs a store where every stage,
every nation and every kind of clock status is on show *today*, whatever day today is. So the
demo is a plain table (:data:`DEMO_CASES`) of fictional cases whose events are dated in working
days before ``today`` and turned into dates only when seeding (:func:`demo_date`). Statutory
short clocks are in working days, so "notified 3 working days late" stays exactly 3 on any
day; the six-month clocks get margins of weeks, so a bank holiday never flips a status.

Every case is owned by a demo user (:func:`demo_owner`): a few by ``reviewer`` (a reviewer
sees the cases they own), the others by their partnership's panel member, or by ``admin``
where the partnership has none; its events are recorded by its owner.

One case is a serious case review from before the Panel (29 June 2018). Counted back from
today its incident falls in 2017 or early 2018; from mid-2027 on it would not, and it is then
skipped (``DemoReport.cases_skipped``) rather than dated into the wrong regime.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from review_flows.calendar import WorkingCalendar, calendar_for
from review_flows.demo_partnerships import (
    ADMIN,
    CWM_TAWEL,
    GLENMOOR,
    LOUGHSIDE,
    NORTHSHIRE,
    REVIEWER,
    WESTMERE,
    DemoPartnership,
)
from review_flows.events import EventKind
from review_flows.models import AgeGroup, Outcome

# Incidents from 29 June 2018 go to the Panel, not to a serious case review (rules.md H7): the
# demo SCR is seeded only while its incident, counted back from today, falls before that.
PANEL_FIRST_INCIDENT = dt.date(2018, 6, 29)


@dataclass(frozen=True)
class DemoStep:
    """One event of a demo case, ``ago`` working days before today (negative: after today,
    which only a planned publication may be). A correction or void acts on the latest event of
    kind ``corrects`` recorded before it."""

    kind: EventKind
    ago: int
    note: str | None = None
    corrects: EventKind | None = None


@dataclass(frozen=True)
class DemoCase:
    """A fictional case: who, what, when the authority became aware, and what happened next."""

    reference: str
    partnership: DemoPartnership
    outcome: Outcome
    age_group: AgeGroup
    aware: int  # working days before today
    steps: tuple[DemoStep, ...] = ()
    incident_days_before_aware: int = 1  # calendar days: an incident may fall on a weekend
    looked_after: bool = False
    child_protection_plan: bool = False
    incident_before: dt.date | None = None  # seed only if the incident falls before this date
    owner: str | None = None  # the user the case is assigned to; default: see demo_owner


_K = EventKind
_DEATH, _HARM = Outcome.DEATH, Outcome.SERIOUS_HARM
_U1, _A1, _A5, _A10, _A15 = (
    AgeGroup.UNDER_1,
    AgeGroup.AGE_1_4,
    AgeGroup.AGE_5_9,
    AgeGroup.AGE_10_14,
    AgeGroup.AGE_15_17,
)


def _steps(*items: tuple[EventKind, int] | DemoStep) -> tuple[DemoStep, ...]:
    """Steps from ``(kind, ago)`` pairs, or from a :class:`DemoStep` where a note is needed."""
    return tuple(item if isinstance(item, DemoStep) else DemoStep(*item) for item in items)


def _rapid_review(notified: int, started: int, submitted: int) -> tuple[tuple[EventKind, int], ...]:
    """England's opening after ``aware``: the notification, then the rapid review."""
    return (
        (_K.NOTIFIED, notified),
        (_K.RAPID_REVIEW_STARTED, started),
        (_K.RAPID_REVIEW_SUBMITTED, submitted),
    )


def _review(
    appointed: int, agreed: int, draft: int | None = None
) -> tuple[tuple[EventKind, int], ...]:
    """A review under way: reviewer appointed, terms agreed, and the draft if it came."""
    steps = [(_K.REVIEWER_APPOINTED, appointed), (_K.TERMS_OF_REFERENCE_AGREED, agreed)]
    return tuple(steps + ([(_K.DRAFT_RECEIVED, draft)] if draft is not None else []))


def _publication(*, planned: int, sent: int, published: int) -> tuple[tuple[EventKind, int], ...]:
    """England's ending: the date planned, the report to the Panel, then publication."""
    return ((_K.PUBLICATION_PLANNED, planned), (_K.REPORT_SENT, sent), (_K.PUBLISHED, published))


# One row per case; the comment gives the stage it reaches, then its worst milestone status on
# any day. Kept as a table (fmt: off) so the offsets can be read down the columns.
# fmt: off
DEMO_CASES: tuple[DemoCase, ...] = (
    # --- England: timed clocks (5-day notification, 15-day rapid review, 6-month review) ---
    # Northshire (NSH) and Westmere (WSM) side by side, in the order of the stages they reach.
    # incident_recorded; notification due in 3 working days: due_soon
    DemoCase("NSH-DEMO-001", NORTHSHIRE, _DEATH, _U1, aware=2),
    # incident_recorded; notification 4 working days late: overdue
    DemoCase("NSH-DEMO-002", NORTHSHIRE, _HARM, _A10, aware=9, incident_days_before_aware=3),
    # notified on time; rapid review due in 3 working days: due_soon
    DemoCase("WSM-DEMO-001", WESTMERE, _HARM, _A1, aware=12, child_protection_plan=True,
             steps=_steps((_K.NOTIFIED, 10))),
    # rapid_review; notified 3 working days late, rapid review 10 working days late: overdue
    DemoCase("NSH-DEMO-004", NORTHSHIRE, _DEATH, _A15, aware=25, looked_after=True,
             steps=_steps((_K.NOTIFIED, 17), (_K.RAPID_REVIEW_STARTED, 15))),
    # awaiting_decision; rapid review sent on time, decision and Panel reply to come
    DemoCase("WSM-DEMO-002", WESTMERE, _HARM, _A5, aware=30,
             steps=_steps(*_rapid_review(27, 25, 16))),
    # no_review; every clock kept, the Panel agreed: done_on_time
    DemoCase("NSH-DEMO-006", NORTHSHIRE, _DEATH, _U1, aware=160,
             steps=_steps(*_rapid_review(157, 155, 146), (_K.DECISION_NO_REVIEW, 146),
                          (_K.PANEL_RESPONSE, 138))),
    # no_review; notification and rapid review both late: done_late
    DemoCase("NSH-DEMO-007", NORTHSHIRE, _HARM, _A10, aware=200, incident_days_before_aware=6,
             steps=_steps(*_rapid_review(192, 188, 172), (_K.DECISION_NO_REVIEW, 172),
                          (_K.PANEL_RESPONSE, 160))),
    # local_review; a Panel reply recorded on the wrong case, voided, then the right one: due
    DemoCase("WSM-DEMO-003", WESTMERE, _HARM, _A1, aware=60,
             steps=_steps(*_rapid_review(58, 56, 47), (_K.DECISION, 47), (_K.PANEL_RESPONSE, 44),
                          DemoStep(_K.VOID, 43, "recorded against the wrong case",
                                   corrects=_K.PANEL_RESPONSE),
                          (_K.PANEL_RESPONSE, 40))),
    # national_review; the Panel took the case
    DemoCase("NSH-DEMO-009", NORTHSHIRE, _DEATH, _A15, aware=90,
             steps=_steps(*_rapid_review(88, 85, 76), (_K.NATIONAL_REVIEW_REFERRED, 70),
                          (_K.PANEL_RESPONSE, 70))),
    # reviewing; past six months, no delay notice: overdue
    DemoCase("WSM-DEMO-004", WESTMERE, _HARM, _A5, aware=185, owner=REVIEWER,
             steps=_steps(*_rapid_review(183, 181, 172), (_K.DECISION, 170),
                          (_K.PANEL_RESPONSE, 165), *_review(150, 140, draft=25))),
    # reviewing; past six months, delay notified in time: late_delay_notified
    DemoCase("NSH-DEMO-011", NORTHSHIRE, _DEATH, _U1, aware=190, owner=REVIEWER,
             steps=_steps(*_rapid_review(188, 186, 177), (_K.DECISION, 175),
                          (_K.PANEL_RESPONSE, 168), *_review(160, 150),
                          DemoStep(_K.DELAY_RECORDED, 110, "publication delayed until the "
                                   "criminal trial of the mother's partner ends"))),
    # reviewing; publication planned in 8 working days, report to the Panel due: due_soon
    DemoCase("NSH-DEMO-012", NORTHSHIRE, _HARM, _A10, aware=112, owner=REVIEWER,
             steps=_steps(*_rapid_review(110, 108, 100), (_K.DECISION, 98), (_K.PANEL_RESPONSE, 93),
                          *_review(90, 85, draft=20), (_K.PUBLICATION_PLANNED, -8))),
    # report_sent; 8 working days before the planned publication; six months still running: due
    DemoCase("WSM-DEMO-005", WESTMERE, _DEATH, _A1, aware=120,
             steps=_steps(*_rapid_review(118, 116, 107), (_K.DECISION, 105),
                          (_K.PANEL_RESPONSE, 99), *_review(95, 90, draft=30),
                          (_K.PUBLICATION_PLANNED, -5),
                          (_K.REPORT_SENT, 3))),
    # published on time after a corrected notification date; to be kept online: due
    DemoCase("NSH-DEMO-014", NORTHSHIRE, _HARM, _A15, aware=240,
             steps=_steps((_K.NOTIFIED, 236),
                          DemoStep(_K.CORRECTION, 238, "the first entry used the acknowledgement "
                                   "date; the form went earlier", corrects=_K.NOTIFIED),
                          (_K.RAPID_REVIEW_STARTED, 234), (_K.RAPID_REVIEW_SUBMITTED, 226),
                          (_K.DECISION, 224),
                          (_K.PANEL_RESPONSE, 218), *_review(210, 200, draft=140),
                          *_publication(planned=110, sent=120, published=110))),
    # actions; published late after an inquest, delay notified in time: done_late
    DemoCase("NSH-DEMO-015", NORTHSHIRE, _DEATH, _A5, aware=360, looked_after=True,
             steps=_steps(*_rapid_review(357, 355, 346), (_K.DECISION, 344),
                          (_K.PANEL_RESPONSE, 337), *_review(330, 320),
                          DemoStep(_K.DELAY_RECORDED, 230, "the inquest has not concluded"),
                          (_K.DRAFT_RECEIVED, 190),
                          *_publication(planned=160, sent=170, published=160),
                          (_K.ACTION_PLAN_AGREED, 140))),
    # closed; every clock kept, the report online for over a year: done_on_time
    DemoCase("NSH-DEMO-016", NORTHSHIRE, _HARM, _A1, aware=560,
             steps=_steps(*_rapid_review(557, 555, 546), (_K.DECISION, 544),
                          (_K.PANEL_RESPONSE, 540), *_review(530, 520, draft=470),
                          *_publication(planned=440, sent=450, published=440),
                          (_K.ACTION_PLAN_AGREED, 420), (_K.ACTIONS_COMPLETED, 320),
                          (_K.CLOSED, 300))),
    # closed; a serious case review (Working Together 2015), completed late: done_late
    DemoCase("NSH-SCR-001", NORTHSHIRE, _DEATH, _U1, aware=2250,
             incident_before=PANEL_FIRST_INCIDENT,
             steps=_steps(DemoStep(_K.NOTIFIED, 2248, "notified to Ofsted and the LSCB"),
                          (_K.DECISION, 2235), *_review(2225, 2215, draft=2100),
                          *_publication(planned=2050, sent=2060, published=2050),
                          (_K.ACTION_PLAN_AGREED, 2030), (_K.ACTIONS_COMPLETED, 1900),
                          (_K.CLOSED, 1880))),
    # --- Wales: no time limits found; an untimed step is stalled after 20 working days ---
    DemoCase("CWT-DEMO-001", CWM_TAWEL, _HARM, _A10, aware=3),
    DemoCase("CWT-DEMO-002", CWM_TAWEL, _DEATH, _U1, aware=40, steps=_steps((_K.NOTIFIED, 35))),
    DemoCase("CWT-DEMO-003", CWM_TAWEL, _HARM, _A5, aware=80, child_protection_plan=True,
             steps=_steps((_K.NOTIFIED, 76), (_K.DECISION, 60))),
    DemoCase("CWT-DEMO-004", CWM_TAWEL, _DEATH, _A15, aware=300, looked_after=True,
             steps=_steps((_K.NOTIFIED, 295), (_K.DECISION, 280), *_review(270, 262, draft=130),
                          (_K.PUBLICATION_PLANNED, 100), (_K.PUBLISHED, 95))),
    DemoCase("CWT-DEMO-005", CWM_TAWEL, _HARM, _A1, aware=150,
             steps=_steps((_K.NOTIFIED, 148), (_K.DECISION_NO_REVIEW, 130), (_K.CLOSED, 120))),
    # --- Scotland: learning reviews, no time limits found ---
    DemoCase("GLM-DEMO-001", GLENMOOR, _HARM, _A15, aware=10, steps=_steps((_K.NOTIFIED, 8))),
    DemoCase("GLM-DEMO-002", GLENMOOR, _DEATH, _A1, aware=120,
             steps=_steps((_K.NOTIFIED, 115), (_K.DECISION, 100),
                          DemoStep(_K.DELAY_RECORDED, 30, "review paused while criminal "
                                   "proceedings are live"))),
    DemoCase("GLM-DEMO-003", GLENMOOR, _HARM, _A10, aware=200, owner=REVIEWER,
             steps=_steps((_K.NOTIFIED, 196), (_K.DECISION, 180), *_review(170, 160, draft=15))),
    DemoCase("GLM-DEMO-004", GLENMOOR, _DEATH, _U1, aware=260,
             steps=_steps((_K.NOTIFIED, 255), (_K.DECISION, 240), *_review(232, 225, draft=60),
                          (_K.REPORT_SENT, 10))),
    DemoCase("GLM-DEMO-005", GLENMOOR, _HARM, _A5, aware=60,
             steps=_steps((_K.NOTIFIED, 57), (_K.DECISION_NO_REVIEW, 40))),
    # --- Northern Ireland: case management reviews, no time limits found ---
    DemoCase("LSD-DEMO-001", LOUGHSIDE, _HARM, _A10, aware=25),
    DemoCase("LSD-DEMO-002", LOUGHSIDE, _DEATH, _A15, aware=90,
             steps=_steps((_K.NOTIFIED, 85), (_K.DECISION, 70))),
    DemoCase("LSD-DEMO-003", LOUGHSIDE, _HARM, _U1, aware=400, child_protection_plan=True,
             steps=_steps((_K.NOTIFIED, 395), (_K.DECISION, 380), *_review(370, 360, draft=200),
                          (_K.PUBLICATION_PLANNED, 150), (_K.PUBLISHED, 150),
                          (_K.ACTION_PLAN_AGREED, 120))),
    DemoCase("LSD-DEMO-004", LOUGHSIDE, _DEATH, _A5, aware=600,
             steps=_steps((_K.NOTIFIED, 590), (_K.DECISION, 570), *_review(560, 550, draft=350),
                          (_K.PUBLISHED, 300), (_K.ACTION_PLAN_AGREED, 280),
                          (_K.ACTIONS_COMPLETED, 150), (_K.CLOSED, 140))),
)
# fmt: on


# --- dates ---------------------------------------------------------------------------------------


def demo_date(calendar: WorkingCalendar, today: dt.date, ago: int) -> dt.date:
    """The working day ``ago`` working days before ``today`` (after it when negative; today
    itself for 0), on the case's own nation's calendar."""
    return calendar.add_working_days(today, -ago)


def demo_incident_date(case: DemoCase, today: dt.date) -> dt.date:
    """The demo case's incident date as of ``today`` (calendar days before awareness)."""
    aware = demo_date(calendar_for(case.partnership.nation), today, case.aware)
    return aware - dt.timedelta(days=case.incident_days_before_aware)


def demo_owner(case: DemoCase) -> str:
    """The demo user a case is assigned to: the one its row names, else its partnership's panel
    member, else the admin (a real account either way, never a made-up name)."""
    return case.owner or case.partnership.manager_username or ADMIN
