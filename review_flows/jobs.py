"""The work an event sets going, done once: follow-up notices and publication into learning.

Jobs are written with their event (:func:`review_flows.cases.record_event`); a flow run does
each one (or the CLI in-process without a Prefect server), and the daily sweep retries any
job still pending, so nothing an event started is lost if Prefect was down. No Prefect here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from core.columns import utc_now
from core.labels import case_link, event_label, stage_label
from core.learning_seam import error_words, learning_side
from core.settings import Settings, get_settings
from review_flows.case_queries import case_timeline
from review_flows.contacts import list_contacts
from review_flows.errors import ReviewFlowsError
from review_flows.events import EventKind
from review_flows.milestones import PENDING_STATUSES
from review_flows.models import Case, CaseEvent, Job, JobKind
from review_flows.notify.channels import Channels
from review_flows.notify.kinds import ContactRole, NoticeKind
from review_flows.notify.notice import OutgoingNotice
from review_flows.notify.plan import left_or_late
from review_flows.notify.store import DeliveryReport, deliver_notices

logger = logging.getLogger(__name__)


class JobNotFound(ReviewFlowsError, LookupError):
    """No job with that id."""


class PublicationFailed(ReviewFlowsError):
    """The published report could not be ingested; the job stays pending and is retried."""


@dataclass(frozen=True)
class JobContext:
    job: Job
    event: CaseEvent
    case: Case


def load_job(session: Session, job_id: int) -> JobContext:
    job = session.get(Job, job_id)
    if job is None:
        raise JobNotFound(f"no job #{job_id}")
    event = session.get(CaseEvent, job.event_id)
    case = session.get(Case, job.case_id)
    assert event is not None and case is not None
    return JobContext(job, event, case)


def pending_jobs(session: Session, *, kind: JobKind | None = None) -> list[Job]:
    """Jobs not yet done, oldest first."""
    query = select(Job).where(col(Job.done_at).is_(None)).order_by(col(Job.id))
    if kind is not None:
        query = query.where(Job.kind == kind)
    return list(session.exec(query))


def jobs_of_event(session: Session, event_id: int) -> list[Job]:
    return list(session.exec(select(Job).where(Job.event_id == event_id).order_by(col(Job.id))))


def jobs_of_case(session: Session, case_id: int) -> list[Job]:
    return list(session.exec(select(Job).where(Job.case_id == case_id).order_by(col(Job.id))))


def run_follow_up(
    session: Session,
    job_id: int,
    *,
    today: dt.date,
    channels: Channels,
    settings: Settings | None = None,
) -> DeliveryReport:
    """Tell the partnership's business managers what is due now the event is recorded: each
    pending milestone with its due date, rule and source. Done once (keys hold the job)."""
    settings = settings or get_settings()
    context = load_job(session, job_id)
    if context.job.done_at is not None:
        return DeliveryReport()
    case, event = context.case, context.event
    timeline = case_timeline(
        session, case.reference, today=today, partnership=case.partnership, settings=settings
    )
    started = [
        m for m in timeline.milestones
        if m.status in PENDING_STATUSES and m.due is not None and m.alert
    ]  # fmt: skip
    lines = [
        f"{event_label(event.kind)}: recorded for case {case.reference} ({case.partnership}) "
        f"on {event.on.isoformat()}; stage now: {stage_label(timeline.stage).lower()}."
    ]
    for m in started:
        assert m.due is not None
        days = m.working_days_remaining
        when = left_or_late(days) if days is not None else m.status.value
        lines.append(f"- {m.label}: due {m.due.isoformat()} ({when}). Rule: {m.rule} [{m.source}]")
    if started:
        lines.insert(1, "Now due:")
    else:
        lines.append("Nothing is due now.")
    lines += ["", f"Open the case's page: {case_link(settings.app_url, case.reference)}"]
    subject = f"[CSPR] {case.reference}: {event_label(event.kind).lower()}"
    notices = _notices_to_role(
        session, case, ContactRole.BUSINESS_MANAGER, NoticeKind.EVENT, f"event:job{job_id}",
        subject, "\n".join(lines), today,
    )  # fmt: skip
    report = deliver_notices(session, notices, channels)
    if not report.failed:
        _finish(session, context.job)
    return report


EncoderFactory = Callable[[], Any]


def run_publication(
    session: Session,
    job_id: int,
    *,
    today: dt.date,
    channels: Channels,
    index_dir: Path,
    encoder_factory: EncoderFactory,
    settings: Settings | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Ingest the published report into the learning index, tag its themes, tell the
    partnership's analysts (``now``: the ingest time recorded); returns the review id. A
    failure raises :class:`PublicationFailed` and leaves the job pending (the case stays
    published)."""
    settings = settings or get_settings()
    context = load_job(session, job_id)
    job = context.job
    if job.done_at is not None and job.review_id:
        return job.review_id
    try:
        review_id, themes = _ingest_and_tag(job, index_dir, encoder_factory, settings, now)
    except Exception as failed:
        job.attempts += 1
        job.last_error = error_words(failed)[:500]
        session.add(job)
        session.commit()
        raise PublicationFailed(
            f"the report of {context.case.reference} was not ingested: {job.last_error}"
        ) from failed
    job.review_id = review_id
    session.add(job)
    session.commit()
    _tell_analysts(session, context, review_id, themes, today, channels, settings.app_url)
    _finish(session, job)
    logger.info("published report of %s is in the index as %s", context.case.reference, review_id)
    return review_id


