"""The Admin page's Partnerships and contacts section: each partnership's contacts, and forms
to add a contact (to a listed partnership or a new one) and to remove one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from review_flows.cases import parse_input
from review_flows.contacts import add_contact, remove_contact
from review_flows.notify.kinds import Channel, ContactRole
from review_flows.partnership_models import ContactCreate, ContactPublic
from ui.admin_forms import NEW_NAME_LABEL, NEW_PARTNERSHIP, partnership_choice, report_done, words
from ui.resources import db_session
from ui.widgets import plain


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
                    (c.id, words(c.role), c.email, c.channels, c.username or "-")
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
        submitted = st.form_submit_button(
            "Add contact", key="add_contact", icon=":material/contact_mail:"
        )
    if submitted:
        try:
            data = {
                "partnership": partnership_choice(chosen, new_name, partnerships) or "",
                "role": role, "email": email, "channels": ",".join(channels),
                "username": username or None,
            }  # fmt: skip
            with db_session() as session:
                added = add_contact(session, parse_input(ContactCreate, data))
        except WorkbenchError as refused:
            st.error(f"Contact not added: {plain(refused)}", icon=":material/error:")
        else:
            report_done(f"Added {added.email} as {words(added.role)} of {added.partnership}.")
    _remove_contact(contacts)


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
