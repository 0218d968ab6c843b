"""The Atom feed of monthly digests (issue 27): an address made on the Library page, served by
the app's own server (ui/routes.py) from the library at each fetch, with the editions its
owner may read; a dead address, or an edition the owner may not read, answers exactly as an
address that never existed."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core.digest_model import Month
from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from tests.learning.factories import write_corpus
from tests.ui.conftest import ANALYST, NORTHSHIRE, PANEL, AppFactory

LIBRARY = "ui/pages/library.py"
ADDRESS = re.compile(r"https?://[^/]+(/feeds/digest/[A-Za-z0-9_-]+\.atom)")
A = {"a": "http://www.w3.org/2005/Atom"}
KINGSFORD = "Kingsford Safeguarding Children Partnership"


@pytest.fixture
def server(app_data: object) -> Iterator[TestClient]:
    from ui.routes import ROUTES

    with TestClient(Starlette(routes=ROUTES)) as client:
        yield client


def _add_library(data_dir: Path, tmp_path: Path) -> Month:
    """The tiny corpus, added to the library in the middle of last month; that month."""
    month = Month.before(dt.date.today())
    when = dt.datetime.combine(month.first_day, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(14)
    paths = write_corpus(tmp_path / "reviews")
    assert not ingest_paths(list(paths.values()), data_dir / "index", FakeEncoder(),
                            now=when).failed  # fmt: skip
    return month


def _make_address(app: AppFactory, viewer: object) -> str:
    at = app(viewer).switch_page(LIBRARY).run()
    assert not at.exception
    [make] = [b for b in at.button if b.label == "Make my digest feed address"]
    make.click().run()
    found = [ADDRESS.search(code.value) for code in at.code]
    [path] = [match.group(1) for match in found if match]
    return path


def _entries(text: str) -> list[tuple[str, str]]:
    feed = ET.fromstring(text.encode())
    return [
        (e.findtext("a:title", namespaces=A), e.findtext("a:summary", namespaces=A))
        for e in feed.findall("a:entry", A)
    ]


def test_a_panel_member_follows_their_partnerships_and_the_national_digest(
    app: AppFactory, server: TestClient, app_data: Path, tmp_path: Path
) -> None:
    path = _make_address(app, PANEL)
    month = _add_library(app_data, tmp_path)

    answer = server.get(path)

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    entries = _entries(answer.text)
    assert len(entries) == 24  # twelve months, each their partnership's then the national
    assert entries[:2] == [
        (f"New learning, {month.label}: {NORTHSHIRE}",
         f"0 reviews added to the library in {month.label}."),
        (f"New learning, {month.label}: national",
         f"5 reviews added to the library in {month.label}."),
    ]  # fmt: skip
    assert "Child A: a serious case of injury in infancy" in answer.text


def test_an_analyst_may_name_a_partnership(
    app: AppFactory, server: TestClient, app_data: Path, tmp_path: Path
) -> None:
    path = _make_address(app, ANALYST)
    month = _add_library(app_data, tmp_path)

    national = _entries(server.get(path).text)
    kingsford = _entries(server.get(path, params={"partnership": KINGSFORD}).text)

    assert national[0] == (f"New learning, {month.label}: national",
                           f"5 reviews added to the library in {month.label}.")  # fmt: skip
    assert len(national) == 12
    assert kingsford[0] == (f"New learning, {month.label}: {KINGSFORD}",
                            f"1 review added to the library in {month.label}.")  # fmt: skip


def test_another_partnership_and_a_stopped_address_read_as_never_made(
    app: AppFactory, server: TestClient
) -> None:
    path = _make_address(app, PANEL)
    never = server.get("/feeds/digest/" + "A" * 43 + ".atom")
    other = server.get(path, params={"partnership": KINGSFORD})
    own = server.get(path, params={"partnership": NORTHSHIRE.upper()})

    shape = (never.status_code, never.text, never.headers.get("content-type"))
    assert (other.status_code, other.text, other.headers.get("content-type")) == shape
    assert shape[0] == 404 and own.status_code == 200
    assert _entries(own.text) == []  # no library yet: nothing to list

    at = app(PANEL).switch_page(LIBRARY).run()
    [stop] = [b for b in at.button if b.label == "Stop my digest address"]
    stop.click().run()
    gone = server.get(path)
    assert (gone.status_code, gone.text, gone.headers.get("content-type")) == shape
