"""The event log's hash chain in the store: sealing new rows, and verifying every case's chain
and its case row.

The rules live in :mod:`core.audit_chain` and :mod:`core.audit_facts` (pure); this
module reads and writes rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from core.audit_chain import (
    CHAIN_SCHEME,
    GENESIS,
    BreakKind,
    ChainBreak,
    ChainedEvent,
    SavedHeads,
    event_hash,
    first_break,
    head_missing,
)
from core.audit_facts import (
    CASE_FACTS,
    Fact,
    RowValues,
    fact_mismatches,
    facts_of,
    facts_text,
    read_facts,
    replay_facts,
)
from core.db import table_of
from review_flows.events import EventKind
from review_flows.models import Case, CaseEvent

#: The case row's facts read raw: enums as text, so that a value written behind the
#: application's back is reported, not a lookup error.
CASE_ROWS = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    *(sa.column(name, sa.String) for name in CASE_FACTS if name != "incident_date"),
    sa.column("incident_date", sa.Date),
)


def chained(row: CaseEvent) -> ChainedEvent:
    """The hashed content of a stored (or about to be stored) event row."""
    return ChainedEvent.of({name: getattr(row, name) for name in ChainedEvent.__dataclass_fields__})


def record_facts(row: CaseEvent, case: Case) -> None:
    """Make ``row`` (the case's first event) record the case's facts, inside its hash."""
    row.case_facts = facts_text({name: getattr(case, name) for name in CASE_FACTS})


def seal(rows: Sequence[CaseEvent], previous: Sequence[CaseEvent]) -> None:
    """Chain new ``rows`` (in order) onto a case's ``previous`` rows: set their two hashes.
    A case's first row must record its facts first (:func:`record_facts`).

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
    """What ``cspr audit verify`` found: cases and events checked, breaks, the chain heads and
    lengths (what to save and compare with later)."""

    cases: int
    events: int
    breaks: tuple[CaseBreak, ...]
    heads: dict[str, str] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def broken_cases(self) -> int:
        """How many cases have at least one break."""
        return len({(found.partnership, found.reference) for found in self.breaks})

    def to_dict(self) -> dict[str, object]:
        return {
            "intact": self.intact,
            "scheme": CHAIN_SCHEME,
            "cases": self.cases,
            "events": self.events,
            "breaks": [
                {
                    "partnership": found.partnership,
                    "reference": found.reference,
                    "event_id": found.detail.event_id,
                    "kind": found.detail.kind.value,
                    "fields": [m.field for m in found.detail.mismatches],
                    "detail": found.describe(),
                }
                for found in self.breaks
            ],
            "heads": self.heads,
            "lengths": self.lengths,
        }


def verify_log(
    session: Session, saved_heads: SavedHeads | Mapping[str, str] | None = None
) -> AuditReport:
    """Walk every case's events in id order and report the first break of each case, and each
    case row whose facts differ from what its log says (creation facts, then amendments).
    With ``saved_heads`` (exported, or an earlier report's) also each case whose chain is now
    shorter or no longer holds its saved head (its last events were deleted, or the whole chain
    rewritten), and each case gone since."""
    saved = _as_saved(saved_heads)
    rows = {row["id"]: row for row in session.execute(select(CASE_ROWS)).mappings()}
    breaks: list[CaseBreak] = []
    heads: dict[str, str] = {}
    lengths: dict[str, int] = {}
    events = 0
    for case_id, group in groupby(_stored_events(session), key=lambda event: event.case_id):
        chain = list(group)
        events += len(chain)
        row = rows.pop(case_id, None)
        name, found = _check_case(chain, row, saved)
        partnership, _, reference = name.partition("/")
        breaks.extend(CaseBreak(reference, partnership, detail) for detail in found)
        heads[name], lengths[name] = chain[-1].chain_hash or "", len(chain)
    for case_id, row in rows.items():  # a case row left without any event
        breaks.append(
            CaseBreak(
                row["reference"], row["partnership"], ChainBreak(case_id, 0, BreakKind.NO_EVENTS)
            )
        )
    for name in sorted(set(saved.heads) - set(heads)):
        partnership, _, reference = name.partition("/")
        if not any(b.reference == reference and b.partnership == partnership for b in breaks):
            breaks.append(CaseBreak(reference, partnership, ChainBreak(0, 0, BreakKind.CASE_GONE)))
    cases = len(heads) + len(rows)
    return AuditReport(cases, events, tuple(breaks), heads, lengths)


def _check_case(
    chain: list[ChainedEvent], row: RowValues | None, saved: SavedHeads
) -> tuple[str, list[ChainBreak]]:
    """The case's name (``partnership/reference`` as its log says, else as its row does) and
    what does not hold: its chain, its saved head, its row."""
    case_id = chain[0].case_id
    found = first_break(chain)
    log = _log_facts(chain) if found is None else None
    if found is None and log is None:  # hashed, but not facts: as good as none
        found = ChainBreak(case_id, chain[0].id, BreakKind.NO_FACTS)
    named = log or (facts_of(row) if row is not None else {})
    name = f"{named.get('partnership') or '?'}/{named.get('reference') or f'case id {case_id}'}"
    if found is None and name in saved.heads:
        found = head_missing(chain, saved.heads[name], saved.lengths.get(name))
    breaks = [found] if found is not None else []
    if log is not None:
        row_facts = facts_of(row) if row is not None else dict.fromkeys(CASE_FACTS)
        mismatches = fact_mismatches(row_facts, log)
        if mismatches:
            breaks.append(ChainBreak(case_id, chain[0].id, BreakKind.ROW_CHANGED, mismatches))
    return name, breaks


def _log_facts(chain: Sequence[ChainedEvent]) -> dict[str, Fact] | None:
    """The case's facts as its (intact) log says they now read."""
    try:
        created = read_facts(chain[0].case_facts or "")
    except ValueError:
        return None
    amendments = [(e.amends, e.amended_to) for e in chain if e.kind == EventKind.AMENDED.value]
    return replay_facts(created, amendments)


def _as_saved(saved: SavedHeads | Mapping[str, str] | None) -> SavedHeads:
    if saved is None:
        return SavedHeads({})
    if isinstance(saved, SavedHeads):
        return saved
    return SavedHeads(dict(saved))


def _stored_events(session: Session) -> Iterator[ChainedEvent]:
    table = table_of(CaseEvent)
    query = select(table).order_by(table.c.case_id, table.c.id).execution_options(yield_per=5000)
    for row in session.execute(query).mappings():
        yield ChainedEvent.of(row)
