"""The Admin page's Users section: the list of users, and forms to add one, disable or enable
one and reset a password. Each form calls one service; a refusal is shown beside it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from core.roles import Role
from review_flows.cases import parse_input
from review_flows.partnership_models import UserCreate, UserPublic
from review_flows.users import create_user, set_disabled, set_password
from ui.admin_forms import NEW_NAME_LABEL, NEW_PARTNERSHIP, partnership_choice, report_done, words
from ui.resources import db_session
from ui.widgets import plain


def users_section(users: list[UserPublic], partnerships: list[str], me: str) -> None:
    """The users, then the forms; ``me`` (the admin signed in) cannot disable themselves."""
    st.dataframe(
        pd.DataFrame(
            [
                (
                    u.username,
                    u.display_name,
                    words(u.role),
                    u.partnership or "-",
                    "Disabled" if u.disabled else "Active",
                    f"{u.created_at:%Y-%m-%d}",
                )
                for u in users
            ],  # fmt: skip
            columns=["Username", "Name", "Role", "Partnership", "State", "Created"],
        ),
        hide_index=True,
        key="users_table",
    )
    st.subheader("Add a user")
    with st.form("add_user", clear_on_submit=False):
        username = st.text_input("Username", key="new_username")
        name = st.text_input("Display name", key="new_display_name")
        role = st.selectbox("Role", list(Role), format_func=words, key="new_role")
        partnership = st.selectbox(
            "Partnership (panel members: their cases are scoped to it)",
            ["", *partnerships, NEW_PARTNERSHIP], format_func=lambda p: p or "-",
            key="new_partnership",
        )  # fmt: skip
        new_name = st.text_input(NEW_NAME_LABEL, key="new_user_partnership_name")
        password = st.text_input(
            "Password (12 characters or more, not easy to guess)", type="password", key="new_pw"
        )
        submitted = st.form_submit_button("Add user", key="add_user", icon=":material/person_add:")
    if submitted:
        try:
            data = {
                "username": username, "display_name": name, "role": role,
                "partnership": partnership_choice(partnership, new_name, partnerships),
                "password": password,
            }  # fmt: skip
            with db_session() as session:
                created = create_user(session, parse_input(UserCreate, data))
        except WorkbenchError as refused:
            st.error(f"User not added: {plain(refused)}", icon=":material/error:")
        else:
            report_done(f"Added {created.username} ({words(created.role)}).")
    _user_state(users, me)
    _reset_password(users)


def _user_state(users: list[UserPublic], me: str) -> None:
    st.subheader("Disable or enable")
    names = [u.username for u in users if u.username != me]
    if not names:
        st.caption("No other users.")
        return
    state = {u.username: u.disabled for u in users}
    chosen = st.selectbox("User", names, key="state_user")
    disabled = state[chosen]
    label = "Enable" if disabled else "Disable"
    if st.button(label, key="toggle_user", icon=":material/block:"):
        try:
            with db_session() as session:
                set_disabled(session, chosen, not disabled)
        except WorkbenchError as refused:
            st.error(f"Not changed: {plain(refused)}", icon=":material/error:")
        else:
            report_done(f"{chosen} is now {'enabled' if disabled else 'disabled'}.")


def _reset_password(users: list[UserPublic]) -> None:
    st.subheader("Reset a password")
    with st.form("reset_password", clear_on_submit=True):
        chosen = st.selectbox("User", [u.username for u in users], key="reset_user")
        password = st.text_input("New password", type="password", key="reset_pw")
        submitted = st.form_submit_button(
            "Reset password", key="reset_submit", icon=":material/key:"
        )
    if not submitted or chosen is None:
        return
    try:
        with db_session() as session:
            set_password(session, chosen, password)
    except WorkbenchError as refused:
        st.error(f"Password not reset: {plain(refused)}", icon=":material/error:")
    else:
        report_done(f"Password of {chosen} reset (any lock-out lifted); tell them by a safe route.")
