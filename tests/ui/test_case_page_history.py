"""A case taken over at a later stage on the Case page (AppTest of the real app on the demo
store, issue 26): its first event reads as a history taken over, with the steps that have no
date; the milestones it went past without a date read "Not recorded", never overdue; the
events it can take next follow the stage it was taken over at."""

from __future__ import annotations

import datetime as dt

from core.db import open_session
from review_flows.case_history import CaseHistoryCreate, KnownStep, open_case_with_history
from review_flows.cases import parse_input
from review_flows.demo_partnerships import NORTHSHIRE
from review_flows.events import EventKind
from tests.ui.demo_pages import PANEL, open_page
from tests.ui.demo_pages import db_url as db_url
from tests.ui.demo_pages import demo_store as demo_store

REFERENCE = "NSH-2025-390"


def _taken_over(db_url: str) -> None:
    today = dt.date.today()
    decided = today - dt.timedelta(days=60)
    data = {
        "reference": REFERENCE,
        "partnership": NORTHSHIRE.name,
        "nation": "england",
        "incident_date": today - dt.timedelta(days=150),
        "outcome": "serious_harm",
        "age_group": "1_4",
        "taken_over_on": today - dt.timedelta(days=30),
        "reason": "taken over from the county tracker",
    }
    steps = [
        KnownStep(EventKind.NOTIFIED, today - dt.timedelta(days=140)),
        KnownStep(EventKind.DECISION, decided),
    ]
    with open_session(db_url) as session:
        open_case_with_history(
            session, parse_input(CaseHistoryCreate, data), steps, recorded_by="admin", today=today
        )


def test_a_taken_over_case_says_what_has_no_date_and_is_not_overdue_for_it(db_url: str) -> None:
    _taken_over(db_url)
    case = open_page("ui/pages/case.py", PANEL)
    case.session_state["case_ref"] = REFERENCE
    case.run()
    assert not case.exception
    [log] = [t.value for t in case.dataframe if "Recorded by" in t.value.columns]
    first = log.iloc[0].to_dict()
    assert first["Event"] == "Taken over with its history"
    assert "steps not recorded: became aware of the incident" in first["Note"]
    labels = [e.label for e in case.expander]
    notification = next(label for label in labels if "notification to the Panel" in label)
    assert notification.startswith("\u2013 Not recorded (taken over later)")
    assert not any(label.startswith("\u25b2 Overdue") and "rapid review" in label.lower()
                   for label in labels)  # fmt: skip
