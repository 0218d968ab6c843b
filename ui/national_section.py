"""The Themes page's "national picture" section (analysts): each theme's share of the
library's reviews by year, nation or area with 95% intervals, the figures the Panel and the
DfE publish beside ours with their sources and why the two differ, year-on-year changes
tested against chance, and the tables and chart to download for a report.

Thin: :mod:`learning.themes.national_picture` builds the rows, this module renders them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from learning.errors import PublishedFiguresInvalid
from learning.themes.national_chart import (
    chart_themes,
    comparison_chart_png,
    rates_chart_png,
)
from learning.themes.national_picture import (
    CHANGE_COLUMNS,
    COMPARISON_COLUMNS,
    NationalPicture,
    change_rows,
    changes_text,
    comparison_rows,
    national_picture,
    rates_csv,
    table_csv,
)
from learning.themes.national_rates import BY
from learning.themes.rates import format_interval
from learning.themes.tagging import ThemeWorkspace
from learning.themes.views import group_label
from ui.widgets import plain

PERCENT = st.column_config.NumberColumn(format="percent")
#: The comparison's columns on the page (the CSV has them all).
SHOWN = (
    "Period", "Measure", "Theirs", "Population", "Ours", "Our 95% interval", "Difference",
    "Outside our interval", "Source", "Source address", "Confidence",
)  # fmt: skip
WHY = (
    "Ours and theirs count different things. Ours: the published reviews in this library, "
    "tagged by the workbench from each review's text, by year of publication. Theirs: the "
    "rapid reviews or notifications the Panel sees (or the DfE's official count), coded by "
    "its analysts, by year of notification. Published reviews are a minority of notified "
    "cases, chosen because there was learning. A difference is context, not an error in "
    "either."
)


def show_national_picture(workspace: ThemeWorkspace) -> None:
    """Render the section for the reviews of ``workspace``."""
    by = st.selectbox("Group by", list(BY), format_func=BY.__getitem__, key="national_by")
    try:
        picture = national_picture(workspace, str(by))
    except PublishedFiguresInvalid as bad:
        st.error(
            plain(
                f"The file of published figures cannot be used: {bad}. Ask whoever maintains "
                "the workbench to correct it."
            )
        )
        return
    _rates(picture)
    _published(picture)
    _changes(picture)


def _rates(picture: NationalPicture) -> None:
    st.subheader("Share of reviews with each theme")
    st.caption(
        f"{picture.total_reviews} published reviews in the library, by "
        f"{BY[picture.by].lower()}. Each share carries its 95% interval (Wilson); a share "
        "resting on fewer than 5 reviews says so. Areas are the reviewing partnership's: "
        "reviews record no region."
    )
    labels = picture.labels
    chosen = st.multiselect(
        "Themes", list(labels), default=chart_themes(picture), format_func=labels.__getitem__,
        key="national_themes",
    )  # fmt: skip
    if not chosen:
        st.info("Choose one or more themes to see their shares.")
        return
    rows = [
        (
            group_label(item.group), labels[item.theme_id], item.rate.reviews, item.rate.count,
            item.rate.share, format_interval(item.rate.interval), item.rate.note,
        )
        for item in picture.rates
        if item.theme_id in chosen
    ]  # fmt: skip
    columns = ["Group", "Theme", "Reviews", "With the theme", "Share", "95% interval", "Note"]
    st.dataframe(
        pd.DataFrame(rows, columns=columns), hide_index=True, column_config={"Share": PERCENT},
        key="national_rates",
    )  # fmt: skip
    left, right = st.columns(2)
    left.download_button(
        "Download the rates (CSV)", rates_csv(picture),
        file_name=f"theme-rates-by-{picture.by}.csv", mime="text/csv",
        icon=":material/download:", key="national_csv",
    )  # fmt: skip
    try:
        image = rates_chart_png(picture, chosen)
    except ValueError:
        return
    st.image(image, caption=f"Shares of the chosen themes by {BY[picture.by].lower()}.")
    right.download_button(
        "Download the chart (PNG)", image, file_name=f"theme-rates-by-{picture.by}.png",
        mime="image/png", icon=":material/download:", key="national_png",
    )  # fmt: skip


def _published(picture: NationalPicture) -> None:
    st.subheader("Beside the published figures")
    st.caption(WHY)
    rows = comparison_rows(picture)
    if not rows:
        st.info("No published figure is entered yet.")
        return
    frame = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    link = st.column_config.LinkColumn("Source address", display_text="Open the source")
    st.dataframe(
        frame[list(SHOWN)], hide_index=True, column_config={"Source address": link},
        key="national_published",
    )  # fmt: skip
    with st.expander("Why each figure differs from ours"):
        for row in rows:
            st.markdown(f"**{plain(row[0])}, {plain(row[1])}.** {plain(row[8])}")
    left, right = st.columns(2)
    left.download_button(
        "Download ours beside theirs (CSV)", table_csv(COMPARISON_COLUMNS, rows),
        file_name="published-figures-beside-ours.csv", mime="text/csv",
        icon=":material/download:", key="national_published_csv",
    )  # fmt: skip
    try:
        image = comparison_chart_png(picture)
    except ValueError:
        return  # no published share has reviews of ours in its years
    st.image(image, caption="Our share (bar, 95% interval) beside the published figure (diamond).")
    right.download_button(
        "Download ours beside theirs (PNG)", image, file_name="published-figures-beside-ours.png",
        mime="image/png", icon=":material/download:", key="national_published_png",
    )  # fmt: skip


def _changes(picture: NationalPicture) -> None:
    st.subheader("Year-on-year changes")
    st.caption(plain(changes_text(picture)))
    every = st.checkbox("Show every tested change", key="national_every")
    rows = change_rows(picture, flagged_only=not every)
    if not rows:
        st.info("No change between consecutive years has p < 0.05.")
        return
    st.dataframe(
        pd.DataFrame(rows, columns=list(CHANGE_COLUMNS)), hide_index=True,
        key="national_changes",
    )  # fmt: skip
