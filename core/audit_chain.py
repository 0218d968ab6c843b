"""The tamper-evident event log: each event carries the hash of the one before it in its case.

Pure: no database. An event's ``chain_hash`` is SHA-256 over the previous event's hash (empty for
a case's first event) and the event's own content; ``chain_prev`` keeps the previous hash it was
made with. A case's first event also carries the case's facts (``case_facts``, see
:mod:`core.audit_facts`) inside its hash, so the chain covers the case row too. Walking a
case's events in id order then tells apart

- an **edited** row: its content no longer gives its hash;
- a **deleted** row: a row's ``chain_prev`` is not the hash of the row before it, nor of any row;
- an **inserted** row: the row after it was made on the hash of the row before it.

The chain proves the log has not been changed behind the application's back; someone who can
rewrite the database can rewrite the whole chain, or cut events off its end, so each case's
head (its last hash) and length are exported where the database user cannot write
(:mod:`review_flows.audit_heads`) and compared with.

:data:`CHAIN_SCHEME` 2 (migration 0010) added the case's facts and a scheme tag to the hashed
content; :func:`legacy_event_hash` is scheme 1, kept for the migrations that read it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.audit_facts import FactMismatch, RowValues

GENESIS = ""
#: The hash scheme of the chains (and of exported heads): 2 covers the case's facts.
CHAIN_SCHEME = 2
_SCHEME_TAG = "cspr-chain/2"


@dataclass(frozen=True)
class ChainedEvent:
    """The parts of one stored event that its hash covers, with its two chain columns."""

    id: int
    case_id: int
    kind: str
    on: dt.date
    note: str | None
    corrects: int | None
    recorded_at: dt.datetime
    recorded_by: str
    amends: str | None
    amended_to: str | None
    case_facts: str | None = None
    chain_prev: str | None = None
    chain_hash: str | None = None

    @classmethod
    def of(cls, values: RowValues) -> ChainedEvent:
        """From a stored row's columns (a mapping, or ``{name: getattr(row, name)}``); an
        unsaved row has no id yet (0), and an enum kind becomes its value."""
        fields = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        return cls(**{**fields, "id": fields.get("id") or 0, "kind": str(fields["kind"])})


class BreakKind(StrEnum):
    UNHASHED = "unhashed"
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    HEAD_GONE = "head_gone"
    CUT = "cut"
    CASE_GONE = "case_gone"
    NO_FACTS = "no_facts"
    NO_EVENTS = "no_events"
    ROW_CHANGED = "row_changed"


@dataclass(frozen=True)
class ChainBreak:
    """The first place a case's chain does not hold, or how its row differs from its log."""

    case_id: int
    event_id: int
    kind: BreakKind
    mismatches: tuple[FactMismatch, ...] = ()
    length: int = 0
    saved_length: int = 0

    def describe(self) -> str:
        what: dict[BreakKind, str] = {
            BreakKind.UNHASHED: "has no hash: it was written outside the application",
            BreakKind.EDITED: "was edited: its content no longer gives its hash",
            BreakKind.DELETED: "follows a deleted row: the event before it is missing",
            BreakKind.INSERTED: "was inserted: the event after it was chained to the one before",
            BreakKind.HEAD_GONE: "is now the last event, but the saved head is not in the chain: "
            "events after it were deleted, or the chain was rewritten",
            BreakKind.NO_FACTS: "opens the case but does not record the case's facts: the "
            "case's first events were deleted or rewritten",
        }
        if self.kind is BreakKind.CASE_GONE:
            return "the case and all its events are gone since the heads were saved"
        if self.kind is BreakKind.NO_EVENTS:
            return "the case has no events: its whole log was deleted"
        if self.kind is BreakKind.ROW_CHANGED:
            return "; ".join(found.describe() for found in self.mismatches)
        if self.kind is BreakKind.CUT:
            return (
                f"the chain has {self.length} events, {self.saved_length} when the heads were "
                f"saved: events after #{self.event_id} were deleted"
            )
        return f"event #{self.event_id} {what[self.kind]}"


def event_hash(previous: str, content: ChainedEvent) -> str:
    """SHA-256 (hex) of the previous hash and the event's content (with the case's facts on a
    creation event), in a fixed canonical form tagged with the scheme."""
    return _digest([_SCHEME_TAG, previous, *_content(content), content.case_facts])


