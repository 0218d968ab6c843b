"""Admin (admins only): users, partnerships and their contacts, rulebooks, local targets.

Each form calls one service; a refusal is shown next to the form with the service's message.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.audit_chain import HeadsUnreadable, saved_heads
from core.errors import WorkbenchError
from review_flows.audit_heads import latest_heads
from review_flows.audit_log import AuditReport, verify_log
from review_flows.cases import parse_input
from review_flows.contacts import add_contact, list_contacts, remove_contact
from review_flows.errors import CaseDataInvalid
from review_flows.models import (
    Channel,
    ContactCreate,
    ContactPublic,
    ContactRole,
    Role,
    UserCreate,
    UserPublic,
)
from review_flows.partnerships import (
    check_new_partnership,
    clear_partnership_rulebook,
    known_partnerships,
    partnership_rulebooks,
    set_partnership_rulebook,
)
from review_flows.rulebook import Rulebook, known_milestones, list_rulebooks
from review_flows.users import create_user, list_users, set_disabled, set_password
from ui.auth import require_page
from ui.resources import db_session, settings
from ui.widgets import plain

FLASH = "admin_flash"
AUDIT = "admin_audit_report"
AUDIT_SOURCE = "admin_audit_heads_source"
SECTION = "admin_section"  # the open tab: kept in the session, so a rerun keeps it open
SECTIONS = ("Users", "Partnerships and contacts", "Rulebooks", "Audit")
NEW_PARTNERSHIP = "A new partnership (type its full name below)"
NEW_NAME_LABEL = "Full name of the new partnership (only with \u201cA new partnership\u201d)"


def _words(value: str) -> str:
    return value.replace("_", " ")


def _done(message: str) -> None:
    """Say what was done on the next run (the lists above the forms are read again)."""
    st.session_state[FLASH] = message
    st.rerun()


def _partnership_choice(choice: str | None, typed: str, known: list[str]) -> str | None:
    """The partnership a form names: one chosen from the list, or a new one typed in full
    after choosing "A new partnership" (refused if it is too like a known one)."""
    if choice == NEW_PARTNERSHIP:
        if not typed.strip():
            raise CaseDataInvalid("type the new partnership's full name, or choose one listed")
        return check_new_partnership(typed, known)
    if typed.strip():
        raise CaseDataInvalid(
            "a new partnership's name was typed but \u201cA new partnership\u201d was not chosen: "
            "choose it to add the partnership, or clear the name"
        )
    return choice or None


def _users(users: list[UserPublic], partnerships: list[str], me: str) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                (
                    u.username,
                    u.display_name,
                    _words(u.role),
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
        role = st.selectbox("Role", list(Role), format_func=_words, key="new_role")
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
                "partnership": _partnership_choice(partnership, new_name, partnerships),
                "password": password,
            }  # fmt: skip
            with db_session() as session:
                created = create_user(session, parse_input(UserCreate, data))
        except WorkbenchError as refused:
            st.error(f"User not added: {plain(refused)}", icon=":material/error:")
        else:
            _done(f"Added {created.username} ({_words(created.role)}).")
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
            _done(f"{chosen} is now {'enabled' if disabled else 'disabled'}.")


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
        _done(f"Password of {chosen} reset (any lock-out lifted); tell them by a safe route.")


def _contacts(contacts: list[ContactPublic], partnerships: list[str], users: list[str]) -> None:
    for partnership in partnerships:
        st.markdown(f"**{plain(partnership)}**")
        if not any(c.partnership == partnership for c in contacts):
            st.caption("No contacts yet.")
            continue
        st.dataframe(
            pd.DataFrame(
                [
                    (c.id, _words(c.role), c.email, c.channels, c.username or "-")
                    for c in contacts
                    if c.partnership == partnership
                ],
                columns=["Id", "Role", "Email", "Channels", "Inbox of user"],
            ),
            hide_index=True,
        )
    st.subheader("Add a contact")
    st.caption(
        "Choose the contact's partnership from the list. To add a partnership, choose "
        "\u201cA new partnership\u201d and type its full name: a name too like an existing "
        "partnership's is refused, so that no partnership is split in two."
    )
    with st.form("add_contact", clear_on_submit=False):
        partnership = st.selectbox(
            "Partnership", [*partnerships, NEW_PARTNERSHIP], index=None, key="c_partnership",
            placeholder="Choose a partnership",
        )  # fmt: skip
        new_name = st.text_input(NEW_NAME_LABEL, key="c_new_partnership")
        role = st.selectbox("Role", list(ContactRole), format_func=_words, key="c_role")
        email = st.text_input("Email", key="c_email")
        channels = st.multiselect("Channels", list(Channel), default=list(Channel), key="c_ch")
        username = st.selectbox(
            "Inbox of user (optional)", ["", *users], format_func=lambda u: u or "-", key="c_user"
        )
        submitted = st.form_submit_button(
            "Add contact", key="add_contact", icon=":material/contact_mail:"
        )
    if submitted:
        try:
            data = {
                "partnership": _partnership_choice(partnership, new_name, partnerships) or "",
                "role": role, "email": email, "channels": ",".join(channels),
                "username": username or None,
            }  # fmt: skip
            with db_session() as session:
                added = add_contact(session, parse_input(ContactCreate, data))
        except WorkbenchError as refused:
            st.error(f"Contact not added: {plain(refused)}", icon=":material/error:")
        else:
            _done(f"Added {added.email} as {_words(added.role)} of {added.partnership}.")
    _remove_contact(contacts)


def _remove_contact(contacts: list[ContactPublic]) -> None:
    st.subheader("Remove a contact")
    if not contacts:
        st.caption("No contacts.")
        return
    labels = {c.id: f"#{c.id} {c.partnership} · {_words(c.role)} · {c.email}" for c in contacts}
    chosen = st.selectbox("Contact", list(labels), format_func=labels.__getitem__, key="rm_c")
    if st.button("Remove contact", key="remove_contact", icon=":material/delete:"):
        try:
            with db_session() as session:
                removed = remove_contact(session, chosen)
        except WorkbenchError as refused:
            st.error(f"Not removed: {plain(refused)}", icon=":material/error:")
        else:
            _done(f"Removed {removed.email} ({_words(removed.role)} of {removed.partnership}).")


def _covers(book: Rulebook) -> str:
    """The incident dates an edition covers, in words."""
    start, end = book.in_force_from, book.in_force_to
    if start and end:
        return f"{start:%d %b %Y} to {end:%d %b %Y}"
    if start:
        return f"from {start:%d %b %Y}"
    return f"up to {end:%d %b %Y}" if end else "any date"


def _rulebooks() -> None:
    books = list_rulebooks()
    st.dataframe(
        pd.DataFrame(
            [
                (b.id, b.title, _words(b.nation), _words(b.review_type), _covers(b), len(b.rules))
                for b in books
            ],
            columns=["Id", "Title", "Nation", "Review type", "Incidents covered", "Milestones"],
        ),
        hide_index=True,
        key="rulebooks_table",
    )
    st.subheader("Local targets in force")
    targets = settings().local_targets
    if targets:
        st.dataframe(
            pd.DataFrame(
                [(*key.partition(":")[::2], days) for key, days in sorted(targets.items())],
                columns=["Rulebook", "Milestone", "Working days"],
            ),
            hide_index=True,
            key="targets_table",
        )
    else:
        st.caption("No local targets are set.")
    st.markdown(
        "Local targets set a time limit where guidance sets none. They are read-only here: set "
        "`CSPR_LOCAL_TARGETS` as JSON in the environment or `.env`, e.g. "
        "`CSPR_LOCAL_TARGETS='{\"wales-cpr:review_completed\": 120}'`, and restart the app."
    )
    with st.expander("Milestones that can take a local target"):
        for book, milestones in known_milestones().items():
            st.markdown(f"`{book}`: {', '.join(f'`{m}`' for m in milestones)}")


def _partnership_rulebooks(names: list[str], by: str) -> None:
    st.subheader("Rulebook per partnership")
    st.caption(
        "A partnership's new cases take its chosen edition where that edition can govern the "
        "incident (in force then, or the previous edition within a year of its end); other "
        "cases take the edition in force. Existing cases keep theirs."
    )
    with db_session() as session:
        chosen = partnership_rulebooks(session)
    if chosen:
        st.dataframe(
            pd.DataFrame(
                [(c.partnership, c.ruleset_id, c.set_by, f"{c.set_at:%Y-%m-%d %H:%M} UTC")
                 for c in chosen],
                columns=["Partnership", "Rulebook", "Set by", "Set at"],
            ),
            hide_index=True,
            key="partnership_rulebooks_table",
        )  # fmt: skip
    with st.form("partnership_rulebook"):
        partnership = st.selectbox(
            "Partnership", names, index=None, key="rules_partnership",
            placeholder="Choose a partnership",
        )  # fmt: skip
        ruleset = st.selectbox(
            "Rulebook for its new cases",
            ["(the edition in force)", *(b.id for b in list_rulebooks())],
            key="rules_ruleset",
        )
        submitted = st.form_submit_button("Save the partnership's rulebook", key="rules_save")
    if not submitted:
        return
    if not partnership:
        st.error("Choose a partnership.")
        return
    try:
        with db_session() as session:
            if ruleset.startswith("("):
                clear_partnership_rulebook(session, partnership)
            else:
                set_partnership_rulebook(session, partnership, ruleset, by=by)
    except (WorkbenchError, ValueError) as refused:
        st.error(f"Not saved: {plain(refused)}")
        return
    st.session_state[FLASH] = f"{partnership}: rulebook saved."
    st.rerun()


def _audit() -> None:
    st.subheader("Audit of the event log")
    st.caption(
        "Every event carries the hash of the one before it in its case, and a case's first "
        "event its facts. Verifying recomputes them all, names the first edited, inserted or "
        "deleted row of each case and each case row changed behind the application's back, "
        "and compares each chain with the latest exported heads: events cut off the end of a "
        "case, a rewritten chain and deleted cases show too."
    )
    earlier = st.file_uploader(
        "Other chain heads to compare with (optional; by default the latest export)",
        type=["json"],
        max_upload_size=1,
        key="audit_saved_heads",
    )
    if st.button("Verify the event log", key="audit_verify"):
        try:
            if earlier:
                heads, source = saved_heads(earlier.getvalue().decode("utf-8")), earlier.name
            else:
                latest = latest_heads(settings().resolved_audit_heads_dir)
                heads, source = (latest.saved, latest.path.name) if latest else (None, None)
        except (UnicodeDecodeError, HeadsUnreadable) as unreadable:
            st.error(f"{plain(earlier.name) if earlier else 'Exported heads'}: {plain(unreadable)}")
            return
        with st.spinner("Recomputing every event's hash"), db_session() as session:
            st.session_state[AUDIT] = verify_log(session, heads)
        st.session_state[AUDIT_SOURCE] = source
    source = st.session_state.get(AUDIT_SOURCE)
    if AUDIT in st.session_state:
        st.caption(
            f"Compared with the chain heads in {source}."
            if source
            else "No exported chain heads yet: a deleted last event or a rewritten chain "
            "cannot be seen. Backups and the daily sweep export them."
        )
    report: AuditReport | None = st.session_state.get(AUDIT)
    if report is None:
        return
    if report.intact:
        st.success(
            f"The event log is intact: {report.events} events in {report.cases} cases.",
            icon=":material/verified:",
        )
    else:
        st.error(
            f"{report.broken_cases} of {report.cases} cases do not verify. Restore them "
            "from a backup and find out who had write access to the database.",
            icon=":material/gpp_bad:",
        )
        for found in report.breaks:
            st.markdown(f"- {plain(found.describe())}")
    st.download_button(
        "Download the chain heads (JSON)",
        json.dumps(report.to_dict(), indent=2),
        file_name="cspr-audit-heads.json",
        mime="application/json",
        key="audit_heads",
    )


viewer = require_page("admin")
st.title("Admin")
# one placeholder, drawn on every run: a message shown or not never shifts the tabs below (a
# tab block that moves is a new one to the browser, which then opens the first tab again)
flash_box = st.empty()
flash = st.session_state.pop(FLASH, None)
if flash:
    flash_box.success(flash, icon=":material/check_circle:")
with db_session() as session:
    all_users = list_users(session)
    all_contacts = list_contacts(session)
    names = known_partnerships(session)
# the open tab is kept in the session (a stateful tabs widget): after a form's rerun, or a
# message above, the admin stays in the section they were using
users_tab, contacts_tab, rules_tab, audit_tab = st.tabs(SECTIONS, key=SECTION, on_change="rerun")
with users_tab:
    _users(all_users, names, viewer.username)
with contacts_tab:
    _contacts(all_contacts, names, [u.username for u in all_users])
with rules_tab:
    _rulebooks()
    _partnership_rulebooks(names, viewer.username)
with audit_tab:
    _audit()
