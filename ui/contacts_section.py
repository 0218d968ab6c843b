"""The Admin page's Partnerships and contacts section: each partnership's contacts, and forms
to add a contact (to a listed partnership or a new one) and to remove one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from review_flows.cases import parse_input
from review_flows.contacts import add_contact, remove_contact, set_digest_opt_in
from review_flows.notify.kinds import Channel, ContactRole
from review_flows.partnership_models import ContactCreate, ContactPublic
from ui.admin_forms import NEW_NAME_LABEL, NEW_PARTNERSHIP, partnership_choice, report_done, words
from ui.resources import db_session
from ui.widgets import plain

DIGEST_LABEL = "Email the monthly digest of new learning to this contact"


def contacts_section(
    contacts: list[ContactPublic], partnerships: list[str], users: list[str]
) -> None:
    """Each partnership's contacts, then the forms; ``users`` are the inboxes a contact may
    be linked to."""
    for partnership in partnerships:
        st.markdown(f"**{plain(partnership)}**")
        if not any(c.partnership == partnership for c in contacts):
            st.caption("No contacts yet.")
            continue
        st.dataframe(
            pd.DataFrame(
                [
                    (*_shown(c), "yes" if c.digest else "no")
                    for c in contacts
                    if c.partnership == partnership
                ],
                columns=["Id", "Role", "Email", "Channels", "Inbox of user", "Monthly digest"],
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
        chosen = st.selectbox(
            "Partnership", [*partnerships, NEW_PARTNERSHIP], index=None, key="c_partnership",
            placeholder="Choose a partnership",
        )  # fmt: skip
        new_name = st.text_input(NEW_NAME_LABEL, key="c_new_partnership")
        role = st.selectbox("Role", list(ContactRole), format_func=words, key="c_role")
        email = st.text_input("Email", key="c_email")
        channels = st.multiselect("Channels", list(Channel), default=list(Channel), key="c_ch")
        username = st.selectbox(
            "Inbox of user (optional)", ["", *users], format_func=lambda u: u or "-", key="c_user"
        )
        digest = st.checkbox(DIGEST_LABEL, value=False, key="c_digest")
        submitted = st.form_submit_button(
            "Add contact", key="add_contact", icon=":material/contact_mail:"
        )
    if submitted:
        try:
            data = {
                "partnership": partnership_choice(chosen, new_name, partnerships) or "",
                "role": role, "email": email, "channels": ",".join(channels),
                "username": username or None, "digest": digest,
            }  # fmt: skip
            with db_session() as session:
                added = add_contact(session, parse_input(ContactCreate, data))
        except WorkbenchError as refused:
            st.error(f"Contact not added: {plain(refused)}", icon=":material/error:")
        else:
            report_done(f"Added {added.email} as {words(added.role)} of {added.partnership}.")
    _digest_choice(contacts)
    _remove_contact(contacts)


def _shown(c: ContactPublic) -> tuple[object, ...]:
    return (c.id, words(c.role), c.email, c.channels, c.username or "-")


def _digest_choice(contacts: list[ContactPublic]) -> None:
    """Opt a listed contact in to the monthly digest of new learning, or out of it."""
    st.subheader("Monthly digest of new learning")
    st.caption(
        "On the first of each month, the reviews added to the library the month before: the "
        "contact's partnership's, then every partnership's. Sent by email, once."
    )
    if not contacts:
        st.caption("No contacts.")
        return
    labels = {c.id: f"#{c.id} {c.partnership} · {words(c.role)} · {c.email}" for c in contacts}
    chosen = st.selectbox("Contact", list(labels), format_func=labels.__getitem__, key="dg_c")
    current = next(c.digest for c in contacts if c.id == chosen)
    wanted = st.checkbox(DIGEST_LABEL, value=current, key=f"dg_on_{chosen}")
    if st.button("Save digest choice", key="save_digest", icon=":material/mark_email_read:"):
        try:
            with db_session() as session:
                set_digest_opt_in(session, chosen, wanted)
        except WorkbenchError as refused:
            st.error(f"Not saved: {plain(refused)}", icon=":material/error:")
        else:
            done = "will get" if wanted else "will not get"
            report_done(f"{labels[chosen].split(' · ')[-1]} {done} the monthly digest.")


def _remove_contact(contacts: list[ContactPublic]) -> None:
    st.subheader("Remove a contact")
    if not contacts:
        st.caption("No contacts.")
        return
    labels = {c.id: f"#{c.id} {c.partnership} · {words(c.role)} · {c.email}" for c in contacts}
    chosen = st.selectbox("Contact", list(labels), format_func=labels.__getitem__, key="rm_c")
    if st.button("Remove contact", key="remove_contact", icon=":material/delete:"):
        try:
            with db_session() as session:
                removed = remove_contact(session, chosen)
        except WorkbenchError as refused:
            st.error(f"Not removed: {plain(refused)}", icon=":material/error:")
        else:
            report_done(
                f"Removed {removed.email} ({words(removed.role)} of {removed.partnership})."
            )
