"""The event log's hash chain in the store: sealing new rows, and verifying every case's chain.

The rules live in :mod:`review_flows.audit` (pure); this module reads and writes rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import select
from sqlmodel import Session

from review_flows.audit import (
    GENESIS,
    BreakKind,
    ChainBreak,
    ChainedEvent,
    chain_heads,
    event_hash,
    first_break,
    head_missing,
)
from review_flows.models import Case, CaseEvent


def chained(row: CaseEvent) -> ChainedEvent:
    """The hashed content of a stored (or about to be stored) event row."""
    return ChainedEvent.of({name: getattr(row, name) for name in ChainedEvent.__dataclass_fields__})


def seal(rows: Sequence[CaseEvent], previous: Sequence[CaseEvent]) -> None:
    """Chain new ``rows`` (in order) onto a case's ``previous`` rows: set their two hashes.

    The caller holds the case's write lock (``find_case(..., lock=True)``), so no other writer
    can chain onto the same head at the same time.
    """
    head = previous[-1].chain_hash if previous else GENESIS
    for row in rows:
        row.chain_prev = head or GENESIS
        row.chain_hash = event_hash(row.chain_prev, chained(row))
        head = row.chain_hash


@dataclass(frozen=True)
class CaseBreak:
    """A broken chain, with the case it belongs to."""

    reference: str
    partnership: str
    detail: ChainBreak

    def describe(self) -> str:
        return f"{self.partnership} {self.reference}: {self.detail.describe()}"


@dataclass(frozen=True)
class AuditReport:
    """What ``cspr audit verify`` found: cases and events checked, breaks, the chain heads."""

    cases: int
    events: int
    breaks: tuple[CaseBreak, ...]
    heads: dict[str, str] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return not self.breaks

    def to_dict(self) -> dict[str, object]:
        return {
            "intact": self.intact,
            "cases": self.cases,
            "events": self.events,
            "breaks": [
                {
                    "partnership": found.partnership,
                    "reference": found.reference,
                    "event_id": found.detail.event_id,
                    "kind": found.detail.kind.value,
                    "detail": found.describe(),
                }
                for found in self.breaks
            ],
            "heads": self.heads,
        }


def verify_log(session: Session, saved_heads: Mapping[str, str] | None = None) -> AuditReport:
    """Walk every case's events in id order and report the first break of each case; with
    ``saved_heads`` (an earlier report's heads) also each case whose saved head is no longer in
    its chain: its last events were deleted, or the whole chain rewritten."""
    names = {
        case_id: (reference, partnership)
        for case_id, reference, partnership in session.execute(
            select(Case.id, Case.reference, Case.partnership)
        )
    }
    breaks: list[CaseBreak] = []
    heads: dict[str, str] = {}
    cases = events = 0
    for case_id, group in groupby(_stored_events(session), key=lambda event: event.case_id):
        chain = list(group)
        cases += 1
        events += len(chain)
        reference, partnership = names.get(case_id, (f"case id {case_id}", "?"))
        found = first_break(chain)
        name = f"{partnership}/{reference}"
        if found is None and saved_heads and name in saved_heads:
            found = head_missing(chain, saved_heads[name])
        if found is not None:
            breaks.append(CaseBreak(reference, partnership, found))
        heads[name] = chain_heads(chain)[case_id]
    for name in sorted(set(saved_heads or ()) - set(heads)):
        partnership, _, reference = name.partition("/")
        breaks.append(CaseBreak(reference, partnership, ChainBreak(0, 0, BreakKind.CASE_GONE)))
    return AuditReport(cases=cases, events=events, breaks=tuple(breaks), heads=heads)


def _stored_events(session: Session) -> Iterator[ChainedEvent]:
    table = CaseEvent.__table__
    query = select(table).order_by(table.c.case_id, table.c.id).execution_options(yield_per=5000)
    for row in session.execute(query).mappings():
        yield ChainedEvent.of(row)
