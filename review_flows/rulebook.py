"""Statutory rules as data: one YAML rulebook per jurisdiction and edition.

Each file in ``review_flows/rulebooks/`` is validated on load; a bad file raises
:class:`RulebookInvalid` naming the file and the field. The edition in force is chosen from the
nation and the incident date (or pinned by id). Status letters of ``shared/domain/rules.md``
map to :class:`Confidence`: V = confirmed, S = secondary, R = unconfirmed.
"""

from __future__ import annotations

import datetime as dt
import logging
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from review_flows.calendar import Nation
from review_flows.errors import RulebookInvalid, RulebookNotFound
from review_flows.events import EventKind

logger = logging.getLogger(__name__)

RULEBOOK_DIR = Path(__file__).parent / "rulebooks"
_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"


class DurationUnit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    CALENDAR_MONTHS = "calendar_months"


class Direction(StrEnum):
    """Whether the due date lies after the start event or before it (a count-back)."""

    AFTER = "after"
    BEFORE = "before"


#: The longest clock a rule may set, per unit: ten years. A longer one is a typo, and its due
#: dates would leave the working-day calendars (or the dates Python can hold).
_LONGEST: dict[DurationUnit, int] = {
    DurationUnit.WORKING_DAYS: 2600,
    DurationUnit.CALENDAR_DAYS: 3660,
    DurationUnit.CALENDAR_MONTHS: 120,
}


class Confidence(StrEnum):
    """How sure the rule is: rules.md's V (confirmed), S (secondary), R (unconfirmed)."""

    CONFIRMED = "confirmed"
    SECONDARY = "secondary"
    UNCONFIRMED = "unconfirmed"


class Source(BaseModel):
    """A source of rules.md's Sources list: its key, what it is, and where."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    url: str | None = None


class Rule(BaseModel):
    """One milestone: which event starts its clock, how long it runs, what completes it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    milestone: str = Field(pattern=_ID_PATTERN)
    label: str = Field(min_length=1)
    start_event: EventKind
    duration: int | None = Field(default=None, ge=0)
    unit: DurationUnit | None = None
    direction: Direction = Direction.AFTER
    done_by: tuple[EventKind, ...] = ()
    responsible: str = Field(min_length=1)
    reference: str = Field(min_length=1, description="What the guidance says, in words.")
    sources: tuple[str, ...] = Field(min_length=1, description="Keys of the rulebook's sources.")
    confidence: Confidence
    rules_row: str | None = Field(default=None, description="Row of rules.md, e.g. E1.")
    note: str | None = None
    reading_of: str | None = Field(
        default=None, description="Milestone this rule is another reading of (alert on earlier)."
    )
    not_applicable_if: tuple[EventKind, ...] = Field(
        default=(), description="If the clock never started and one of these happened: n/a."
    )
    waived_if_by_due: EventKind | None = Field(
        default=None, description="This event on or before the due date makes the rule n/a."
    )
    holds: bool = Field(
        default=False, description="A minimum period (keep online until): met once due passes."
    )
    only_if_missed: bool = Field(
        default=False,
        description=(
            "A conditional duty (a delay notice): due only when the waiver event will miss the "
            "due date (its planned date is later) or has missed it; n/a otherwise."
        ),
    )
    late_excused_by: EventKind | None = Field(
        default=None,
        description="An overdue milestone after this event shows late_delay_notified, not overdue.",
    )

    @model_validator(mode="after")
    def _check_duration(self) -> Rule:
        if (self.duration is None) != (self.unit is None):
            raise ValueError("duration and unit: give both, or neither for no statutory limit")
        if self.unit is not None and self.duration is not None:
            longest = _LONGEST[self.unit]
            if self.duration > longest:
                raise ValueError(
                    f"duration: at most {longest} {self.unit.value.replace('_', ' ')} (ten years)"
                )
        if self.duration is None and (self.direction is Direction.BEFORE or self.holds):
            raise ValueError("duration: a 'before' rule or a minimum period needs a duration")
        if self.holds and self.done_by:
            raise ValueError("done_by: a minimum period is met by time passing, not by an event")
        if not self.holds and not self.done_by:
            raise ValueError("done_by: name the event kind(s) that complete this milestone")
        return self

    @property
    def has_time_limit(self) -> bool:
        return self.duration is not None


