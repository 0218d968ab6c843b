"""Which jobs an event sets going (the outbox rows written with it). Pure."""

from __future__ import annotations

from review_flows.errors import CaseDataInvalid
from review_flows.events import AMENDING_KINDS, EventKind
from review_flows.models import CaseEvent, Job, JobKind


def jobs_for_event(event: CaseEvent, report_path: str | None) -> list[Job]:
    """A follow-up for every event that moves the case (not corrections, voids, amendments);
    a publication job for ``published`` with its stored report (``report_path``, a file
    :mod:`review_flows.publications` stored; the job reads nothing else)."""
    kind = EventKind(event.kind)
    if report_path is not None and kind is not EventKind.PUBLISHED:
        raise CaseDataInvalid("--report goes with a published event (the report's file)")
    if kind in AMENDING_KINDS:
        return []
    assert event.id is not None
    jobs = [Job(event_id=event.id, case_id=event.case_id, kind=JobKind.FOLLOW_UP)]
    if report_path is not None:
        jobs.append(
            Job(
                event_id=event.id,
                case_id=event.case_id,
                kind=JobKind.PUBLISH,
                report_path=report_path,
            )
        )
    return jobs
