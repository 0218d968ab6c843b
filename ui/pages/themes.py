"""Themes (analysts): what published reviews find, as rates and compared, with the evidence.

Each theme's share of the reviews (with its 95% interval) overall, by a review fact and over
time, themes found together, rising and new themes (changes in percentage points), emerging
clusters, recurring recommendations, confirming or rejecting tags with the passages in view,
and evidence packs to download. A figure resting on fewer than five reviews is flagged
wherever it is shown. Everything comes from the published reviews in the learning index
(through :mod:`learning.themes.views` and :mod:`learning.themes.analyst_views`); no case
details are shown here.
"""

from __future__ import annotations

from itertools import groupby

import pandas as pd
import streamlit as st

from learning.encoder import Encoder
from learning.errors import IndexNotFound, LearningError
from learning.library import themes_cached
from learning.themes.analyst_views import (
    group_share_table,
    over_time_text,
    recurring_heading,
    shares_over_time,
    shares_text,
    theme_change_lines,
    theme_shares,
)
from learning.themes.cooccurrence import cooccurrence_text, ranked_combinations
from learning.themes.discovery import DiscoveryParams, discover_clusters
from learning.themes.pack_export import FORMATS
from learning.themes.rates import FEW_NOTE
from learning.themes.recurring import RecurringParams, recurring_recommendations
from learning.themes.report import cooccurrence_report, trends_report
from learning.themes.tagging import ThemeWorkspace
from learning.themes.values import Decision
from learning.themes.views import (
    DIMENSIONS,
    decide_tag,
    open_theme_workspace,
    pack_file,
    prevalence_grid,
    prevalence_text,
    review_choices,
    tag_review,
    tagger_caption,
    theme_choices,
)
from ui.auth import now, require_page
from ui.national_section import show_national_picture
from ui.resources import reviews_being_added, settings
from ui.theme_charts import FEW_LEGEND, share_over_time_chart, theme_share_chart
from ui.widgets import plain

FLASH = "themes_flash"
PACK = "themes_pack"
FORMAT_NAMES = {"csv": "CSV", "md": "Markdown", "pdf": "PDF"}
PERCENT = st.column_config.NumberColumn(format="percent")
PERIODS = {1: "Each year", 2: "2 years", 3: "3 years", 5: "5 years"}
#: How many combinations of themes the ranked table shows (all of them are in the full list).
TOP_COMBINATIONS = 15


def _encoder() -> Encoder:
    """The search model, looked up when called: only needed when scores are not cached."""
    from learning.runtime import build_encoder

    return build_encoder()


def _prevalence(workspace: ThemeWorkspace) -> None:
    grid = prevalence_grid(trends_report(workspace, "year"))
    bars = theme_shares(grid)
    st.subheader("Share of all reviews")
    text = shares_text(bars)
    carried = [bar for bar in bars if bar.count]
    if carried:
        st.altair_chart(theme_share_chart(carried), width="stretch", alt=text)
    st.caption(plain(text))  # theme labels come from the taxonomy analysts maintain
    st.caption(FEW_LEGEND)
    rows = [(bar.label, bar.count, bar.share, bar.interval, bar.note) for bar in bars]
    columns = ["Theme", f"Reviews with it (of {grid.total_reviews})", "Share", "95% interval"]
    frame = pd.DataFrame(rows, columns=[*columns, "Note"])
    config = {"Share": PERCENT}
    st.dataframe(frame, hide_index=True, column_config=config, key="shares_table")
    chosen = st.multiselect(
        "Compare by", list(DIMENSIONS), format_func=DIMENSIONS.__getitem__, key="themes_by"
    )
    for by in chosen:
        by_group = prevalence_grid(trends_report(workspace, by))
        st.subheader(f"By {DIMENSIONS[by].lower()}")
        st.caption(plain(prevalence_text(by_group)))
        headings, shares = group_share_table(by_group)
        config = {heading: PERCENT for heading in headings[1:]}
        st.dataframe(
            pd.DataFrame(shares, columns=headings), hide_index=True, column_config=config,
            key=f"prev_{by}",
        )  # fmt: skip


