"""The "Draft a 7-minute briefing" button of an opened review, run by AppTest over a tiny index
(the learning tests' corpus, ingested with the hashing FakeEncoder)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from tests.learning.factories import CORPUS
from tests.learning.test_library import write_library
from tests.ui.conftest import REVIEWER, AppFactory
from ui.briefing_section import DRAFT_BUTTON

SEARCH = "ui/pages/search.py"


@pytest.fixture
def index_dir(app_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr("learning.runtime.build_encoder", FakeEncoder)
    folder = app_data / "index"
    ingest_paths([write_library(app_data.parent / "reviews")], folder, FakeEncoder())
    st.cache_resource.clear()
    yield folder
    st.cache_resource.clear()


def _button(at: AppTest, label: str):  # noqa: ANN202
    return next(button for button in at.button if button.label == label)


def _opened_review(app: AppFactory) -> AppTest:
    at = app(REVIEWER)
    at.run()
    at.switch_page(SEARCH).run()
    at.radio(key="search_mode").set_value("passages")
    at.text_input(key="search_query").set_value("bruising on a non-mobile baby").run()
    _button(at, "Open review").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_button_drafts_a_briefing_offered_in_three_formats(
    app: AppFactory, index_dir: Path
) -> None:
    at = _opened_review(app)
    assert not at.get("download_button")
    _button(at, DRAFT_BUTTON).click().run()
    assert not at.exception, [e.value for e in at.exception]

    # the review stays open, now with the draft to download
    title = CORPUS["r-infant-bruising"]["meta"]["title"]
    assert [re.sub(r"\\(.)", r"\1", h.value) for h in at.header] == [title]
    downloads = at.get("download_button")
    labels = [d.proto.label for d in downloads]
    assert labels == ["Download as Markdown", "Download as Word", "Download as PDF"]
    assert any("points quoted from the review" in c.value for c in at.caption)
    assert not [button for button in at.button if button.label == DRAFT_BUTTON]

    _button(at, "Close review").click().run()
    assert not at.header  # closing it is not undone by the draft's request to keep it open
