"""A published review to read, opened from a search result in a dialog over the results (where
the reviewer is looking), not drawn at the foot of a long page. Used by Search and Similar
cases.

The pages keep which review to open in session state only for the run that opens it
(:func:`take_review`): closing the dialog, or any later action on the page, leaves it closed.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from learning.errors import LearningError
from learning.highlight import escape_markdown, unit_markdown, value_label
from learning.library import ThemeSource, review_reading
from learning.search import SearchEngine
from ui.briefing_section import draw_briefing
from ui.resources import settings
from ui.widgets import plain

OPEN_REVIEW = "open_review"


def ask_to_open(review_id: str) -> None:
    """A button's callback: open ``review_id`` in a dialog on this run."""
    st.session_state[OPEN_REVIEW] = review_id


def take_review() -> str | None:
    """The review a button asked to open on this run (then forgotten), if any."""
    return st.session_state.pop(OPEN_REVIEW, None)


def open_review_dialog(
    engine: SearchEngine, review_id: str, why: Callable[[], None] | None = None
) -> None:
    """Show ``review_id`` in a dialog; ``why`` draws, under its title, why it matched."""

    @st.dialog("Review", width="large")
    def _dialog() -> None:
        show_review(engine, review_id, why)
        if st.button("Close review", key="close-review"):
            st.rerun()  # the whole page: the review asked for is forgotten, the dialog closes

    _dialog()


def show_review(
    engine: SearchEngine, review_id: str, why: Callable[[], None] | None = None
) -> None:
    """A review's metadata, why it matched (``why``), findings, recommendations and themes."""
    try:
        source = ThemeSource.from_settings(settings())
        with st.spinner("Opening the review ..."):
            reading = review_reading(engine, review_id, source)
    except LearningError as problem:
        st.warning(f"Cannot open this review: {plain(problem)}.")
        return
    document = reading.document
    st.header(escape_markdown(reading.title))
    details = [
        str(document.year or "year not known"),
        value_label(document.nation),
        value_label(document.review_type),
        value_label(document.outcome),
        f"age: {value_label(document.age_group)}",
        document.partnership or "",
    ]
    st.caption(escape_markdown(" · ".join(part for part in details if part)))
    if why is not None:
        why()
    for heading, units in (
        ("Findings", reading.findings),
        ("Recommendations", reading.recommendations),
    ):
        st.subheader(heading)
        if not units:
            st.caption(f"No {heading.lower()} were recognised in this review; search its passages.")
        for unit in units:
            st.markdown(unit_markdown(unit.number, unit.text, unit.page, unit.page_label))
    st.subheader("Themes")
    if not reading.tags:
        st.caption("No themes are tagged for this review.")
    for tag in reading.tags:
        who = "confirmed by an analyst" if tag.decided_by else f"confidence {tag.confidence:.2f}"
        st.markdown(f"- **{escape_markdown(tag.label)}** ({who})")
    draw_briefing(engine, review_id, source, ask_to_open, take_review)
