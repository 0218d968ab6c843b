"""Deadlines: the open cases you can see, what is due next and how late; filters, a CSV export,
one case's milestones on a chart against today, and the calendar feed of your milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import altair as alt
import streamlit as st

from core.errors import WorkbenchError
from review_flows.case_details import MilestoneLine, milestone_lines
from review_flows.deadlines import (
    DeadlineRow,
    deadline_choices,
    deadline_rows,
    deadlines_csv,
    filter_deadlines,
    several_partnerships,
    timeline_summary,
)
from review_flows.workbench import visible_timeline
from ui.auth import require_page
from ui.calendar_section import calendar_section
from ui.resources import db_session, settings
from ui.widgets import days_label, plain, short_labels, status_label

CASE_PAGE = "ui/pages/case.py"
LABEL_PIXELS = 320  # wide enough for short_labels' 38 characters: the chart cuts no further


def _words(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _table(rows: Sequence[DeadlineRow], *, partnership: bool) -> list[dict[str, object]]:
    """What is due, when and how late first; the partnership only where it tells rows apart."""
    return [
        {
            "Reference": row.reference,
            "Next milestone": row.next_milestone or "-",
            "Due": row.due,
            "Working days": days_label(row.working_days),
            "Status": status_label(row.next_status),
            "Stage": _words(row.stage),
            **({"Partnership": row.partnership} if partnership else {}),
            "Worst status": status_label(row.worst_status),
            "Owner": row.owner or "-",
        }
        for row in rows
    ]


#: Widths (px) that keep Reference to Status within the first screen at 1280 px, sidebar open.
COLUMNS = {
    "Reference": st.column_config.TextColumn(width=120, pinned=True),
    "Next milestone": st.column_config.TextColumn(width=230),
    "Due": st.column_config.DateColumn(width=105, format="D MMM YYYY"),
    "Working days": st.column_config.TextColumn(width=165),
    "Status": st.column_config.TextColumn(
        width=165, help="The next milestone's status, in words and a shape."
    ),
    "Stage": st.column_config.TextColumn(width=150),
    "Worst status": st.column_config.TextColumn(
        help="The most pressing status among all the case's milestones."
    ),
}
#: A phone shows one card per case instead of the table; a wide screen the table only.
PHONE_CSS = """
<style>
@media (max-width: 640px) { .st-key-deadlines_table { display: none; } }
@media (min-width: 641px) { .st-key-deadlines_cards { display: none; } }
</style>
"""
CARDS_AT_MOST = 50


def _cards(rows: Sequence[DeadlineRow], *, partnership: bool) -> None:
    """One bordered card per case: reference and status, then what is due, when, how late."""
    for number, row in enumerate(rows[:CARDS_AT_MOST]):
        with st.container(border=True, key=f"deadline_card_{number}"):
            where = f" · {plain(row.partnership)}" if partnership else ""
            st.markdown(f"**{plain(row.reference)}** · {status_label(row.next_status)}{where}")
            due = f"{row.due:%a %-d %b %Y}" if row.due else "no due date"
            st.markdown(
                f"{plain(row.next_milestone or 'Nothing due')} · due {due} · "
                f"**{days_label(row.working_days)}**"
            )
    if len(rows) > CARDS_AT_MOST:
        st.caption(f"The first {CARDS_AT_MOST} shown; the filters narrow the list.")


def _milestone_table(lines: Sequence[MilestoneLine]) -> list[dict[str, object]]:
    return [
        {
            "Milestone": line.label,
            "Due": line.due.isoformat() if line.due else "-",
            "Done": line.done.isoformat() if line.done else "-",
            "Status": status_label(line.status),
            "Working days": "-" if line.done else days_label(line.working_days),
        }
        for line in lines
    ]


def _chart(lines: Sequence[MilestoneLine], today: dt.date) -> alt.LayerChart | alt.FacetChart:
    # labels cut by us, kept apart (two readings of a rule differ only at their end); the
    # chart then draws them whole, and the tooltip gives the full label
    short = short_labels([line.label for line in lines])
    data = [
        {"Milestone": line.label, "Label": short[line.label], "Due": line.due.isoformat(),
         "Status": status_label(line.status)}
        for line in lines
        if line.due is not None
    ]  # fmt: skip
    points = (
        alt.Chart(alt.Data(values=data))
        .mark_point(size=120, filled=True)
        .encode(
            x=alt.X("Due:T", title="Due date"),
            y=alt.Y("Label:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_PIXELS)),
            shape=alt.Shape("Status:N", title="Status"),
            color=alt.Color("Status:N", title="Status"),
            tooltip=["Milestone:N", "Due:T", "Status:N"],
        )
    )
    rule = (
        alt.Chart(alt.Data(values=[{"Today": today.isoformat()}]))
        .mark_rule(strokeDash=[6, 3], color="black")
        .encode(x="Today:T", tooltip=["Today:T"])
    )
    return alt.layer(points, rule).properties(height=40 + 32 * max(len(data), 1))


viewer = require_page("deadlines")
today = dt.date.today()
st.title("Deadlines")
st.caption(
    f"The open cases you can see, most urgent first, as of {today:%A} {today.day} {today:%B %Y}."
    " Working days leave out weekends and the nation's bank holidays."
)

with db_session() as session:
    rows = deadline_rows(session, viewer, today=today, settings=settings())
choices = deadline_choices(rows)

# the filters fold away so that on a phone the first screen is the cases themselves
filters = st.expander("Filter the cases", icon=":material/filter_list:").columns(4)
stages = filters[0].multiselect("Stage", choices.stages, format_func=_words)
statuses = filters[1].multiselect(
    "Worst status", choices.statuses, format_func=status_label,
    help="The most pressing status among the case's milestones.",
)  # fmt: skip
nations = filters[2].multiselect("Nation", choices.nations, format_func=_words)
due_within = filters[3].number_input(
    "Due within (working days)", min_value=0, max_value=260, value=None, step=1,
    placeholder="Any", help="Cases whose next milestone is due within this many working days, "
    "the late ones included.",
)  # fmt: skip
shown = filter_deadlines(
    rows, stages=stages, statuses=statuses, nations=nations,
    due_within=None if due_within is None else int(due_within),
)  # fmt: skip
st.caption(f"{len(shown)} of {len(rows)} open cases shown.")
if shown:
    st.html(PHONE_CSS)
    partnership_column = several_partnerships(rows)
    with st.container(key="deadlines_table"):
        st.dataframe(
            _table(shown, partnership=partnership_column), hide_index=True, width="stretch",
            column_config=COLUMNS,
        )  # fmt: skip
    with st.container(key="deadlines_cards"):
        _cards(shown, partnership=partnership_column)
else:
    st.info("No open case matches these filters.")
st.download_button(
    "Download these cases as CSV", deadlines_csv(shown), file_name=f"deadlines-{today}.csv",
    mime="text/csv", icon=":material/download:",
)  # fmt: skip

references = list(dict.fromkeys(row.reference for row in shown))
# a reference two of the viewer's partnerships use (an admin's view) is charted per partnership
shared = {ref for ref in references if sum(row.reference == ref for row in shown) > 1}
charts = {
    f"{row.reference} · {row.partnership}" if row.reference in shared else row.reference: row
    for row in shown
}
with st.form("open_case", border=False):
    to_open = st.selectbox("Case to open", references, index=None, placeholder="Choose a case")
    if st.form_submit_button("Open on the Case page", icon=":material/folder_open:") and to_open:
        st.session_state["case_ref"] = to_open
        st.switch_page(CASE_PAGE)

st.header("Timeline of one case")
charted = st.selectbox("Case to chart", list(charts), index=0 if charts else None,
                       placeholder="No case to chart")  # fmt: skip
if charted:
    picked = charts[charted]
    try:
        with db_session() as session:
            timeline = visible_timeline(
                session, viewer, picked.reference, today=today, partnership=picked.partnership,
                settings=settings(),
            )  # fmt: skip
    except WorkbenchError as problem:
        st.error(f"Cannot chart {plain(charted)}: {plain(problem)}")
    else:
        lines = milestone_lines(timeline.milestones)
        summary = timeline_summary(charted, lines, today)
        if any(line.due for line in lines):
            st.altair_chart(_chart(lines, today), width="stretch")
        st.caption(f"Chart of due dates against today (dashed line). {summary}")
        st.dataframe(_milestone_table(lines), hide_index=True, width="stretch")

calendar_section(viewer, today)
