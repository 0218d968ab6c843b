"""No page draws an emoji (issue 23, item 8): where no emoji font is installed (a locked-down
desktop, headless Chromium) an emoji draws as an empty box, so statuses, states and icons are
shapes from the font Streamlit ships, words, or Material icons (served by the app itself).

Every page of the admin (who sees them all) and the panel member's, on the demo cases and a
small library, is rendered; every text it sends (titles, Markdown, captions, alerts, labels,
options, table cells, tab names) is checked for any of Streamlit's emoji and for Markdown
emoji shortcodes, which the browser would turn into emoji."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from streamlit.emojis import ALL_EMOJIS
from streamlit.testing.v1 import AppTest

from core.access import Viewer, pages_for
from learning.encoder import FakeEncoder
from tests.learning.factories import write_corpus
from tests.ui.conftest import ADMIN, PANEL, AppFactory

#: ":smile:" in Markdown, not ":material/inbox:" (a Material icon) nor "12:30".
SHORTCODE = re.compile(r"(?<![\w/]):[a-z][a-z0-9_+-]*:(?![\w/])")
#: What the pages hold that is not an emoji (tests/ui/test_widgets.py checks the shapes).
SHAPES = "▲△◆●○□■✓–"


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from learning.ingest import ingest_paths

    root = tmp_path_factory.mktemp("no-emoji-index")
    write_corpus(root / "reviews")
    report = ingest_paths(
        [root / "reviews"], root / "index", FakeEncoder(), now=dt.datetime.now(dt.UTC)
    )
    assert not report.failed
    return root / "index"


@pytest.fixture
def with_library(
    app_data: Path, small_index: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    import shutil

    import streamlit as st

    from core.settings import get_settings

    shutil.copytree(small_index, app_data / "index")
    monkeypatch.setattr("learning.runtime.build_encoder", FakeEncoder)
    get_settings.cache_clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _texts(node: Any) -> Iterator[str]:
    """Every text of the rendered tree (a table's cells included)."""
    for child in getattr(node, "children", {}).values():
        if getattr(child, "type", "") == "dataframe":
            yield child.value.to_string()
        proto = getattr(child, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            yield json_format.MessageToJson(proto, ensure_ascii=False)
        yield from _texts(child)


def _emoji_in(at: AppTest) -> list[str]:
    found = []
    for text in _texts(at._tree):
        found += [char for char in text if char in ALL_EMOJIS or char == "\ufe0f"]
        found += SHORTCODE.findall(text)
    return found


def _pages(app: AppFactory, viewer: Viewer) -> Iterator[tuple[str, AppTest]]:
    at = app(viewer)
    at.run()
    for page in pages_for(viewer.role):
        at.switch_page(f"ui/pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        yield page, at
        if page == "case":
            at.selectbox(key="case_page_reference").set_value("NSH-DEMO-004").run()
            assert not at.exception, [e.value for e in at.exception]
            yield "case NSH-DEMO-004", at


@pytest.mark.parametrize("viewer", [ADMIN, PANEL], ids=["admin", "panel-member"])
def test_no_page_draws_an_emoji(app: AppFactory, with_library: None, viewer: Viewer) -> None:
    drawn = {page: _emoji_in(at) for page, at in _pages(app, viewer)}

    assert {page: found for page, found in drawn.items() if found} == {}
    assert len(drawn) == len(pages_for(viewer.role)) + 1  # every page, and a case opened


def test_the_check_finds_an_emoji_and_a_shortcode(app: AppFactory) -> None:
    """The check itself can fail: an emoji status and a shortcode are both caught."""
    at = AppTest.from_string(
        "import streamlit as st\nst.caption('\u2705 Done')\nst.markdown('Late :warning:')\n"
        f"st.markdown('{SHAPES} :material/inbox: at 09:30')\n"
        "st.dataframe([{'Status': '\u23f0 Due'}, {'Status': '\u25b2 Overdue'}])"
    ).run()

    assert sorted(_emoji_in(at)) == sorted(["\u2705", ":warning:", "\u23f0"])
