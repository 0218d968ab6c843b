"""Similar cases page: past published reviews most like a case, ranked on the précis and on
each of its facets (age, risks, agencies, what went wrong), with which facets each matches and
which not, and for each matched facet the passage that shows it (or that the review's age
group or themes match it); open one in a dialog; save the useful ones to the case's
shortlist. The précis is pasted, or built from one of the viewer's cases out of its coded
facts only (never a name)."""

from __future__ import annotations

import streamlit as st

from core.errors import WorkbenchError
from core.personal_data import find_personal_data, mask_personal_data
from learning.errors import LearningError
from learning.facets import FACET_KIND_LABELS, Facet, FacetKind
from learning.highlight import escape_markdown, highlight_markdown, passage_location, value_label
from learning.library import ThemeSource
from learning.precis import case_precis
from learning.results import FacetedReview
from learning.search import SearchEngine
from learning.search_form import MAX_PRECIS_CHARS
from learning.similar_facets import FacetedSearch, similar_by_facets
from review_flows.case_facts import facts_of
from review_flows.case_queries import CaseOverview
from review_flows.shortlists import save_to_shortlist
from review_flows.workbench import visible_cases
from ui.auth import now, require_page
from ui.resources import db_session, engine_or_stop, settings
from ui.review_view import ask_to_open, open_review_dialog, take_review
from ui.widgets import plain

PRECIS = "precis"
ASKED = "similar_precis"
CASE = "similar_case"
AS_WRITTEN = "similar_as_written"
FOUND = "similar_found"  # (précis, results): opening a review or saving one does not search again
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
    st.session_state.pop(FOUND, None)  # the button searches afresh


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


def _save_form(hit: FacetedReview, case: CaseOverview | None) -> None:
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
    except WorkbenchError as problem:
        st.error(f"Not saved: {plain(problem)}")
    else:
        st.success(f"Saved to the shortlist of {reference}.")


def _chips(labels: list[str], colour: str) -> str:
    return " ".join(f":{colour}-badge[{escape_markdown(label)}]" for label in labels)


def _show_facets(facets: tuple[Facet, ...]) -> None:
    """The précis's facets as chips, and what each was read as."""
    if not facets:
        st.caption("No facets were recognised in the précis: it is searched as a whole.")
        return
    st.markdown(f"**Facets of the précis:** {_chips([f.label for f in facets], 'blue')}")
    with st.expander(f"How the {len(facets)} facets were read, and how reviews are scored"):
        for facet in facets:
            kind = FACET_KIND_LABELS[facet.kind]
            st.markdown(
                f"- **{kind}:** {escape_markdown(facet.label)} — {escape_markdown(facet.meaning)}"
            )
        st.caption(
            "Each facet is searched on its own, and the précis as a whole. A review's score (0 "
            "to 1) is half how well it matches the précis as a whole and half how many of its "
            "facets it matches and how well (a facet it matches at all counts at least half); "
            "reviews are listed by that score. A facet about a person (the father) is matched "
            "by passages about that person, not about someone else."
        )


def _matches_line(hit: FacetedReview, facets: tuple[Facet, ...]) -> None:
    matched = [facets[index].label for index in hit.matched]
    missed = [facet.label for index, facet in enumerate(facets) if index not in hit.matched]
    st.markdown(f"**Matches {len(matched)} of {len(facets)} facets:** {_chips(matched, 'green')}")
    if missed:
        st.markdown(f"**Not matched:** {_chips(missed, 'gray')}")
    if any(facets[index].kind is FacetKind.AGE for index in hit.matched):
        st.caption(f"Age matched on the review's details: {value_label(hit.age_group)}")
    themed = [facets[i] for i in hit.by_theme if not any(i in p.facets for p in hit.passages)]
    if themed:
        named = "; ".join(escape_markdown(facet.meaning) for facet in themed)
        st.caption(f"Matched on the review's themes: {named}")


def _show_passages(rank: int, hit: FacetedReview, facets: tuple[Facet, ...]) -> None:
    for number, shown in enumerate(hit.passages):
        passage = shown.passage
        where = escape_markdown(passage_location(passage))
        labels = ", ".join(escape_markdown(facets[index].label) for index in shown.facets)
        with st.container(key=f"similar_passage_{rank}_{number}"):
            st.markdown(highlight_markdown(passage.text, passage.spans))
            why = f"matches: {labels}" if labels else "matches the précis"
            st.caption(f"{where} · {why}")


def _details(hit: FacetedReview) -> str:
    details = [str(hit.year or "year not known"), value_label(hit.nation)]
    details += [value_label(hit.review_type), value_label(hit.outcome)]
    details += [f"age: {value_label(hit.age_group)}", f"score {hit.score:.2f}"]
    return " · ".join(details)


def _show_hit(
    rank: int, hit: FacetedReview, facets: tuple[Facet, ...], case: CaseOverview | None
) -> None:
    with st.container(border=True, key=f"similar_result_{rank}"):
        st.markdown(f"**{rank}. {escape_markdown(hit.title)}**")
        st.caption(_details(hit))
        if facets:
            _matches_line(hit, facets)
        st.markdown("**Why it matched:**")
        _show_passages(rank, hit, facets)
        st.button(
            "Open review", key=f"open-{hit.review_id}", on_click=ask_to_open, args=(hit.review_id,)
        )
        _save_form(hit, case)


def _found(engine: SearchEngine, precis: str) -> FacetedSearch | None:
    """The results for ``precis``: kept from this session's last search of it, else searched."""
    kept = st.session_state.get(FOUND)
    if kept is not None and kept[0] == precis:
        return kept[1]
    try:
        with st.spinner("Finding similar reviews (the first search takes longer) ..."):
            found = similar_by_facets(
                engine, precis, ThemeSource.from_settings(settings()), RESULTS
            )
    except LearningError as problem:
        st.warning(f"Cannot search: {plain(problem)}.")
        return None
    st.session_state[FOUND] = (precis, found)
    return found


def _show_results(engine: SearchEngine, precis: str, case: CaseOverview | None) -> None:
    found = _found(engine, precis)
    if found is None:
        return
    _show_facets(found.facets)
    if not found.reviews:
        st.info("No similar reviews found. Describe the case in more words.")
        return
    for rank, hit in enumerate(found.reviews, start=1):
        _show_hit(rank, hit, found.facets, case)
    opened = take_review()
    chosen = next((hit for hit in found.reviews if hit.review_id == opened), None)
    if chosen is not None:
        open_review_dialog(engine, chosen.review_id, lambda: _matches_line(chosen, found.facets))


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
