"""A tracker's rows read as drafts of cases (pure): the fields and steps each row gives, and
what cannot be read refused at its row and column before any rule of the store is asked."""

from __future__ import annotations

import datetime as dt

from review_flows.events import EventKind
from review_flows.tracker_drafts import CaseDraft, Refusal, read_drafts
from review_flows.tracker_layouts import bundled_layouts, detect_layout
from review_flows.tracker_read import read_tracker


def _drafts(text: str) -> list[CaseDraft]:
    sheet = read_tracker(text.encode(), "t.csv")
    return read_drafts(sheet, detect_layout(sheet.header, bundled_layouts()))


def test_a_per_case_row_gives_the_case_its_steps_and_its_notes() -> None:
    (draft,) = _drafts(
        "Case ref,Nation,Incident date,Outcome,Age band,LAC,Date LA aware,RR submitted,"
        "Delay notified,Reason for delay\n"
        "NSH-2026-001,Eng,05/01/2026,died,0-1,Y,2026-01-06,,20/01/2026,awaiting the inquest\n"
    )
    assert draft.fields == {
        "nation": "england", "incident_date": dt.date(2026, 1, 5), "outcome": "death",
        "age_group": "under_1", "looked_after": True,
    }  # fmt: skip
    assert [(s.kind, s.on, s.note, s.row, s.column) for s in draft.steps] == [
        (EventKind.AWARE, dt.date(2026, 1, 6), None, 2, "Date LA aware"),
        (EventKind.DELAY_RECORDED, dt.date(2026, 1, 20), "awaiting the inquest", 2,
         "Delay notified"),
    ]  # fmt: skip
    assert draft.refusals == []


def test_what_cannot_be_read_is_refused_at_its_cell() -> None:
    drafts = _drafts(
        "Case ref,Nation,Incident date,Outcome,Age band,Date LA aware,Delay notified,"
        "Reason for delay\n"
        ",England,05/01/2026,Death,0-1,06/01/2026,,\n"
        "NSH-2026-002,Atlantis,5 Jan,Death,teen,06/01/2026,,a reason without its date\n"
    )
    assert drafts[0].refusals == [
        Refusal(2, "Case ref", "no case reference: every row needs the case's pseudonymous "
                "reference"),
    ]  # fmt: skip
    assert [(r.row, r.column) for r in drafts[1].refusals] == [
        (3, "Nation"), (3, "Incident date"), (3, "Age band"), (3, "Reason for delay")
    ]  # fmt: skip
    assert drafts[1].refusals[-1].reason == "a note without its date"


def test_per_event_rows_make_one_case_and_a_different_fact_is_refused() -> None:
    drafts = _drafts(
        "Reference,Nation,Incident date,Outcome,Age group,Event,Date,Note\n"
        "DYF-2026-001,Cymru,02/03/2026,died,0-1,Taken over,01/06/2026,from the regional tracker\n"
        "DYF-2026-001,,,,,CPR notification,10/03/2026,\n"
        "DYF-2026-001,Cymru,03/03/2026,died,0-1,Review commissioned,20/04/2026,\n"
        "DYF-2026-001,,,,,Taken over,02/06/2026,\n"
        "DYF-2026-002,Wales,02/03/2026,died,0-1,Strategy meeting,04/03/2026,\n"
        ",Wales,02/03/2026,died,0-1,Closed,,\n"
    )
    first, second, loose = drafts
    assert (first.rows, first.fields["taken_over_on"]) == ([2, 3, 4, 5], dt.date(2026, 6, 1))
    assert first.fields["reason"] == "from the regional tracker"
    assert [(s.kind, s.row) for s in first.steps] == [
        (EventKind.NOTIFIED, 3), (EventKind.DECISION, 4)
    ]  # fmt: skip
    assert [(r.row, r.column, r.reason) for r in first.refusals] == [
        (4, "Incident date", "differs from row 2 of the same case"),
        (5, "Date", "the case is taken over twice"),
    ]
    assert [(r.row, r.column) for r in second.refusals] == [(6, "Event")]
    assert [(r.row, r.column, r.reason) for r in loose.refusals] == [
        (7, "Date", "no date"),
        (7, "Reference", "no case reference: every row needs the case's pseudonymous reference"),
    ]
