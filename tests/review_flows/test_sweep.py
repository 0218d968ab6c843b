"""The deadline sweep and the jobs events set going, on a real SQLite database (and PostgreSQL
through test_postgres), with a real SMTP server and a real learning index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.settings import Settings
from review_flows.cases import record_event
from review_flows.models import CaseEventCreate, Job, JobKind, Notice
from review_flows.notify.channels import InboxChannel
from review_flows.notify.kinds import Channel
from review_flows.sweep import configured_channels, run_sweep

D = dt.date
INBOX = {Channel.INBOX: InboxChannel()}


def settings_for(tmp_path: Path, **fields: object) -> Settings:
    return Settings(data_dir=tmp_path, **fields)  # type: ignore[arg-type]


def open_case(case_factory, today: dt.date, **fields: object):  # type: ignore[no-untyped-def]
    """A case made aware the working day before ``today``: its notification is due soon."""
    return case_factory(aware_on=today - dt.timedelta(days=1), **fields)


def sent_keys(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.key for n in report.delivery.sent]


@pytest.mark.parametrize("scan_above", [500, 0], ids=["lookup", "scan"])
def test_a_second_sweep_the_same_day_sends_nothing_new(
    session: Session,
    case_factory,
    contacts,
    today: D,
    tmp_path: Path,
    scan_above: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("review_flows.notify.store.SCAN_ABOVE", scan_above)
    open_case(case_factory, today)
    first = run_sweep(session, today=today, settings=settings_for(tmp_path), channels=INBOX)
    assert first.open_cases == 1
    kinds = {(n.kind.value, n.milestone, n.recipient) for n in first.delivery.sent}
    assert ("reminder", "notification", "bm@northshire.example.org") in kinds
    assert first.delivery.unavailable > 0  # the business manager's email: no SMTP configured
    again = run_sweep(session, today=today, settings=settings_for(tmp_path), channels=INBOX)
    assert again.delivery.sent == []
    assert again.delivery.skipped_already_sent == len(first.delivery.sent)
    stored = session.exec(select(Notice)).all()
    assert len(stored) == len(first.delivery.sent)
    assert all(n.sent_at is not None and n.attempts == 1 for n in stored)


def test_a_missed_day_is_caught_up_once_and_a_moved_due_date_is_reminded_afresh(
    session: Session, case_factory, contacts, today: D, tmp_path: Path
) -> None:
    record = open_case(case_factory, today)
    settings = settings_for(tmp_path)
    later = today + dt.timedelta(days=1)  # the sweep of ``today`` never ran
    caught_up = run_sweep(session, today=later, settings=settings, channels=INBOX)
    reminders = [n for n in caught_up.delivery.sent if n.milestone == "notification"]
    assert reminders
    next_day = run_sweep(
        session, today=later + dt.timedelta(days=1), settings=settings, channels=INBOX
    )
    assert not [
        n
        for n in next_day.delivery.sent
        if n.milestone == "notification"
        and n.kind.value == "reminder"
        and n.due == reminders[0].due
    ]
    aware_id = record.events[0].id
    record_event(
        session, record.case.reference,
        CaseEventCreate(kind="correction", on=today, corrects=aware_id),
        recorded_by="tester", today=today,
    )  # fmt: skip
    moved = run_sweep(
        session, today=later + dt.timedelta(days=1), settings=settings, channels=INBOX
    )
    fresh = [n for n in moved.delivery.sent if n.milestone == "notification"]
    assert fresh and all(n.due != reminders[0].due for n in fresh)


def test_dry_run_writes_nothing(
    session: Session, case_factory, contacts, today: D, tmp_path: Path
) -> None:
    open_case(case_factory, today)
    report = run_sweep(
        session, today=today, settings=settings_for(tmp_path), channels=INBOX, dry_run=True
    )
    assert report.delivery.sent
    assert session.exec(select(Notice)).all() == []


def test_email_reaches_a_real_smtp_server(
    session: Session, case_factory, contacts, today: D, tmp_path: Path, smtp_server
) -> None:
    host, port, mailbox = smtp_server
    open_case(case_factory, today)
    settings = settings_for(tmp_path, smtp_host=host, smtp_port=port, smtp_starttls=False)
    report = run_sweep(
        session, today=today, settings=settings, channels=configured_channels(settings)
    )
    emailed = [n for n in report.delivery.sent if n.channel is Channel.EMAIL]
    assert emailed and len(mailbox.messages) == len(emailed)
    message = mailbox.messages[0]
    assert message["To"] == "bm@northshire.example.org"
    assert message["Subject"].startswith("[CSPR] NSH-2026-001: ")
    assert message["X-CSPR-Notice"] in {n.key for n in emailed}
    assert "Source:" in message.get_content()


@pytest.mark.parametrize("scan_above", [500, 0], ids=["lookup", "scan"])
def test_a_failed_email_is_kept_and_sent_by_the_next_sweep(
    session: Session,
    case_factory,
    contacts,
    today: D,
    tmp_path: Path,
    smtp_server,
    scan_above: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("review_flows.notify.store.SCAN_ABOVE", scan_above)
    host, port, mailbox = smtp_server
    open_case(case_factory, today)
    down = settings_for(
        tmp_path, smtp_host=host, smtp_port=1, smtp_starttls=False, smtp_timeout_seconds=2
    )
    failed = run_sweep(session, today=today, settings=down, channels=configured_channels(down))
    assert (
        failed.delivery.failed
        and "email to bm@northshire.example.org failed" in failed.delivery.failed[0][1]
    )
    pending = session.exec(select(Notice).where(Notice.sent_at.is_(None))).all()  # type: ignore[union-attr]
    assert pending and pending[0].last_error
    up = settings_for(tmp_path, smtp_host=host, smtp_port=port, smtp_starttls=False)
    retried = run_sweep(session, today=today, settings=up, channels=configured_channels(up))
    assert [n.channel for n in retried.delivery.sent] == [Channel.EMAIL] * len(
        failed.delivery.failed
    )
    assert len(mailbox.messages) == len(failed.delivery.failed)


def test_an_event_writes_its_follow_up_job_and_the_follow_up_tells_the_business_manager(
    session: Session, case_factory, contacts, today: D, tmp_path: Path
) -> None:
    from review_flows.jobs import pending_jobs, run_follow_up

    record = case_factory(events=(("notified", D(2026, 1, 8)),))
    jobs = pending_jobs(session)
    assert [(job.kind, job.case_id) for job in jobs] == [(JobKind.FOLLOW_UP, record.case.id)]
    report = run_follow_up(
        session, jobs[0].id, today=today, channels=INBOX, settings=settings_for(tmp_path)
    )
    (notice,) = report.sent
    assert notice.recipient == "bm@northshire.example.org"
    assert notice.subject == "[CSPR] NSH-2026-001: incident notified"
    assert "Incident notified: recorded for case NSH-2026-001" in notice.body
    assert notice.body.endswith("Open the case's page: http://127.0.0.1:8501/case?ref=NSH-2026-001")
    assert "Rapid review" in notice.body or "rapid review" in notice.body.lower()
    assert pending_jobs(session) == []
    assert run_follow_up(session, jobs[0].id, today=today, channels=INBOX).sent == []


PUBLISHED_PATH = (
    ("notified", D(2026, 1, 8)), ("rapid_review_started", D(2026, 1, 9)),
    ("rapid_review_submitted", D(2026, 1, 20)), ("decision", D(2026, 1, 21)),
    ("reviewer_appointed", D(2026, 1, 22)), ("terms_of_reference_agreed", D(2026, 1, 23)),
    ("report_sent", D(2026, 3, 2)),
)  # fmt: skip

REPORT = """---
review_id: nsh-2026-001-cspr
title: Child safeguarding practice review NSH-2026-001
year: 2026
nation: england
---
# Findings

