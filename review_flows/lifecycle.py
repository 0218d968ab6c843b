"""The case lifecycle: stages, the events each stage accepts, and the stage a log reaches.

Pure: no database, no clock. The stage of a case is derived from its event log (never stored);
:func:`review_flows.event_validation.validate_event` decides whether one more event may be
appended.

The graph covers every nation's process: England's CSPR path runs through a rapid review, while
Wales, Scotland, Northern Ireland and the pre-2018 SCR path go from the notification straight to
a decision, so a decision is accepted from ``notified`` as well as after a rapid review.

A case taken over at a later stage starts with ``history_imported`` instead of ``aware``: the
steps it went past without a date are "not recorded" (:func:`unrecorded_steps`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from enum import StrEnum
from functools import cache
from types import MappingProxyType

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

    The log is assumed valid (every stored event passed :func:`validate_event`). In a case whose
    history was imported, a step taken without the steps before it (not recorded) moves the case
    as if they had been taken; otherwise an event the stage does not accept leaves it as it was.
    """
    stage = Stage.INCIDENT_RECORDED
    for event in effective_events(events):
        stage, _ = step_over_gap(stage, event.kind)
    return stage


def step_over_gap(stage: Stage, kind: EventKind) -> tuple[Stage, tuple[EventKind, ...]]:
    """The stage after ``kind`` from ``stage``, and the steps skipped to get there: none if
    ``stage`` accepts it; the fewest steps before it if a later stage does (a history imported
    without them); ``stage`` itself and none if no stage ahead accepts ``kind``."""
    after = TRANSITIONS[stage].get(kind)
    if after is not None:
        return after, ()
    skipped = steps_before(stage, kind)
    if not skipped:
        return stage, ()
    for step in skipped:
        stage = TRANSITIONS[stage][step]
    return TRANSITIONS[stage][kind], skipped


@cache
def recordable_kinds(stage: Stage) -> frozenset[EventKind]:
    """The kinds a case at ``stage`` can still record, now or at any stage ahead: a step
    outside it is one the case has gone past (or a branch it did not take)."""
    seen, queue, kinds = {stage}, [stage], set[EventKind]()
    while queue:
        for kind, after in TRANSITIONS[queue.pop()].items():
            kinds.add(kind)
            if after not in seen:
                seen.add(after)
                queue.append(after)
    return frozenset(kinds)


def unrecorded_steps(events: Sequence[Event]) -> frozenset[EventKind]:
    """The steps a case's imported history went past without recording (empty for a case whose
    log starts with ``aware``): ``aware`` when it was not given, and every step skipped on the
    way to one that was."""
    effective = effective_events(events)
    if not effective or effective[0].kind != EventKind.HISTORY_IMPORTED:
        return frozenset()
    missing: set[EventKind] = set()
    if all(event.kind != EventKind.AWARE for event in effective):
        missing.add(EventKind.AWARE)
    stage = Stage.INCIDENT_RECORDED
    for event in effective[1:]:
        stage, skipped = step_over_gap(stage, event.kind)
        missing.update(skipped)
    return frozenset(missing)


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
