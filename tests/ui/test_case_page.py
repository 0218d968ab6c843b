"""The Case page, run through ``app.py`` with AppTest on a seeded demo store: events,
milestones and both readings, recording the next event or being refused, flow runs,
the shortlist, and who may open which case."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import streamlit as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core.access import Viewer
from core.db import open_session
from core.roles import Role
from review_flows.events import EventKind
from review_flows.models import Case, CaseEvent
from review_flows.shortlists import save_to_shortlist
from tests.conftest import REPO_ROOT
from tests.ui.case_pages import CASE, _one, _open_case, _record, _table, _texts
from tests.ui.conftest import ANALYST, NORTHSHIRE, PANEL, AppFactory


def _events(db_url: str, reference: str) -> list[tuple[str, dt.date, str | None]]:
    with open_session(db_url) as session:
        case = session.exec(select(Case).where(Case.reference == reference)).one()
        rows = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id))
        return [(row.kind.value, row.on, row.note) for row in rows]


def test_the_case_page_shows_events_milestones_and_both_readings(
    app: AppFactory, db_url: str
) -> None:
    with open_session(db_url) as session:
        case = session.exec(select(Case).where(Case.reference == "NSH-DEMO-004")).one()
        rows = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    notified = next(row for row in rows if row.kind is EventKind.NOTIFIED)
    started = next(row for row in rows if row.kind is EventKind.RAPID_REVIEW_STARTED)
    moved_to = notified.on - dt.timedelta(days=1)
    correction = _record(db_url, "NSH-DEMO-004", EventKind.CORRECTION, on=moved_to,
                         corrects=notified.id, note="the form went a day earlier")  # fmt: skip
    void = _record(db_url, "NSH-DEMO-004", EventKind.VOID, on=dt.date.today(),
                   corrects=started.id, note="recorded against the wrong case")  # fmt: skip

    at = _open_case(app, PANEL, "NSH-DEMO-004")

    assert not at.exception
    headers = _texts(at.header)
    assert headers[:4] == ["Case NSH-DEMO-004", "Events", "Milestones", "Record the next event"]
    later = {row["#"]: row["Later"] for row in _table(at)}
    assert later[notified.id] == f"corrected to {moved_to.isoformat()} by #{correction}"
    assert later[started.id] == f"voided by #{void}"
    assert any(row["Event"] == f"Void of #{started.id}" for row in _table(at))
    readings = [text for text in _texts(at.info) if "read two ways" in text]
    assert len(readings) == 2
    assert readings[0].endswith("Reminders follow the earlier date: this one.")
    assert readings[1].endswith("Reminders follow the earlier date: the other reading.")
    labels = [expander.label for expander in at.expander]
    assert any(label.startswith("▲ Overdue · Rapid review sent to the Panel") for label in labels)


def test_recording_the_next_event_appends_it(app: AppFactory, db_url: str) -> None:
    at = _open_case(app, PANEL, "NSH-DEMO-004")
    before = _events(db_url, "NSH-DEMO-004")
    offered = _one(at.selectbox, "Event").options
    assert offered[0] == "Rapid review submitted: the rapid review was sent to the Panel (England)"
    assert not [o for o in offered if o.startswith(("Case closed", "Report published"))]

    _one(at.selectbox, "Event").set_value(EventKind.RAPID_REVIEW_SUBMITTED)
    _one(at.text_area, "Note (no names or personal details)").input("sent by secure email")
    _one(at.button, "Record event").click().run()

    assert not at.exception and not at.error
    after = _events(db_url, "NSH-DEMO-004")
    assert after == [
        *before,
        ("rapid_review_submitted", dt.date.today(), "sent by secure email"),
    ]
    assert _texts(at.success)[0].endswith(": Rapid review submitted.")
    assert _table(at)[-1]["Event"] == "Rapid review submitted"
    # its follow-up starts at once (no Prefect server here: in a background process)
    from review_flows.jobs import pending_jobs
    from review_flows.notify.store import notices_of_case

    deadline = time.monotonic() + 60
    while True:
        with open_session(db_url) as session:
            waiting = [j for j in pending_jobs(session) if j.created_at.date() == dt.date.today()]
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert waiting == []
    with open_session(db_url) as session:
        notices = notices_of_case(session, session.exec(
            select(Case.id).where(Case.reference == "NSH-DEMO-004")).one())  # fmt: skip
    assert [n.kind for n in notices] == ["event"]  # told the business manager


@pytest.mark.parametrize(
    ("date_offset", "note", "reason"),
    [
        (30, "", "is in the future"),
        (0, "discussed with Jane Smith, born 01/02/2015", "note"),
    ],
)
def test_a_refused_event_shows_the_reason_and_writes_nothing(
    app: AppFactory, db_url: str, date_offset: int, note: str, reason: str
) -> None:
    at = _open_case(app, PANEL, "NSH-DEMO-004")
    before = _events(db_url, "NSH-DEMO-004")

    _one(at.selectbox, "Event").set_value(EventKind.RAPID_REVIEW_SUBMITTED)
    _one(at.date_input, "Date of the event").set_value(
        dt.date.today() + dt.timedelta(days=date_offset)
    )
    _one(at.text_area, "Note (no names or personal details)").input(note)
    _one(at.button, "Record event").click().run()

    assert not at.exception
    [error] = _texts(at.error)
    assert error.startswith("Not recorded:") and reason in error
    assert _events(db_url, "NSH-DEMO-004") == before


def test_flow_runs_are_asked_of_prefect_once_per_while_and_on_refresh(
    app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every click reruns the case page; the Prefect server is asked again only when the user
    refreshes (or the cached answer is old), not on each rerun."""
    from core import flow_runs
    from core.settings import get_settings

    asked: list[tuple[str, str, str | None]] = []

    def counting(reference: str, partnership: str, *, api_url: str | None) -> Any:
        asked.append((reference, partnership, api_url))
        return flow_runs.FlowRunsView(note=f"answer {len(asked)}")

    monkeypatch.setenv("CSPR_PREFECT_API_URL", "http://127.0.0.1:9/api")
    get_settings.cache_clear()
    monkeypatch.setattr(flow_runs, "case_flow_runs", counting)
    st.cache_data.clear()  # no answer kept from another test
    at = _open_case(app, PANEL, "NSH-DEMO-001")
    assert "answer 1" in _texts(at.caption)
    at.run()  # any other click
    assert len(asked) == 1 and "answer 1" in _texts(at.caption)
    next(b for b in at.button if b.label == "Refresh flow runs").click().run()
    assert asked == [("NSH-DEMO-001", NORTHSHIRE, "http://127.0.0.1:9/api")] * 2
    assert "answer 2" in _texts(at.caption)


