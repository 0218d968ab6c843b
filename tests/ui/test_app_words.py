"""The app says what to do in the app (issue 23, item 4): no page, opened by any demo role,
names a command or its flags, or shows a stored code where a label belongs; the Case page's
Actions section adds an action with a form."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlmodel import select

from core.access import PAGES, Viewer
from core.db import open_session
from review_flows.events import EventKind
from review_flows.models import Action, AgeGroup, Case, Outcome
from tests.ui.conftest import PANEL, REVIEWER, VIEWERS, AppFactory
from tests.ui.test_access_matrix import _shown

COMMAND = re.compile(r"\bcspr [a-z]|(?:^|[\s(`])--[a-z]")
#: Stored codes that have a label (core.labels): shown as they are, they are a defect.
CODES = sorted(
    {str(c) for c in (*EventKind, *Outcome, *AgeGroup) if "_" in str(c)}, key=len, reverse=True
)
RAW_CODE = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, CODES)) + r")(?![\w-])")
CASE = "NSH-DEMO-004"


def _labelled(widgets: Any, label: str) -> Any:
    (widget,) = [w for w in widgets if w.label == label]
    return widget


def _page(app: AppFactory, viewer: Viewer, page: str) -> str:
    at = app(viewer)
    at.session_state["case_ref"] = CASE
    at.query_params["ref"] = CASE
    at.run()
    at.switch_page(f"ui/pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return _shown(at)


@pytest.mark.parametrize(
    ("viewer", "page"),
    [(v, page) for v in VIEWERS for page in PAGES[v.role]],
    ids=lambda value: value.username if isinstance(value, Viewer) else value,
)
def test_no_page_names_a_command_or_shows_a_raw_code(
    app: AppFactory, viewer: Viewer, page: str
) -> None:
    shown = _page(app, viewer, page)
    assert shown.strip()
    assert COMMAND.findall(shown) == []
    assert RAW_CODE.findall(shown) == []


def test_the_checks_would_catch_the_old_texts() -> None:
    # the control: what the pages said before issue 23 is caught
    assert COMMAND.search("No actions recorded (`cspr case action add` records them).")
    assert COMMAND.search("void: withdraws an event recorded in error (--corrects ID --note why)")
    assert RAW_CODE.search("Outcome: serious_harm, 5_9")
    assert not RAW_CODE.search("NSH-DEMO-004 · Rapid review submitted · 5\u20139 years")


def test_a_panel_member_adds_an_action_on_the_case_page(app: AppFactory, db_url: str) -> None:
    at = app(PANEL)
    at.session_state["case_ref"] = CASE
    at.run()
    at.switch_page("ui/pages/case.py").run()
    assert "No actions recorded yet." in [c.value for c in at.caption]
    _labelled(at.text_input, "Recommendation number").input("R3")
    _labelled(at.text_area, "Recommendation (no names or personal details)").input(
        "Agree how health visitors share concerns with social care."
    )
    _labelled(at.text_input, "Owner (a role or agency)").input("Health visiting service")
    due = dt.date.today() + dt.timedelta(days=60)
    _labelled(at.date_input, "Due").set_value(due)
    _labelled(at.button, "Add action").click().run()

    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Added the action on R3."]
    assert at.dataframe[1].value["Owner"].tolist() == ["Health visiting service"]
    with open_session(db_url) as session:
        case_id = session.exec(select(Case.id).where(Case.reference == CASE)).one()
        stored = session.exec(select(Action).where(Action.case_id == case_id)).all()
    assert [(a.recommendation_ref, a.owner, a.due) for a in stored] == [
        ("R3", "Health visiting service", due)
    ]


def test_a_reviewer_is_offered_no_action_form(app: AppFactory) -> None:
    at = app(REVIEWER)
    at.session_state["case_ref"] = CASE
    at.run()
    at.switch_page("ui/pages/case.py").run()
    assert not at.exception
    assert "Add action" not in [b.label for b in at.button]
    assert "Recommendation number" not in [t.label for t in at.text_input]
