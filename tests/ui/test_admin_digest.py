"""The Admin page's contacts section: the opt-in to the monthly digest of new learning, off
unless chosen, when a contact is added and for a listed contact (AppTest, real SQLite)."""

from __future__ import annotations

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core.db import open_session
from review_flows.partnership_models import Contact
from tests.ui.conftest import ADMIN, NORTHSHIRE, AppFactory

ADMIN_PAGE = "ui/pages/admin.py"


def _admin(app: AppFactory) -> AppTest:
    at = app(ADMIN)
    at.switch_page(ADMIN_PAGE).run()
    assert not at.exception
    return at


def _digest_of(db_url: str) -> dict[str, bool]:
    with open_session(db_url) as session:
        return {c.email: c.digest for c in session.exec(select(Contact))}


def _add(at: AppTest, email: str, digest: bool | None) -> AppTest:
    at.selectbox(key="c_partnership").set_value(NORTHSHIRE)
    at.text_input(key="c_email").input(email)
    if digest is not None:
        at.checkbox(key="c_digest").set_value(digest)
    return at.button(key="add_contact").click().run()


def test_a_contact_added_gets_the_digest_only_if_the_box_is_ticked(
    app: AppFactory, db_url: str
) -> None:
    at = _admin(app)
    assert at.checkbox(key="c_digest").value is False

    at = _add(at, "no.digest@northshire.example.org", None)
    assert not at.error
    at = _add(at, "digest@northshire.example.org", True)
    assert not at.error

    chosen = _digest_of(db_url)
    assert chosen["no.digest@northshire.example.org"] is False
    assert chosen["digest@northshire.example.org"] is True


def test_a_listed_contact_is_opted_in_and_out(app: AppFactory, db_url: str) -> None:
    at = _add(_admin(app), "later@northshire.example.org", None)
    [contact_id] = [
        option for option in at.selectbox(key="dg_c").options
        if "later@northshire.example.org" in option
    ]  # fmt: skip
    at.selectbox(key="dg_c").set_value(_id_of(contact_id)).run()
    box = next(b for b in at.checkbox if b.key.startswith("dg_on_"))
    assert box.value is False

    box.set_value(True)
    at = at.button(key="save_digest").click().run()
    assert not at.error
    assert [s.value for s in at.success] == [
        "later@northshire.example.org will get the monthly digest."
    ]
    assert _digest_of(db_url)["later@northshire.example.org"] is True
    # the table says so
    assert any("Monthly digest" in frame.value.columns for frame in at.dataframe)

    next(b for b in at.checkbox if b.key.startswith("dg_on_")).set_value(False)
    at = at.button(key="save_digest").click().run()
    assert _digest_of(db_url)["later@northshire.example.org"] is False


def _id_of(option: str) -> int:
    """The contact id of an option as the box shows it (``#12 Northshire · ...``)."""
    return int(option.split()[0].lstrip("#"))
