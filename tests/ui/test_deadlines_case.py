"""The Deadlines and Case pages, run through ``app.py`` with AppTest on a seeded demo store."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import streamlit as st
from sqlmodel import select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.access import Viewer
from core.db import open_session
from core.roles import Role
from review_flows.events import EventKind
from review_flows.models import Case, CaseEvent
from review_flows.shortlists import save_to_shortlist
from tests.conftest import REPO_ROOT
from tests.ui.conftest import ADMIN, ANALYST, NORTHSHIRE, PANEL, PASSWORD, AppFactory

DEADLINES = "ui/pages/deadlines.py"
CASE = "ui/pages/case.py"


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def downloads(media: list[MemoryMediaFileStorage]) -> Iterator[Any]:
    """``downloads(at, label)``: the bytes behind the download button labelled ``label``."""

    def data(at: AppTest, label: str) -> bytes:
        [button] = [b for b in at.get("download_button") if b.proto.label.startswith(label)]
        file_name = button.proto.url.rsplit("/", 1)[-1]
        return media[-1].get_file(file_name).content

    yield data


def _one(widgets: Sequence[Any], label: str) -> Any:
    [widget] = [w for w in widgets if w.label == label]
    return widget


def _table(at: AppTest, index: int = 0) -> list[dict[str, Any]]:
    return at.dataframe[index].value.to_dict("records")


def _references(at: AppTest) -> list[str]:
    return [row["Reference"] for row in _table(at)]


def _events(db_url: str, reference: str) -> list[tuple[str, dt.date, str | None]]:
    with open_session(db_url) as session:
        case = session.exec(select(Case).where(Case.reference == reference)).one()
        rows = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id))
        return [(row.kind.value, row.on, row.note) for row in rows]


def _open_case(app: AppFactory, viewer: Viewer, reference: str) -> AppTest:
    at = app(viewer)
    at.session_state["case_ref"] = reference
    return at.switch_page(CASE).run()


def _texts(elements: Any) -> list[str]:
    return [element.value for element in elements]


# --- sign-in -------------------------------------------------------------------------------------


def test_a_panel_member_signs_in_and_lands_on_deadlines(app: AppFactory) -> None:
    at = app().run()
    _one(at.text_input, "Username").input(PANEL.username)
    _one(at.text_input, "Password").input(PASSWORD)
    _one(at.button, "Sign in").click().run()

    assert not at.exception
    assert _texts(at.title) == ["Deadlines"]
    assert "NSH-DEMO-004" in _references(at)


# --- Deadlines -----------------------------------------------------------------------------------


def test_deadlines_show_the_open_cases_of_the_viewers_partnership_only(app: AppFactory) -> None:
    at = app(PANEL).switch_page(DEADLINES).run()

    assert not at.exception
    rows = _table(at)
    references = [row["Reference"] for row in rows]
    assert {"NSH-DEMO-001", "NSH-DEMO-004", "NSH-DEMO-011"} <= set(references)
    assert not [ref for ref in references if ref.startswith(("CWT", "GLM", "LSD"))]
    assert "NSH-DEMO-016" not in references  # closed
    late = next(row for row in rows if row["Reference"] == "NSH-DEMO-004")
    assert late["Worst status"] == "▲ Overdue"
    assert late["Working days"].endswith("working days late")


FIRST_COLUMNS = ["Reference", "Next milestone", "Due", "Working days", "Status", "Stage"]


def test_a_panel_member_sees_what_is_due_when_and_how_late_first(app: AppFactory) -> None:
    """Due, working days and status come right after the reference and milestone; one
    partnership's viewer gets no Partnership column (it would repeat one name on every row)."""
    at = app(PANEL).switch_page(DEADLINES).run()

    columns = list(at.dataframe[0].value.columns)
    assert columns[:6] == FIRST_COLUMNS
    assert "Partnership" not in columns
    late = next(row for row in _table(at) if row["Reference"] == "NSH-DEMO-004")
    assert late["Status"] == "▲ Overdue" and late["Due"] is not None
    # a phone's cards say the same in a column of their own
    cards = [m.value for m in at.markdown if m.value.startswith("**NSH-DEMO-004**")]
    assert cards == ["**NSH-DEMO-004** · ▲ Overdue"]


def test_an_admin_sees_every_partnerships_open_cases(app: AppFactory) -> None:
    at = app(ADMIN).switch_page(DEADLINES).run()

    references = _references(at)
    assert {"NSH-DEMO-004", "CWT-DEMO-001", "GLM-DEMO-001", "LSD-DEMO-001"} <= set(references)
    columns = list(at.dataframe[0].value.columns)
    assert columns[:7] == [*FIRST_COLUMNS, "Partnership"]
    assert NORTHSHIRE in {row["Partnership"] for row in _table(at)}