def legacy_event_hash(previous: str, content: ChainedEvent) -> str:
    """Scheme 1 (migrations 0008 to 0010): the event's content without the case's facts."""
    return _digest([previous, *_content(content)])


def _content(content: ChainedEvent) -> list[Any]:
    return [
        content.case_id,
        content.kind,
        content.on.isoformat(),
        content.note or "",
        content.corrects,
        _utc_text(content.recorded_at),
        content.recorded_by,
        content.amends or "",
        content.amended_to or "",
    ]


def _digest(parts: list[Any]) -> str:
    canonical = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _utc_text(stamp: dt.datetime) -> str:
    aware = stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="microseconds")


def first_break(
    events: Sequence[ChainedEvent], hashed: Callable[[str, ChainedEvent], str] = event_hash
) -> ChainBreak | None:
    """The first break in one case's events (in id order), or None if the chain holds.
    ``hashed`` is the scheme's hash (:func:`legacy_event_hash` checks a scheme-1 chain)."""
    made = {event.chain_hash for event in events if event.chain_hash}
    previous = GENESIS
    for position, event in enumerate(events):
        if event.chain_hash is None or event.chain_prev is None:
            return ChainBreak(event.case_id, event.id, BreakKind.UNHASHED)
        if hashed(event.chain_prev, event) != event.chain_hash:
            return ChainBreak(event.case_id, event.id, BreakKind.EDITED)
        if event.chain_prev != previous:
            before = events[position - 2].chain_hash if position >= 2 else GENESIS
            if position >= 1 and event.chain_prev == before:
                return ChainBreak(event.case_id, events[position - 1].id, BreakKind.INSERTED)
            if event.chain_prev not in made:
                return ChainBreak(event.case_id, event.id, BreakKind.DELETED)
            return ChainBreak(event.case_id, event.id, BreakKind.INSERTED)
        previous = event.chain_hash
    if events and hashed is event_hash and not events[0].case_facts:
        return ChainBreak(events[0].case_id, events[0].id, BreakKind.NO_FACTS)
    return None


def head_missing(
    events: Sequence[ChainedEvent], saved_head: str, saved_length: int | None = None
) -> ChainBreak | None:
    """A break if the case's chain is shorter than ``saved_length`` or ``saved_head`` (a
    case's last hash, kept earlier) is not in it: rows at its end were deleted, or the chain
    rewritten. Events appended since are fine."""
    if not events:
        return None
    last = events[-1]
    if saved_length is not None and len(events) < saved_length:
        return ChainBreak(
            last.case_id, last.id, BreakKind.CUT, length=len(events), saved_length=saved_length
        )
    if any(event.chain_hash == saved_head for event in events):
        return None
    return ChainBreak(last.case_id, last.id, BreakKind.HEAD_GONE)


class HeadsUnreadable(ValueError):
    """The saved heads are not a report of ``cspr audit verify --json`` (or an export)."""


@dataclass(frozen=True)
class SavedHeads:
    """Each case's last hash and number of events (by ``partnership/reference``), saved earlier."""

    heads: dict[str, str]
    lengths: dict[str, int] = field(default_factory=dict)
    exported_at: str | None = None


def saved_heads(text: str) -> SavedHeads:
    """The heads of an earlier report (``cspr audit verify --json``, an export of
    ``cspr audit export-heads``, or the Admin download), of this chain scheme."""
    try:
        report = json.loads(text)
        heads = {str(name): str(head) for name, head in report["heads"].items()}
        lengths = {str(name): int(count) for name, count in report.get("lengths", {}).items()}
        scheme = int(report.get("scheme", 1))
    except (ValueError, KeyError, TypeError, AttributeError) as unreadable:
        raise HeadsUnreadable(
            f"not a report of `cspr audit verify --json` ({type(unreadable).__name__}: "
            f"{unreadable}); download the chain heads again from a verified log"
        ) from None
    if scheme != CHAIN_SCHEME:
        raise HeadsUnreadable(
            f"these heads are of chain scheme {scheme}, saved before the upgrade that re-sealed "
            f"every chain (scheme {CHAIN_SCHEME}); compare with heads exported since"
        )
    return SavedHeads(heads, lengths, report.get("exported_at"))


def chain_heads(events: Iterable[ChainedEvent]) -> dict[int, str]:
    """Each case's last hash, by case id: what to keep elsewhere to detect a rewritten chain."""
    heads: dict[int, str] = {}
    for event in events:
        heads[event.case_id] = event.chain_hash or ""
    return heads
