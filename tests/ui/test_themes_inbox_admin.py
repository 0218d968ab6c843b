"""The Themes, Inbox and Admin pages (AppTest): what each role sees and what each action writes.

Fixtures of this module (the folder's conftest belongs to the other pages' tests): the demo
store seeded once with its users (``seed_demo(..., password=...)``) and copied per test, and a
learning index of the tiny corpus ingested once with the fake encoder and copied per test.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.access import Viewer
from learning.encoder import FakeEncoder
from review_flows.demo import NORTHSHIRE, WESTMERE, contact_email
from review_flows.models import Channel, ContactRole, NoticeKind, Role
from tests.conftest import REPO_ROOT
from tests.learning.factories import write_corpus

DEMO_PASSWORD = "demo-password-for-the-pages"
ANALYST = Viewer("analyst", Role.ANALYST, None, "Demo analyst")
ADMIN = Viewer("admin", Role.ADMIN, None, "Demo admin")
PANEL = Viewer("panel-northshire", Role.PANEL_MEMBER, NORTHSHIRE.name, "Northshire panel member")
DA_LABEL = "Domestic abuse and coercive control"


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo (as of today) and the demo users, built once."""
    from core.db import get_engine, open_session
    from core.migrations import upgrade_database
    from review_flows.demo import seed_demo

    path = tmp_path_factory.mktemp("demo-store") / "cspr.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    with open_session(url) as session:
        seed_demo(session, today=dt.date.today(), password=DEMO_PASSWORD)
    get_engine(url).dispose()  # checkpoints the WAL into the file before it is copied
    return path


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny corpus of tests.learning.factories, ingested once with the fake encoder."""
    from learning.ingest import ingest_paths

    root = tmp_path_factory.mktemp("themes-index")
    reviews = root / "reviews"
    write_corpus(reviews)
    report = ingest_paths([reviews], root / "index", FakeEncoder(), now=dt.datetime.now(dt.UTC))
    assert not report.failed
    return root / "index"


@pytest.fixture
def db_url(data_dir: Path, demo_store: Path) -> Iterator[str]:
    """This test's copy of the demo store, in its data folder; the app's caches emptied."""
    shutil.copyfile(demo_store, data_dir / "cspr.db")
    st.cache_resource.clear()
    yield f"sqlite:///{data_dir / 'cspr.db'}"
    st.cache_resource.clear()


@pytest.fixture
def index_dir(
    db_url: str, corpus_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """This test's copy of the index (``CSPR_INDEX_DIR``); the app's encoder is the fake."""
    from core.settings import get_settings

    folder = tmp_path / "index"
    shutil.copytree(corpus_index, folder)
    monkeypatch.setenv("CSPR_INDEX_DIR", str(folder))
    monkeypatch.setattr("learning.runtime.build_encoder", FakeEncoder)
    get_settings.cache_clear()
    return folder


def open_page(page: str, viewer: Viewer) -> AppTest:
    """``app.py`` signed in as ``viewer``, switched to ``page`` and run."""
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer"] = viewer
    at.session_state["last_seen"] = dt.datetime.now(dt.UTC)
    return at.switch_page(page).run()


def texts(at: AppTest) -> str:
    """Every piece of text the page shows, one per line."""
    parts = [*at.markdown, *at.caption, *at.text, *at.info, *at.success, *at.error, *at.warning]
    return "\n".join(str(part.value) for part in parts)


def deliver(db_url: str, *notices: tuple[str, ...]) -> None:
    """Store ``(recipient, subject[, partnership])`` inbox notices (Northshire's unless named),
    in that order."""
    from core.db import open_session
    from review_flows.notify.channels import InboxChannel
    from review_flows.notify.notice import OutgoingNotice
    from review_flows.notify.store import deliver_notices

    planned = [
        OutgoingNotice(
            key=f"test:{number}:{recipient}",
            kind=NoticeKind.REMINDER,
            partnership=partnership[0] if partnership else NORTHSHIRE.name,
            recipient=recipient,
            channel=Channel.INBOX,
            subject=subject,
            body=f"{subject}: the body",
            for_date=dt.date.today(),
        )  # fmt: skip
        for number, (recipient, subject, *partnership) in enumerate(notices)
    ]
    with open_session(db_url) as session:
        deliver_notices(session, planned, {Channel.INBOX: InboxChannel()})


# --- themes --------------------------------------------------------------------------------------


# Shares with their intervals, shares over time, the ranked co-occurrence table and changes in
# percentage points: tests/ui/test_themes_rates.py (it uses this module's fixtures).


def test_changes_clusters_and_recurring_render(index_dir: Path) -> None:
    at = open_page("ui/pages/themes.py", ANALYST)
    for section in ("Rising and new", "Emerging clusters"):
        at.radio(key="themes_section").set_value(section).run()
        assert not at.exception and not at.error, section
    at.radio(key="themes_section").set_value("Recurring recommendations").run()

    assert not at.exception and not at.error
    assert "recommendations made in 2 or more reviews" in texts(at)


def test_confirming_a_tag_writes_a_decision(index_dir: Path, db_url: str) -> None:
    from learning.themes.decisions import load_decisions

    at = open_page("ui/pages/themes.py", ANALYST)
    at.radio(key="themes_section").set_value("Confirm or reject tags").run()
    at.selectbox(key="tr").set_value("r-domestic-abuse").run()
    at.selectbox(key="tt").set_value("domestic_abuse").run()

    shown = texts(at)
    assert "Tagged" in shown and "Page 1" in shown  # the evidence, with its page
    # A short review is read sentence by sentence (issue 24), so the summary's sentence naming
    # the abuse is evidence above the threshold too (read in pairs, it shared its window with
    # the police call-outs and fell below), beside the finding about the notifications.
    assert "lived with repeated domestic abuse by her stepfather" in shown
    assert "Domestic abuse notifications from the police were not shared" in shown

    at.text_area(key="decision_note").input("the police notifications finding")
    at.button(key="confirm_tag").click().run()

    decision = load_decisions(db_url)[("r-domestic-abuse", "domestic_abuse")]
    assert (decision.decision, decision.by) == ("confirm", "analyst")
    assert decision.note == "the police notifications finding"
    assert dt.datetime.now(dt.UTC) - decision.at < dt.timedelta(minutes=5)
    assert f"confirmed {DA_LABEL} on r-domestic-abuse." in texts(at)
    assert "In force: confirmed by analyst" in texts(at)


def test_an_evidence_pack_downloads_with_data(
    index_dir: Path, media: list[MemoryMediaFileStorage]
) -> None:
    at = open_page("ui/pages/themes.py", ANALYST)
    at.radio(key="themes_section").set_value("Evidence packs").run()
    at.selectbox(key="pack_th").set_value("domestic_abuse").run()
    at.radio(key="pack_fmt").set_value("csv").run()
    assert not at.get("download_button")  # nothing until asked for

    at.button(key="pack_build").click().run()

    (download,) = at.get("download_button")
    assert download.proto.label == "Download evidence-pack-domestic_abuse.csv"
    data = media[-1].get_file(download.proto.url.rsplit("/", 1)[1]).content.decode("utf-8")
    assert data.startswith("theme_id,part,review_id,")
    assert "r-domestic-abuse" in data and "[Child E" in data
    assert "every line cites its review and page" in texts(at)


def test_without_an_index_the_page_says_what_to_do(db_url: str) -> None:
    at = open_page("ui/pages/themes.py", ANALYST)

    assert not at.exception
    assert [info.value for info in at.info] == [
        "No learning index yet: add published reviews on the Library page (a reviewer or an "
        "administrator can), then come back."
    ]


@pytest.mark.parametrize("page", ["ui/pages/themes.py", "ui/pages/admin.py"])
def test_a_panel_member_is_refused_themes_and_admin(db_url: str, page: str) -> None:
    # not in a panel member's navigation: asking for it lands on their own first page
    landed = open_page(page, PANEL)
    assert [title.value for title in landed.title] not in (["Themes"], ["Admin"])
    # and the page itself refuses them, if reached by its address
    at = AppTest.from_file(str(REPO_ROOT / page), default_timeout=60)
    at.session_state["viewer"] = PANEL
    at.session_state["last_seen"] = dt.datetime.now(dt.UTC)
    at.run()

    assert [error.value for error in at.error] == ["A panel member cannot open this page."]
    assert not at.title and not at.dataframe


# --- inbox ---------------------------------------------------------------------------------------


@pytest.fixture
def notices(db_url: str) -> str:
    """Two notices to analysts' contacts, one to Northshire's business manager, one to its chair."""
    deliver(
        db_url,
        (contact_email(NORTHSHIRE, ContactRole.ANALYST), "Analyst notice one"),
        (contact_email(NORTHSHIRE, ContactRole.BUSINESS_MANAGER), "Manager notice"),
        (contact_email(WESTMERE, ContactRole.ANALYST), "Analyst notice two", WESTMERE.name),
        (contact_email(NORTHSHIRE, ContactRole.CHAIR), "Chair notice"),
    )
    return db_url


def mark_read_buttons(at: AppTest) -> list:
    return [button for button in at.button if button.label == "Mark read"]


def test_an_analyst_sees_only_analyst_notices_newest_first(notices: str) -> None:
    at = open_page("ui/pages/inbox.py", ANALYST)

    subjects = [m.value for m in at.markdown if m.value.startswith("**")]
    assert subjects == ["**Analyst notice two**", "**Analyst notice one**"]
    assert sum("**Unread**" in m.value for m in at.markdown) == 2


def test_marking_read_persists_and_unread_only_hides_it(notices: str) -> None:
    from core.db import open_session
    from review_flows.workbench import inbox_of

    at = open_page("ui/pages/inbox.py", ANALYST)
    (newest, _) = mark_read_buttons(at)
    newest.click().run()

    with open_session(notices) as session:
        read = {n.subject: n.read_at is not None for n in inbox_of(session, ANALYST)}
    assert read == {"Analyst notice two": True, "Analyst notice one": False}
    assert sum("**Unread**" in m.value for m in at.markdown) == 1
    assert len(mark_read_buttons(at)) == 1  # no "Mark read" on a read notice

    at.toggle(key="inbox_unread_only").set_value(True).run()

    subjects = [m.value for m in at.markdown if m.value.startswith("**")]
    assert subjects == ["**Analyst notice one**"]


def test_the_inbox_says_when_the_next_sweep_runs(
    notices: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the sweep's schedule in the settings: a daily 06:15 UTC run is today or tomorrow."""
    from core.settings import get_settings

    monkeypatch.setenv("CSPR_SWEEP_CRON", "15 6 * * *")
    monkeypatch.setenv("CSPR_SWEEP_TIMEZONE", "UTC")
    get_settings.cache_clear()
    try:
        at = open_page("ui/pages/inbox.py", ANALYST)
    finally:
        get_settings.cache_clear()

    [said] = [c.value for c in at.caption if "next scheduled run" in c.value]
    now = dt.datetime.now(dt.UTC)
    day = "today" if (now.hour, now.minute) < (6, 15) else "tomorrow"
    assert said.endswith(f"Its next scheduled run: {day} at 06:15 (UTC).")
    assert "catches up each time the system starts" in said


def test_a_panel_member_sees_their_partnerships_manager_notices(notices: str) -> None:
    at = open_page("ui/pages/inbox.py", PANEL)

    subjects = [m.value for m in at.markdown if m.value.startswith("**")]
    assert subjects == ["**Manager notice**"]


# --- admin ---------------------------------------------------------------------------------------


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