def test_filters_change_the_rows(app: AppFactory) -> None:
    at = app(PANEL).switch_page(DEADLINES).run()
    everything = _references(at)

    _one(at.multiselect, "Stage").set_value(["rapid_review"]).run()
    assert "NSH-DEMO-004" in _references(at)
    assert {row["Stage"] for row in _table(at)} == {"Rapid review"}
    assert len(_references(at)) < len(everything)

    _one(at.multiselect, "Stage").set_value([]).run()
    _one(at.multiselect, "Worst status").set_value(["due_soon"]).run()
    due_soon = _table(at)
    assert due_soon and {row["Worst status"] for row in due_soon} == {"● Due soon"}
    assert len(due_soon) < len(everything)

    _one(at.multiselect, "Worst status").set_value([]).run()
    _one(at.number_input, "Due within (working days)").set_value(0).run()
    late_rows = _table(at)
    assert late_rows and all(
        row["Working days"].endswith("late") or row["Working days"] == "due today"
        for row in late_rows
    )
    assert len(late_rows) < len(everything)


def test_the_nation_filter_keeps_that_nations_cases(app: AppFactory) -> None:
    at = app(ADMIN).switch_page(DEADLINES).run()
    _one(at.multiselect, "Nation").set_value(["wales"]).run()

    assert {ref[:3] for ref in _references(at)} == {"CWT"}


def test_csv_download_holds_the_rows_shown(app: AppFactory, downloads: Any) -> None:
    at = app(PANEL).switch_page(DEADLINES).run()
    _one(at.multiselect, "Stage").set_value(["rapid_review", "incident_recorded"]).run()

    lines = downloads(at, "Download these cases as CSV").decode().splitlines()

    assert lines[0].startswith("reference,partnership,nation,stage,owner,next_milestone,due")
    assert [line.split(",")[0] for line in lines[1:]] == _references(at)
    assert "NSH-DEMO-004" in _references(at)
    assert {line.split(",")[3] for line in lines[1:]} == {"rapid_review", "incident_recorded"}


def test_the_calendar_feed_holds_the_partnerships_milestones(
    app: AppFactory, downloads: Any
) -> None:
    at = app(PANEL).switch_page(DEADLINES).run()

    ics = downloads(at, "Download the calendar (").decode()

    assert ics.startswith("BEGIN:VCALENDAR")
    assert "NSH-DEMO-004" in ics
    assert "CWT-DEMO" not in ics
    said = " ".join(_texts(at.caption))
    assert "snapshot as of today" in said and "cspr" not in said
    [label] = [b.proto.label for b in at.get("download_button") if "calendar" in b.proto.label]
    covered = {
        line.split(":", 1)[1].split(" ")[0]
        for line in ics.splitlines()
        if line.startswith("SUMMARY:")
    }
    assert label.endswith(f"of {len(covered)} cases, .ics)")  # the cases the file holds


def test_a_case_is_charted_against_today_with_a_text_alternative(app: AppFactory) -> None:
    at = app(PANEL).switch_page(DEADLINES).run()
    _one(at.selectbox, "Case to chart").set_value("NSH-DEMO-004").run()

    assert len(at.get("vega_lite_chart")) == 1
    [summary] = [text for text in _texts(at.caption) if text.startswith("Chart of due dates")]
    assert "NSH-DEMO-004" in summary and f"today is {dt.date.today().isoformat()}" in summary
    assert "Overdue: Rapid review sent to the Panel (clock from awareness)" in summary
    milestones = [row["Milestone"] for row in _table(at, 1)]
    assert "Serious incident notification to the Panel" in milestones


def test_open_on_the_case_page(app: AppFactory) -> None:
    at = app(PANEL).switch_page(DEADLINES).run()
    _one(at.selectbox, "Case to open").set_value("NSH-DEMO-004")
    _one(at.button, "Open on the Case page").click().run()

    assert not at.exception
    assert "Case NSH-DEMO-004" in _texts(at.header)


# --- Case ----------------------------------------------------------------------------------------


def _record(db_url: str, reference: str, kind: EventKind, **fields: Any) -> int:
    from review_flows.cases import record_event
    from review_flows.models import CaseEventCreate

    data = CaseEventCreate(kind=kind, **fields)
    with open_session(db_url) as session:
        event = record_event(session, reference, data, recorded_by="tester", today=dt.date.today())
    return event.id


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
