"""The Case page shows a case's flow runs as they appear (issue 23, item 8: "No flow runs"
stayed until Refresh). A job an event set going is submitted by a process of its own, so its
run reaches the server seconds after the page has rerun: while a job of the case is not done,
each run of the flow-runs section (every few seconds in the browser) asks the server afresh,
and once the runs have ended the page runs again and stops asking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import streamlit as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core import flow_runs
from core.db import open_session
from core.flow_runs import FlowRunLine, FlowRunsView
from review_flows.models import Case, Job, JobKind
from tests.ui.conftest import NORTHSHIRE, PANEL, AppFactory

CASE_PAGE = "ui/pages/case.py"
API = "http://127.0.0.1:9/api"
REFERENCE = "NSH-DEMO-004"


def _run(state: str, ended: bool) -> FlowRunLine:
    started = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    return FlowRunLine(f"{REFERENCE} notified", "case-event", state, started, "http://x/1", ended)


@pytest.fixture
def answers(db_url: str, monkeypatch: pytest.MonkeyPatch) -> list[FlowRunsView]:
    """A server configured, a job of the case not done yet; what the server answers, in turn
    (the last answer again once they run out), and every question asked."""
    from core.settings import get_settings

    with open_session(db_url) as session:
        case = session.exec(select(Case).where(Case.reference == REFERENCE)).one()
        session.add(Job(kind=JobKind.FOLLOW_UP, case_id=case.id))
        session.commit()
    queue: list[FlowRunsView] = []

    def answer(reference: str, partnership: str, *, api_url: str | None) -> Any:
        assert (reference, partnership, api_url) == (REFERENCE, NORTHSHIRE, API)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    monkeypatch.setenv("CSPR_PREFECT_API_URL", API)
    monkeypatch.setattr(flow_runs, "case_flow_runs", answer)
    get_settings.cache_clear()
    st.cache_data.clear()
    return queue


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _runs_table(at: AppTest) -> list[dict[str, Any]]:
    tables = [t.value for t in at.dataframe if "Run" in t.value.columns]
    return tables[0].to_dict("records") if tables else []


def test_a_run_just_started_shows_without_refresh(
    app: AppFactory, answers: list[FlowRunsView]
) -> None:
    answers += [
        FlowRunsView(note="No flow runs of this case on the server yet."),
        FlowRunsView((_run("Running", ended=False),)),
        FlowRunsView((_run("Completed", ended=True),)),
    ]
    at = app(PANEL)
    at.session_state["case_ref"] = REFERENCE
    at.switch_page(CASE_PAGE).run()

    assert not at.exception, [e.value for e in at.exception]
    assert any("runs show here in a few seconds" in c for c in _captions(at))
    assert _runs_table(at) == []

    at.run()  # the next look, as the browser's timer does
    assert [row["State"] for row in _runs_table(at)] == ["Running"]

    at.run()  # the run has ended: the page runs again and stops asking
    assert [row["State"] for row in _runs_table(at)] == ["Completed"]
    at.run()
    assert [row["State"] for row in _runs_table(at)] == ["Completed"]
    assert not any("runs show here" in c for c in _captions(at))


def test_a_server_that_does_not_answer_stops_the_asking(
    app: AppFactory, answers: list[FlowRunsView]
) -> None:
    answers.append(FlowRunsView(note="The Prefect server cannot be reached: down", reachable=False))
    at = app(PANEL)
    at.session_state["case_ref"] = REFERENCE
    at.switch_page(CASE_PAGE).run()

    assert not at.exception, [e.value for e in at.exception]
    assert "The Prefect server cannot be reached: down" in _captions(at)
    assert not any("runs show here" in c for c in _captions(at))