class Rulebook(BaseModel):
    """The rules of one jurisdiction and edition, in force for a range of incident dates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID_PATTERN)
    title: str = Field(min_length=1)
    nation: Nation
    review_type: str = Field(pattern=_ID_PATTERN)
    in_force_from: dt.date | None = None
    in_force_to: dt.date | None = None
    summary: str | None = None
    notes: tuple[str, ...] = ()
    sources: dict[str, Source] = Field(min_length=1)
    rules: tuple[Rule, ...] = Field(min_length=1)
    # event kind -> the kinds a case must have recorded before it under this edition
    requires: dict[EventKind, tuple[EventKind, ...]] = Field(default_factory=dict)
    # event kind -> why a case under this rulebook does not take it
    not_used: dict[EventKind, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> Rulebook:
        if self.in_force_from and self.in_force_to and self.in_force_to < self.in_force_from:
            raise ValueError("in_force_to: earlier than in_force_from")
        seen: set[str] = set()
        for index, rule in enumerate(self.rules):
            where = f"rules[{index}] ({rule.milestone})"
            if rule.milestone in seen:
                raise ValueError(f"{where}.milestone: duplicate milestone id")
            seen.add(rule.milestone)
            unknown = [key for key in rule.sources if key not in self.sources]
            if unknown:
                raise ValueError(f"{where}.sources: {unknown} not listed under sources")
        for index, rule in enumerate(self.rules):
            if rule.reading_of is not None and rule.reading_of not in seen - {rule.milestone}:
                raise ValueError(f"rules[{index}] ({rule.milestone}).reading_of: no such milestone")
        return self

    def applies_to(self, incident_date: dt.date) -> bool:
        """True when an incident on ``incident_date`` falls in this edition's range."""
        if self.in_force_from is not None and incident_date < self.in_force_from:
            return False
        return self.in_force_to is None or incident_date <= self.in_force_to

    def rule(self, milestone: str) -> Rule:
        for rule in self.rules:
            if rule.milestone == milestone:
                return rule
        raise KeyError(milestone)

    def source_text(self, rule: Rule) -> str:
        """The guidance reference of ``rule`` with its source keys and titles."""
        cited = "; ".join(f"{key}: {self.sources[key].title}" for key in rule.sources)
        return f"{rule.reference} [{cited}]"


class _PlainDateLoader(yaml.SafeLoader):
    """Safe YAML loader that leaves dates as text, so a bad date gets a message naming its field
    instead of a bare ValueError from the YAML parser."""


_PlainDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_rulebook_file(path: Path | str) -> Rulebook:
    """Read and validate one rulebook file; :class:`RulebookInvalid` names file and field."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_PlainDateLoader)  # a SafeLoader
    except (OSError, yaml.YAMLError) as problem:
        raise RulebookInvalid(f"{path}: cannot read rulebook: {problem}") from None
    # PyYAML lets these through: text that is not UTF-8, an integer of over 4,300 digits
    # (ValueError), and nesting deeper than Python's stack
    except (ValueError, RecursionError) as problem:
        reason = "nested too deeply" if isinstance(problem, RecursionError) else problem
        raise RulebookInvalid(f"{path}: cannot read rulebook: {reason}") from None
    if not isinstance(raw, dict):
        raise RulebookInvalid(f"{path}: expected a mapping with id, title, nation, rules")
    try:
        book = Rulebook.model_validate(raw)
    except ValidationError as invalid:
        raise RulebookInvalid(f"{path}: {_describe(invalid, raw)}") from None
    if book.id != path.stem:
        raise RulebookInvalid(f"{path}: id: {book.id!r} must match the file name {path.stem!r}")
    return book


def _describe(invalid: ValidationError, raw: dict[str, Any]) -> str:
    """Pydantic's errors as ``field.path: message`` lines, rules named by milestone."""
    lines = []
    for error in invalid.errors():
        parts: list[str] = []
        loc = list(error["loc"])
        for position, part in enumerate(loc):
            if isinstance(part, int):
                parts[-1] += f"[{part}]"
                if loc[position - 1] == "rules":
                    parts[-1] += _milestone_hint(raw, part)
            else:
                parts.append(str(part))
        field = ".".join(parts)
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{field}: {message}" if field else message)
    return "; ".join(lines)


