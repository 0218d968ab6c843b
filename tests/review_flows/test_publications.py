"""Finding 1 of issue 22: a published report reaches the library only as an upload or a file
the administrator put in the drop folder, never as a server path a user names; the job reads
only the publications folder; Library uploads wait as jobs for a worker, never ingested here.

Each attack is tried as a Northshire panel member against the real services, the real
database (SQLite here, PostgreSQL through test_postgres) and a real index (hashing encoder).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from core.access import Viewer
from core.roles import Role
from core.settings import Settings
from learning.encoder import FakeEncoder
from learning.index import open_index
from review_flows.case_details import record_next_event
from review_flows.errors import CaseNotFound
from review_flows.jobs import PublicationFailed, pending_jobs, run_publication
from review_flows.models import CaseEvent, Job, JobKind, Notice
from review_flows.notify.channels import InboxChannel
from review_flows.publications import (
    DroppedReport,
    ReportNotAllowed,
    ReportRefused,
    ReportUpload,
)
from review_flows.upload_jobs import (
    UploadIngestFailed,
    hand_over_uploads,
    run_upload_job,
    waiting_uploads,
)
from review_flows.workbench import NotAllowed
from tests.review_flows.test_sweep import PUBLISHED_PATH, REPORT

D = dt.date
PUBLISHED_ON = D(2026, 3, 30)
SECRET = "The database password for production is hunter2-Correct-Horse"
PANEL = Viewer("panel-northshire", Role.PANEL_MEMBER, partnership="Northshire")
OTHER_PANEL = Viewer("panel-westmere", Role.PANEL_MEMBER, partnership="Westmere")
OWNER = Viewer("rita", Role.REVIEWER)
ANALYST = Viewer("ana", Role.ANALYST)
ADMIN = Viewer("ada", Role.ADMIN)
INBOX = {"inbox": InboxChannel()}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    drop = tmp_path / "drop"
    drop.mkdir()
    return Settings(data_dir=tmp_path / "data", publication_drop_dir=drop)  # type: ignore[call-arg]


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A server file no user may read: next to the drop folder, and linked from inside it."""
    path = tmp_path / "elsewhere" / "secrets.txt"
    path.parent.mkdir()
    path.write_text(f"# Credentials\n\n{SECRET}.\n")
    return path


@pytest.fixture
def sent_ref(case_factory: Any) -> str:
    """A Northshire case whose report was sent: ``published`` is the next event."""
    return str(case_factory(events=PUBLISHED_PATH, owner="rita").case.reference)


def _publish(session: Session, viewer: Viewer, sent_ref: str, settings: Settings,
             report: Any, kind: str = "published") -> Any:  # fmt: skip
    return record_next_event(
        session, viewer, sent_ref, kind=kind, on=PUBLISHED_ON, today=D(2026, 3, 31),
        report=report, settings=settings,
    )  # fmt: skip


def _run_publications(session: Session, settings: Settings) -> list[str]:
    """Every pending publication done as the worker does it; the refusals' messages."""
    refused = []
    for job in pending_jobs(session, kind=JobKind.PUBLISH):
        assert job.id is not None
        try:
            run_publication(
                session, job.id, today=D(2026, 3, 31), channels=INBOX,
                index_dir=settings.resolved_index_dir, encoder_factory=FakeEncoder,
                settings=settings,
            )  # fmt: skip
        except PublicationFailed as failed:
            refused.append(str(failed))
    return refused


def _indexed_text(settings: Settings) -> str:
    if not settings.resolved_index_dir.exists():
        return ""
    index = open_index(settings.resolved_index_dir)
    try:
        return "\n".join(
            unit.text
            for document in index.store.documents()
            for unit in index.store.units_of_review(document.review_id)
        )
    finally:
        index.close()


def _stored(settings: Settings) -> list[str]:
    folder = settings.publications_dir
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _forge_publish_job(session: Session, sent_ref: str, path: str) -> Job:
    """A publication job naming ``path``, as a row written before the fix or by someone with
    the database's credentials would."""
    event = session.exec(select(CaseEvent).where(CaseEvent.kind == "report_sent")).one()
    job = Job(event_id=event.id, case_id=event.case_id, kind=JobKind.PUBLISH, report_path=path)
    session.add(job)
    session.commit()
    return job


# --- the attack ---------------------------------------------------------------------------------


