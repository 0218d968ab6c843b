"""The demo store and the tiny corpus's index under the Themes, Inbox and Admin pages
(AppTest), and how those tests open a page and read its text.

The folder's conftest belongs to the other pages' tests: a test module that uses these
fixtures imports ``demo_store`` and ``db_url`` (this test's copy of the demo store,
which replaces the conftest's), and ``corpus_index`` and ``index_dir`` when it needs the
index. The demo store is seeded once per module with its users
(``seed_demo(..., password=...)``); the index is the tiny corpus ingested once per
module with the fake encoder; each test gets its own copies.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.access import Viewer
from core.roles import Role
from learning.encoder import FakeEncoder
from review_flows.demo_partnerships import NORTHSHIRE
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
