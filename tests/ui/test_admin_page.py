"""The Admin page (AppTest) on the demo store: users and contacts added or refused with
the reason, a user disabled, a partnership's rulebook set, and the event log verified.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.access import Viewer
from core.roles import Role
from review_flows.demo_partnerships import WESTMERE
from review_flows.notify.kinds import ContactRole
from tests.ui.demo_pages import ADMIN, open_page, texts
from tests.ui.demo_pages import db_url as db_url
from tests.ui.demo_pages import demo_store as demo_store


def fill_user(at: AppTest, username: str, password: str = "a long enough password") -> AppTest:
    at.text_input(key="new_username").input(username)
    at.text_input(key="new_display_name").input("New Analyst")
    at.selectbox(key="new_role").set_value(Role.ANALYST)
    at.text_input(key="new_pw").input(password)
    return at.button(key="add_user").click().run()


def test_an_admin_adds_a_user(db_url: str) -> None:
    from core.db import open_session
    from review_flows.auth import sign_in

    at = fill_user(open_page("ui/pages/admin.py", ADMIN), "new.analyst")

    assert not at.error
    assert "Added new.analyst (analyst)." in texts(at)
    users = at.dataframe[0].value
    assert "new.analyst" in set(users["Username"])
    with open_session(db_url) as session:
        viewer = sign_in(
            session, "new.analyst", "a long enough password", now=dt.datetime.now(dt.UTC)
        )
    assert viewer == Viewer("new.analyst", Role.ANALYST, None, "New Analyst")


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [
        ("analyst", "a long enough password", "User not added: user analyst already exists"),
        ("new.analyst", "short", "User not added: password: String should have at least 12"),
        ("Bad Name", "a long enough password", "User not added: username: username 'Bad Name'"),
    ],
    ids=["duplicate", "short-password", "bad-username"],
)
def test_a_refused_user_shows_the_reason(
    db_url: str, username: str, password: str, reason: str
) -> None:
    from core.db import open_session
    from review_flows.users import list_users

    at = fill_user(open_page("ui/pages/admin.py", ADMIN), username, password)

    (error,) = at.error
    assert error.value.startswith(reason)
    with open_session(db_url) as session:
        assert len(list_users(session)) == 5  # the demo users only


def fill_contact(at: AppTest, email: str) -> AppTest:
    at.selectbox(key="c_partnership").set_value(WESTMERE.name)
    at.selectbox(key="c_role").set_value(ContactRole.ANALYST)
    at.text_input(key="c_email").input(email)
    at.selectbox(key="c_user").set_value("analyst")
    return at.button(key="add_contact").click().run()


def test_an_admin_adds_a_contact(db_url: str) -> None:
    from core.db import open_session
    from review_flows.contacts import list_contacts

    at = fill_contact(open_page("ui/pages/admin.py", ADMIN), "second.analyst@example.org")

    assert not at.error
    with open_session(db_url) as session:
        added = [c for c in list_contacts(session) if c.email == "second.analyst@example.org"]
    assert [(c.partnership, c.role, c.channels, c.username) for c in added] == [
        (WESTMERE.name, ContactRole.ANALYST, "inbox,email", "analyst")
    ]
    assert f"Added second.analyst@example.org as analyst of {WESTMERE.name}." in texts(at)


def test_a_bad_email_is_refused_with_the_reason(db_url: str) -> None:
    from core.db import open_session
    from review_flows.contacts import list_contacts

    at = fill_contact(open_page("ui/pages/admin.py", ADMIN), "not-an-address")

    from ui.widgets import plain

    # the refusal echoes what was typed, shown literally (escaped Markdown)
    assert [error.value for error in at.error] == [
        "Contact not added: "
        + plain("email: email 'not-an-address' is not an address like name@example.org")
    ]
    with open_session(db_url) as session:
        assert len(list_contacts(session)) == 20  # the demo's, nothing added


def test_an_admin_disables_a_user_and_sees_the_rulebooks(db_url: str) -> None:
    from core.db import open_session
    from review_flows.users import get_user

    at = open_page("ui/pages/admin.py", ADMIN)
    assert "admin" not in at.selectbox(key="state_user").options  # not one's own account
    at.selectbox(key="state_user").set_value("reviewer").run()
    at.button(key="toggle_user").click().run()

    with open_session(db_url) as session:
        assert get_user(session, "reviewer").disabled
    assert "reviewer is now disabled." in texts(at)
    rulebooks = next(t.value for t in at.dataframe if "Incidents covered" in t.value.columns)
    assert "england-scr-2015" in set(rulebooks["Id"])
    assert "No local targets are set." in texts(at)


def test_an_admin_sets_a_partnerships_rulebook(db_url: str) -> None:
    from core.db import open_session
    from review_flows.partnerships import partnership_rulebooks

    at = open_page("ui/pages/admin.py", ADMIN)
    at.selectbox(key="rules_partnership").set_value("Westmere Safeguarding Children Partnership")
    at.selectbox(key="rules_ruleset").set_value("england-cspr-2018")
    at.button(key="rules_save").click().run()
    with open_session(db_url) as session:
        rows = [(r.partnership, r.ruleset_id, r.set_by) for r in partnership_rulebooks(session)]
    assert rows == [("Westmere Safeguarding Children Partnership", "england-cspr-2018", "admin")]
    assert "Westmere Safeguarding Children Partnership: rulebook saved." in texts(at)


def test_an_admin_verifies_the_event_log_and_sees_a_tampered_row(db_url: str) -> None:
    from sqlalchemy import text

    from core.db import build_engine

    at = open_page("ui/pages/admin.py", ADMIN).button(key="audit_verify").click().run()
    (intact,) = [s.value for s in at.success if "event log is intact" in s.value]
    assert " events in 31 cases." in intact
    engine = build_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER events_no_update"))
        connection.execute(text("UPDATE events SET note = 'rewritten' WHERE id = 5"))
    engine.dispose()
    at = at.button(key="audit_verify").click().run()
    assert "1 of 31 cases do not verify" in at.error[0].value
    assert any("event #5 was edited" in m.value for m in at.markdown)


def test_an_admin_verifies_against_the_latest_export_by_default_and_a_cut_off_event_is_named(
    db_url: str, data_dir: Path
) -> None:
    from sqlalchemy import text

    from core.db import build_engine, open_session
    from review_flows.audit_heads import export_heads
    from review_flows.audit_log import verify_log
    from ui.widgets import plain

    at = open_page("ui/pages/admin.py", ADMIN).button(key="audit_verify").click().run()
    assert any("event log is intact" in s.value for s in at.success)
    assert any("No exported chain heads yet" in c.value for c in at.caption)
    with open_session(db_url) as session:
        heads = json.dumps(verify_log(session).to_dict()).encode()
        exported = export_heads(session, data_dir / "audit-heads", now=dt.datetime.now(dt.UTC))
    engine = build_engine(db_url)
    with engine.begin() as connection:
        last = connection.execute(text("SELECT max(id) FROM events")).scalar_one()
        connection.execute(text("DROP TRIGGER events_no_delete"))
        connection.execute(text(f"DELETE FROM jobs WHERE event_id = {last}"))
        connection.execute(text(f"DELETE FROM events WHERE id = {last}"))
    engine.dispose()

    at = open_page("ui/pages/admin.py", ADMIN).button(key="audit_verify").click().run()
    assert "1 of 31 cases do not verify" in at.error[0].value
    assert any(f"Compared with the chain heads in {exported.name}" in c.value for c in at.caption)
    assert any("when the heads were saved: events after #" in m.value for m in at.markdown)
    at.file_uploader(key="audit_saved_heads").set_value(("heads.json", heads, "application/json"))
    at = at.button(key="audit_verify").click().run()
    assert "1 of 31 cases do not verify" in at.error[0].value
    assert any("Compared with the chain heads in heads.json" in c.value for c in at.caption)

    at.file_uploader(key="audit_saved_heads").set_value(("heads.json", b"{}", "application/json"))
    at = at.button(key="audit_verify").click().run()
    assert plain("not a report of `cspr audit verify --json`") in at.error[0].value
