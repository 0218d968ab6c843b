"""The "7-minute briefing" part of an opened review: a draft made on request, offered to
download as Markdown, a Word document and a PDF of two pages at most.

The draft takes a few seconds (the model reads the review's sentences), so it is made only when
asked and kept for the session; the downloads do not rerun the page. Editing the draft and
making one part again are not offered here yet.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from learning.briefing import Briefing
from learning.briefing_library import review_briefing
from learning.briefing_writers import MEDIA_TYPES, BriefingFormat, render
from learning.errors import LearningError
from learning.library import ThemeSource
from learning.search import SearchEngine
from ui.widgets import plain

DRAFT_BUTTON = "Draft a 7-minute briefing"
WANTED = "briefing_wanted"
DRAFTS = "briefing_drafts"
_DOWNLOADS = (
    (BriefingFormat.MARKDOWN, "Download as Markdown"),
    (BriefingFormat.WORD, "Download as Word"),
    (BriefingFormat.PDF, "Download as PDF"),
)


def draw_briefing(
    engine: SearchEngine,
    review_id: str,
    source: ThemeSource,
    reopen: Callable[[str], None],
    forget: Callable[[], object],
) -> None:
    """The briefing part of the review ``review_id``. ``reopen`` keeps the review open on the
    run the draft button starts, if that run is the whole page's; ``forget`` drops that
    request when the run is the dialog's alone (so the next run of the page does not open it
    again)."""
    drafts: dict[str, Briefing] = st.session_state.setdefault(DRAFTS, {})
    if st.session_state.get(WANTED) == review_id:
        st.session_state.pop(WANTED, None)
        forget()
        try:
            with st.spinner("Drafting the briefing ..."):
                drafts[review_id] = review_briefing(engine, review_id, source)
        except LearningError as problem:
            st.warning(f"Cannot draft a briefing of this review: {plain(problem)}.")
            return
    briefing = drafts.get(review_id)
    if briefing is None:
        st.caption(
            "A two-page draft for practitioners: background, what happened, key learning, "
            "good practice, questions, the recommendations. Each point is a sentence of the "
            "review with its page."
        )
        st.button(
            DRAFT_BUTTON,
            key=f"draft-briefing-{review_id}",
            on_click=_want,
            args=(review_id, reopen),
        )
        return
    st.markdown("**7-minute briefing draft**")
    st.caption(
        f"{len(briefing.points)} points quoted from the review, each with its page. Check them "
        "against the report before circulating the briefing."
    )
    for form, label in _DOWNLOADS:
        st.download_button(
            label,
            render(briefing, form),
            file_name=f"{review_id}-briefing.{form.value}",
            mime=MEDIA_TYPES[form],
            key=f"briefing-{form.value}-{review_id}",
            on_click="ignore",
        )


def _want(review_id: str, reopen: Callable[[str], None]) -> None:
    st.session_state[WANTED] = review_id
    reopen(review_id)
