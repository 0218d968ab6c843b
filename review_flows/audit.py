"""The tamper-evident event log: each event carries the hash of the one before it in its case.

Pure: no database. An event's ``chain_hash`` is SHA-256 over the previous event's hash (empty for
a case's first event) and the event's own content; ``chain_prev`` keeps the previous hash it was
made with. Walking a case's events in id order then tells apart

- an **edited** row: its content no longer gives its hash;
- a **deleted** row: a row's ``chain_prev`` is not the hash of the row before it, nor of any row;
- an **inserted** row: the row after it was made on the hash of the row before it.

The chain proves the log has not been changed behind the application's back; someone who can
rewrite the database can rewrite the whole chain, so keep a copy of the heads
(``cspr audit verify --json``) elsewhere to compare with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

GENESIS = ""


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
    chain_prev: str | None = None
    chain_hash: str | None = None

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> ChainedEvent:
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
    CASE_GONE = "case_gone"


@dataclass(frozen=True)
class ChainBreak:
    """The first place a case's chain does not hold."""

    case_id: int
    event_id: int
    kind: BreakKind

    def describe(self) -> str:
        what: dict[BreakKind, str] = {
            BreakKind.UNHASHED: "has no hash: it was written outside the application",
            BreakKind.EDITED: "was edited: its content no longer gives its hash",
            BreakKind.DELETED: "follows a deleted row: the event before it is missing",
            BreakKind.INSERTED: "was inserted: the event after it was chained to the one before",
            BreakKind.HEAD_GONE: "is now the last event, but the saved head is not in the chain: "
            "events after it were deleted, or the chain was rewritten",
        }
        if self.kind is BreakKind.CASE_GONE:
            return "the case and all its events are gone since the heads were saved"
        return f"event #{self.event_id} {what[self.kind]}"


def event_hash(previous: str, content: ChainedEvent) -> str:
    """SHA-256 (hex) of the previous hash and the event's content, in a fixed canonical form."""
    canonical = json.dumps(
        [
            previous,
            content.case_id,
            content.kind,
            content.on.isoformat(),
            content.note or "",
            content.corrects,
            _utc_text(content.recorded_at),
            content.recorded_by,
            content.amends or "",
            content.amended_to or "",
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _utc_text(stamp: dt.datetime) -> str:
    aware = stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="microseconds")


def first_break(events: Sequence[ChainedEvent]) -> ChainBreak | None:
    """The first break in one case's events (in id order), or None if the chain holds."""
    made = {event.chain_hash for event in events if event.chain_hash}
    previous = GENESIS
    for position, event in enumerate(events):
        if event.chain_hash is None or event.chain_prev is None:
            return ChainBreak(event.case_id, event.id, BreakKind.UNHASHED)
        if event_hash(event.chain_prev, event) != event.chain_hash:
            return ChainBreak(event.case_id, event.id, BreakKind.EDITED)
        if event.chain_prev != previous:
            before = events[position - 2].chain_hash if position >= 2 else GENESIS
            if position >= 1 and event.chain_prev == before:
                return ChainBreak(event.case_id, events[position - 1].id, BreakKind.INSERTED)
            if event.chain_prev not in made:
                return ChainBreak(event.case_id, event.id, BreakKind.DELETED)
            return ChainBreak(event.case_id, event.id, BreakKind.INSERTED)
        previous = event.chain_hash
    return None


def head_missing(events: Sequence[ChainedEvent], saved_head: str) -> ChainBreak | None:
    """A break if ``saved_head`` (a case's last hash, kept earlier) is not in the case's chain:
    rows at its end were deleted, or the chain rewritten. Events appended since are fine."""
    if not events or any(event.chain_hash == saved_head for event in events):
        return None
    last = events[-1]
    return ChainBreak(last.case_id, last.id, BreakKind.HEAD_GONE)


class HeadsUnreadable(ValueError):
    """The saved heads are not a report of ``cspr audit verify --json``."""


def saved_heads(text: str) -> dict[str, str]:
    """The heads of an earlier report (``cspr audit verify --json``, or the Admin download)."""
    try:
        heads = json.loads(text)["heads"]
        return {str(name): str(head) for name, head in heads.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as unreadable:
        raise HeadsUnreadable(
            f"not a report of `cspr audit verify --json` ({type(unreadable).__name__}: "
            f"{unreadable}); download the chain heads again from a verified log"
        ) from None


def chain_heads(events: Iterable[ChainedEvent]) -> dict[int, str]:
    """Each case's last hash, by case id: what to keep elsewhere to detect a rewritten chain."""
    heads: dict[int, str] = {}
    for event in events:
        heads[event.case_id] = event.chain_hash or ""
    return heads