def _milestone_hint(raw: dict[str, Any], index: int) -> str:
    rules = raw.get("rules")
    if isinstance(rules, list) and index < len(rules) and isinstance(rules[index], dict):
        milestone = rules[index].get("milestone")
        if milestone:
            return f" ({milestone})"
    return ""


@lru_cache(maxsize=1)
def _bundled() -> tuple[Rulebook, ...]:
    books = tuple(load_rulebook_file(path) for path in sorted(RULEBOOK_DIR.glob("*.yaml")))
    _check_overlaps(books)
    return books


def _check_overlaps(books: tuple[Rulebook, ...]) -> None:
    """Two editions of one nation and review type must not cover the same incident date."""
    for index, book in enumerate(books):
        for other in books[index + 1 :]:
            if (book.nation, book.review_type) != (other.nation, other.review_type):
                continue
            low = max(book.in_force_from or dt.date.min, other.in_force_from or dt.date.min)
            high = min(book.in_force_to or dt.date.max, other.in_force_to or dt.date.max)
            if low <= high:
                raise RulebookInvalid(
                    f"{RULEBOOK_DIR / (other.id + '.yaml')}: in_force_from: overlaps {book.id} "
                    f"from {low.isoformat()}"
                )


def list_rulebooks() -> list[Rulebook]:
    """Every bundled rulebook, validated, sorted by id."""
    return list(_bundled())


def load_rulebook(ruleset_id: str) -> Rulebook:
    """The bundled rulebook with this id; :class:`RulebookNotFound` lists the known ids."""
    for book in _bundled():
        if book.id == ruleset_id:
            return book
    known = ", ".join(book.id for book in _bundled())
    raise RulebookNotFound(f"no rulebook {ruleset_id!r}; known rulebooks: {known}")


#: How long after an edition ends a partnership may still pin it (Working Together 2023 was
#: published in December 2023 and adopted locally during 2024).
TRANSITION = dt.timedelta(days=366)


def known_milestones() -> dict[str, tuple[str, ...]]:
    """Each bundled rulebook's id and its milestones (to check local targets against)."""
    return {book.id: tuple(rule.milestone for rule in book.rules) for book in _bundled()}


def missing_before(book: Rulebook, kinds_recorded: set[EventKind], kind: EventKind) -> list[str]:
    """The events ``book`` requires before ``kind`` that the case has not recorded."""
    return [needed.value for needed in book.requires.get(kind, ()) if needed not in kinds_recorded]


def check_pinned_edition(pinned: Rulebook, incident_date: dt.date) -> None:
    """Refuse a pinned rulebook that cannot govern an incident on ``incident_date``: one in
    force then, or the previous edition of the same review type within a year of its end."""
    if pinned.applies_to(incident_date):
        return
    in_force = select_rulebook(pinned.nation, incident_date)
    ended = pinned.in_force_to
    if (
        pinned.review_type == in_force.review_type
        and ended is not None
        and ended < incident_date <= ended + TRANSITION
    ):
        return
    start = pinned.in_force_from.isoformat() if pinned.in_force_from else "the start"
    end = ended.isoformat() if ended else "now"
    raise RulebookNotFound(
        f"rulebook {pinned.id} governs incidents from {start} to {end}, not one on "
        f"{incident_date.isoformat()}; use {in_force.id} (or leave out --rules)"
    )


def select_rulebook(
    nation: Nation,
    incident_date: dt.date,
    review_type: str | None = None,
    pinned: str | None = None,
) -> Rulebook:
    """The edition in force for an incident in ``nation`` on ``incident_date``.

    ``pinned`` (a rulebook id) overrides the choice. When several review types apply (England
    has only one per date; the SCR edition ends where the CSPR one starts), the latest edition
    starting on or before the incident wins unless ``review_type`` narrows the choice.
    """
    if pinned is not None:
        return load_rulebook(pinned)
    nation = Nation(nation)
    candidates = [
        book
        for book in _bundled()
        if book.nation is nation
        and book.applies_to(incident_date)
        and (review_type is None or book.review_type == review_type)
    ]
    if not candidates:
        wanted = f" of type {review_type!r}" if review_type else ""
        raise RulebookNotFound(
            f"no {nation.value} rulebook{wanted} in force for an incident on "
            f"{incident_date.isoformat()}; pin one with its id (see `cspr rules list`)"
        )
    return max(candidates, key=lambda book: book.in_force_from or dt.date.min)