def test_a_panel_member_cannot_get_a_server_file_into_the_index_by_any_route(
    session: Session, sent_ref: str, settings: Settings, secret: Path, contacts: Any
) -> None:
    (settings.publication_drop_dir / "link.txt").symlink_to(secret)  # type: ignore[operator]
    # the old form's route: a path in the service call is not a parameter any more
    with pytest.raises(TypeError, match="report_path"):
        record_next_event(
            session, PANEL, sent_ref, kind="published", on=PUBLISHED_ON,
            today=D(2026, 3, 31), report_path=str(secret),  # type: ignore[call-arg]
        )  # fmt: skip
    for name in (str(secret), "../elsewhere/secrets.txt", "link.txt", f"..{os.sep}secrets.txt"):
        with pytest.raises(ReportRefused, match="no report named"):
            _publish(session, PANEL, sent_ref, settings, DroppedReport(name))
    assert _stored(settings) == []
    assert not session.exec(select(CaseEvent).where(CaseEvent.kind == "published")).all()
    # an upload named like the server file is only the bytes uploaded, under the server's name
    upload = ReportUpload(str(secret), REPORT.encode())
    event = _publish(session, PANEL, sent_ref, settings, upload)
    _forge_publish_job(session, sent_ref, str(secret))

    refused = _run_publications(session, settings)

    assert refused and all("is not one the workbench stored" in r for r in refused)
    indexed = _indexed_text(settings)
    assert "Information sharing between the health visitor" in indexed  # the upload went in
    assert "password" not in indexed.lower() and "hunter2" not in indexed
    (job,) = session.exec(select(Job).where(Job.event_id == event.id, Job.kind == "publish"))
    assert job.done_at is not None and Path(job.report_path or "").name.startswith(
        "nsh-2026-001-published-"
    )


@pytest.mark.parametrize(
    ("existing", "missing"),
    [
        ("{secret}", "{tmp}/elsewhere/no-such-file.txt"),
        ("../elsewhere/secrets.txt", "../elsewhere/no-such-file.txt"),
        ("link-to-secret.txt", "link-to-nothing.txt"),
        ("/etc/passwd", "/etc/no-such-file"),
    ],
)
def test_a_refusal_reads_the_same_whether_or_not_the_path_exists(
    session: Session, sent_ref: str, settings: Settings, secret: Path, tmp_path: Path,
    existing: str, missing: str,
) -> None:  # fmt: skip
    drop = settings.publication_drop_dir
    assert drop is not None
    (drop / "link-to-secret.txt").symlink_to(secret)
    (drop / "link-to-nothing.txt").symlink_to(tmp_path / "elsewhere" / "no-such-file.txt")
    said = []
    for template in (existing, missing):
        name = template.format(secret=secret, tmp=tmp_path)
        with pytest.raises(ReportRefused) as refused:
            _publish(session, PANEL, sent_ref, settings, DroppedReport(name))
        said.append(str(refused.value).replace(repr(name), "NAME"))
    assert said[0] == said[1] == "there is no report named NAME in the publication drop folder"


def test_the_job_reads_nothing_outside_the_publications_folder_and_says_the_same_of_any_path(
    session: Session, sent_ref: str, settings: Settings, secret: Path, tmp_path: Path
) -> None:
    settings.publications_dir.mkdir(parents=True)
    (settings.publications_dir / "inside-link.txt").symlink_to(secret)
    forged = [
        str(secret),
        str(tmp_path / "elsewhere" / "no-such-file.txt"),
        str(settings.publications_dir / ".." / ".." / "elsewhere" / "secrets.txt"),
        str(settings.publications_dir / "inside-link.txt"),
        str(settings.publications_dir),
    ]
    said = set()
    for path in forged:
        job = _forge_publish_job(session, sent_ref, path)
        assert job.id is not None
        with pytest.raises(PublicationFailed) as failed:
            run_publication(
                session, job.id, today=D(2026, 3, 31), channels=INBOX,
                index_dir=settings.resolved_index_dir, encoder_factory=FakeEncoder,
                settings=settings,
            )  # fmt: skip
        said.add(str(failed.value))
        session.delete(job)
        session.commit()
    assert len(said) == 1 and "is not one the workbench stored" in said.pop()
    assert not settings.resolved_index_dir.exists()


# --- the drop folder ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["..", ".", "", "../secrets.txt", "sub/report.md", "sub\\report.md", "/etc/passwd",
     "link-out.md", "folder-link", "sub", "nul\x00.md"],
)  # fmt: skip
def test_a_drop_folder_name_that_is_not_a_plain_file_in_it_is_refused(
    session: Session, sent_ref: str, settings: Settings, secret: Path, name: str
) -> None:
    drop = settings.publication_drop_dir
    assert drop is not None
    (drop / "sub").mkdir()
    (drop / "sub" / "report.md").write_text(REPORT)
    (drop / "link-out.md").symlink_to(secret)
    (drop / "folder-link").symlink_to(secret.parent)
    with pytest.raises(ReportRefused, match="no report named"):
        _publish(session, PANEL, sent_ref, settings, DroppedReport(name))
    assert _stored(settings) == []


def test_a_dropped_report_is_copied_under_the_servers_name_and_published(
    session: Session, sent_ref: str, settings: Settings, contacts: Any
) -> None:
    drop = settings.publication_drop_dir
    assert drop is not None
    (drop / "NSH 2026 001 final.md").write_text(REPORT)
    _publish(session, PANEL, sent_ref, settings, DroppedReport("NSH 2026 001 final.md"))

    assert (drop / "NSH 2026 001 final.md").exists()  # the administrator's file stays
    [stored] = _stored(settings)
    assert stored.startswith("nsh-2026-001-published-") and stored.endswith(".md")
    assert _run_publications(session, settings) == []
    assert "Information sharing" in _indexed_text(settings)


