"""A report attached to the published event as an upload: who may attach it, to which
event, of what type and size, and that a refusal keeps nothing (SQLite here,
PostgreSQL through test_postgres).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from core.access import Viewer
from core.settings import Settings
from learning.index import open_index
from review_flows.errors import CaseNotFound
from review_flows.jobs import pending_jobs
from review_flows.models import CaseEvent, JobKind, Notice
from review_flows.publications import ReportNotAllowed, ReportRefused, ReportUpload
from review_flows.workbench import NotAllowed
from tests.review_flows.publication_attempts import (
    ADMIN,
    ANALYST,
    OTHER_PANEL,
    OWNER,
    PANEL,
    _publish,
    _run_publications,
    _stored,
)
from tests.review_flows.publication_attempts import sent_ref as sent_ref
from tests.review_flows.publication_attempts import settings as settings
from tests.review_flows.test_sweep import REPORT

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