def _over_time(workspace: ThemeWorkspace) -> None:
    labels = {theme.id: theme.label for theme in workspace.taxonomy.themes}
    commonest = [
        line.theme_id for line in prevalence_grid(trends_report(workspace, "year")).carried
    ]
    left, right = st.columns([3, 1])
    chosen = left.multiselect(
        "Themes", list(labels), default=commonest[:3], format_func=labels.__getitem__,
        key="share_themes",
    )  # fmt: skip
    per = right.selectbox("Years per point", list(PERIODS), format_func=PERIODS.__getitem__,
                          key="share_years")  # fmt: skip
    st.caption(
        "Share of the reviews published in each period that carry the theme (reviews with the "
        "theme / reviews published then), with its 95% interval (Wilson). Reviews without a "
        f"year of publication are left out. {FEW_LEGEND}"
    )
    if not chosen:
        st.info("Choose one or more themes to see their share over time.")
        return
    points = shares_over_time(workspace, chosen, int(per))
    for theme, mine in groupby(points, key=lambda point: point.theme):
        series = list(mine)
        text = over_time_text(series)
        st.subheader(plain(theme))
        if series:
            st.altair_chart(share_over_time_chart(series), width="stretch", alt=text)
        st.caption(plain(text))
    rows = [(p.theme, p.period, p.reviews, p.count, p.share, p.interval, p.note) for p in points]
    columns = ["Theme", "Published", "Reviews", "With the theme", "Share", "95% interval", "Note"]
    st.dataframe(
        pd.DataFrame(rows, columns=columns), hide_index=True, column_config={"Share": PERCENT},
        key="share_table",
    )  # fmt: skip


def _cooccurrence(workspace: ThemeWorkspace) -> None:
    fewest = st.number_input("Found together in at least (reviews)", 1, 100, 2, key="co_min")
    report = cooccurrence_report(workspace, int(fewest))
    st.caption(plain(cooccurrence_text(report)))
    ranked = ranked_combinations(report)
    if not ranked:
        return
    rows = [
        (c.rank, c.label, f"{c.lift:.2f}", c.observed, c.note, f"{c.expected:.2f}") for c in ranked
    ]
    columns = ["Rank", "Themes", "Lift", "Reviews with all", "Note", "Expected if independent"]
    frame = pd.DataFrame(rows, columns=columns).set_index("Rank")
    st.markdown(f"**The {min(TOP_COMBINATIONS, len(ranked))} strongest, by lift**")
    st.table(frame.head(TOP_COMBINATIONS))
    st.caption(
        "Lift: how many times more often the themes are found together than if they were "
        "independent (1: as often as chance). A lift resting on fewer than 5 reviews says "
        f'"{FEW_NOTE}": a review or two more or less would change it a lot.'
    )
    if len(ranked) > TOP_COMBINATIONS:
        with st.expander(f"All {len(ranked)} combinations"):
            st.dataframe(frame, key="co_table")


def _changes(workspace: ThemeWorkspace) -> None:
    years = st.number_input("Recent years", 1, 20, 3, key="changes_years")
    report = trends_report(workspace, "year", int(years))
    lines = theme_change_lines(report)
    st.caption(
        f"Share of reviews carrying each theme in the last {int(years)} years up to the latest "
        "year indexed, against the years before, each with its 95% interval. The change is in "
        "percentage points (pp): a share going from 20% to 26% is +6.0 pp. New: first seen in "
        "the recent years."
    )
    if not lines:
        st.info("No theme is rising or new in these years.")
        return
    rows = [
        (
            line.label, line.change, line.note, line.status, line.recent_share,
            line.recent_interval, line.earlier_share, line.earlier_interval, line.recent,
            line.first_year,
        )
        for line in lines
    ]  # fmt: skip
    columns = [
        "Theme", "Change", "Note", "Status", "Recent share", "Recent 95% interval",
        "Earlier share", "Earlier 95% interval", "Recent reviews with it", "First year",
    ]  # fmt: skip
    config = {"Recent share": PERCENT, "Earlier share": PERCENT}
    st.dataframe(
        pd.DataFrame(rows, columns=columns), hide_index=True, column_config=config,
        key="changes_table",
    )  # fmt: skip


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
        theme = workspace.taxonomy.label_of(group.theme_id) if group.theme_id else None
        with st.expander(plain(recurring_heading(group, theme))):
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
            settings=settings(),
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
    "Share over time": _over_time,
    "Co-occurrence": _cooccurrence,
    "Rising and new": _changes,
    "Emerging clusters": _clusters,
    "Recurring recommendations": _recurring,
    "Confirm or reject tags": lambda workspace: _decisions(workspace, viewer.username),
    "Evidence packs": _packs,
    "The national picture": show_national_picture,
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
        # while reviews are being added the index changes with each one: the ingest's run
        # works the themes out at its end, rather than each page open with the model
        if not themes_cached(workspace) and reviews_being_added():
            st.info(
                "Reviews are being added to the library: the themes are worked out once they "
                "are all in (the Library page shows how far that has got). Come back then."
            )
        else:
            st.caption(plain(tagger_caption(workspace)))
            SECTIONS[section](workspace)
except IndexNotFound:
    st.info(
        "No learning index yet: add published reviews on the Library page (a reviewer or an "
        "administrator can), then come back."
    )
except LearningError as problem:
    st.error(plain(problem))
