"""Whether one more event may be appended to a case's log: the checks on a new event, each
refusal a named error, so the store writes nothing for a refused event.

Pure: no database, no clock. The stages and the events each accepts are in
:mod:`review_flows.lifecycle`; the checks here replay the log through them.

Date rules. Every event lies within the working-day calendars (1990 to 2100) and is on or after the
incident date. Every event except ``publication_planned`` is on or before today. An event that
moves the case to another stage is on or after the event that started the current stage. An event
that keeps the stage is on or after the event that first brought the case into a stage accepting it
(a Panel response is on or after the rapid review; a draft on or after the reviewer's appointment).
A delay notice only has to be on or after the awareness date. A correction replaces its target's
date; the whole log is checked again with the new date, so a correction cannot put the steps out of
order.

An imported history. A case taken over at a later stage opens with ``history_imported`` (dated the
take-over) instead of ``aware``. A step dated on or before the take-over may then follow without the
steps before it, which were not recorded (:func:`review_flows.lifecycle.unrecorded_steps`); the
steps given must still be in order, and every later step follows the usual rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from review_flows.calendar import FIRST_YEAR, LAST_YEAR
from review_flows.errors import (
    CorrectionInvalid,
    EventAlreadyRecorded,
    EventDateInvalid,
    EventNoteMissing,
    InvalidTransition,
)
from review_flows.events import AMENDING_KINDS, Event, EventKind, voided_ids
from review_flows.lifecycle import (
    TRANSITIONS,
    Stage,
    accepted_kinds,
    effective_events,
    step_over_gap,
    steps_before,
)

_K = EventKind

# Kinds whose date may lie after today; every other event has happened when it is recorded.
FUTURE_DATED_KINDS: frozenset[EventKind] = frozenset({_K.PUBLICATION_PLANNED})
# Every event lies within the working-day calendars, so every clock can be computed.
_FIRST_DAY, _LAST_DAY = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
# Kinds that need a note saying why.
NOTE_REQUIRED_KINDS: frozenset[EventKind] = frozenset(
    {_K.DELAY_RECORDED, _K.VOID, _K.AMENDED, _K.HISTORY_IMPORTED}
)
# The kinds that may open a case's log.
FIRST_KINDS: frozenset[EventKind] = frozenset({_K.AWARE, _K.HISTORY_IMPORTED})


def validate_event(
    existing_events: Sequence[Event],
    new_event: Event,
    incident_date: dt.date,
    today: dt.date,
) -> None:
    """Raise a named error if ``new_event`` may not be appended to ``existing_events``.

    ``existing_events`` is the case's whole log in recording order, each with its id.
    Raises :class:`InvalidTransition`, :class:`EventDateInvalid`, :class:`EventNoteMissing` or
    :class:`CorrectionInvalid`; returns None when the event may be recorded.
    """
    _check_note(new_event)
    if new_event.kind is EventKind.CORRECTION:
        _check_correction(existing_events, new_event, incident_date, today)
        return
    if new_event.kind is EventKind.VOID:
        _check_void(existing_events, new_event, incident_date, today)
        return
    if new_event.kind is EventKind.AMENDED:
        validate_log(existing_events, incident_date, today)
        return
    if new_event.corrects is not None:
        raise CorrectionInvalid(
            f"only a correction may reference another event; {new_event.kind.value} "
            f"cannot correct event #{new_event.corrects}"
        )
    state = _replay(effective_events(existing_events), incident_date, today, check=False)
    state.accept(new_event, incident_date, today)


# --- the replay --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """The event that moved the case into a stage: its kind and (corrected) date."""

    kind: EventKind
    on: dt.date


@dataclass
class _State:
    """The stage while walking a log, and the step that first and last entered each stage."""

    stage: Stage | None = None  # None: no event yet (only ``aware`` or a history is accepted)
    first_entry: dict[Stage, _Step] = field(default_factory=dict)
    recorded: dict[EventKind, Event] = field(default_factory=dict)  # first event of each kind
    current: _Step | None = None  # the step that started the current stage
    # an imported history's take-over date: a step dated on or before it may follow without
    # the steps before it (they were not recorded)
    taken_over_on: dt.date | None = None

    def accept(self, event: Event, incident_date: dt.date, today: dt.date) -> None:
        """Check ``event`` against this state (raise on refusal), then apply it."""
        after = self._next_stage(event)
        _check_dates(event, incident_date, today, self._anchor(event, after))
        self._apply(event, after)

    def apply(self, event: Event) -> None:
        self._apply(event, self._next_stage(event))

    def _next_stage(self, event: Event) -> Stage:
        if self.stage is None:
            if event.kind not in FIRST_KINDS:
                raise InvalidTransition(
                    "a case starts with aware (the date the local authority became aware), "
                    f"not {event.kind.value}"
                )
            return Stage.INCIDENT_RECORDED
        if event.kind is EventKind.HISTORY_IMPORTED:
            raise InvalidTransition(
                "a history is imported only when a case is opened (a tracker import, or a case "
                "opened at a later stage), not added to a case's log"
            )
        after = TRANSITIONS[self.stage].get(event.kind)
        if after is None and self._in_imported_history(event):
            after = self._after_unrecorded_steps(event.kind)
        if after is None:
            raise self._refusal(event.kind)
        return after

    def _in_imported_history(self, event: Event) -> bool:
        return self.taken_over_on is not None and event.on <= self.taken_over_on

    def _after_unrecorded_steps(self, kind: EventKind) -> Stage | None:
        """The stage after ``kind`` in an imported history: ``aware`` before any step, or a
        step reached by steps not recorded; None if neither (an impossible order)."""
        assert self.stage is not None
        if kind is EventKind.AWARE:
            untaken = self.stage is Stage.INCIDENT_RECORDED and kind not in self.recorded
            return self.stage if untaken else None
        after, skipped = step_over_gap(self.stage, kind)
        return after if skipped else None

    def _refusal(self, kind: EventKind) -> InvalidTransition:
        """Why the current stage does not take ``kind``, and what to do instead."""
        assert self.stage is not None
        earlier = self.recorded.get(kind)
        if earlier is not None and earlier.id is not None:
            return EventAlreadyRecorded(
                f"{kind.value} is already recorded (#{earlier.id} on {earlier.on.isoformat()}); "
                f"to change its date, record a correction of #{earlier.id} with the right date",
                event_id=earlier.id,
                on=earlier.on.isoformat(),
            )
        needed = steps_before(self.stage, kind)
        if needed:
            chain = " then ".join(step.value for step in needed)
            return InvalidTransition(
                f"{kind.value} needs {chain} first (the case is at stage {self.stage.value})"
            )
        accepted = ", ".join(k.value for k in accepted_kinds(self.stage))
        return InvalidTransition(
            f"a case at stage {self.stage.value} does not accept {kind.value}; "
            f"it accepts: {accepted}"
        )

    def _anchor(self, event: Event, after: Stage) -> _Step | None:
        """The earlier step this event may not precede."""
        if self.stage is None or self.current is None:
            return None
        if event.kind is EventKind.DELAY_RECORDED:
            return self.first_entry.get(Stage.INCIDENT_RECORDED)
        if after is not self.stage:
            return self.current
        entries = [
            step for stage, step in self.first_entry.items() if event.kind in TRANSITIONS[stage]
        ]
        # none in an imported history whose stage was reached by steps not recorded
        return min(entries, key=lambda step: step.on) if entries else self.current

    def _apply(self, event: Event, after: Stage) -> None:
        self.recorded.setdefault(event.kind, event)
        if event.kind is EventKind.HISTORY_IMPORTED:
            # the take-over date bounds the imported steps; it is no step they follow
            self.taken_over_on, self.stage = event.on, after
            return
        if event.kind is EventKind.AWARE:
            self.first_entry.setdefault(after, _Step(event.kind, event.on))
            self.current = _Step(event.kind, event.on)
        if after is not self.stage:
            step = _Step(event.kind, event.on)
            self.first_entry.setdefault(after, step)
            self.current = step
        self.stage = after


def _replay(
    events: Sequence[Event], incident_date: dt.date, today: dt.date, *, check: bool
) -> _State:
    state = _State()
    for event in events:
        if event.kind is EventKind.CORRECTION:
            continue
        if check:
            state.accept(event, incident_date, today)
        else:
            state.apply(event)
    return state


def validate_log(events: Sequence[Event], incident_date: dt.date, today: dt.date) -> None:
    """Raise if the log, as it now reads, does not hold together for ``incident_date`` (used
    when a case's incident date is amended: no event may then precede the incident)."""
    _replay(effective_events(events), incident_date, today, check=True)


def _check_correction(
    existing: Sequence[Event], correction: Event, incident_date: dt.date, today: dt.date
) -> None:
    if correction.corrects is None:
        raise CorrectionInvalid("a correction must name the event it corrects (its event id)")
    target = next((e for e in existing if e.id == correction.corrects), None)
    if target is None:
        raise CorrectionInvalid(
            f"event #{correction.corrects} is not an event of this case; "
            f"correct one of: {', '.join(f'#{e.id}' for e in existing if e.id is not None)}"
        )
    if target.kind is EventKind.CORRECTION:
        raise CorrectionInvalid(
            f"event #{target.id} is itself a correction; correct event #{target.corrects} again"
        )
    if target.kind is EventKind.VOID or target.id in voided_ids(existing):
        raise CorrectionInvalid(f"event #{target.id} is void or voided; it cannot be corrected")
    fixed = effective_events([*existing, correction])
    try:
        _replay(fixed, incident_date, today, check=True)
    except EventDateInvalid as problem:
        raise EventDateInvalid(
            f"correcting {target.kind.value} (#{target.id}) to "
            f"{correction.on.isoformat()}: {problem}"
        ) from None


def _check_void(
    existing: Sequence[Event], void: Event, incident_date: dt.date, today: dt.date
) -> None:
    """A void names an event of the case that is not the first (``aware``), not itself a
    correction or void, and not voided already; and the log must still hold together without
    it (voiding a notification leaves the later steps without the step before them)."""
    target = next((e for e in existing if e.id == void.corrects), None)
    if void.corrects is None or target is None:
        ids = ", ".join(f"#{e.id}" for e in existing if e.id is not None)
        raise CorrectionInvalid(f"a void must name the event of this case it voids: {ids}")
    if target.kind in FIRST_KINDS:
        raise CorrectionInvalid(
            f"the first event ({target.kind.value}) cannot be voided; correct its date instead"
        )
    if target.kind in AMENDING_KINDS or target.id in voided_ids(existing):
        raise CorrectionInvalid(f"event #{target.id} is a {target.kind.value} or voided already")
    try:
        _replay(effective_events([*existing, void]), incident_date, today, check=True)
    except (InvalidTransition, EventDateInvalid) as problem:
        raise CorrectionInvalid(
            f"voiding {target.kind.value} (#{target.id}) would leave the log out of order "
            f"({problem}); void the later events first"
        ) from None


def _check_note(event: Event) -> None:
    if event.kind in NOTE_REQUIRED_KINDS and not (event.note and event.note.strip()):
        raise EventNoteMissing(
            f"{event.kind.value} needs a note giving the reason (e.g. 'criminal trial')"
        )


def _check_dates(
    event: Event,
    incident_date: dt.date,
    today: dt.date,
    anchor: _Step | None,
) -> None:
    kind, on = event.kind.value, event.on
    if not _FIRST_DAY <= on <= _LAST_DAY:
        # a clock started or planned outside the calendars could never be shown
        raise EventDateInvalid(
            f"{kind} on {on.isoformat()} is outside the years the working-day calendars cover "
            f"({_FIRST_DAY.isoformat()} to {_LAST_DAY.isoformat()}); check the year"
        )
    if on < incident_date:
        raise EventDateInvalid(
            f"{kind} on {on.isoformat()} is before the incident ({incident_date.isoformat()})"
        )
    if on > today and event.kind not in FUTURE_DATED_KINDS:
        raise EventDateInvalid(
            f"{kind} on {on.isoformat()} is in the future (today is {today.isoformat()}); "
            "record it when it has happened"
        )
    if anchor is not None and on < anchor.on:
        raise EventDateInvalid(
            f"{kind} on {on.isoformat()} is before {anchor.kind.value} "
            f"({anchor.on.isoformat()}), the step it follows"
        )