def test_an_analyst_cannot_open_the_case_page(app: AppFactory, app_data: Any) -> None:
    at = _open_case(app, ANALYST, "NSH-DEMO-004")
    assert "Case" not in _texts(at.title)  # not in their navigation: they land on their page

    at = AppTest.from_file(str(REPO_ROOT / CASE), default_timeout=60)  # the page itself
    at.session_state["viewer"] = ANALYST
    at.session_state["last_seen"] = dt.datetime.now(dt.UTC)
    at.session_state["case_ref"] = "NSH-DEMO-004"
    at.run()

    assert _texts(at.error) == ["A analyst cannot open this page."]
    assert not at.selectbox and not at.dataframe and not at.header


def test_a_reviewer_sees_their_case_but_no_record_form(app: AppFactory, db_url: str) -> None:
    reviewer = Viewer("rita.reviewer", Role.REVIEWER)
    with open_session(db_url) as session:
        case = session.exec(select(Case).where(Case.reference == "NSH-DEMO-012")).one()
        case.owner = reviewer.username  # assigned to them (the demo's owners may change)
        session.add(case)
        session.commit()
    reference = "NSH-DEMO-012"
    at = _open_case(app, reviewer, reference)

    assert f"Case {reference}" in _texts(at.header)
    assert not [b for b in at.button if b.label == "Record event"]
    assert any("cannot record events" in text for text in _texts(at.info))


def test_a_case_of_another_partnership_reads_as_not_found(app: AppFactory) -> None:
    at = app(PANEL)
    at.query_params["ref"] = "CWT-DEMO-001"
    at.switch_page(CASE).run()

    assert not at.exception
    [error] = _texts(at.error)
    assert "no case CWT-DEMO-001 that you can see" in error
    assert "CWT-DEMO-001" not in _one(at.selectbox, "Case reference").options
    assert not [h for h in _texts(at.header) if h.startswith("Case ")]


def test_the_shortlist_saved_to_the_case_is_listed(app: AppFactory, db_url: str) -> None:
    with open_session(db_url) as session:
        save_to_shortlist(session, PANEL, "NSH-DEMO-004", "csprp-2021-07", "same missed visits")

    at = _open_case(app, PANEL, "NSH-DEMO-004")

    shortlist = next(
        rows for i in range(len(at.dataframe)) if (rows := _table(at, i)) and "Review" in rows[0]
    )
    assert [(r["Review"], r["Why"], r["Saved by"]) for r in shortlist] == [
        ("csprp-2021-07", "same missed visits", PANEL.username)
    ]
