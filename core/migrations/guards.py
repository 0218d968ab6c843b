"""Database triggers that make the event log append-only (SQLite and PostgreSQL).

The store has no function that updates or deletes an event; these triggers make the database
itself refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) of ``events``, whoever connects.
Both raise an integrity error whose message says "append-only".
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

MESSAGE = "events are append-only: record a correction instead"

_SQLITE = (
    f"""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
)
_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS events_no_update",
    "DROP TRIGGER IF EXISTS events_no_delete",
)

_POSTGRES = (
    f"""CREATE OR REPLACE FUNCTION cspr_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END
    $$""",
    """CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION cspr_events_append_only()""",
    """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION cspr_events_append_only()""",
)
_POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS events_no_truncate ON events",
    "DROP TRIGGER IF EXISTS events_no_update_delete ON events",
    "DROP FUNCTION IF EXISTS cspr_events_append_only()",
)


def create_append_only_guard(op: Any) -> None:
    """Add the triggers in a migration (``op`` is ``alembic.op``)."""
    for statement in _statements(op, _SQLITE, _POSTGRES):
        op.execute(statement)


def drop_append_only_guard(op: Any) -> None:
    """Remove the triggers (for a downgrade)."""
    for statement in _statements(op, _SQLITE_DROP, _POSTGRES_DROP):
        op.execute(statement)


def _statements(op: Any, sqlite: tuple[str, ...], postgres: tuple[str, ...]) -> tuple[str, ...]:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        return sqlite
    if dialect == "postgresql":
        return postgres
    logger.warning("no append-only trigger for %s: the event log is guarded by code only", dialect)
    return ()
