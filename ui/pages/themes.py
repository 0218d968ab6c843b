"""Themes (analysts): what published reviews find, counted and compared, with the evidence.

Prevalence by a review fact, co-occurrence, rising and new themes, emerging clusters,
recurring recommendations, confirming or rejecting tags with the passages in view, and
evidence packs to download. Everything comes from the published reviews in the learning index
(through :mod:`learning.themes.views`); no case details are shown here.
"""

from __future__ import annotations

from dataclasses import asdict

import altair as alt
import pandas as pd
import streamlit as st

from learning.encoder import Encoder
from learning.errors import IndexNotFound, LearningError
from learning.themes.discovery import DiscoveryParams, discover_clusters
from learning.themes.pack_export import FORMATS
from learning.themes.recurring import RecurringParams, recurring_recommendations
from learning.themes.report import cooccurrence_report, trends_report
from learning.themes.tagging import ThemeWorkspace
from learning.themes.values import Decision
from learning.themes.views import (
    DIMENSIONS,
    ORDERED_DIMENSIONS,
    cooccurrence_cells,
    cooccurrence_lines,
    cooccurrence_text,
    decide_tag,
    group_label,
    open_theme_workspace,
    pack_file,
    prevalence_grid,
    prevalence_text,
    review_choices,
    tag_review,
    theme_change_lines,
    theme_choices,
)
from ui.auth import now, require_page
from ui.resources import settings
from ui.widgets import plain

FLASH = "themes_flash"
PACK = "themes_pack"
FORMAT_NAMES = {"csv": "CSV", "md": "Markdown", "pdf": "PDF"}
PERCENT = st.column_config.NumberColumn(format="percent")
LABELS = alt.Axis(labelLimit=320)  # theme labels are long; cut them only when very long


def _encoder() -> Encoder:
    """The search model, looked up when called: only needed when scores are not cached."""
    from learning.cli import build_encoder

    return build_encoder()


def _prevalence(workspace: ThemeWorkspace) -> None:
    chosen = st.multiselect(
        "Group by", list(DIMENSIONS), default=["year"], format_func=DIMENSIONS.__getitem__,
        key="themes_by",
    )  # fmt: skip
    for by in chosen:
        grid = prevalence_grid(trends_report(workspace, by))
        st.subheader(f"By {DIMENSIONS[by].lower()}")
        text = prevalence_text(grid)
        points = grid.chart_points()
        if points:
            order = [group_label(group) for group, _ in grid.groups]
            ordered = by in ORDERED_DIMENSIONS
            colour = alt.Color(
                f"group:{'O' if ordered else 'N'}", title=DIMENSIONS[by], sort=order,
                scale=alt.Scale(scheme="viridis" if ordered else "tableau10"),
            )  # fmt: skip
            chart = (
                alt.Chart(pd.DataFrame([asdict(point) for point in points]))
                .mark_bar()
                .encode(
                    x=alt.X("reviews:Q", title="Reviews carrying the theme"),
                    y=alt.Y("theme:N", sort="-x", title=None, axis=LABELS),
                    color=colour,
                    order=alt.Order("rank:Q"),
                    tooltip=["theme", "group", "reviews", alt.Tooltip("share:Q", format=".0%")],
                )
            )
            st.altair_chart(chart, width="stretch", alt=text)
        st.caption(plain(text))  # theme and group labels come from reviews and analysts
        columns = [
            "Theme",
            f"All reviews ({grid.total_reviews})",
            *(f"{group_label(group)} ({size})" for group, size in grid.groups),
        ]
        rows = [(line.label, line.total, *line.counts) for line in grid.lines]
        st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, key=f"prev_{by}")


