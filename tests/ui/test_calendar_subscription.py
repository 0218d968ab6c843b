"""A personal calendar address (issue 23, item 4: a calendar that follows changes with no
command run by an administrator): made on the Deadlines page, served by the app's own server
(ui/routes.py) from the database at each fetch, replaced or stopped by its owner; a dead
address answers exactly as one that never existed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core.db import open_session
from review_flows.models import CaseEventCreate
from review_flows.workbench import record_event_as
from tests.ui.conftest import PANEL, AppFactory

DEADLINES = "ui/pages/deadlines.py"
ADDRESS = re.compile(r"https?://[^/]+(/feeds/[A-Za-z0-9_-]+\.ics)")


@pytest.fixture
def server(app_data: object) -> Iterator[TestClient]:
    from ui.routes import ROUTES

    with TestClient(Starlette(routes=ROUTES)) as client:
        yield client


def _address(at: object) -> str | None:
    codes = [code.value for code in at.code]  # type: ignore[attr-defined]
    found = [ADDRESS.search(code) for code in codes]
    return next((match.group(1) for match in found if match), None)


def _button(at: object, label: str) -> object:
    [button] = [b for b in at.button if b.label == label]  # type: ignore[attr-defined]
    return button


def test_a_panel_member_subscribes_and_the_feed_follows_a_recorded_event(
    app: AppFactory, server: TestClient, db_url: str
) -> None:
    at = app(PANEL).switch_page(DEADLINES).run()
    assert _address(at) is None
    _button(at, "Make my calendar address").click().run()  # type: ignore[attr-defined]
    path = _address(at)
    assert path is not None and not at.exception

    first = server.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    assert "NSH-DEMO-004" in first.text and "CWT-DEMO" not in first.text  # their partnership only

    with open_session(db_url) as session:  # the rapid review of NSH-DEMO-004 is sent
        record_event_as(
            session, PANEL, "NSH-DEMO-004",
            CaseEventCreate(kind="rapid_review_submitted", on=dt.date.today()),
            today=dt.date.today(),
        )  # fmt: skip
    second = server.get(path)
    assert second.status_code == 200 and second.text != first.text


def test_a_new_address_retires_the_old_and_a_stopped_one_reads_as_never_made(
    app: AppFactory, server: TestClient
) -> None:
    at = app(PANEL).switch_page(DEADLINES).run()
    _button(at, "Make my calendar address").click().run()  # type: ignore[attr-defined]
    old = _address(at)
    _button(at, "Make a new address").click().run()  # type: ignore[attr-defined]
    new = _address(at)
    assert old and new and old != new
    never = server.get("/feeds/" + "A" * 43 + ".ics")
    gone = server.get(old)
    assert (gone.status_code, gone.text, gone.headers.get("content-type")) == (
        never.status_code, never.text, never.headers.get("content-type"),
    )  # fmt: skip
    assert gone.status_code == 404
    assert server.get(new).status_code == 200
    _button(at, "Stop my calendar address").click().run()  # type: ignore[attr-defined]
    assert _address(at) is None
    assert server.get(new).status_code == 404


def test_a_session_token_becomes_a_cookie_once(server: TestClient, db_url: str) -> None:
    from core.settings import get_settings
    from review_flows import web_sessions

    with open_session(db_url) as session:
        token = web_sessions.issue(session, PANEL.username, now=dt.datetime.now(dt.UTC),
                                   settings=get_settings())  # fmt: skip
    answer = server.post("/session/start", content=token)
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{web_sessions.COOKIE}={token}")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert server.post("/session/start", content=token).status_code == 404  # once only
    ended = server.post("/session/end", cookies={web_sessions.COOKIE: token})
    assert ended.status_code == 204 and 'cspr_session=""' in ended.headers["set-cookie"]
    with open_session(db_url) as session:
        assert web_sessions.resume(session, token, now=dt.datetime.now(dt.UTC),
                                   settings=get_settings()) is None  # fmt: skip
