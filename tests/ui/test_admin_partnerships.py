"""Admin in the app (issue 23, item 8): a partnership is picked from the list or added on
purpose, a near-duplicate name is refused naming the existing one, and the section in use
stays open across the reruns a form causes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core.db import open_session
from review_flows.partnership_models import Contact, User
from tests.ui.conftest import ADMIN, NORTHSHIRE, AppFactory

ADMIN_PAGE = "ui/pages/admin.py"
NEW = "A new partnership (type its full name below)"


def _admin(app: AppFactory) -> AppTest:
    at = app(ADMIN)
    at.switch_page(ADMIN_PAGE).run()
    assert not at.exception
    return at


def _add_user(at: AppTest, username: str, partnership: str, typed: str = "") -> AppTest:
    at.text_input(key="new_username").input(username)
    at.text_input(key="new_display_name").input("New Member")
    at.selectbox(key="new_role").set_value("panel_member")
    at.selectbox(key="new_partnership").set_value(partnership)
    at.text_input(key="new_user_partnership_name").input(typed)
    at.text_input(key="new_pw").input("a long enough password")
    return at.button(key="add_user").click().run()


def _user(db_url: str, username: str) -> User | None:
    with open_session(db_url) as session:
        return session.exec(select(User).where(User.username == username)).first()


def _open_section(at: AppTest) -> str:
    """The label of the tab the admin page sends as open."""
    [container] = _tab_containers(at._tree)
    return [tab.label for tab in at.tabs][container.proto.tab_container.default_tab_index]


def _tab_containers(node: object) -> list[Any]:
    found = []
    for child in getattr(node, "children", {}).values():
        if getattr(child, "type", "") == "tab_container":
            found.append(child)
        found.extend(_tab_containers(child))
    return found


@pytest.mark.parametrize(
    "typed",
    ["Northshire", "northshire scp", "Northshre Safeguarding Children Partnership"],
    ids=["short-name", "abbreviation", "typing-slip"],
)
def test_a_near_duplicate_partnership_is_refused_naming_the_existing_one(
    app: AppFactory, db_url: str, typed: str
) -> None:
    at = _add_user(_admin(app), "new.member", NEW, typed)

    [error] = at.error
    assert error.value.startswith("User not added:")
    assert NORTHSHIRE in error.value and "too like the existing partnership" in error.value
    assert _user(db_url, "new.member") is None


def test_the_partnership_box_offers_the_known_ones_and_takes_no_free_text(
    app: AppFactory,
) -> None:
    at = _admin(app)
    box = at.selectbox(key="new_partnership")

    assert NORTHSHIRE in box.options and box.options[-1] == NEW
    assert "Glenmoor Child Protection Committee" in box.options  # known from its cases only
    assert not box.proto.accept_new_options
    for key in ("c_partnership", "rules_partnership"):
        assert not at.selectbox(key=key).proto.accept_new_options


def test_a_chosen_partnership_and_an_explicit_new_one_are_taken(
    app: AppFactory, db_url: str
) -> None:
    at = _add_user(_admin(app), "north.member", NORTHSHIRE)
    assert not at.error
    at = _add_user(at, "east.member", NEW, "Eastvale Safeguarding Children Partnership")
    assert not at.error

    north, east = _user(db_url, "north.member"), _user(db_url, "east.member")
    assert north is not None and north.partnership == NORTHSHIRE
    assert east is not None and east.partnership == "Eastvale Safeguarding Children Partnership"
    assert "Eastvale Safeguarding Children Partnership" in at.selectbox(key="c_partnership").options


def test_a_typed_name_without_choosing_a_new_partnership_is_refused(
    app: AppFactory, db_url: str
) -> None:
    at = _admin(app)
    at.selectbox(key="c_partnership").set_value(NORTHSHIRE)
    at.text_input(key="c_new_partnership").input("Eastvale Safeguarding Children Partnership")
    at.text_input(key="c_email").input("eastvale.chair@example.org")
    at = at.button(key="add_contact").click().run()

    [error] = at.error
    assert error.value.startswith("Contact not added:") and "was not chosen" in error.value
    with open_session(db_url) as session:
        emails = [c.email for c in session.exec(select(Contact))]
    assert "eastvale.chair@example.org" not in emails


def test_the_section_in_use_stays_open_after_a_form_and_a_message(app: AppFactory) -> None:
    """Adding a user shows a message above the tabs; then the admin opens Audit and verifies
    the log: the page still sends Audit as the open tab (it jumped back to Users)."""
    at = _add_user(_admin(app), "north.member", NORTHSHIRE)
    assert [s.value for s in at.success] == ["Added north.member (panel member)."]
    assert _open_section(at) == "Users"

    at.session_state["admin_section"] = "Audit"  # the admin clicks the Audit tab
    at.run()
    assert _open_section(at) == "Audit"
    at = at.button(key="audit_verify").click().run()

    assert not at.exception
    assert _open_section(at) == "Audit"
    assert any(s.value.startswith("The event log is intact") for s in at.success)
    at.run()  # any later rerun (the message above gone) keeps it too
    assert _open_section(at) == "Audit"