def _cooccurrence(workspace: ThemeWorkspace) -> None:
    fewest = st.number_input("Found together in at least (reviews)", 1, 100, 2, key="co_min")
    report = cooccurrence_report(workspace, int(fewest))
    text = cooccurrence_text(report)
    cells = cooccurrence_cells(report)
    if cells:
        chart = (
            alt.Chart(pd.DataFrame([asdict(cell) for cell in cells]))
            .mark_rect()
            .encode(
                x=alt.X("first:N", title=None, axis=alt.Axis(labelAngle=-45, labelLimit=220)),
                y=alt.Y("second:N", title=None, axis=LABELS),
                color=alt.Color("observed:Q", title="Reviews with both"),
                tooltip=["first", "second", "observed", "lift"],
            )
        )
        st.altair_chart(chart, width="stretch", alt=text)
    st.caption(plain(text))
    lines = [asdict(line) for line in cooccurrence_lines(report)]
    frame = pd.DataFrame(lines, columns=["themes", "observed", "expected", "lift"])
    frame.columns = ["Themes", "Reviews with all", "Expected if independent", "Lift"]
    st.dataframe(frame, hide_index=True, key="co_table")


def _changes(workspace: ThemeWorkspace) -> None:
    years = st.number_input("Recent years", 1, 20, 3, key="changes_years")
    report = trends_report(workspace, "year", int(years))
    lines = theme_change_lines(report)
    st.caption(
        f"Share of reviews carrying each theme in the last {int(years)} years up to the latest "
        "year indexed, against the years before. New: first seen in the recent years."
    )
    if not lines:
        st.info("No theme is rising or new in these years.")
        return
    frame = pd.DataFrame([asdict(line) for line in lines])
    frame.columns = [
        "Theme", "Status", "First year", "Recent reviews with it", "Recent share", "Earlier share",
        "Change",
    ]  # fmt: skip
    config = {"Recent share": PERCENT, "Earlier share": PERCENT, "Change": PERCENT}
    st.dataframe(frame, hide_index=True, column_config=config, key="changes_table")


def _clusters(workspace: ThemeWorkspace) -> None:
    left, middle, right = st.columns(3)
    coverage = left.slider("Uncovered below confidence", 0.0, 1.0, 0.5, 0.05, key="disc_cov")
    similarity = middle.slider("Grouping similarity", 0.0, 1.0, 0.6, 0.05, key="disc_sim")
    min_size = right.number_input("Smallest cluster", 2, 50, 3, key="disc_size")
    params = DiscoveryParams(
        coverage_threshold=coverage, similarity=similarity, min_size=int(min_size)
    )
    result = discover_clusters(workspace, params)
    st.caption(
        f"{len(result.clusters)} clusters among {result.uncovered} of {result.considered} "
        "findings and recommendations that no theme covers well. To make one a theme, give "
        "its id to whoever maintains the workbench's taxonomy of themes."
    )
    for cluster in result.clusters:
        nearest = workspace.taxonomy.label_of(cluster.best_theme) if cluster.best_theme else "-"
        with st.expander(
            f"{plain(cluster.label)}: {cluster.size} passages in {len(cluster.reviews)} reviews"
        ):
            st.markdown(
                f"Id `{plain(cluster.cluster_id)}` · words: {plain(', '.join(cluster.terms))} · "
                f"nearest theme: {plain(nearest)} ({cluster.best_confidence:.2f})"
            )
            for example in cluster.examples:
                st.text(example.text)
                st.caption(plain(example.citation))


def _recurring(workspace: ThemeWorkspace) -> None:
    left, right = st.columns(2)
    threshold = left.slider("Similarity to group", 0.0, 1.0, 0.65, 0.05, key="rec_threshold")
    fewest = right.number_input("In at least (reviews)", 2, 100, 2, key="rec_min")
    groups = recurring_recommendations(
        workspace, RecurringParams(threshold=threshold, min_reviews=int(fewest))
    )
    st.caption(f"{len(groups)} recommendations made in {int(fewest)} or more reviews.")
    for group in groups:
        years = f"{group.first_year}-{group.last_year}" if group.first_year else "years unknown"
        theme = workspace.taxonomy.label_of(group.theme_id) if group.theme_id else "no theme"
        with st.expander(
            f"{group.count} times in {group.reviews} reviews ({years}): {plain(theme)}"
        ):
            st.text(group.statement)
            for member in group.members:
                st.caption(plain(f"{member.citation} {member.text}"))


