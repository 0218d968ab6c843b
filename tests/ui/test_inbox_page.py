"""The Inbox page (AppTest) on the demo store: each viewer sees only the notices of
their own contacts, newest first, marks them read, and is told when the next sweep
runs.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from review_flows.demo_partnerships import NORTHSHIRE, WESTMERE, contact_email
from review_flows.notify.kinds import Channel, ContactRole, NoticeKind
from tests.ui.demo_pages import ANALYST, PANEL, open_page
from tests.ui.demo_pages import db_url as db_url
from tests.ui.demo_pages import demo_store as demo_store


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
