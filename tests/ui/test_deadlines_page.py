"""Sign-in and the Deadlines page, run through ``app.py`` with AppTest on a seeded demo
store: each viewer's open cases, the late first, filters, the CSV download, the
calendar feed and the chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from tests.ui.case_pages import DEADLINES, _one, _table, _texts
from tests.ui.conftest import ADMIN, NORTHSHIRE, PANEL, PASSWORD, AppFactory

# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def downloads(media: list[MemoryMediaFileStorage]) -> Iterator[Any]:
    """``downloads(at, label)``: the bytes behind the download button labelled ``label``."""

    def data(at: AppTest, label: str) -> bytes:
        [button] = [b for b in at.get("download_button") if b.proto.label.startswith(label)]
        file_name = button.proto.url.rsplit("/", 1)[-1]
        return media[-1].get_file(file_name).content

    yield data


def _references(at: AppTest) -> list[str]:
    return [row["Reference"] for row in _table(at)]


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
