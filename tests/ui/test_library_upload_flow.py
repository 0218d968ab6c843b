"""With a Prefect server configured, Library uploads are saved and submitted as the ingest
flow (not read in the page); if the server does not take it, they are read here as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from learning.encoder import FakeEncoder
from learning.uploads import INGEST_DEPLOYMENT
from tests.ui.conftest import REVIEWER, AppFactory
from tests.ui.test_search_similar_library import LIBRARY, _button, _page

API_URL = "http://prefect.test:4200/api"
REVIEW = b"# Child Q: a review\n\nLearning about neglect and the school's referrals.\n"


@pytest.fixture
def with_server(app_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """``CSPR_PREFECT_API_URL`` set; the submissions the page makes, recorded."""
    from review_flows.settings import get_settings

    submitted: list[dict[str, Any]] = []

    def run_deployment(api_url: str, name: str, **options: Any) -> SimpleNamespace:
        submitted.append({"api_url": api_url, "name": name, **options})
        return SimpleNamespace(id="run-1")

    monkeypatch.setenv("CSPR_PREFECT_API_URL", API_URL)
    monkeypatch.setattr("learning.uploads._run_deployment", run_deployment)
    get_settings.cache_clear()
    yield submitted
    get_settings.cache_clear()


def test_an_upload_is_submitted_as_the_ingest_flow(
    app: AppFactory, app_data: Path, with_server: list[dict[str, Any]]
) -> None:
    at = _page(app, REVIEWER, LIBRARY)
    at.file_uploader[0].set_value([("Child Q.md", REVIEW, "text/markdown")])
    _button(at, "Add to the library").click().run()

    assert not at.exception, [e.value for e in at.exception]
    [submission] = with_server
    folder = Path(submission["parameters"]["folder"])
    assert folder.parent == app_data / "uploads"
    assert (folder / "Child-Q.md").read_bytes() == REVIEW
    assert submission["name"] == INGEST_DEPLOYMENT
    assert submission["flow_run_name"] == f"upload {folder.name}"
    assert (submission["timeout"], submission["tags"]) == (0, ["upload"])
    url = "http://prefect.test:4200/runs/flow-run/run-1"
    assert [s.value for s in at.success] == [
        f"Ingestion runs as a flow: [{url}]({url}); the library lists the files when it "
        "has finished."
    ]
    assert not at.get("progress")


def test_a_server_that_does_not_take_it_falls_back_to_reading_here(
    app: AppFactory, app_data: Path, with_server: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    def refuse(api_url: str, name: str, **options: Any) -> None:
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr("learning.uploads._run_deployment", refuse)
    monkeypatch.setattr("learning.cli.build_encoder", FakeEncoder)
    at = _page(app, REVIEWER, LIBRARY)
    at.file_uploader[0].set_value([("Child Q.md", REVIEW, "text/markdown")])
    _button(at, "Add to the library").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert at.warning[0].value == (
        f"Ingestion could not run as a flow (the Prefect server at {API_URL} did not take it: "
        "connection refused); adding the reviews here."
    )
    assert [s.value for s in at.success] == ["1 added, 0 updated, 0 unchanged."]