def _decisions(workspace: ThemeWorkspace, username: str) -> None:
    reviews = {choice.review_id: choice.label for choice in review_choices(workspace)}
    review_id = st.selectbox("Review", list(reviews), format_func=reviews.__getitem__, key="tr")
    if review_id is None:
        return
    themes = {choice.theme_id: choice.caption for choice in theme_choices(workspace, review_id)}
    theme_id = st.selectbox("Theme", list(themes), format_func=themes.__getitem__, key="tt")
    view = tag_review(workspace, review_id, theme_id)
    state = "Tagged" if view.tagged else "Not tagged"
    st.markdown(
        f"**{state}**: model confidence {view.model_confidence:.2f}, threshold "
        f"{view.threshold:.2f}. *{plain(view.definition)}*"
    )
    if view.decision is not None:
        d = view.decision
        note = f": {d.note}" if d.note else ""
        st.info(plain(f"In force: {d.decision}ed by {d.by} on {d.at:%Y-%m-%d %H:%M} UTC{note}"))
    st.markdown("**Evidence**" if view.evidence else "No passage of this review scores for it.")
    for item in view.evidence:
        number = f" {item.number}" if item.number else ""
        with st.container(border=True):
            st.caption(
                plain(
                    f"Page {item.page_label or item.page} · {item.section} · {item.kind}"
                    f"{number} · confidence {item.confidence:.2f}"
                )
            )
            st.text(item.text)
    with st.form("decide_tag", clear_on_submit=True):
        note = st.text_area("Note (optional)", key="decision_note")
        left, right = st.columns(2)
        confirm = left.form_submit_button("Confirm", key="confirm_tag", icon=":material/check:")
        reject = right.form_submit_button("Reject", key="reject_tag", icon=":material/close:")
    if not (confirm or reject):
        return
    verdict = Decision.CONFIRM if confirm else Decision.REJECT
    try:
        saved = decide_tag(
            workspace, settings().resolved_database_url, review_id=review_id,
            theme_id=theme_id, decision=verdict, by=username, at=now(), note=note,
        )  # fmt: skip
    except LearningError as refused:
        st.error(f"Not saved: {plain(refused)}")
        return
    st.session_state[FLASH] = plain(f"{saved.decision}ed {view.label} on {review_id}.")
    st.rerun()


def _packs(workspace: ThemeWorkspace) -> None:
    labels = {theme.id: theme.label for theme in workspace.taxonomy.themes}
    theme_id = st.selectbox("Theme", list(labels), format_func=labels.__getitem__, key="pack_th")
    fmt = st.radio(
        "Format", FORMATS, format_func=FORMAT_NAMES.__getitem__, horizontal=True, key="pack_fmt"
    )
    if st.button("Prepare the pack", key="pack_build", icon=":material/description:"):
        st.session_state[PACK] = (theme_id, fmt, pack_file(workspace, theme_id, fmt))
    prepared = st.session_state.get(PACK)
    if prepared is None or prepared[:2] != (theme_id, fmt):
        return
    pack = prepared[2]
    st.caption(
        f"{pack.reviews} reviews, {pack.findings} findings, {pack.recommendations} "
        "recommendations; every line cites its review and page."
    )
    st.download_button(
        f"Download {pack.name}", pack.data, file_name=pack.name, mime=pack.mime,
        icon=":material/download:", key="pack_download",
    )  # fmt: skip


viewer = require_page("themes")
SECTIONS = {
    "Prevalence": _prevalence,
    "Co-occurrence": _cooccurrence,
    "Rising and new": _changes,
    "Emerging clusters": _clusters,
    "Recurring recommendations": _recurring,
    "Confirm or reject tags": lambda workspace: _decisions(workspace, viewer.username),
    "Evidence packs": _packs,
}
st.title("Themes")
st.caption(
    "Counted over the published reviews in the learning index: aggregate figures and the "
    "reviews' own words, never case details."
)
section = st.radio("Show", list(SECTIONS), horizontal=True, key="themes_section")
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash, icon=":material/check_circle:")
try:
    with open_theme_workspace(settings(), _encoder) as workspace:
        SECTIONS[section](workspace)
except IndexNotFound:
    st.info(
        "No learning index yet: add published reviews on the Library page (a reviewer or an "
        "administrator can), then come back."
    )
except LearningError as problem:
    st.error(plain(problem))
