"""Fixtures of the app's pages: a seeded, migrated data folder per test, viewers of each role,
and an :class:`AppTest` of ``app.py`` signed in as one of them.

The demo store is seeded once per test session into a template file (as of today: the pages
read the real clock); each test gets its own copy, so tests share no state.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.access import Viewer
from core.roles import Role
from tests.conftest import REPO_ROOT

NORTHSHIRE = "Northshire Safeguarding Children Partnership"
PASSWORD = "correct horse battery"

PANEL = Viewer("pat.panel", Role.PANEL_MEMBER, NORTHSHIRE, "Pat Panel")
REVIEWER = Viewer("rita.reviewer", Role.REVIEWER, None, "Rita Reviewer")
ANALYST = Viewer("andy.analyst", Role.ANALYST, None, "Andy Analyst")
ADMIN = Viewer("ada.admin", Role.ADMIN, None, "Ada Admin")
VIEWERS = (PANEL, REVIEWER, ANALYST, ADMIN)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo cases (as of today) and one user per role."""
    from core.db import get_engine, open_session
    from core.migrations import upgrade_database
    from review_flows.demo import seed_demo
    from review_flows.partnership_models import UserCreate
    from review_flows.users import create_user

    path = tmp_path_factory.mktemp("ui-template") / "cspr.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    with open_session(url) as session:
        seed_demo(session, today=dt.date.today())
        for viewer in VIEWERS:
            data = UserCreate(
                username=viewer.username, display_name=viewer.display_name, role=viewer.role,
                partnership=viewer.partnership, password=PASSWORD,
            )  # fmt: skip
            create_user(session, data)
    get_engine(url).dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def app_data(data_dir: Path, seeded_template: Path) -> Path:
    """This test's data folder (``CSPR_DATA_DIR``) holding a copy of the seeded store."""
    shutil.copyfile(seeded_template, data_dir / "cspr.db")
    return data_dir


@pytest.fixture
def db_url(app_data: Path) -> str:
    return f"sqlite:///{app_data / 'cspr.db'}"


AppFactory = Callable[..., AppTest]


@pytest.fixture
def app(app_data: Path) -> Iterator[AppFactory]:
    """``app(viewer)``: an AppTest of ``app.py`` with ``viewer`` signed in (not run yet)."""

    def make(viewer: Viewer | None = None) -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
        if viewer is not None:
            at.session_state["viewer"] = viewer
            at.session_state["last_seen"] = dt.datetime.now(dt.UTC)
        return at

    yield make


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MemoryMediaFileStorage]:
    """The stores AppTest keeps downloads in (so a test can read what a download holds)."""
    stores: list[MemoryMediaFileStorage] = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            stores.append(self)

    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", Kept)
    return stores
