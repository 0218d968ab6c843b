"""The Deadlines page's calendar section: a personal subscription address that Outlook or
Google Calendar fetch again every hour (it follows every change), made, replaced or stopped by
its owner; and a one-off download of the same dates."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.access import Viewer
from review_flows.deadlines import calendar_feed
from review_flows.feed_links import feed_url, live_feed, new_feed, revoke_feed
from ui.resources import db_session, settings

SUBSCRIBE_HELP = (
    "Add it to your calendar as a calendar from the internet: in Outlook, *Add calendar → "
    "Subscribe from web*; in Google Calendar, *Other calendars → From URL*. Your calendar "
    "fetches it again every hour or so, so a recorded event or a corrected date shows there "
    "without anything to download. The address is a secret: anyone who has it sees these "
    "dates (references only, never a name), so keep it to yourself, and make a new one if it "
    "has been shared by mistake."
)


def calendar_section(viewer: Viewer, today: dt.date) -> None:
    st.header("Calendar")
    now = dt.datetime.now(dt.UTC)
    with db_session() as session:
        feed = live_feed(session, viewer.username)
    if feed is None:
        _offer_subscription(viewer, now)
    else:
        scope = "the cases you own" if feed.own_only else "the open cases you see"
        st.markdown(f"Your calendar address (due dates of {scope}):")
        st.code(feed_url(settings(), feed.token), language=None, wrap_lines=True)
        st.caption(SUBSCRIBE_HELP)
        renew, stop = st.columns(2)
        if renew.button("Make a new address", help="The old address stops working at once."):
            with db_session() as session:
                new_feed(session, viewer, own_only=feed.own_only, now=now)
            st.rerun()
        if stop.button("Stop my calendar address"):
            with db_session() as session:
                revoke_feed(session, viewer.username, now=now)
            st.rerun()
    _download(viewer, today)


def _offer_subscription(viewer: Viewer, now: dt.datetime) -> None:
    st.markdown(
        "Subscribe your calendar to your due dates: one event per due date of your open "
        "cases, with a reminder two days before."
    )
    own_only = st.checkbox("Only the cases I own", value=False, key="feed_own_only")
    if st.button("Make my calendar address", icon=":material/event:"):
        with db_session() as session:
            new_feed(session, viewer, own_only=own_only, now=now)
        st.rerun()


def _download(viewer: Viewer, today: dt.date) -> None:
    with st.expander("Download the dates once instead"):
        own_only = st.checkbox("Only the cases I own", value=False, key="download_own_only")
        with db_session() as session:
            feed = calendar_feed(session, viewer, today=today, own_only=own_only,
                                 settings=settings())  # fmt: skip
        st.download_button(
            f"Download the calendar ({feed.milestones} due dates of {feed.cases} cases, .ics)",
            feed.data, file_name=feed.file_name, mime="text/calendar", icon=":material/download:",
        )  # fmt: skip
        st.caption(
            "A file is a snapshot as of today: a date moved or a step done later is not "
            "followed. The address above is."
        )
