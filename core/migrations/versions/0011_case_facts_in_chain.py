"""The event log's chain covers the case row: a case's first event records the case's facts
(``case_facts``, see :mod:`core.audit_facts`) inside its hash, and every chain is
re-sealed under chain scheme 2.

Before anything changes, every existing chain is checked under scheme 1: re-sealing a chain
that was already tampered with would hide it, so the upgrade stops, naming the cases (restore
them from a backup first). The facts recorded are the case row's as it was written (rows
were never updated before this revision); the row then takes the facts as they now read
(its ``amended`` events applied), which the services keep up to date from here on.

Exported chain heads of scheme 1 no longer compare (every hash changes); export new ones
(``cspr audit export-heads``, or the next backup or sweep).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

"""

from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

from core.migrations.guards import create_append_only_guard, drop_append_only_guard

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _events(with_facts: bool) -> sa.TableClause:
    from core.columns import UTCDateTime

    columns: list[sa.ColumnClause[Any]] = [
        sa.column("id", sa.Integer),
        sa.column("case_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("on", sa.Date),
        sa.column("note", sa.String),
        sa.column("corrects", sa.Integer),
        sa.column("recorded_at", UTCDateTime),
        sa.column("recorded_by", sa.String),
        sa.column("amends", sa.String),
        sa.column("amended_to", sa.String),
        sa.column("chain_prev", sa.String),
        sa.column("chain_hash", sa.String),
    ]
    if with_facts:
        columns.append(sa.column("case_facts", sa.Text))
    return sa.table("events", *columns)


def upgrade() -> None:
    _refuse_broken_chains()
    op.add_column("events", sa.Column("case_facts", sa.Text(), nullable=True))
    drop_append_only_guard(op)
    _reseal()
    create_append_only_guard(op)


def _chains(events: sa.TableClause) -> Iterator[tuple[int, list[Any]]]:
    from core.audit_chain import ChainedEvent

    query = sa.select(events).order_by(events.c.case_id, events.c.id)
    rows = op.get_bind().execute(query).mappings()
    for case_id, group in groupby(rows, key=lambda row: row["case_id"]):
        yield case_id, [ChainedEvent.of(row) for row in group]


def _refuse_broken_chains() -> None:
    from core.audit_chain import first_break, legacy_event_hash
    from core.errors import AuditLogBroken

    broken = [
        f"case id {case_id}: {found.describe()}"
        for case_id, chain in _chains(_events(with_facts=False))
        if (found := first_break(chain, legacy_event_hash)) is not None
    ]
    if broken:
        raise AuditLogBroken(
            "the event log does not verify, so its chains are not re-sealed (that would hide "
            f"the change): {'; '.join(broken)}. Restore these cases from a backup taken before "
            "the change, then upgrade again"
        )


def _reseal() -> None:
    """Record each case's facts on its first event, bring the row to its amended facts, and
    chain every event again under scheme 2."""
    import dataclasses

    from core.audit_chain import GENESIS, event_hash
    from core.audit_facts import CASE_FACTS, facts_text

    # the cases table's fact columns, as review_flows.audit_log reads them
    case_rows = sa.table(
        "cases",
        sa.column("id", sa.Integer),
        *(sa.column(name, sa.String) for name in CASE_FACTS if name != "incident_date"),
        sa.column("incident_date", sa.Date),
    )
    connection = op.get_bind()
    cases = {row["id"]: row for row in connection.execute(sa.select(case_rows)).mappings()}
    events = _events(with_facts=True)
    sealed: list[dict[str, Any]] = []
    for case_id, chain in _chains(events):
        if case_id not in cases:
            continue
        facts = facts_text(cases[case_id])
        previous = GENESIS
        for position, event in enumerate(chain):
            content = dataclasses.replace(event, case_facts=facts if position == 0 else None)
            digest = event_hash(previous, content)
            sealed.append(
                {"row_id": event.id, "facts": content.case_facts, "prev": previous,
                 "digest": digest}
            )  # fmt: skip
            previous = digest
        _bring_row_up_to_date(case_id, chain)
    if sealed:
        connection.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(
                case_facts=sa.bindparam("facts"),
                chain_prev=sa.bindparam("prev"),
                chain_hash=sa.bindparam("digest"),
            ),
            sealed,
        )


def _bring_row_up_to_date(case_id: int, chain: Sequence[Any]) -> None:
    amended: Mapping[str, Any] = {
        event.amends: event.amended_to
        for event in chain
        if event.kind == "amended" and event.amends in ("incident_date", "nation", "owner")
    }
    if not amended:
        return
    import datetime as dt

    values = {
        field: dt.date.fromisoformat(value) if field == "incident_date" else value
        for field, value in amended.items()
    }
    cases = sa.table("cases", sa.column("id", sa.Integer), *(sa.column(f) for f in values))
    op.get_bind().execute(cases.update().where(cases.c.id == case_id).values(**values))


def downgrade() -> None:
    """Back to scheme 1: chains re-sealed without the facts (the rows keep their amended
    facts, which scheme 1 does not check)."""
    from core.audit_chain import GENESIS, legacy_event_hash

    drop_append_only_guard(op)
    events = _events(with_facts=True)
    sealed: list[dict[str, Any]] = []
    for _case_id, chain in _chains(events):
        previous = GENESIS
        for event in chain:
            digest = legacy_event_hash(previous, event)
            sealed.append({"row_id": event.id, "prev": previous, "digest": digest})
            previous = digest
    if sealed:
        op.get_bind().execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(chain_prev=sa.bindparam("prev"), chain_hash=sa.bindparam("digest")),
            sealed,
        )
    # SQLite drops columns by copying the table, which loses its triggers: set them again.
    with op.batch_alter_table("events") as batch:
        batch.drop_column("case_facts")
    create_append_only_guard(op)
