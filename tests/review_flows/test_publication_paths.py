"""Finding 1 of issue 22: a published report reaches the library only as an upload or a
file the administrator put in the drop folder, never as a server path a user names;
the job reads only the publications folder.

Each attack is tried as a Northshire panel member against the real services, the real
database (SQLite here, PostgreSQL through test_postgres) and a real index (hashing
encoder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from core.settings import Settings
from learning.encoder import FakeEncoder
from review_flows.case_details import record_next_event
from review_flows.jobs import PublicationFailed, run_publication
from review_flows.models import CaseEvent, Job, JobKind
from review_flows.publications import DroppedReport, ReportRefused, ReportUpload
from tests.review_flows.publication_attempts import (
    INBOX,
    PANEL,
    PUBLISHED_ON,
    D,
    _indexed_text,
    _publish,
    _run_publications,
    _stored,
)
from tests.review_flows.publication_attempts import secret as secret
from tests.review_flows.publication_attempts import sent_ref as sent_ref
from tests.review_flows.publication_attempts import settings as settings
from tests.review_flows.test_sweep import REPORT


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
