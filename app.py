"""The CSPR workbench (Streamlit): sign in, then the pages of your role.

Run with ``cspr run`` (the app with the rest of the system) or ``cspr app`` (the app alone).
A plain ``streamlit run app.py`` reads ``.streamlit/config.toml`` beside this file: it listens on
127.0.0.1 only and shows no error details to the browser; put a TLS proxy in front (SECURITY.md).
Pages live in ``ui/pages/``; each calls ``ui.auth.require_page`` first and the services only.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.access import pages_for
from ui.auth import current_viewer, hand_over_cookie, sign_in_page, sign_out
from ui.resources import warm_up
from ui.widgets import apply_accessible_styles, plain

FAVICON = Path(__file__).resolve().parent / "ui" / "favicon.svg"
PAGES = {
    "deadlines": ("ui/pages/deadlines.py", "Deadlines", ":material/event:"),
    "case": ("ui/pages/case.py", "Case", ":material/folder_open:"),
    "search": ("ui/pages/search.py", "Search", ":material/search:"),
    "similar": ("ui/pages/similar.py", "Similar cases", ":material/compare:"),
    "themes": ("ui/pages/themes.py", "Themes", ":material/insights:"),
    "library": ("ui/pages/library.py", "Library", ":material/library_books:"),
    "inbox": ("ui/pages/inbox.py", "Inbox", ":material/inbox:"),
    "admin": ("ui/pages/admin.py", "Admin", ":material/admin_panel_settings:"),
}

# the tab's icon is a file of ours: a ":material/...:" favicon is fetched from fonts.gstatic.com,
# and the workbench makes no request off the machine
st.set_page_config(page_title="CSPR workbench", page_icon=str(FAVICON), layout="wide")
apply_accessible_styles()
warm_up()  # the pages' slow imports, in the background while the first user signs in
viewer = current_viewer()
hand_over_cookie()
if viewer is None:
    # the sign-in form answers at every page's address, so a link (a reminder's, a colleague's)
    # opens its page, with its query, once the user has signed in
    sign_in = [st.Page(sign_in_page, title="Sign in", icon=":material/login:", default=True)]
    sign_in += [st.Page(sign_in_page, title="Sign in", url_path=page_id) for page_id in PAGES]
    navigation = st.navigation(sign_in, position="hidden")
else:
    pages = []
    for number, page_id in enumerate(pages_for(viewer.role)):
        path, title, icon = PAGES[page_id]
        pages.append(st.Page(path, title=title, icon=icon, url_path=page_id, default=number == 0))
    navigation = st.navigation(pages)
    with st.sidebar:
        where = f" · {plain(viewer.partnership)}" if viewer.partnership else ""
        st.caption(f"Signed in as **{plain(viewer.display_name or viewer.username)}** "
                   f"({viewer.role.value.replace('_', ' ')}{where})")  # fmt: skip
        if st.button("Sign out", icon=":material/logout:"):
            sign_out(reason="You have signed out.")
            st.rerun()
navigation.run()
