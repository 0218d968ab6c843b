"""Similar cases page: past published reviews most like a case, with why they matched; save the
useful ones to the case's shortlist. The précis is pasted, or built from one of the viewer's
cases out of its coded facts only (never a name)."""

from __future__ import annotations

import streamlit as st

from learning.errors import LearningError
from learning.highlight import escape_markdown, highlight_markdown, passage_location, value_label
from learning.library import similar_reviews
from learning.precis import case_precis, facts_of
from learning.results import SimilarReview
from learning.search import SearchEngine
from learning.search_form import MAX_PRECIS_CHARS
from review_flows.case_queries import CaseOverview
from review_flows.errors import ReviewFlowsError
from review_flows.personal_data import find_personal_data, mask_personal_data
from review_flows.shortlists import save_to_shortlist
from review_flows.workbench import visible_cases
from ui.auth import now, require_page
from ui.resources import db_session, engine_or_stop, settings
from ui.widgets import plain

PRECIS = "precis"
ASKED = "similar_precis"
CASE = "similar_case"
AS_WRITTEN = "similar_as_written"
RESULTS = 5

viewer = require_page("similar")
st.title("Similar cases")
st.caption(
    "Published reviews most like a case. Describe the case by what happened and to whom "
    "(a baby, a teenager, the mother's new partner): never by name."
)


def _label(overview: CaseOverview) -> str:
    return f"{overview.case.reference} · {overview.case.partnership}"


def _take_precis(cases: dict[str, CaseOverview]) -> None:
    chosen = cases.get(st.session_state.get(CASE) or "")
    if chosen is not None:
        st.session_state[PRECIS] = case_precis(facts_of(chosen))


def _ask() -> None:
    st.session_state[ASKED] = st.session_state.get(PRECIS, "")
    st.session_state[AS_WRITTEN] = False


def _mask_and_search() -> None:
    masked = mask_personal_data(st.session_state.get(PRECIS, ""))
    st.session_state[PRECIS] = st.session_state[ASKED] = masked


def _search_as_written() -> None:
    st.session_state[AS_WRITTEN] = True


def _precis_is_clean(precis: str) -> bool:
    """Warn if the précis holds personal data and offer to mask it (the précis is not stored:
    the reviewer may still search as written)."""
    found = find_personal_data(precis)
    if not found or st.session_state.get(AS_WRITTEN):
        return True
    listed = "; ".join(f.masked for f in found[:5])
    st.warning(
        f"The précis seems to hold personal data: {listed}. Describe the case by roles and "
        "facts (the mother, a six week old baby), or mask it: each finding becomes a "
        "placeholder such as [name].",
        icon=":material/warning:",
    )
    left, right = st.columns(2)
    left.button("Mask and search", type="primary", on_click=_mask_and_search)
    right.button("Search as written", on_click=_search_as_written)
    return False


def _save_form(hit: SimilarReview, case: CaseOverview | None) -> None:
    if case is None:
        st.caption("Choose a case above to save this review to its shortlist.")
        return
    reference = case.case.reference
    with st.form(key=f"save-{hit.review_id}", border=False):
        note = st.text_input("Why it is useful (optional, no names)", max_chars=2000)
        if not st.form_submit_button(f"Save to {reference}", icon=":material/bookmark_add:"):
            return
    try:
        with db_session() as session:
            save_to_shortlist(
                session, viewer, reference, hit.review_id, note.strip() or None,
                partnership=case.case.partnership,
            )  # fmt: skip
    except ReviewFlowsError as problem:
        st.error(f"Not saved: {plain(problem)}")
    else:
        st.success(f"Saved to the shortlist of {reference}.")


def _show_hit(rank: int, hit: SimilarReview, case: CaseOverview | None) -> None:
    with st.container(border=True):
        st.markdown(f"**{rank}. {escape_markdown(hit.title)}**")
        details = [str(hit.year or "year not known"), value_label(hit.nation)]
        details += [value_label(hit.review_type), value_label(hit.outcome)]
        details += [f"age: {value_label(hit.age_group)}", f"similarity {hit.similarity:.2f}"]
        st.caption(" · ".join(details))
        if hit.shared_themes:
            themes = ", ".join(escape_markdown(theme) for theme in hit.shared_themes)
            st.markdown(f"**Shared themes:** {themes}")
        st.markdown("**Why it matched:**")
        for passage in hit.passages:
            st.markdown(highlight_markdown(passage.text, passage.spans))
            st.caption(escape_markdown(passage_location(passage)))
        _save_form(hit, case)


def _show_results(engine: SearchEngine, precis: str, case: CaseOverview | None) -> None:
    try:
        with st.spinner("Finding similar reviews (the first search takes longer) ..."):
            hits = similar_reviews(engine, precis, RESULTS)
    except LearningError as problem:
        st.warning(f"Cannot search: {plain(problem)}.")
        return
    if not hits:
        st.info("No similar reviews found. Describe the case in more words.")
        return
    for rank, hit in enumerate(hits, start=1):
        _show_hit(rank, hit, case)


with db_session() as session:
    overviews = visible_cases(session, viewer, today=now().date(), settings=settings())
cases = {_label(overview): overview for overview in overviews}
chosen = st.selectbox(
    "Take the précis from a case (optional)",
    list(cases),
    index=None,
    key=CASE,
    placeholder="Choose one of your cases" if cases else "You have no open cases",
    on_change=_take_precis,
    args=(cases,),
    help="Builds a précis from the case's outcome, age group, care status and stage; "
    "saving a review adds it to this case's shortlist.",
)
st.text_area(
    "Case précis",
    key=PRECIS,
    height=150,
    placeholder="e.g. A six week old baby was taken to hospital with bruises on his face. "
    "The mother's new partner had recently moved in.",
    help=f"A few sentences, up to {MAX_PRECIS_CHARS:,} characters. No names.",
)
st.button("Find similar reviews", type="primary", on_click=_ask)
asked = st.session_state.get(ASKED)
if asked is not None and _precis_is_clean(asked):
    engine = engine_or_stop("Add some on the Library page first.")
    _show_results(engine, asked, cases.get(chosen or ""))
