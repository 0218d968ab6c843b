"""The Library page while reviews are being added (issue 23, items 8 and 10): what the ingest's
flow run records (documents done of the total, its state) in words and a bar, the library
being built rather than empty, and a finished run's outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from learning.ingest_runs import IngestRun, IngestView
from tests.ui.conftest import ANALYST, PANEL, REVIEWER, AppFactory
from tests.ui.test_search_similar_library import index_dir  # noqa: F401

LIBRARY = "ui/pages/library.py"
DEMO = "The demo library (the published reviews the demo comes with)"


@pytest.fixture
def ingests(app_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[IngestView]]:
    """A Prefect server configured; what the page reads of its ingest runs is the last view
    put in the list (and each api_url asked is checked)."""
    from core.settings import get_settings

    views: list[IngestView] = []
    api = "http://127.0.0.1:9/api"

    def read(api_url: str | None, *, now: dt.datetime, limit: int = 10) -> IngestView:
        assert api_url == api and now.tzinfo is not None
        return views[-1]

    monkeypatch.setenv("CSPR_PREFECT_API_URL", api)
    monkeypatch.setattr("learning.ingest_runs.library_ingests", read)
    get_settings.cache_clear()
    yield views
    get_settings.cache_clear()


def _library(app: AppFactory, viewer: object = REVIEWER) -> AppTest:
    at = app(viewer)
    at.switch_page(LIBRARY).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_demo_library_shows_its_progress_while_it_embeds(
    app: AppFactory, ingests: list[IngestView]
) -> None:
    ingests.append(IngestView((IngestRun(DEMO, "under way", ended=False, done=12, total=49),)))
    at = _library(app, PANEL)  # a panel member, who cannot upload, sees it too

    [bar] = at.get("progress")
    assert bar.proto.text == f"{DEMO}: 12 of 49 documents done; under way."
    assert bar.proto.value == round(100 * 12 / 49)
    assert [i.value for i in at.info] == [
        "The library is being built: its reviews are listed here as they are added."
    ]
    assert "http" not in " ".join(str(e.value) for e in (*at.caption, *at.info, *at.markdown))


def test_a_run_not_counted_yet_and_an_upload_waiting_say_so_in_words(
    app: AppFactory, ingests: list[IngestView]
) -> None:
    started = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    upload = IngestRun("Reviews uploaded at 09:30 UTC on 7 Dec 2026", "waiting to start", False,
                       started=started)  # fmt: skip
    ingests.append(IngestView((upload,)))
    at = _library(app)

    assert not at.get("progress")  # no total known yet: words only
    captions = [c.value for c in at.caption]
    assert (
        "Reviews uploaded at 09:30 UTC on 7 Dec 2026: counting its documents; waiting to start."
        in captions
    )


def test_a_finished_run_says_so_and_the_empty_library_is_empty(
    app: AppFactory, ingests: list[IngestView]
) -> None:
    ingests.append(IngestView((IngestRun(DEMO, "finished", ended=True, done=49, total=49),)))
    at = _library(app)

    assert not at.get("progress")
    assert f"{DEMO}: 49 of 49 documents done; finished." in [c.value for c in at.caption]
    assert [i.value for i in at.info] == ["The library has no reviews yet."]


def test_a_server_that_cannot_be_asked_is_a_note(
    app: AppFactory, ingests: list[IngestView]
) -> None:
    ingests.append(IngestView(note="Whether reviews are being added cannot be seen now (down)."))
    at = _library(app)

    assert not at.exception and not at.error
    assert "Whether reviews are being added cannot be seen now (down)." in [
        c.value for c in at.caption
    ]


def test_while_reviews_are_added_the_listing_does_not_wait_for_themes(
    app: AppFactory,
    ingests: list[IngestView],
    index_dir: Path,  # noqa: F811
) -> None:
    """The index changes with each review added, so themes are not worked out on the page
    then (the model and seconds each time): the rows show, their themes once the run ends."""
    ingests.append(IngestView((IngestRun(DEMO, "under way", ended=False, done=3, total=6),)))
    at = _library(app)

    table = at.dataframe[0].value
    assert len(table) == 6
    assert set(table["Themes"]) == {"worked out when the library is complete"}
    assert not (index_dir / "themes-cache").exists()

    ingests.append(IngestView((IngestRun(DEMO, "finished", ended=True, done=6, total=6),)))
    at.run()
    assert "worked out when the library is complete" not in set(at.dataframe[0].value["Themes"])
    assert (index_dir / "themes-cache").is_dir()  # worked out now, and kept


def test_the_themes_page_does_not_work_themes_out_while_reviews_are_added(
    app: AppFactory,
    ingests: list[IngestView],
    index_dir: Path,  # noqa: F811
) -> None:
    """Working them out takes the model and seconds, and the index changes with each review
    added: the page says to come back, and the run works them out at its end."""
    ingests.append(IngestView((IngestRun(DEMO, "under way", ended=False, done=3, total=6),)))
    at = app(ANALYST)
    at.switch_page("ui/pages/themes.py").run()

    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == [
        "Reviews are being added to the library: the themes are worked out once they are all "
        "in (the Library page shows how far that has got). Come back then."
    ]
    assert not (index_dir / "themes-cache").exists()

    ingests.append(IngestView((IngestRun(DEMO, "finished", ended=True, done=6, total=6),)))
    at.run()
    assert not at.exception and not at.info
    assert (index_dir / "themes-cache").is_dir()  # nothing being added: worked out now
