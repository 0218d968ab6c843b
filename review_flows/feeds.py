"""Calendar feeds: case milestones as an iCalendar (.ics) file that Outlook or Google subscribe to.

Pure: it takes the cases as already derived (``review_flows.case_queries.summarise_cases`` gives
them) and the date of the feed, and returns bytes; it reads no database and no clock, so the same
cases on the same day give the same bytes. Each milestone with a due date becomes one all-day
event; its UID is made of the partnership, the reference and the milestone, never of the date, so
when a correction moves a due date the subscribed calendar moves the event instead of adding a
second one. Only the pseudonymous reference is written, never a name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from icalendar import Alarm, Calendar, Event, vDuration

from core.labels import stage_label
from review_flows.milestones import Milestone, MilestoneStatus

PRODID = "-//CSPR workbench//feeds//EN"
TIMEZONE = "Europe/London"

#: How often a subscribed client should fetch the feed again (RFC 7986 and Outlook's TTL).
REFRESH = dt.timedelta(hours=1)

#: The reminder fires two days before the all-day event starts (midnight of the due date, local
#: time): one day's notice lands on a weekend for every Monday deadline, two days rarely both do.
ALARM_BEFORE = dt.timedelta(days=2)

DONE_STATUSES: frozenset[MilestoneStatus] = frozenset(
    {MilestoneStatus.DONE, MilestoneStatus.DONE_ON_TIME, MilestoneStatus.DONE_LATE}
)


class CaseLike(Protocol):
    """What a feed reads of a case (``review_flows.models.CasePublic`` has it)."""

    @property
    def reference(self) -> str: ...

    @property
    def partnership(self) -> str: ...

    @property
    def owner(self) -> str | None: ...


class CaseOverviewLike(Protocol):
    """What a feed reads of a case's overview (``case_queries.CaseOverview`` has it)."""

    @property
    def case(self) -> CaseLike: ...

    @property
    def stage(self) -> str: ...

    @property
    def milestones(self) -> Sequence[Milestone]: ...


@dataclass(frozen=True)
class FeedEntry:
    """One milestone of one case, as it goes into the feed."""

    reference: str
    partnership: str
    stage: str
    due: dt.date
    milestone: Milestone


Overview = TypeVar("Overview", bound=CaseOverviewLike)


def owned_by(cases: Iterable[Overview], user: str) -> list[Overview]:
    """The cases whose owner is ``user``: a person's own feed, across partnerships."""
    return [overview for overview in cases if overview.case.owner == user]


def feed_entries(
    cases: Iterable[CaseOverviewLike], *, include_done: bool = False
) -> list[FeedEntry]:
    """The milestones that go into a feed, by due date, partnership, reference and milestone.

    A milestone goes in when it has a due date and alerts (a rule read two ways is shown once,
    on its earlier reading). A done one goes in only with ``include_done``; a not-applicable one
    never does, since nobody has to meet it (it comes in once it applies).
    """
    entries = [
        FeedEntry(overview.case.reference, overview.case.partnership, str(overview.stage), m.due, m)
        for overview in cases
        for m in overview.milestones
        if m.due is not None and _in_feed(m, include_done)
    ]
    return sorted(entries, key=lambda e: (e.due, e.partnership, e.reference, e.milestone.milestone))


def milestones_calendar(
    cases: Iterable[CaseOverviewLike],
    *,
    name: str,
    as_of: dt.date,
    include_done: bool = False,
) -> bytes:
    """The feed of ``cases`` as iCalendar bytes: one all-day event per milestone due.

    ``as_of`` is the day the milestones were derived on; it is every event's DTSTAMP (at
    midnight UTC) so the output depends on its arguments only.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TIMEZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # Outlook reads X-PUBLISHED-TTL; a timedelta would be written as "1:00:00" without vDuration.
    calendar.add("x-published-ttl", vDuration(REFRESH))
    stamp = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
    for entry in feed_entries(cases, include_done=include_done):
        calendar.add_component(_event(entry, stamp))
    return bytes(calendar.to_ical())


def event_uid(partnership: str, reference: str, milestone: str) -> str:
    """The UID of a milestone's event, stable while its due date moves."""
    return f"{reference}-{milestone}@{_slug(partnership)}.cspr"


def _in_feed(milestone: Milestone, include_done: bool) -> bool:
    if not milestone.alert or milestone.status is MilestoneStatus.NOT_APPLICABLE:
        return False
    return include_done or milestone.status not in DONE_STATUSES


def _event(entry: FeedEntry, stamp: dt.datetime) -> Event:
    milestone = entry.milestone
    event = Event()
    event.add("uid", event_uid(entry.partnership, entry.reference, milestone.milestone))
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.due)  # a date, so VALUE=DATE: an all-day event
    event.add("dtend", entry.due + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
    event.add("summary", f"{entry.reference}: {milestone.label} due")
    event.add("description", _description(entry))
    event.add("categories", [milestone.status.value])
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: it leaves the day free
    event.add_component(_alarm(entry))
    return event


def _alarm(entry: FeedEntry) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -ALARM_BEFORE)
    alarm.add("description", f"{entry.reference}: {entry.milestone.label} due {entry.due}")
    return alarm


def _description(entry: FeedEntry) -> str:
    milestone = entry.milestone
    lines = [
        f"Milestone: {milestone.label}",
        f"Status: {milestone.status.value.replace('_', ' ')}",
        f"Rule: {milestone.rule}",  # a local target says so: "no statutory time limit · ..."
        f"Source: {milestone.source}",
        f"Confidence: {milestone.confidence.value}",
        f"Responsible: {milestone.responsible}",
        f"Partnership: {entry.partnership}",
        f"Stage: {stage_label(entry.stage)}",
    ]
    if milestone.done is not None:
        lines.append(f"Done: {milestone.done.isoformat()}")
    return "\n".join(lines)


def _slug(text: str) -> str:
    """``Bath & North East Somerset`` -> ``bath-north-east-somerset``: a UID's domain part."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "partnership"
