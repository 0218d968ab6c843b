"""The what-if calculator: milestones for a hypothetical case from whatever dates it is given.

A case record refuses an event in the future or out of order
(:mod:`review_flows.event_validation`), because what it stores must have happened. The calculator
stores nothing, so it takes any dates ("if we become aware on Christmas Eve", "we decided on the
31st"), computes every milestone it can (:func:`review_flows.timeline.compute_milestones` works
from whatever dates it has) and says in plain-English warnings what it had to work around: an
earlier step with no date, steps out of order, an event before the incident, a step given twice
(the earliest is used), an event the rulebook does not use (left out). It refuses only a date
outside the working-day calendars, over which no clock can be counted.

Pure: no database, no clock; ``today`` only decides each milestone's status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.labels import event_label, stage_label
from review_flows.calendar import WorkingCalendar
from review_flows.errors import CalendarRangeError
from review_flows.events import AMENDING_KINDS, Event, EventKind
from review_flows.lifecycle import TRANSITIONS, Stage, effective_events, steps_before
from review_flows.milestones import Milestone
from review_flows.rulebook import Direction, Rule, Rulebook
from review_flows.timeline import compute_milestones

_K = EventKind

#: Kinds the calculator counts: the first step and every step some stage of a case accepts
#: (a correction, void or amendment acts on a case record, not on a what-if).
CALCULATOR_KINDS: tuple[EventKind, ...] = tuple(
    kind
    for kind in EventKind
    if kind not in AMENDING_KINDS
    and (kind is _K.AWARE or any(kind in accepts for accepts in TRANSITIONS.values()))
)
# Kinds a case accepts at any stage without moving (a delay notice): they need no earlier step.
_ANYTIME: frozenset[EventKind] = frozenset(
    kind
    for kind, after in TRANSITIONS[Stage.INCIDENT_RECORDED].items()
    if after is Stage.INCIDENT_RECORDED
)
# Same-day events are taken in the order the kinds are declared, which is the lifecycle's order.
_RANK: Mapping[EventKind, int] = {kind: rank for rank, kind in enumerate(EventKind)}


@dataclass(frozen=True)
class WhatIf:
    """The milestones of a hypothetical case, and what the calculator worked around to get
    them (empty when the dates make a complete, ordered case)."""

    milestones: tuple[Milestone, ...]
    warnings: tuple[str, ...]


def what_if(
    events: Sequence[Event],
    rulebook: Rulebook,
    calendar: WorkingCalendar,
    today: dt.date,
    *,
    incident_date: dt.date | None = None,
    due_soon_working_days: int = 5,
    local_targets: Mapping[str, int] | None = None,
    stalled_after: int | None = None,
) -> WhatIf:
    """Every milestone of ``rulebook`` for ``events`` as of ``today``, with warnings.

    Raises :class:`CalendarRangeError` for an event outside ``calendar``'s years; nothing else
    is refused. ``incident_date`` (optional) adds a warning for each event before it.
    """
    effective = effective_events(events)
    _check_range(effective, calendar)
    warnings: list[str] = []
    usable = _usable(effective, rulebook, warnings)
    ordered = sorted(usable, key=lambda event: (event.on, _RANK[event.kind]))
    warnings.extend(_date_warnings(ordered, incident_date))
    replay = _Replay(rulebook)
    replay.run(ordered)
    warnings.extend(replay.warnings)
    warnings.extend(_missing_warnings(replay, rulebook))
    kept = [event for index, event in enumerate(ordered) if index not in replay.repeats]
    milestones = compute_milestones(
        kept,
        rulebook,
        calendar,
        today,
        due_soon_working_days=due_soon_working_days,
        local_targets=local_targets,
        stalled_after=stalled_after,
    )
    return WhatIf(milestones=tuple(milestones), warnings=tuple(warnings))


def _quoted(kind: EventKind) -> str:
    return f"\u201c{event_label(kind)}\u201d"


def _check_range(events: Sequence[Event], calendar: WorkingCalendar) -> None:
    for event in events:
        if not calendar.first_day <= event.on <= calendar.last_day:
            raise CalendarRangeError(
                f"{_quoted(event.kind)} on {event.on.isoformat()} is outside the years the "
                f"working-day calendars cover ({calendar.first_day.isoformat()} to "
                f"{calendar.last_day.isoformat()}); check the year"
            )


def _usable(events: Sequence[Event], book: Rulebook, warnings: list[str]) -> list[Event]:
    """The events the calculator counts; each kind left out is named once."""
    left_out: dict[EventKind, str] = {}
    for event in events:
        if event.kind in book.not_used:
            left_out[event.kind] = (
                f"{_quoted(event.kind)} is not part of a case under {book.title} "
                f"({book.not_used[event.kind]}): it is left out"
            )
        elif event.kind not in CALCULATOR_KINDS:
            left_out[event.kind] = (
                f"{_quoted(event.kind)} is not a step the calculator counts: it is left out"
            )
    warnings.extend(left_out.values())
    return [event for event in events if event.kind not in left_out]


def _date_warnings(ordered: Sequence[Event], incident_date: dt.date | None) -> list[str]:
    """One warning per event dated before the incident, or else before the awareness date."""
    aware = next((event for event in ordered if event.kind is _K.AWARE), None)
    warnings = []
    for event in ordered:
        when = f"{_quoted(event.kind)} ({event.on.isoformat()})"
        if incident_date is not None and event.on < incident_date:
            warnings.append(
                f"{when} is before the incident ({incident_date.isoformat()}): check the dates"
            )
        elif aware is not None and event.on < aware.on:
            warnings.append(
                f"{when} is dated before {_quoted(_K.AWARE)} ({aware.on.isoformat()}), which "
                "comes first: check the dates"
            )
    return warnings


@dataclass
class _Replay:
    """The given steps walked through the lifecycle in date order, noting what does not fit:
    steps given twice, steps out of order, and earlier steps with no date (``missing``: the
    step -> the first given step that needs it, None for awareness)."""

    book: Rulebook
    stage: Stage = Stage.INCIDENT_RECORDED
    entries: list[tuple[Stage, Event | None]] = field(default_factory=list)  # stage, entered by
    seen: dict[EventKind, Event] = field(default_factory=dict)
    repeats: set[int] = field(default_factory=set)  # indices of later copies of a step
    missing: dict[EventKind, EventKind | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def run(self, ordered: Sequence[Event]) -> None:
        aware = next((event for event in ordered if event.kind is _K.AWARE), None)
        if aware is None:
            self.missing[_K.AWARE] = None
        self.entries.append((self.stage, aware))
        done: set[int] = set()  # indices already taken as an earlier step, out of order
        for index, event in enumerate(ordered):
            if index in done:
                continue
            first = self.seen.setdefault(event.kind, event)
            if first is not event and event.kind not in TRANSITIONS[self.stage]:
                self.repeats.add(index)
            elif event.kind is not _K.AWARE:
                self._step(index, event, ordered, done)
        self._warn_repeats(ordered)

    def _step(self, index: int, event: Event, ordered: Sequence[Event], done: set[int]) -> None:
        if event.kind in TRANSITIONS[self.stage]:
            self._advance(event.kind, event)
            return
        path = steps_before(self.stage, event.kind)
        if not path:
            self.warnings.append(self._misfit(event))
            return
        for step in path:
            later = next(
                (
                    i
                    for i in range(index + 1, len(ordered))
                    if ordered[i].kind is step and i not in done
                ),
                None,
            )
            if later is not None:
                done.add(later)
                self.seen.setdefault(step, ordered[later])
                self.warnings.append(
                    f"{_quoted(event.kind)} ({event.on.isoformat()}) is dated before "
                    f"{_quoted(step)} ({ordered[later].on.isoformat()}), which comes before "
                    "it: check the dates"
                )
            elif step not in self.book.not_used and step not in self.seen:
                self.missing.setdefault(step, event.kind)
            # a step with no date is passed by the given step that needs it
            self._advance(step, ordered[later] if later is not None else event)
        self._advance(event.kind, event)

    def _advance(self, kind: EventKind, event: Event) -> None:
        after = TRANSITIONS[self.stage][kind]
        if after is not self.stage:
            self.entries.append((after, event))
            self.stage = after

    def _misfit(self, event: Event) -> str:
        """Why a step no later stage takes does not fit: it belongs before a step dated
        earlier (named when there is one), or it does not go with the steps given."""
        when = f"{_quoted(event.kind)} ({event.on.isoformat()})"
        accepting = [
            i for i, (stage, _) in enumerate(self.entries) if event.kind in TRANSITIONS[stage]
        ]
        if accepting:
            later = next((e for _, e in self.entries[accepting[-1] + 1 :] if e is not None), None)
            if later is not None:
                return (
                    f"{when} is dated after {_quoted(later.kind)} ({later.on.isoformat()}), "
                    "which comes after it: check the dates"
                )
        return (
            f"{when} does not fit a case that has reached \u201c{stage_label(self.stage)}\u201d: "
            "check the dates and steps"
        )

    def _warn_repeats(self, ordered: Sequence[Event]) -> None:
        kinds = dict.fromkeys(ordered[index].kind for index in sorted(self.repeats))
        for kind in kinds:
            days = sorted({event.on for event in ordered if event.kind is kind})
            listed = ", ".join(day.isoformat() for day in days)
            self.warnings.append(
                f"{_quoted(kind)} is given more than once ({listed}): the earliest, "
                f"{days[0].isoformat()}, is used"
            )


def _not_applicable(rule: Rule, given: Mapping[EventKind, Event]) -> bool:
    return any(kind in given for kind in rule.not_applicable_if)


def _rulebook_gaps(book: Rulebook, given: Mapping[EventKind, Event]) -> dict[EventKind, EventKind]:
    """Steps the rulebook needs before a given step that the lifecycle alone does not: what
    ``requires`` names (a report before publication), and the start of a clock a given step
    completes (a rapid review before the decision it is sent with). A step completing clocks
    that start at different steps (one of two decisions) names none: either could be missing."""
    gaps: dict[EventKind, EventKind] = {}
    for kind in given:
        for needed in book.requires.get(kind, ()):
            if needed not in given:
                gaps.setdefault(needed, kind)
    starts: dict[EventKind, set[EventKind]] = {}
    for rule in book.rules:
        if rule.direction is not Direction.AFTER or _not_applicable(rule, given):
            continue
        if rule.start_event in given or rule.start_event in book.not_used:
            continue
        for kind in rule.done_by:
            if kind in given and kind not in _ANYTIME:
                starts.setdefault(kind, set()).add(rule.start_event)
    for kind, needed_starts in starts.items():
        if len(needed_starts) == 1:
            gaps.setdefault(next(iter(needed_starts)), kind)
    return gaps


def _missing_warnings(replay: _Replay, book: Rulebook) -> list[str]:
    """One warning per earlier step with no date, saying which milestones it changes."""
    given = replay.seen
    missing = dict(replay.missing)
    for step, needed_by in _rulebook_gaps(book, given).items():
        missing.setdefault(step, needed_by)
    warnings = []
    for step in sorted(missing, key=_RANK.__getitem__):
        before = missing[step]
        head = f"No date given for {_quoted(step)}"
        if before is not None:
            head += f", a step before {_quoted(before)}"
        warnings.append(f"{head}: {_consequences(step, book, given)}")
    return warnings


def _consequences(step: EventKind, book: Rulebook, given: Mapping[EventKind, Event]) -> str:
    """What a missing step does to the milestones, in words."""
    rules = [rule for rule in book.rules if not _not_applicable(rule, given)]
    parts = [
        f"\u201c{rule.label}\u201d is computed from {_quoted(rule.start_event)} and shows as "
        "not done"
        for rule in rules
        if step in rule.done_by
        and rule.start_event in given
        and not any(kind in given for kind in rule.done_by)
    ]
    starting = [f"\u201c{rule.label}\u201d" for rule in rules if rule.start_event is step]
    if starting:
        parts.append(f"milestones that start from it are not computed ({', '.join(starting)})")
    return "; ".join(parts) if parts else "no milestone of this rulebook depends on it"