def test_without_a_drop_folder_a_name_is_refused_with_what_to_do(
    session: Session, sent_ref: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data")  # type: ignore[call-arg]
    with pytest.raises(ReportRefused, match="no publication drop folder is configured"):
        _publish(session, PANEL, sent_ref, settings, DroppedReport("report.md"))


# --- uploads: who, which event, what -----------------------------------------------------------


def test_an_uploaded_report_is_published_into_the_index_by_the_job(
    session: Session, sent_ref: str, settings: Settings, contacts: Any
) -> None:
    _publish(session, PANEL, sent_ref, settings, ReportUpload("Final report.md", REPORT.encode()))
    (job,) = pending_jobs(session, kind=JobKind.PUBLISH)
    stored = Path(job.report_path or "")
    assert stored.parent == settings.publications_dir and stored.read_text() == REPORT
    assert not settings.resolved_index_dir.exists()  # recording it ingested nothing

    assert _run_publications(session, settings) == []

    index = open_index(settings.resolved_index_dir)
    try:
        document = index.store.document_by_review("nsh-2026-001-cspr")
        assert document is not None and Path(document.source) == stored.resolve()
    finally:
        index.close()
    told = session.exec(select(Notice).where(Notice.kind == "publication")).all()
    assert [n.recipient for n in told] == ["analyst@northshire.example.org"]


@pytest.mark.parametrize(
    ("viewer", "refusal"),
    [
        (OTHER_PANEL, CaseNotFound),  # another partnership's case reads as missing
        (OWNER, NotAllowed),  # a reviewer, even the case's owner, records no events
        (ANALYST, NotAllowed),
    ],
)
def test_only_who_may_record_the_published_event_may_attach_its_report(
    session: Session, sent_ref: str, settings: Settings, viewer: Viewer, refusal: type
) -> None:
    with pytest.raises(refusal):
        _publish(session, viewer, sent_ref, settings, ReportUpload("r.md", REPORT.encode()))
    assert _stored(settings) == [] and pending_jobs(session, kind=JobKind.PUBLISH) == []


@pytest.mark.parametrize("viewer", [PANEL, ADMIN], ids=["own-panel-member", "admin"])
def test_the_cases_panel_member_and_an_admin_may_attach_it(
    session: Session, sent_ref: str, settings: Settings, viewer: Viewer
) -> None:
    _publish(session, viewer, sent_ref, settings, ReportUpload("r.md", REPORT.encode()))
    assert len(_stored(settings)) == 1 and len(pending_jobs(session, kind=JobKind.PUBLISH)) == 1


def test_the_attach_rule_is_checked_in_the_service_not_only_by_the_event_rule(
    session: Session, sent_ref: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # were recording events ever opened to reviewers, the case's owner could still not attach
    monkeypatch.setattr("review_flows.workbench.may_write_cases", lambda viewer: True)
    with pytest.raises(ReportNotAllowed, match="a reviewer cannot attach a published report"):
        _publish(session, OWNER, sent_ref, settings, ReportUpload("r.md", REPORT.encode()))
    assert _stored(settings) == []


@pytest.mark.parametrize(
    ("kind", "upload", "message"),
    [
        ("report_sent", ReportUpload("r.md", REPORT.encode()), "with a published event only"),
        ("published", ReportUpload("r.exe", b"MZ"), "not a format the library reads"),
        ("published", ReportUpload("huge.txt", b"x" * (1024 * 1024 + 1)),
         "1 MB limit for text, Markdown and HTML files \\(CSPR_MAX_TEXT_DOCUMENT_MB\\)"),
    ],
)  # fmt: skip
def test_a_report_of_another_event_type_or_size_is_refused_and_nothing_is_kept(
    session: Session, sent_ref: str, tmp_path: Path, kind: str, upload: ReportUpload,
    message: str,
) -> None:  # fmt: skip
    settings = Settings(data_dir=tmp_path / "data", max_text_document_mb=1)  # type: ignore[call-arg]
    events_before = len(session.exec(select(CaseEvent)).all())
    with pytest.raises(ReportRefused, match=message):
        _publish(session, PANEL, sent_ref, settings, upload, kind=kind)
    assert _stored(settings) == [] and len(session.exec(select(CaseEvent)).all()) == events_before


def test_a_refused_event_leaves_no_stored_report(
    session: Session, sent_ref: str, settings: Settings
) -> None:
    _publish(session, PANEL, sent_ref, settings, ReportUpload("r.md", REPORT.encode()))
    with pytest.raises(Exception, match="already recorded"):
        _publish(session, PANEL, sent_ref, settings, ReportUpload("again.md", REPORT.encode()))
    assert len(_stored(settings)) == 1


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
