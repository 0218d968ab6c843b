"""The Case page's rapid review draft: prepare it from the case's shortlist and the library,
edit each section in a text area, regenerate, download the Word document with the edits.

Why the edits sit in a form: a text area sends its text when it loses focus, and a click on
the download button would start the download of the text as it was before that rerun. Saving
the edits first (one click) makes the download hold exactly what the reviewer sees. Saved
edits are kept in the session (``DRAFT``), so they survive a visit to another case.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.draft_model import RapidReviewDraft
from core.errors import WorkbenchError
from review_flows.case_details import CaseDetails
from review_flows.rapid_review import prepare_rapid_review
from review_flows.rapid_review_docx import edited_draft, render_docx, section_text
from ui import resources
from ui.widgets import plain

DRAFT = "case_page_draft"  # (case id, draft, DOCX bytes): as prepared, or with the edits saved
DRAFT_TEXT = "case_page_draft_text"  # + ":CASE_ID:N": the text area of the draft's section N
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _prepare_draft(details: CaseDetails, today: dt.date) -> None:
    """Build the draft from the case's shortlist as it is now; its sections replace whatever
    the text areas held."""
    case_id = details.timeline.case.id
    with st.spinner("Reading the shortlisted and similar published reviews ..."):
        draft = prepare_rapid_review(
            details.timeline, details.shortlist, resources.search_engine, today=today
        )
    st.session_state[DRAFT] = (case_id, draft, render_docx(draft))
    for index, section in enumerate(draft.sections):
        st.session_state[f"{DRAFT_TEXT}:{case_id}:{index}"] = section_text(section)


def _text_height(text: str) -> int:
    rows = sum(1 + len(line) // 90 for line in text.splitlines()) or 1
    return min(480, max(90, 24 * rows + 24))


def _edit_draft(draft: RapidReviewDraft, case_id: int) -> None:
    """Each section in a text area (the chronology as a table: it comes from the events); the
    edits are kept, and go into the download, once saved."""
    keys = [f"{DRAFT_TEXT}:{case_id}:{index}" for index in range(len(draft.sections))]
    with st.form("rapid_review_edits", border=False):
        for key, section in zip(keys, draft.sections, strict=True):
            if key not in st.session_state:  # e.g. back from another case: the saved text
                st.session_state[key] = section_text(section)
            st.text_area(plain(section.heading), key=key,
                         height=_text_height(st.session_state[key]))  # fmt: skip
            if section.table is not None and section.table.rows:
                st.caption("Chronology, from the case's events (correct an event to change it):")
                st.dataframe([dict(zip(section.table.header, row, strict=True))
                              for row in section.table.rows], hide_index=True)  # fmt: skip
        saved = st.form_submit_button("Save the edits", icon=":material/save:")
    if saved:
        try:
            edited = edited_draft(draft, [st.session_state.get(key, "") for key in keys])
        except WorkbenchError as problem:
            st.error(f"Not saved: {plain(problem)}")
            return
        st.session_state[DRAFT] = (case_id, edited, render_docx(edited))
        st.success("Edits saved: the download below holds them.")


def show_rapid_review(details: CaseDetails, reference: str, today: dt.date) -> None:
    st.header("Rapid review draft")
    st.caption(
        "A Word document in the Panel's rapid review sections, filled with the case's facts "
        "and chronology, with guidance where facts are missing and an annex of learning from "
        "published reviews: those saved to this case's shortlist first, then the most similar, "
        "each cited by its printed page. It holds no names; add none."
    )
    case_id = details.timeline.case.id
    prepared = st.session_state.get(DRAFT)
    if not (prepared and prepared[0] == case_id):
        if not st.button("Prepare the rapid review draft", icon=":material/description:"):
            return
        _prepare_draft(details, today)
        st.rerun()  # drawn again with "Regenerate" in place of "Prepare"
    elif st.button("Regenerate the draft", icon=":material/refresh:"):
        _prepare_draft(details, today)
    st.caption(
        "Edit any section below and save the edits: the download holds the text as last "
        "saved. Regenerate builds the draft again from the case's shortlist as it is now and "
        "replaces your edits."
    )
    _edit_draft(st.session_state[DRAFT][1], case_id)
    st.download_button(
        "Download the rapid review draft (.docx)", st.session_state[DRAFT][2],
        file_name=f"rapid-review-{reference}.docx", mime=DOCX, icon=":material/download:",
    )  # fmt: skip