def _ingest_and_tag(
    job: Job,
    index_dir: Path,
    encoder_factory: EncoderFactory,
    settings: Settings,
    now: dt.datetime | None,
) -> tuple[str, list[str]]:
    from review_flows.publications import confined_report

    assert job.report_path is not None
    # the job reads only the publications folder, whatever the row says (defence in depth)
    path = confined_report(job.report_path, settings)
    if not path.is_file():
        raise FileNotFoundError(f"the stored report {path.name} is missing")
    published = learning_side().publish_report(path, index_dir, encoder_factory, settings, now)
    return published.review_id, list(published.themes)


def _tell_analysts(
    session: Session,
    context: JobContext,
    review_id: str,
    themes: list[str],
    today: dt.date,
    channels: Channels,
    app_url: str,
) -> None:
    case = context.case
    body = (
        f"The published review of case {case.reference} ({case.partnership}) is in the "
        f"learning index as {review_id}.\nThemes tagged: {', '.join(themes) or 'none yet'}.\n"
        "Confirm or reject its tags on the Themes page (\u201cConfirm or reject tags\u201d): "
        f"{app_url.rstrip('/')}/themes"
    )
    notices = _notices_to_role(
        session, case, ContactRole.ANALYST, NoticeKind.PUBLICATION,
        f"publication:job{context.job.id}",
        f"[CSPR] {case.reference}: published review added to the learning index", body, today,
    )  # fmt: skip
    deliver_notices(session, notices, channels)


def _notices_to_role(
    session: Session, case: Case, role: ContactRole, kind: NoticeKind, key: str,
    subject: str, body: str, today: dt.date,
) -> list[OutgoingNotice]:  # fmt: skip
    """One notice per channel of each contact of the case's partnership in ``role``."""
    return [
        OutgoingNotice(
            key=f"{key}:{contact.email}:{channel.value}",
            kind=kind,
            partnership=case.partnership,
            recipient=contact.email,
            channel=channel,
            subject=subject,
            body=body,
            for_date=today,
            case_id=case.id,
            case_reference=case.reference,
        )  # fmt: skip
        for contact in list_contacts(session, partnership=case.partnership, role=role)
        for channel in contact.channel_list
    ]


def _finish(session: Session, job: Job) -> None:
    job.done_at = utc_now()
    job.attempts += 1
    job.last_error = None
    session.add(job)
    session.commit()


def settle_follow_ups(session: Session, *, reason: str) -> int:
    """Mark every pending follow-up done without sending (history loaded in bulk, such as the
    demo); publications stay pending. Returns how many were settled."""
    settled = 0
    for job in pending_jobs(session, kind=JobKind.FOLLOW_UP):
        job.done_at, job.last_error = utc_now(), reason[:500]
        session.add(job)
        settled += 1
    session.commit()
    return settled


def publication_status(session: Session, case_id: int) -> str | None:
    """What ``cspr case show`` says of the published report: in the index, pending, or none."""
    jobs = [j for j in jobs_of_case(session, case_id) if j.kind == JobKind.PUBLISH]
    if not jobs:
        return None
    job = jobs[-1]
    if job.done_at is not None:
        return f"report in the learning index as {job.review_id}"
    if job.last_error:
        return (
            f"report not in the index yet: {job.attempts} attempt(s), last error: "
            f"{job.last_error}; it is retried"
        )
    return "report not in the index yet: ingestion pending"


def is_publication(event_kind: str) -> bool:
    return event_kind == EventKind.PUBLISHED.value
