"""Inbox: the viewer's own reminders, escalations and digests, newest first.

A notice reaches this inbox when it went to a contact linked to the viewer's username (see
Admin, contacts). Unread notices say so in words and with an icon; "Mark read" marks one.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.errors import WorkbenchError
from core.labels import notice_kind_label
from review_flows.sweep_times import describe_next_sweep, next_sweep
from review_flows.workbench import inbox_of, mark_read_as
from ui.auth import require_page
from ui.resources import db_session, settings
from ui.widgets import plain

viewer = require_page("inbox")
st.title("Inbox")
now = dt.datetime.now(dt.UTC)
try:
    upcoming = next_sweep(settings().sweep_cron, settings().sweep_timezone, now)
except WorkbenchError as problem:
    st.warning(f"When the next sweep runs is unknown: {problem}")
else:
    st.caption(
        "Reminders and escalations come from the deadline sweep, which also catches up each "
        f"time the system starts. Its next scheduled run: {describe_next_sweep(upcoming, now)}."
    )
unread_only = st.toggle("Unread only", key="inbox_unread_only")
with db_session() as session:
    notices = inbox_of(session, viewer, unread_only=unread_only)

if not notices:
    st.info(
        "Nothing unread."
        if unread_only
        else "No notices for you yet. Reminders and escalations arrive here when a partnership "
        "contact is linked to your username."
    )
for notice in notices:
    unread = notice.read_at is None
    with st.container(border=True):
        state = ":material/mark_email_unread: **Unread**" if unread else ":material/drafts: Read"
        about = f" · {plain(notice.case_reference)}" if notice.case_reference else ""
        st.markdown(
            f"{state} · {notice_kind_label(notice.kind)}{about} · "
            f"{notice.created_at:%d %b %Y %H:%M} UTC"
        )
        st.markdown(f"**{plain(notice.subject)}**")
        with st.expander("Details"):
            st.text(notice.body)
        if unread and st.button("Mark read", key=f"read_{notice.id}", icon=":material/done:"):
            with db_session() as session:
                mark_read_as(session, viewer, notice.id)  # type: ignore[arg-type]
            st.rerun()
