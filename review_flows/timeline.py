"""Milestones: a pure function of (events, rulebook, calendar, today).

Nothing about deadlines is stored: each milestone's due date, done date, status and working
days remaining are derived here from the case's events. Corrections are applied first (an event
of kind ``correction`` with ``corrects=<id>`` moves that event to the correction's date). A
clock starts at the first (earliest) event of its start kind; a milestone is done by the first
completing event on or after the start (any completing event, for a count-back rule).
"""

from __future__ import annotations

import calendar as _gregorian
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from review_flows.calendar import WorkingCalendar
from review_flows.events import AMENDING_KINDS, Event, EventKind, corrected_dates, voided_ids
from review_flows.lifecycle import derive_stage, recordable_kinds, unrecorded_steps
from review_flows.milestones import LOCAL_TARGET, Milestone, MilestoneStatus, describe_rule
from review_flows.rulebook import Direction, DurationUnit, Rule, Rulebook

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A rule prepared for fast evaluation; ``static`` holds the fields every case shares."""

    milestone: str
    start_kind: EventKind
    done_kinds: tuple[EventKind, ...]
    signed: int | None  # duration, negative for a count-back; None without a limit
    unit: DurationUnit | None
    holds: bool
    waiver: EventKind | None
    only_if_missed: bool
    excused_by: EventKind | None
    na_kinds: tuple[EventKind, ...]
    paired: bool  # one of two or more readings of a rule (see _mark_readings)
    static: Mapping[str, Any]
    idle: Mapping[MilestoneStatus, Milestone]  # shared not_started / not_applicable values


@dataclass(frozen=True, slots=True)
class _CompiledBook:
    rules: tuple[_Compiled, ...]
    groups: tuple[tuple[int, ...], ...]  # indices of rules read two (or more) ways


def compute_milestones(
    events: Sequence[Event],
    rulebook: Rulebook,
    calendar: WorkingCalendar,
    today: dt.date,
    *,
    due_soon_working_days: int = 5,
    local_targets: Mapping[str, int] | None = None,
    stalled_after: int | None = None,
) -> list[Milestone]:
    """Every milestone of ``rulebook`` for a case with ``events``, as of ``today``.

    ``local_targets`` maps ``"<ruleset>:<milestone>"`` to working days; it gives a milestone
    without a statutory limit a local target (marked as such). Targets for other rulebooks, or
    for milestones that have a statutory limit, are ignored. A step with no time limit that has
    run ``stalled_after`` working days or more without being done is ``stalled``. In a case
    taken over at a later stage, a step whose start or end came before the take-over without a
    date is ``not_recorded`` (never overdue for want of a date nobody holds).
    """
    book = _compile(rulebook, local_targets)
    dates = _event_dates(events)
    gaps = _history_gaps(events)
    values = [
        _evaluate(rule, dates, calendar, today, due_soon_working_days, stalled_after, gaps)
        for rule in book.rules
    ]
    for group in book.groups:
        _mark_readings(group, values)
    return [value if isinstance(value, Milestone) else _new_milestone(value) for value in values]


@dataclass(frozen=True, slots=True)
class _Gaps:
    """What a case taken over at a later stage has no date for: the steps it went past
    without one (``skipped``), and every step it can no longer record (``passed``)."""

    skipped: frozenset[EventKind]
    passed: frozenset[EventKind]


_NO_GAPS = _Gaps(frozenset(), frozenset())


def _history_gaps(events: Sequence[Event]) -> _Gaps:
    if not events or events[0].kind != EventKind.HISTORY_IMPORTED:
        return _NO_GAPS
    recordable = recordable_kinds(derive_stage(events))
    return _Gaps(unrecorded_steps(events), frozenset(EventKind) - recordable)


def add_calendar_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, clamped to the end of a shorter month
    (31 August + 6 months = 28 or 29 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = _gregorian.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


# --- evaluation ---------------------------------------------------------------------------------


def _event_dates(events: Sequence[Event]) -> dict[str, list[dt.date]]:
    """Dates per event kind, corrections applied (a later correction of one event wins) and
    voided events left out."""
    corrected = corrected_dates(events)
    voided = voided_ids(events)
    dates: dict[str, list[dt.date]] = {}
    for event in events:
        if event.kind in AMENDING_KINDS or event.id in voided:
            continue
        on = corrected.get(event.id, event.on) if corrected and event.id is not None else event.on
        if event.kind in dates:
            dates[event.kind].append(on)
        else:
            dates[event.kind] = [on]
    return dates


_REPLACED_BY_LATEST = frozenset({EventKind.PUBLICATION_PLANNED.value})


def _first_on_or_after(
    dates: dict[str, list[dt.date]], kinds: Sequence[str], floor: dt.date
) -> dt.date | None:
    first = None
    for kind in kinds:
        for day in dates.get(kind, ()):
            if day >= floor and (first is None or day < first):
                first = day
    return first


def _evaluate(
    rule: _Compiled,
    dates: dict[str, list[dt.date]],
    calendar: WorkingCalendar,
    today: dt.date,
    due_soon: int,
    stalled_after: int | None = None,
    gaps: _Gaps = _NO_GAPS,
) -> Milestone | dict[str, Any]:
    starts = dates.get(rule.start_kind)
    if not starts and rule.start_kind in gaps.skipped:
        done_on = _first_on_or_after(dates, rule.done_kinds, dt.date.min)
        return _values(rule, None, None, MilestoneStatus.NOT_RECORDED, done_on, None, None)
    if not starts:
        inapplicable = any(kind in dates for kind in rule.na_kinds)
        status = MilestoneStatus.NOT_APPLICABLE if inapplicable else MilestoneStatus.NOT_STARTED
        if rule.paired:
            return _values(rule, None, None, status, None, None, None)
        return rule.idle[status]
    # A plan is replaced by the latest one recorded; every other clock starts at its earliest event.
    start = starts[-1] if rule.start_kind in _REPLACED_BY_LATEST else min(starts)
    due = _due_date(rule, start, calendar)
    if rule.holds:
        met = due is not None and today >= due
        status = MilestoneStatus.DONE_ON_TIME if met else MilestoneStatus.DUE
        remaining = None if met or due is None else calendar.working_days_between(today, due)
        return _values(rule, start, due, status, due if met else None, remaining, None)
    floor = dt.date.min if rule.signed is not None and rule.signed < 0 else start
    done = _first_on_or_after(dates, rule.done_kinds, floor)
    end = done if done is not None else today
    elapsed = calendar.working_days_between(start, end) if floor == start and end >= start else None
    # a case taken over after going past the step: done, on a date not recorded
    undated = done is None and bool(gaps.passed) and gaps.passed.issuperset(rule.done_kinds)
    if due is None:
        status = MilestoneStatus.NOT_RECORDED if undated else _untimed(done, elapsed, stalled_after)
        return _values(rule, start, None, status, done, None, elapsed)
    if rule.waiver is not None and (done is None or done > due):
        waived_on = _first_on_or_after(dates, (rule.waiver,), start)
        if waived_on is not None and waived_on <= due:
            return _values(rule, start, due, MilestoneStatus.NOT_APPLICABLE, done, None, elapsed)
        if rule.only_if_missed and done is None and not _will_miss(rule, dates, due, today):
            return _values(rule, start, due, MilestoneStatus.NOT_APPLICABLE, None, None, elapsed)
    if undated:
        return _values(rule, start, due, MilestoneStatus.NOT_RECORDED, None, None, elapsed)
    status, remaining = _timed_status(calendar, today, due, done, due_soon)
    if status is MilestoneStatus.OVERDUE and rule.excused_by in dates:
        status = MilestoneStatus.LATE_DELAY_NOTIFIED
    return _values(rule, start, due, status, done, remaining, elapsed)


# The event that plans another: a planned publication date says when publication will be.
_PLANNED_BY: Mapping[EventKind, EventKind] = {
    EventKind.PUBLISHED: EventKind.PUBLICATION_PLANNED,
}


def _will_miss(
    rule: _Compiled, dates: dict[str, list[dt.date]], due: dt.date, today: dt.date
) -> bool:
    """Whether the waiver event (publication) will miss ``due``: the due date has passed without
    it, or its latest planned date is after it."""
    if today > due:
        return True
    planner = _PLANNED_BY.get(rule.waiver) if rule.waiver is not None else None
    plans = dates.get(planner, []) if planner is not None else []
    return bool(plans) and plans[-1] > due


def _untimed(
    done: dt.date | None, elapsed: int | None, stalled_after: int | None
) -> MilestoneStatus:
    """The status of a step the guidance sets no time limit for."""
    if done is not None:
        return MilestoneStatus.DONE
    if stalled_after is not None and elapsed is not None and elapsed >= stalled_after:
        return MilestoneStatus.STALLED
    return MilestoneStatus.NO_TIME_LIMIT


def _timed_status(
    calendar: WorkingCalendar, today: dt.date, due: dt.date, done: dt.date | None, due_soon: int
) -> tuple[MilestoneStatus, int | None]:
    if done is not None:
        late = done > due
        return (MilestoneStatus.DONE_LATE if late else MilestoneStatus.DONE_ON_TIME), None
    if today > due:
        # Working days late, counting forwards from the due date (which may be a weekend).
        return MilestoneStatus.OVERDUE, -calendar.working_days_between(due, today)
    remaining = calendar.working_days_between(today, due)
    return (MilestoneStatus.DUE_SOON if remaining <= due_soon else MilestoneStatus.DUE), remaining


def _due_date(rule: _Compiled, start: dt.date, calendar: WorkingCalendar) -> dt.date | None:
    if rule.signed is None:
        return None
    if rule.unit is DurationUnit.WORKING_DAYS:
        return calendar.add_working_days(start, rule.signed)
    if rule.unit is DurationUnit.CALENDAR_DAYS:
        return start + dt.timedelta(days=rule.signed)
    return add_calendar_months(start, rule.signed)


def _values(
    rule: _Compiled,
    start: dt.date | None,
    due: dt.date | None,
    status: MilestoneStatus,
    done: dt.date | None,
    remaining: int | None,
    elapsed: int | None,
) -> dict[str, Any]:
    values = dict(rule.static)
    values["start"] = start
    values["due"] = due
    values["status"] = status
    values["done"] = done
    values["working_days_remaining"] = remaining
    values["elapsed_working_days"] = elapsed
    return values


def _mark_readings(members: tuple[int, ...], values: list[Any]) -> None:
    """For a rule read two ways: list each other's due dates; alert only on the earliest.

    Every member's value is still a dict here (``_evaluate`` returns dicts for paired rules).
    """
    dated = [i for i in members if values[i]["due"] is not None]
    earliest = min(dated, key=lambda i: values[i]["due"]) if dated else members[0]
    for i in members:
        values[i]["alert"] = i == earliest
        values[i]["alternatives"] = tuple(
            (values[j]["milestone"], values[j]["due"]) for j in members if j != i
        )


_new_object = object.__new__
_set_attribute = object.__setattr__


def _new_milestone(values: dict[str, Any]) -> Milestone:
    # Why not Milestone(**values): the frozen dataclass __init__ sets 17 fields one by one, which
    # is most of the cost at 100,000 cases; ``values`` always holds every field (see _compile).
    milestone = _new_object(Milestone)
    _set_attribute(milestone, "__dict__", values)
    return milestone


# --- compilation --------------------------------------------------------------------------------


def _compile(rulebook: Rulebook, local_targets: Mapping[str, int] | None) -> _CompiledBook:
    prefix = rulebook.id + ":"
    targets = tuple(
        sorted(
            (key.removeprefix(prefix), int(days))
            for key, days in (local_targets or {}).items()
            if key.startswith(prefix)
        )
    )
    cache: dict[tuple[tuple[str, int], ...], _CompiledBook] = _rulebook_cache(rulebook)
    if targets not in cache:
        cache[targets] = _compile_book(rulebook, dict(targets))
    return cache[targets]


def _compile_book(rulebook: Rulebook, targets: Mapping[str, int]) -> _CompiledBook:
    groups: dict[str, list[int]] = {}
    for index, rule in enumerate(rulebook.rules):
        groups.setdefault(rule.reading_of or rule.milestone, []).append(index)
    paired = tuple(tuple(members) for members in groups.values() if len(members) > 1)
    in_pairs = {index for members in paired for index in members}
    rules = tuple(
        _compile_rule(rulebook, rule, targets, index in in_pairs)
        for index, rule in enumerate(rulebook.rules)
    )
    return _CompiledBook(rules=rules, groups=paired)


def _rulebook_cache(rulebook: Rulebook) -> dict[Any, Any]:
    cache = getattr(rulebook, "_compiled", None)
    if cache is None:
        cache = {}
        # a private attribute, allowed on the frozen model; not a declared field, so that it
        # never enters the rulebook's equality or its validation
        rulebook._compiled = cache  # type: ignore[attr-defined]
    return cache


def _compile_rule(
    rulebook: Rulebook, rule: Rule, targets: Mapping[str, int], paired: bool
) -> _Compiled:
    target = targets.get(rule.milestone) if rule.duration is None else None
    if rule.milestone in targets and target is None:
        logger.warning(
            "local target for %s:%s ignored: the guidance sets a limit", rulebook.id, rule.milestone
        )
    signed, unit = rule.duration, rule.unit
    if target is not None:
        signed, unit = target, DurationUnit.WORKING_DAYS
    elif signed is not None and rule.direction is Direction.BEFORE:
        signed = -signed
    static = _static_fields(rulebook, rule, target)
    # The normal constructor here checks that static + per-case fields name every field once.
    idle = {
        status: Milestone(**static, **_IDLE, status=status)
        for status in (MilestoneStatus.NOT_STARTED, MilestoneStatus.NOT_APPLICABLE)
    }
    return _Compiled(
        milestone=rule.milestone,
        start_kind=rule.start_event,
        done_kinds=rule.done_by,
        signed=signed,
        unit=unit,
        holds=rule.holds,
        waiver=rule.waived_if_by_due,
        only_if_missed=rule.only_if_missed,
        excused_by=rule.late_excused_by,
        na_kinds=rule.not_applicable_if,
        paired=paired,
        static=static,
        idle=idle,
    )


_IDLE: Mapping[str, Any] = dict.fromkeys(
    ("start", "due", "done", "working_days_remaining", "elapsed_working_days")
)


def _static_fields(rulebook: Rulebook, rule: Rule, target: int | None) -> dict[str, Any]:
    """The milestone fields that are the same for every case under this rule."""
    source = rulebook.source_text(rule)
    return {
        "milestone": rule.milestone,
        "label": rule.label,
        "rule": describe_rule(rule, target),
        "source": source if target is None else f"{LOCAL_TARGET}; {source}",
        "confidence": rule.confidence,
        "responsible": rule.responsible,
        "start_event": rule.start_event,
        "local_target": target is not None,
        "alert": True,
        "alternatives": (),
        "note": rule.note,
    }
