"""What the Case page shows and does: one case's events, milestones, actions, notices, jobs and
shortlist, read in the viewer's scope, and the next event recorded as the viewer.

The session-taking services check the viewer through :mod:`review_flows.workbench` before any
other read (a case out of scope reads as "not found"). The ``*_lines`` functions are pure: they
turn the stored values into plain lines a page or a report shows as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from core.access import Viewer, may_write_cases
from core.labels import (
    age_group_label,
    channel_label,
    event_label,
    job_kind_label,
    nation_label,
    notice_kind_label,
    outcome_label,
    stage_label,
)
from core.settings import Settings
from review_flows.actions import list_actions
from review_flows.case_queries import CaseTimeline
from review_flows.cases import parse_input
from review_flows.events import EventKind, amendment_marks
from review_flows.jobs import jobs_of_case, publication_status
from review_flows.milestones import Milestone, MilestoneStatus
from review_flows.models import (
    ActionCreate,
    ActionPublic,
    CaseEventCreate,
    CaseEventPublic,
    Job,
    Notice,
)
from review_flows.notify.store import notices_of_case
from review_flows.publications import SubmittedReport
from review_flows.rulebook import Confidence
from review_flows.shortlists import ShortlistEntry, shortlist_of
from review_flows.workbench import (
    add_action_as,
    next_event_kinds,
    record_event_as,
    visible_cases,
    visible_timeline,
)

OUTCOME_WORDS = {"death": "death of a child", "serious_harm": "serious harm to a child"}
AGE_WORDS = {
    "under_1": "under 1 year old",
    "1_4": "aged 1 to 4",
    "5_9": "aged 5 to 9",
    "10_14": "aged 10 to 14",
    "15_17": "aged 15 to 17",
}

#: How sure a rule is, in words (rules.md: V, S, R).
CONFIDENCE_WORDS: dict[Confidence, str] = {
    Confidence.CONFIRMED: "confirmed in the guidance or law",
    Confidence.SECONDARY: "from a local or secondary page only",
    Confidence.UNCONFIRMED: "widely reported, not confirmed in a page we could read",
}


@dataclass(frozen=True)
class EventLine:
    """One event of the log as the page lists it; ``mark`` says what later events did to it."""

    id: int
    on: dt.date
    what: str
    recorded_by: str
    note: str | None
    mark: str | None


@dataclass(frozen=True)
class MilestoneLine:
    """One milestone with its rule, where the rule comes from, and how sure it is."""

    label: str
    due: dt.date | None
    done: dt.date | None
    status: MilestoneStatus
    working_days: int | None
    rule: str
    source: str
    confidence: str
    responsible: str
    readings: str | None  # both readings of a rule read two ways, said plainly
    note: str | None


@dataclass(frozen=True)
class NoticeLine:
    """A reminder or notice about the case: to whom, how, and whether it went."""

    created: dt.date
    kind: str
    subject: str
    recipient: str
    channel: str
    state: str


@dataclass(frozen=True)
class JobLine:
    """Work an event set going (a follow-up, a publication) and where it stands."""

    id: int
    kind: str
    created: dt.date
    state: str
    done: bool = False


@dataclass(frozen=True)
class CaseDetails:
    """Everything the Case page shows of one case, as of one day."""

    timeline: CaseTimeline
    facts: tuple[tuple[str, str], ...]
    events: tuple[EventLine, ...]
    milestones: tuple[MilestoneLine, ...]
    next_kinds: tuple[EventKind, ...]
    may_record: bool
    actions: tuple[ActionPublic, ...]
    notices: tuple[NoticeLine, ...]
    jobs: tuple[JobLine, ...]
    publication: str | None
    shortlist: tuple[ShortlistEntry, ...]


def visible_references(
    session: Session, viewer: Viewer, *, today: dt.date, settings: Settings | None = None
) -> list[str]:
    """The references of every case the viewer may see, open or closed, in order."""
    return list(visible_partnerships(session, viewer, today=today, settings=settings))


def visible_partnerships(
    session: Session, viewer: Viewer, *, today: dt.date, settings: Settings | None = None
) -> dict[str, tuple[str, ...]]:
    """Reference -> the partnerships whose case with it the viewer may see (more than one only
    for a reference several of the viewer's partnerships use), references in order."""
    overviews = visible_cases(session, viewer, today=today, open_only=False, settings=settings)
    held: dict[str, set[str]] = {}
    for overview in overviews:
        held.setdefault(overview.case.reference, set()).add(overview.case.partnership)
    return {reference: tuple(sorted(held[reference])) for reference in sorted(held)}


def case_details(
    session: Session,
    viewer: Viewer,
    reference: str,
    *,
    today: dt.date,
    partnership: str | None = None,
    settings: Settings | None = None,
) -> CaseDetails:
    """The case page's content, if the viewer may see the case (else :class:`CaseNotFound`);
    :class:`CaseReferenceAmbiguous` when several of the viewer's partnerships use ``reference``
    and ``partnership`` does not say which."""
    timeline = visible_timeline(
        session, viewer, reference, today=today, partnership=partnership, settings=settings
    )
    case = timeline.case
    return CaseDetails(
        timeline=timeline,
        facts=case_facts(timeline),
        events=event_lines(timeline.events),
        milestones=milestone_lines(timeline.milestones),
        next_kinds=next_event_kinds(session, viewer, case.reference, partnership=case.partnership),
        may_record=may_write_cases(viewer),
        actions=tuple(list_actions(session, case.reference, partnership=case.partnership)),
        notices=notice_lines(notices_of_case(session, case.id)),
        jobs=job_lines(jobs_of_case(session, case.id)),
        publication=publication_status(session, case.id),
        shortlist=tuple(
            shortlist_of(session, viewer, case.reference, partnership=case.partnership)
        ),
    )


def record_next_event(
    session: Session,
    viewer: Viewer,
    reference: str,
    *,
    kind: EventKind | str,
    on: dt.date,
    today: dt.date,
    note: str | None = None,
    corrects: int | None = None,
    report: SubmittedReport | None = None,
    partnership: str | None = None,
    settings: Settings | None = None,
) -> CaseEventPublic:
    """Record the next event as the viewer, from the record form's raw values.

    Raises :class:`CaseDataInvalid` for a bad field (naming it), the lifecycle's refusals
    (:class:`EventRefused`), :class:`NotAllowed` for a role that may not write, and
    :class:`CaseNotFound` for a case out of scope; nothing is written then. ``report`` (an
    upload, or a name in the drop folder: never a path) goes with ``published`` only
    (:class:`ReportRefused` otherwise, and for a file of the wrong type or size).
    """
    data = parse_input(
        CaseEventCreate,
        {"kind": kind, "on": on, "note": (note or "").strip() or None, "corrects": corrects},
    )
    return record_event_as(
        session, viewer, reference, data, today=today, partnership=partnership,
        report=report, settings=settings,
    )  # fmt: skip


def add_case_action(
    session: Session,
    viewer: Viewer,
    reference: str,
    *,
    recommendation_ref: str,
    recommendation: str,
    owner: str,
    due: dt.date,
    partnership: str | None = None,
) -> ActionPublic:
    """Add an action on a recommendation of the case's review, from the Actions form's raw
    values. :class:`CaseDataInvalid` names a bad field; :class:`NotAllowed` for a role that may
    not record the case's events; nothing is written then."""
    data = parse_input(
        ActionCreate,
        {"recommendation_ref": recommendation_ref.strip(), "recommendation": recommendation,
         "owner": owner.strip(), "due": due},
    )  # fmt: skip
    return add_action_as(session, viewer, reference, data, partnership=partnership)


# --- pure: stored values as lines ----------------------------------------------------------------


def case_facts(timeline: CaseTimeline) -> tuple[tuple[str, str], ...]:
    """The case's facts as (name, words) pairs: never a name, only what the store holds."""
    case = timeline.case
    flags = [
        words
        for flag, words in (
            (case.looked_after, "looked after"),
            (case.child_protection_plan, "subject to a child protection plan"),
        )
        if flag
    ]
    return (
        ("Case reference", case.reference),
        ("Partnership", case.partnership),
        ("Nation", nation_label(case.nation)),
        ("Incident date", case.incident_date.isoformat()),
        ("Outcome", outcome_label(case.outcome)),
        ("Age group", age_group_label(case.age_group)),
        ("Flags", ", ".join(flags) if flags else "none recorded"),
        ("Stage", f"{stage_label(timeline.stage)} (rules: {timeline.ruleset_id})"),
        ("Owner", case.owner or "none named"),
    )


def event_lines(events: Sequence[CaseEventPublic]) -> tuple[EventLine, ...]:
    """The log in recording order; an event later corrected or voided says so beside it."""
    marks = _marks(events)
    return tuple(
        EventLine(
            event.id, event.on, _what(event), event.recorded_by, event.note, marks.get(event.id)
        )
        for event in events
    )


def milestone_lines(milestones: Sequence[Milestone]) -> tuple[MilestoneLine, ...]:
    """Each milestone with its rule, source and confidence in words, and both readings of a
    rule read two ways."""
    labels = {m.milestone: m.label for m in milestones}
    return tuple(
        MilestoneLine(
            label=m.label + (" (local target)" if m.local_target else ""),
            due=m.due,
            done=m.done,
            status=m.status,
            working_days=m.working_days_remaining,
            rule=m.rule,
            source=m.source,
            confidence=CONFIDENCE_WORDS.get(m.confidence, str(m.confidence)),
            responsible=m.responsible,
            readings=readings_text(m, labels),
            note=m.note,
        )
        for m in milestones
    )


def readings_text(milestone: Milestone, labels: dict[str, str]) -> str | None:
    """A rule read two ways, said plainly: both due dates, and which one reminders follow."""
    if not milestone.alternatives:
        return None
    others = "; ".join(
        f"the other reading, \u201c{labels.get(name, name)}\u201d, {_due_words(due)}"
        for name, due in milestone.alternatives
    )
    follows = "this one" if milestone.alert else "the other reading"
    return (
        f"The guidance can be read two ways. This reading {_due_words(milestone.due)}; "
        f"{others}. Reminders follow the earlier date: {follows}."
    )


def notice_lines(notices: Iterable[Notice]) -> tuple[NoticeLine, ...]:
    """Notices oldest first, each with whether it was read, sent, failed or is waiting."""
    return tuple(
        NoticeLine(
            created=notice.created_at.date(),
            kind=notice_kind_label(notice.kind),
            subject=notice.subject,
            recipient=notice.recipient,
            channel=channel_label(notice.channel),
            state=_notice_state(notice),
        )
        for notice in notices
    )


def job_lines(jobs: Iterable[Job]) -> tuple[JobLine, ...]:
    """Jobs oldest first, each done (when), retrying (why) or waiting."""
    return tuple(
        JobLine(
            job.id or 0,
            job_kind_label(job.kind),
            job.created_at.date(),
            _job_state(job),
            done=job.done_at is not None,
        )
        for job in jobs
    )


def _what(event: CaseEventPublic) -> str:
    if event.kind is EventKind.AMENDED:
        return f"Amended {(event.amends or '').replace('_', ' ')} to {event.amended_to}"
    if event.corrects and event.kind in (EventKind.CORRECTION, EventKind.VOID):
        return f"{event.kind.value.capitalize()} of #{event.corrects}"
    return event_label(event.kind)


def _marks(events: Iterable[CaseEventPublic]) -> dict[int, str]:
    return amendment_marks(list(events))


def _due_words(due: dt.date | None) -> str:
    return f"is due {due.isoformat()}" if due else "has not started its clock yet"


def _notice_state(notice: Notice) -> str:
    if notice.read_at is not None:
        return "read"
    if notice.sent_at is not None:
        return "sent"
    if notice.last_error:
        return f"not sent yet ({notice.attempts} attempt(s): {notice.last_error}); retried"
    return "waiting to be sent"


def _job_state(job: Job) -> str:
    if job.done_at is not None:
        return f"done {job.done_at.date().isoformat()}"
    if job.last_error:
        return f"not done yet ({job.attempts} attempt(s): {job.last_error}); retried"
    return "waiting"
