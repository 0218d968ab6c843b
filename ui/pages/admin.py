"""Admin (admins only): users, partnerships and their contacts, rulebooks, local targets, the
audit, and trackers imported and exported.

Each form calls one service; a refusal is shown next to the form with the service's message.
The sections live in ``ui/*_section.py``; this page draws the message and the tabs.
"""

from __future__ import annotations

import streamlit as st

from review_flows.contacts import list_contacts
from review_flows.partnerships import known_partnerships
from review_flows.users import list_users
from ui.admin_forms import FLASH
from ui.audit_section import audit_section
from ui.auth import require_page
from ui.contacts_section import contacts_section
from ui.local_targets_section import local_targets_section
from ui.resources import db_session
from ui.rulebooks_section import partnership_rulebooks_section, rulebooks_section
from ui.tracker_section import tracker_section
from ui.users_section import users_section

SECTION = "admin_section"  # the open tab: kept in the session, so a rerun keeps it open
SECTIONS = ("Users", "Partnerships and contacts", "Rulebooks", "Audit", "Import and export")

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
users_tab, contacts_tab, rules_tab, audit_tab, tracker_tab = st.tabs(
    SECTIONS, key=SECTION, on_change="rerun"
)
with users_tab:
    users_section(all_users, names, viewer.username)
with contacts_tab:
    contacts_section(all_contacts, names, [u.username for u in all_users])
with rules_tab:
    rulebooks_section()
    partnership_rulebooks_section(names, viewer.username)
    local_targets_section(names, viewer.username)
with audit_tab:
    audit_section()
with tracker_tab:
    tracker_section(names, viewer.username)
