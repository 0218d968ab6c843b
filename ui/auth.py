"""Sign-in and the checks every page calls first: who is signed in, whether their session is
still live, whether their role may open this page.

A signed-in browser keeps its session across reloads and links through an HttpOnly cookie
(:mod:`review_flows.web_sessions`): after the password is checked, the page posts the new
session's token once to ``/session/start`` in the background, and the server sets the cookie. A new
Streamlit session (a reload, a link from a reminder) reads that cookie and resumes."""

from __future__ import annotations

import datetime as dt
import json

import streamlit as st

from core.access import Viewer, may_open
from review_flows import web_sessions
from review_flows.auth import SignInRefused, session_expired, sign_in
from ui.resources import db_session, settings

VIEWER = "viewer"
LAST_SEEN = "last_seen"
TOKEN = "session_token"  # the cookie's token, when this session came from one
HAND_OVER = "session_hand_over"  # a token the page still has to hand the server
CHECKED = "session_checked"  # when the cookie's session was last checked in the database
CLEAR_COOKIE = "clear_session_cookie"
SAME = "credentials: 'same-origin', cache: 'no-store'"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def current_viewer() -> Viewer | None:
    """The signed-in viewer, or None (also when the session has been idle too long or was ended
    elsewhere). A new browser session resumes from the session cookie."""
    viewer = st.session_state.get(VIEWER)
    if viewer is None:
        return _resume_from_cookie()
    last_seen = st.session_state.get(LAST_SEEN) or now()
    if session_expired(last_seen, now(), settings().session_idle_minutes):
        sign_out(reason="Your session expired; please sign in again.")
        return None
    token = st.session_state.get(TOKEN)
    checked = st.session_state.get(CHECKED) or now()
    if token and now() - checked >= web_sessions.TOUCH_EVERY:
        with db_session() as session:  # signed out elsewhere, or the account disabled
            if web_sessions.resume(session, token, now=now(), settings=settings()) is None:
                sign_out(reason="Your session has ended; please sign in again.")
                return None
        st.session_state[CHECKED] = now()
    st.session_state[LAST_SEEN] = now()
    return viewer


def _resume_from_cookie() -> Viewer | None:
    token = st.context.cookies.get(web_sessions.COOKIE)
    if not isinstance(token, str) or not token:  # no cookie (or no browser: an AppTest)
        return None
    with db_session() as session:
        viewer = web_sessions.resume(session, token, now=now(), settings=settings())
    if viewer is None:
        st.session_state[CLEAR_COOKIE] = True
        return None
    st.session_state.update({VIEWER: viewer, TOKEN: token, LAST_SEEN: now(), CHECKED: now()})
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
    """End the session here and in the database (its cookie then opens nothing)."""
    token = st.session_state.get(TOKEN)
    if token:
        with db_session() as session:
            web_sessions.end(session, token)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[CLEAR_COOKIE] = True
    if reason:
        st.session_state["sign_in_notice"] = reason


def hand_over_cookie() -> None:
    """Once per sign-in or sign-out: the browser posts its new session's token to get it set as
    its cookie, or has the cookie cleared; in the background, so the user stays on the page."""
    token = st.session_state.pop(HAND_OVER, None)
    if token:
        call = f"fetch('/session/start', {{method: 'POST', body: {json.dumps(token)}, {SAME}}})"
    elif st.session_state.pop(CLEAR_COOKIE, False):
        call = f"fetch('/session/end', {{method: 'POST', {SAME}}})"
    else:
        return
    st.html(f"<script>{call}</script>", unsafe_allow_javascript=True)


def sign_in_page() -> None:
    """The sign-in form: on every page's address before signing in, so a link to a case opens
    that case once the user has signed in."""
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
            token = web_sessions.issue(session, viewer.username, now=now(), settings=settings())
    except SignInRefused as refused:
        st.error(f"Sign-in refused: {refused}")
        return
    st.session_state.update(
        {VIEWER: viewer, LAST_SEEN: now(), TOKEN: token, HAND_OVER: token, CHECKED: now()}
    )
    st.rerun()
