"""The Themes page says which tagger made the tags, and a decision that brings the count since
the last training to ``CSPR_TAGGER_RETRAIN_AFTER`` retrains the learned tagger (no Prefect
server: in the page's process). AppTest of the real app; fixtures from the Themes page tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.themes.head_store import head_path
from tests.ui.demo_pages import (  # noqa: F401 - fixtures
    ANALYST,
    corpus_index,
    db_url,
    demo_store,
    index_dir,
    open_page,
    texts,
)


def test_a_decision_retrains_the_tagger_and_the_page_says_so(
    index_dir: Path,  # noqa: F811 - the imported fixture
    db_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("CSPR_TAGGER_RETRAIN_AFTER", "1")
    get_settings.cache_clear()
    at = open_page("ui/pages/themes.py", ANALYST)
    assert "Tags made by the zero-shot tagger (scoring version" in texts(at)
    assert "starts once enough decisions have been made" in texts(at)
    assert not head_path(index_dir).exists()

    at.radio(key="themes_section").set_value("Confirm or reject tags").run()
    at.selectbox(key="tr").set_value("r-domestic-abuse").run()
    at.selectbox(key="tt").set_value("domestic_abuse").run()
    at.button(key="confirm_tag").click().run()

    assert not at.exception and not at.error
    assert head_path(index_dir).exists()  # retrained after the decision, here
    shown = texts(at)
    assert "the tagger that learns from analysts, trained on 1 decision on" in shown
    assert "too few confirmed and rejected examples of any theme yet" in shown


def test_the_setting_takes_the_page_back_to_the_zero_shot_tagger(
    index_dir: Path,  # noqa: F811 - the imported fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("CSPR_THEME_TAGGER", "zero-shot")
    get_settings.cache_clear()
    at = open_page("ui/pages/themes.py", ANALYST)
    assert not at.exception and not at.error
    assert "chosen instead of the tagger that learns from analysts" in texts(at)
