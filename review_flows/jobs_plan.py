"""Which jobs an event sets going (the outbox rows written with it). Pure."""

from __future__ import annotations

from pathlib import Path

from review_flows.errors import CaseDataInvalid
from review_flows.events import AMENDING_KINDS, EventKind
from review_flows.models import CaseEvent, Job, JobKind


def jobs_for_event(event: CaseEvent, report_path: str | None) -> list[Job]:
    """A follow-up for every event that moves the case (not corrections, voids, amendments);
    a publication job for ``published`` with its report file."""
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
                report_path=check_report_path(report_path),
            )
        )
    return jobs


def check_report_path(text: str) -> str:
    """A local file path of a published report (not a URL: nothing downloads)."""
    value = text.strip()
    if "://" in value:
        raise CaseDataInvalid(
            f"--report {value!r} is a URL; download the report and give its file path "
            "(the workbench never downloads)"
        )
    path = Path(value).expanduser()
    if not path.is_file():
        raise CaseDataInvalid(f"--report {value!r}: no such file")
    return str(path.resolve())