Information sharing between the health visitor and children's social care was delayed, and the
GP did not know of the referral. Professionals did not speak with the father figure.

# Recommendations

1. The partnership should agree how health visitors share concerns with social care.
"""


def test_publication_ingests_the_report_and_a_failure_stays_pending_until_it_succeeds(
    session: Session, case_factory, contacts, today: D, tmp_path: Path
) -> None:
    from learning.encoder import FakeEncoder
    from review_flows.jobs import (
        PublicationFailed,
        pending_jobs,
        publication_status,
        run_publication,
    )

    record = case_factory(events=PUBLISHED_PATH)
    settings = settings_for(tmp_path)
    report = settings.publications_dir / "nsh-2026-001.md"  # where the workbench stores it
    report.parent.mkdir()
    report.write_text(REPORT)
    record_event(
        session, record.case.reference, CaseEventCreate(kind="published", on=D(2026, 3, 30)),
        recorded_by="tester", today=today, report_path=str(report),
    )  # fmt: skip
    (job,) = pending_jobs(session, kind=JobKind.PUBLISH)
    assert (
        publication_status(session, record.case.id)
        == "report not in the index yet: ingestion pending"
    )
    index_dir = tmp_path / "index"
    report.rename(tmp_path / "away.md")  # the disk is not mounted
    with pytest.raises(PublicationFailed, match="missing"):
        run_publication(session, job.id, today=today, channels=INBOX, index_dir=index_dir,
                        encoder_factory=FakeEncoder, settings=settings)  # fmt: skip
    assert "1 attempt(s)" in publication_status(session, record.case.id)
    (tmp_path / "away.md").rename(report)
    review_id = run_publication(session, job.id, today=today, channels=INBOX, index_dir=index_dir,
                                encoder_factory=FakeEncoder, settings=settings)  # fmt: skip
    assert review_id == "nsh-2026-001-cspr"
    assert (
        publication_status(session, record.case.id)
        == "report in the learning index as nsh-2026-001-cspr"
    )
    told = session.exec(select(Notice).where(Notice.kind == "publication")).all()
    assert [n.recipient for n in told] == ["analyst@northshire.example.org"]
    from learning.index import open_index

    index = open_index(index_dir)
    try:
        assert index.store.document_by_review("nsh-2026-001-cspr") is not None
    finally:
        index.close()
    stored = session.get(Job, job.id)
    assert stored.done_at is not None and stored.attempts == 2


def test_a_report_goes_only_with_published(
    session: Session, case_factory, today: D, tmp_path: Path
) -> None:
    from review_flows.errors import CaseDataInvalid

    record = case_factory()
    with pytest.raises(CaseDataInvalid, match="with a published event"):
        record_event(
            session, record.case.reference, CaseEventCreate(kind="notified", on=D(2026, 1, 8)),
            recorded_by="tester", today=today, report_path=str(tmp_path),
        )  # fmt: skip
    assert session.exec(select(Job)).all() == []
    assert len(record.events) == 1
