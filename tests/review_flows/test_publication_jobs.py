"""The app hands work to a worker: a publication and Library uploads wait as jobs,
never ingested in the app's process, and an upload job reads only a batch folder of
the uploads folder (SQLite here, PostgreSQL through test_postgres).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from core.settings import Settings
from learning.encoder import FakeEncoder
from review_flows.models import Job, JobKind
from review_flows.publications import ReportUpload
from review_flows.upload_jobs import (
    UploadIngestFailed,
    hand_over_uploads,
    run_upload_job,
    waiting_uploads,
)
from tests.review_flows.publication_attempts import ADMIN, OWNER, PANEL, D, _indexed_text, _publish
from tests.review_flows.publication_attempts import secret as secret
from tests.review_flows.publication_attempts import sent_ref as sent_ref
from tests.review_flows.publication_attempts import settings as settings
from tests.review_flows.test_sweep import REPORT

# --- the app hands work to a worker -------------------------------------------------------------


def test_an_apps_publication_waits_for_the_sweep_without_a_server(
    session: Session, sent_ref: str, settings: Settings, db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from core.settings import get_settings
    from review_flows.dispatch import submit_or_run

    event = _publish(session, PANEL, sent_ref, settings, ReportUpload("r.md", REPORT.encode()))
    monkeypatch.setenv("CSPR_DATABASE_URL", db_url)
    monkeypatch.setenv("CSPR_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("CSPR_PREFECT_API_URL", raising=False)
    monkeypatch.delenv("CSPR_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    try:
        ids = [j.id for j in session.exec(select(Job).where(Job.event_id == event.id))]
        submit_or_run(ids, D(2026, 3, 31), ingest_here=False)  # as `dispatch --no-ingest`
    finally:
        get_settings.cache_clear()
    session.expire_all()
    states = {j.kind: j.done_at is not None for j in session.exec(select(Job))}
    assert states == {JobKind.FOLLOW_UP: True, JobKind.PUBLISH: False}
    assert not settings.resolved_index_dir.exists()


def test_uploads_wait_as_a_job_without_a_server_and_the_sweep_ingests_them(
    session: Session, settings: Settings
) -> None:
    folder = settings.uploads_dir / "20260331T093005Z"
    folder.mkdir(parents=True)
    (folder / "Final-report.md").write_text(REPORT)

    handover = hand_over_uploads(session, OWNER, folder, settings)

    assert (handover.flow_url, handover.not_submitted) == (None, None)
    assert waiting_uploads(session) == 1 and not settings.resolved_index_dir.exists()
    assert handover.job_id is not None
    assert run_upload_job(session, handover.job_id, index_dir=settings.resolved_index_dir,
                          encoder_factory=FakeEncoder, settings=settings) == 1  # fmt: skip
    assert waiting_uploads(session) == 0
    assert "Information sharing" in _indexed_text(settings)


def test_uploads_the_server_does_not_take_wait_as_a_job_saying_why(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    def refuse(api_url: str, name: str, **options: Any) -> None:
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr("learning.uploads._run_deployment", refuse)
    served = settings.model_copy(update={"prefect_api_url": "http://prefect.test:4200/api"})
    folder = settings.uploads_dir / "batch"
    folder.mkdir(parents=True)
    handover = hand_over_uploads(session, ADMIN, folder, served)
    assert handover.job_id is not None and "connection refused" in (handover.not_submitted or "")
    assert waiting_uploads(session) == 1


def test_an_upload_job_reads_only_a_batch_folder_of_the_uploads_folder(
    session: Session, settings: Settings, secret: Path
) -> None:
    job = Job(kind=JobKind.INGEST_UPLOAD, report_path=str(secret.parent))
    session.add(job)
    session.commit()
    assert job.id is not None
    with pytest.raises(UploadIngestFailed, match="not an upload batch of this workbench"):
        run_upload_job(session, job.id, index_dir=settings.resolved_index_dir,
                       encoder_factory=FakeEncoder, settings=settings)  # fmt: skip
    assert waiting_uploads(session) == 1 and not settings.resolved_index_dir.exists()


def test_a_panel_member_cannot_hand_over_uploads(session: Session, settings: Settings) -> None:
    from learning.uploads import UploadNotAllowed

    with pytest.raises(UploadNotAllowed, match="a panel member cannot add reviews"):
        hand_over_uploads(session, PANEL, settings.uploads_dir, settings)
    assert waiting_uploads(session) == 0
