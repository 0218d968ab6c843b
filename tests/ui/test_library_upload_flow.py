"""Library uploads are saved and handed to a worker, never read or embedded in the app's
process: submitted as the ingest flow when a Prefect server takes it; otherwise they wait as a
job in the jobs table that the sweep does, and the page says so (issue 22)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sqlmodel import select

from core.db import open_session
from learning.encoder import FakeEncoder
from learning.index import open_index
from learning.ingest_runs import IngestView
from learning.uploads import INGEST_DEPLOYMENT
from review_flows.models import Job, JobKind
from tests.ui.conftest import REVIEWER, AppFactory
from tests.ui.test_search_similar_library import LIBRARY, _button, _page

API_URL = "http://prefect.test:4200/api"
REVIEW = b"# Child Q: a review\n\nLearning about neglect and the school's referrals.\n"


@pytest.fixture
def with_server(app_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """``CSPR_PREFECT_API_URL`` set; the submissions the page makes, recorded."""
    from core.settings import get_settings

    submitted: list[dict[str, Any]] = []

    def run_deployment(api_url: str, name: str, **options: Any) -> SimpleNamespace:
        submitted.append({"api_url": api_url, "name": name, **options})
        return SimpleNamespace(id="run-1")

    monkeypatch.setenv("CSPR_PREFECT_API_URL", API_URL)
    monkeypatch.setattr("learning.uploads._run_deployment", run_deployment)
    # what the page reads of the server's ingest runs: nothing under way (test_library_progress)
    monkeypatch.setattr("learning.ingest_runs.library_ingests", lambda *a, **k: IngestView())
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
    assert [s.value for s in at.success] == [
        "1 file saved. The workflow service is adding them to the library now: how far it has "
        "got shows below, and the reviews are listed as soon as they are in."
    ]  # in words, no address of the Prefect server (issue 23, item 8)
    assert not at.get("progress")
    assert _upload_jobs(app_data) == []


def _upload_jobs(app_data: Path) -> list[Job]:
    with open_session(f"sqlite:///{app_data / 'cspr.db'}") as session:
        return list(session.exec(select(Job).where(Job.kind == JobKind.INGEST_UPLOAD)))


WAITS = (
    "1 file saved. They will be added to the library when the workflow service runs (at the "
    "latest at its next daily sweep, which takes waiting uploads)."
)


def test_without_a_server_an_upload_waits_as_a_job_and_the_sweep_adds_it(
    app: AppFactory, app_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from review_flows.dispatch import run_pending_in_process

    monkeypatch.delenv("CSPR_PREFECT_API_URL", raising=False)
    monkeypatch.setattr("learning.runtime.build_encoder", FakeEncoder)
    at = _page(app, REVIEWER, LIBRARY)
    at.file_uploader[0].set_value([("Child Q.md", REVIEW, "text/markdown")])
    _button(at, "Add to the library").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == [WAITS]
    assert "1 upload batch waits for the workflow service" in " ".join(c.value for c in at.caption)
    [job] = _upload_jobs(app_data)
    assert job.done_at is None and Path(job.report_path or "").parent == app_data / "uploads"
    assert not (app_data / "index").exists()  # nothing read or embedded in the app's process

    assert run_pending_in_process(dt.date.today()) == {"done": 1, "failed": []}  # the sweep
    index = open_index(app_data / "index")
    try:
        assert [d.title for d in index.store.documents()] == ["Child Q: a review"]
    finally:
        index.close()
    assert _upload_jobs(app_data)[0].done_at is not None


def test_a_server_that_does_not_take_it_leaves_a_job_for_the_sweep(
    app: AppFactory, app_data: Path, with_server: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    def refuse(api_url: str, name: str, **options: Any) -> None:
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr("learning.uploads._run_deployment", refuse)
    at = _page(app, REVIEWER, LIBRARY)
    at.file_uploader[0].set_value([("Child Q.md", REVIEW, "text/markdown")])
    _button(at, "Add to the library").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert [w.value for w in at.warning] == [
        "The workflow service did not take the upload just now, so it waits for it."
    ]
    assert [s.value for s in at.success] == [WAITS]
    [job] = _upload_jobs(app_data)
    assert job.done_at is None and not (app_data / "index").exists()


def test_a_text_upload_over_its_cap_is_refused_saying_what_to_do(
    app: AppFactory, app_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("CSPR_MAX_TEXT_DOCUMENT_MB", "1")
    get_settings.cache_clear()
    at = _page(app, REVIEWER, LIBRARY)
    at.file_uploader[0].set_value([("big.txt", b"word " * 300_000, "text/plain")])
    _button(at, "Add to the library").click().run()

    assert not at.exception, [e.value for e in at.exception]
    [error] = [e.value.replace("\\", "") for e in at.error]  # as it reads, escapes gone
    assert "1 MB limit for text, Markdown and HTML files (CSPR_MAX_TEXT_DOCUMENT_MB)" in error
    assert "upload the review as PDF or Word" in error
    assert _upload_jobs(app_data) == [] and not at.success
