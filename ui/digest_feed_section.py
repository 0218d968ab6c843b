"""The Library page's digest section: a personal address of the Atom feed of the monthly
digests of new learning (the reviews added each month, with their themes and key learning),
made, replaced or stopped by its owner, as the calendar address is on the Deadlines page."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.access import Viewer
from review_flows.digest_feeds import (
    digest_feed_url,
    live_digest_feed,
    new_digest_feed,
    revoke_digest_feed,
)
from ui.resources import db_session, settings

FEED_HELP = (
    "Add it to a feed reader (in Outlook, *RSS Subscriptions → Add*): each month's digest "
    "appears there once the month is over. The address is a secret: make a new one if it has "
    "been shared by mistake. Your partnership's contacts can also be sent the digest by email "
    "(an admin ticks it for them on the Admin page)."
)


def digest_feed_section(viewer: Viewer) -> None:
    """The viewer's digest feed address, or the button that makes one."""
    st.subheader("Monthly digest of new learning")
    mine = "your partnership's and the national" if viewer.partnership else "the national"
    now = dt.datetime.now(dt.UTC)
    with db_session() as session:
        feed = live_digest_feed(session, viewer.username)
    if feed is None:
        st.markdown(f"Follow {mine} digest of the reviews added to the library each month.")
        if st.button("Make my digest feed address", icon=":material/rss_feed:"):
            with db_session() as session:
                new_digest_feed(session, viewer, now=now)
            st.rerun()
        return
    st.markdown(f"Your digest feed address ({mine} digest):")
    st.code(digest_feed_url(settings(), feed.token), language=None, wrap_lines=True)
    st.caption(FEED_HELP)
    renew, stop = st.columns(2)
    if renew.button("Make a new digest address", help="The old address stops working at once."):
        with db_session() as session:
            new_digest_feed(session, viewer, now=now)
        st.rerun()
    if stop.button("Stop my digest address"):
        with db_session() as session:
            revoke_digest_feed(session, viewer.username, now=now)
        st.rerun()
