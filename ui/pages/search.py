"""Search page: findings, recommendations and passages of published reviews, by meaning and by
words, with filters, best first, no text shown twice; open a review in a dialog over the
results to read its findings, recommendations and themes."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from learning.errors import LearningError
from learning.filters import ALLOWED_VALUES
from learning.highlight import escape_markdown, highlight_markdown, passage_location, value_label
from learning.library import filter_choices, search_library
from learning.results import PassageHit, ReviewHit
from learning.search import SearchEngine
from learning.search_form import MAX_QUERY_CHARS, SearchChoices, SearchMode, build_filters
from ui.auth import require_page
from ui.resources import engine_or_stop
from ui.review_view import ask_to_open, open_review_dialog, take_review
from ui.widgets import plain

MODES = {SearchMode.PASSAGES: "Passages", SearchMode.REVIEWS: "Reviews"}
RESULTS = 10

viewer = require_page("search")
st.title("Search")


def _details(hit: PassageHit | ReviewHit) -> str:
    values = [str(hit.year or "year not known"), value_label(hit.nation)]
    values += [value_label(hit.review_type), value_label(hit.outcome)]
    return " · ".join(values)


def _show_passage(hit: PassageHit) -> None:
    st.markdown(highlight_markdown(hit.text, hit.spans))
    st.caption(escape_markdown(passage_location(hit)))


def _show_passage_hit(rank: int, hit: PassageHit) -> None:
    with st.container(border=True):
        _show_passage(hit)
        st.caption(_details(hit))
        st.button(
            "Open review",
            key=f"open-{rank}-{hit.unit_id}",
            on_click=ask_to_open,
            args=(hit.review_id,),
        )


def _show_review_hit(rank: int, hit: ReviewHit) -> None:
    with st.container(border=True):
        st.markdown(f"**{rank}. {escape_markdown(hit.title)}**")
        st.caption(_details(hit))
        for passage in hit.passages:
            _show_passage(passage)
        st.button(
            "Open review",
            key=f"open-{rank}-{hit.review_id}",
            on_click=ask_to_open,
            args=(hit.review_id,),
        )


def _filters_panel(engine: SearchEngine) -> SearchChoices:
    choices = filter_choices(engine)
    with st.expander("Filters"):
        years = None
        if choices.year_span is not None and choices.year_span[0] < choices.year_span[1]:
            years = st.slider("Years", *choices.year_span, value=choices.year_span)
        left, right = st.columns(2)
        nation = left.multiselect("Nation", choices.nation, format_func=value_label)
        outcome = right.multiselect("Outcome", choices.outcome, format_func=value_label)
        age_group = left.multiselect("Age group", choices.age_group, format_func=value_label)
        review_type = right.multiselect("Review type", choices.review_type, format_func=value_label)
        kind = left.multiselect(
            "Kind of passage", ALLOWED_VALUES["kind"], format_func=lambda kind: f"{kind}s"
        )
        partnership = right.text_input("Partnership name contains")
    return SearchChoices(
        years=years,
        year_span=choices.year_span,
        nation=tuple(nation),
        outcome=tuple(outcome),
        age_group=tuple(age_group),
        review_type=tuple(review_type),
        kind=tuple(kind),
        partnership=partnership,
    )


def _show_results(
    engine: SearchEngine, query: str, mode: SearchMode, choices: SearchChoices
) -> None:
    try:
        filters = build_filters(choices)
        with st.spinner("Searching ..."):
            hits: Sequence[PassageHit | ReviewHit] = search_library(
                engine, query, mode, filters, RESULTS
            )
    except LearningError as problem:
        st.warning(f"Cannot search: {plain(problem)}.")
        return
    if not hits:
        st.info("No results. Try other words, or fewer filters.")
        return
    st.caption(f"{len(hits)} best {mode.value} for your search")
    for rank, hit in enumerate(hits, start=1):
        if isinstance(hit, ReviewHit):
            _show_review_hit(rank, hit)
        else:
            _show_passage_hit(rank, hit)


query = st.text_input(
    "Search findings, recommendations and passages",
    key="search_query",
    placeholder='e.g. bruising in a non-mobile baby, or "disguised compliance"',
    help=f"Words or a question, up to {MAX_QUERY_CHARS} characters. "
    'Put words in "double quotes" to keep them together.',
)
mode = st.radio(
    "Show", list(MODES), format_func=MODES.__getitem__, horizontal=True, key="search_mode"
)
engine = engine_or_stop("Add some on the Library page, then search them.")
choices = _filters_panel(engine)
if query.strip():
    _show_results(engine, query, SearchMode(mode), choices)
elif query:
    st.warning("The query is empty: type some words to search for.")
else:
    st.caption("Type words or a question above, then press Enter.")
opened = take_review()
if opened:
    open_review_dialog(engine, opened)
