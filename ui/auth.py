"""Sign-in and the checks every page calls first: who is signed in, whether their session is
still fresh, whether their role may open this page."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from review_flows.access import Viewer, may_open
from review_flows.auth import SignInRefused, session_expired, sign_in
from ui.resources import db_session, settings

VIEWER = "viewer"
LAST_SEEN = "last_seen"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def current_viewer() -> Viewer | None:
    """The signed-in viewer, or None (also when the session has been idle too long)."""
    viewer = st.session_state.get(VIEWER)
    if viewer is None:
        return None
    last_seen = st.session_state.get(LAST_SEEN) or now()
    if session_expired(last_seen, now(), settings().session_idle_minutes):
        sign_out(reason="Your session expired; please sign in again.")
        return None
    st.session_state[LAST_SEEN] = now()
    return viewer


def require_page(page: str) -> Viewer:
    """The viewer, if signed in and allowed on ``page``; otherwise the page stops here."""
    viewer = current_viewer()
    if viewer is None:
        st.warning("Please sign in.")
        st.stop()
    if not may_open(viewer, page):
        st.error(f"A {viewer.role.value.replace('_', ' ')} cannot open this page.")
        st.stop()
    return viewer


def sign_out(reason: str | None = None) -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if reason:
        st.session_state["sign_in_notice"] = reason


def sign_in_page() -> None:
    """The sign-in form (the only page before signing in)."""
    st.title("CSPR workbench")
    notice = st.session_state.pop("sign_in_notice", None)
    if notice:
        st.info(notice)
    with st.form("sign_in"):
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in")
    if not submitted:
        return
    try:
        with db_session() as session:
            viewer = sign_in(session, username, password, now=now(), settings=settings())
    except SignInRefused as refused:
        st.error(f"Sign-in refused: {refused}")
        return
    st.session_state[VIEWER] = viewer
    st.session_state[LAST_SEEN] = now()
    st.rerun()
