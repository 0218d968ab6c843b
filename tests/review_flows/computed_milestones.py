"""Milestones computed from (kind, date) pairs under a named rulebook, and the short
names the timeline tests write them with."""

from __future__ import annotations

import datetime as dt

from review_flows.calendar import calendar_for
from review_flows.events import Event, EventKind
from review_flows.milestones import Milestone, MilestoneStatus
from review_flows.rulebook import load_rulebook
from review_flows.timeline import compute_milestones

D = dt.date
K = EventKind
S = MilestoneStatus


def _events(*pairs: tuple[EventKind, dt.date]) -> list[Event]:
    return [Event(kind, day, id=index) for index, (kind, day) in enumerate(pairs, start=1)]


def _by_id(milestones: list[Milestone]) -> dict[str, Milestone]:
    return {m.milestone: m for m in milestones}


def _row(m: Milestone) -> tuple:
    return (m.due, m.done, m.status, m.working_days_remaining, m.elapsed_working_days)


def _compute(ruleset: str, events: list[Event], today: dt.date, **kwargs) -> dict[str, Milestone]:
    book = load_rulebook(ruleset)
    return _by_id(compute_milestones(events, book, calendar_for(book.nation), today, **kwargs))
