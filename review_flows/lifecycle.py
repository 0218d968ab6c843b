"""The case lifecycle: stages, the events each stage accepts, and the checks on a new event.

Pure: no database, no clock. The stage of a case is derived from its event log (never stored);
:func:`validate_event` decides whether one more event may be appended and raises a named error
otherwise, so the store writes nothing for a refused event.

The graph covers every nation's process: England's CSPR path runs through a rapid review, while
Wales, Scotland, Northern Ireland and the pre-2018 SCR path go from the notification straight to
a decision, so a decision is accepted from ``notified`` as well as after a rapid review.

Date rules. Every event lies within the working-day calendars (1990 to 2100) and is on or after the
incident date. Every event except ``publication_planned`` is on or before today. An event that
moves the case to another stage is on or after the event that started the current stage. An event
that keeps the stage is on or after the event that first brought the case into a stage accepting it
(a Panel response is on or after the rapid review; a draft on or after the reviewer's appointment).
A delay notice only has to be on or after the awareness date. A correction replaces its target's
date; the whole log is checked again with the new date, so a correction cannot put the steps out of
order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from review_flows.calendar import FIRST_YEAR, LAST_YEAR
from review_flows.errors import (
    CorrectionInvalid,
    EventAlreadyRecorded,
    EventDateInvalid,
    EventNoteMissing,
    InvalidTransition,
)
from review_flows.events import AMENDING_KINDS, Event, EventKind, corrected_dates, voided_ids


class Stage(StrEnum):
    """Where a case stands, derived from its events."""

    INCIDENT_RECORDED = "incident_recorded"
    NOTIFIED = "notified"
    RAPID_REVIEW = "rapid_review"
    AWAITING_DECISION = "awaiting_decision"
    NO_REVIEW = "no_review"
    LOCAL_REVIEW = "local_review"
    NATIONAL_REVIEW = "national_review"
    REVIEWING = "reviewing"
    REPORT_SENT = "report_sent"
    PUBLISHED = "published"
    ACTIONS = "actions"
    CLOSED = "closed"


_K = EventKind
_S = Stage

# Stage -> {event kind -> stage after it}. Kinds that keep the stage map to the stage itself.
# delay_recorded (every stage but closed) and correction (every stage) are added below.
_GRAPH: dict[Stage, dict[EventKind, Stage]] = {
    _S.INCIDENT_RECORDED: {_K.NOTIFIED: _S.NOTIFIED},
    _S.NOTIFIED: {
        _K.RAPID_REVIEW_STARTED: _S.RAPID_REVIEW,
        _K.RAPID_REVIEW_SUBMITTED: _S.AWAITING_DECISION,
        _K.DECISION_NO_REVIEW: _S.NO_REVIEW,
        _K.DECISION: _S.LOCAL_REVIEW,
    },
    _S.RAPID_REVIEW: {_K.RAPID_REVIEW_SUBMITTED: _S.AWAITING_DECISION},
    _S.AWAITING_DECISION: {
        _K.DECISION_NO_REVIEW: _S.NO_REVIEW,
        _K.DECISION: _S.LOCAL_REVIEW,
        _K.NATIONAL_REVIEW_REFERRED: _S.NATIONAL_REVIEW,
        _K.PANEL_RESPONSE: _S.AWAITING_DECISION,
    },
    _S.NO_REVIEW: {
        _K.PANEL_RESPONSE: _S.NO_REVIEW,
        # the Panel may challenge the decision: the partners start a review, or the Panel takes it
        _K.DECISION: _S.LOCAL_REVIEW,
        _K.NATIONAL_REVIEW_REFERRED: _S.NATIONAL_REVIEW,
        # before 2018 a no-SCR decision was sent to the national panel with reasons (H3)
        _K.REPORT_SENT: _S.NO_REVIEW,
        _K.ACTION_PLAN_AGREED: _S.ACTIONS,
        _K.CLOSED: _S.CLOSED,
    },
    _S.LOCAL_REVIEW: {
        _K.PANEL_RESPONSE: _S.LOCAL_REVIEW,
        _K.NATIONAL_REVIEW_REFERRED: _S.NATIONAL_REVIEW,
        _K.PUBLICATION_PLANNED: _S.LOCAL_REVIEW,
        _K.REVIEWER_APPOINTED: _S.REVIEWING,
        _K.TERMS_OF_REFERENCE_AGREED: _S.REVIEWING,
    },
    _S.NATIONAL_REVIEW: {
        _K.PANEL_RESPONSE: _S.NATIONAL_REVIEW,
        _K.PUBLICATION_PLANNED: _S.NATIONAL_REVIEW,
        _K.REVIEWER_APPOINTED: _S.REVIEWING,
        _K.TERMS_OF_REFERENCE_AGREED: _S.REVIEWING,
    },
    _S.REVIEWING: {
        _K.PANEL_RESPONSE: _S.REVIEWING,
        _K.REVIEWER_APPOINTED: _S.REVIEWING,
        _K.TERMS_OF_REFERENCE_AGREED: _S.REVIEWING,
        _K.DRAFT_RECEIVED: _S.REVIEWING,
        _K.PUBLICATION_PLANNED: _S.REVIEWING,
        _K.REPORT_SENT: _S.REPORT_SENT,
        _K.PUBLISHED: _S.PUBLISHED,
    },
    _S.REPORT_SENT: {_K.PUBLICATION_PLANNED: _S.REPORT_SENT, _K.PUBLISHED: _S.PUBLISHED},
    _S.PUBLISHED: {_K.ACTION_PLAN_AGREED: _S.ACTIONS, _K.CLOSED: _S.CLOSED},
    _S.ACTIONS: {_K.ACTIONS_COMPLETED: _S.ACTIONS, _K.CLOSED: _S.CLOSED},
    _S.CLOSED: {},
}


def _with_everywhere_kinds(
    graph: dict[Stage, dict[EventKind, Stage]],
) -> dict[Stage, dict[EventKind, Stage]]:
    for stage, accepts in graph.items():
        if stage is not Stage.CLOSED:
            accepts[EventKind.DELAY_RECORDED] = stage
        accepts[EventKind.CORRECTION] = stage
        accepts[EventKind.VOID] = stage
        accepts[EventKind.AMENDED] = stage
    return graph


TRANSITIONS: Mapping[Stage, Mapping[EventKind, Stage]] = MappingProxyType(
    {stage: MappingProxyType(accepts) for stage, accepts in _with_everywhere_kinds(_GRAPH).items()}
)
OPEN_STAGES: frozenset[Stage] = frozenset(Stage) - {Stage.CLOSED}
# Kinds whose date may lie after today; every other event has happened when it is recorded.
FUTURE_DATED_KINDS: frozenset[EventKind] = frozenset({_K.PUBLICATION_PLANNED})
# Every event lies within the working-day calendars, so every clock can be computed.
_FIRST_DAY, _LAST_DAY = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
# Kinds that need a note saying why.
NOTE_REQUIRED_KINDS: frozenset[EventKind] = frozenset({_K.DELAY_RECORDED, _K.VOID, _K.AMENDED})


def accepted_kinds(stage: Stage) -> tuple[EventKind, ...]:
    """The event kinds a case in ``stage`` accepts, in the order of :class:`EventKind`
    (``amended`` is left out: it is recorded by amending the case, not as an event)."""
    accepts = TRANSITIONS[Stage(stage)]
    return tuple(kind for kind in EventKind if kind in accepts and kind is not EventKind.AMENDED)


def steps_before(stage: Stage, kind: EventKind) -> tuple[EventKind, ...]:
    """The fewest events that take a case from ``stage`` to one that accepts ``kind`` (empty
    if ``stage`` accepts it, or no later stage does): "report_sent needs reviewer_appointed"."""
    if kind in TRANSITIONS[stage]:
        return ()
    paths: dict[Stage, tuple[EventKind, ...]] = {stage: ()}
    queue = [stage]
    while queue:
        current = queue.pop(0)
        for step, after in TRANSITIONS[current].items():
            if after in paths:
                continue
            paths[after] = (*paths[current], step)
            if kind in TRANSITIONS[after]:
                return paths[after]
            queue.append(after)
    return ()


def is_open(stage: Stage) -> bool:
    """True for every stage but ``closed``."""
    return stage is not Stage.CLOSED


def derive_stage(events: Sequence[Event]) -> Stage:
    """The stage after ``events`` (in recording order); an empty log is a recorded incident.

    The log is assumed valid (every stored event passed :func:`validate_event`); an event the
    stage does not accept leaves the stage as it was.
    """
    stage = Stage.INCIDENT_RECORDED
    for event in effective_events(events):
        stage = TRANSITIONS[stage].get(event.kind, stage)
    return stage


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

    stage: Stage | None = None  # None: no event yet (only ``aware`` is accepted)
    first_entry: dict[Stage, _Step] = field(default_factory=dict)
    recorded: dict[EventKind, Event] = field(default_factory=dict)  # first event of each kind
    current: _Step | None = None  # the step that started the current stage

    def accept(self, event: Event, incident_date: dt.date, today: dt.date) -> None:
        """Check ``event`` against this state (raise on refusal), then apply it."""
        after = self._next_stage(event)
        _check_dates(event, incident_date, today, self._anchor(event, after))
        self._apply(event, after)

    def apply(self, event: Event) -> None:
        self._apply(event, self._next_stage(event))

    def _next_stage(self, event: Event) -> Stage:
        if self.stage is None:
            if event.kind is not EventKind.AWARE:
                raise InvalidTransition(
                    "a case starts with aware (the date the local authority became aware), "
                    f"not {event.kind.value}"
                )
            return Stage.INCIDENT_RECORDED
        after = TRANSITIONS[self.stage].get(event.kind)
        if after is None:
            raise self._refusal(event.kind)
        return after

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
            return self.first_entry[Stage.INCIDENT_RECORDED]
        if after is not self.stage:
            return self.current
        entries = [
            step for stage, step in self.first_entry.items() if event.kind in TRANSITIONS[stage]
        ]
        return min(entries, key=lambda step: step.on)

    def _apply(self, event: Event, after: Stage) -> None:
        self.recorded.setdefault(event.kind, event)
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


def effective_events(events: Sequence[Event]) -> list[Event]:
    """The log as it now reads: without corrections and voids, each corrected event carrying
    its latest date, each voided event left out."""
    corrected = corrected_dates(events)
    voided = voided_ids(events)
    return [
        replace(e, on=corrected[e.id]) if e.id in corrected else e
        for e in events
        if e.kind not in AMENDING_KINDS and e.id not in voided
    ]


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
    if target.kind is EventKind.AWARE:
        raise CorrectionInvalid(
            "the first event (aware) cannot be voided; correct its date instead"
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
