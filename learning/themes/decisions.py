"""Analysts' decisions on theme tags, in the app database (table ``theme_decisions``).

Each confirm or reject is a new row (the history stays); the latest row for a review id and a
theme id is the one in force. Decisions are keyed by those two ids, never by unit ids, so a
review that is re-ingested keeps them. Migration ``0002_theme_decisions`` creates the table.

No ``from __future__ import annotations`` here: SQLModel resolves the column types at runtime.
"""

import datetime as dt
import re

from sqlmodel import Field, Session, SQLModel, col, select

from core.columns import UTCDateTime
from learning.errors import InvalidDecision
from learning.themes.values import AnalystDecision, Decision

NOTE_MAX = 2000
_NAME = re.compile(r"^\S.{0,119}$")


class ThemeDecisionRecord(SQLModel, table=True):
    """One analyst decision as recorded (append-only by use: nothing updates a row)."""

    __tablename__ = "theme_decisions"

    id: int | None = Field(default=None, primary_key=True)
    review_id: str = Field(max_length=200, index=True)
    theme_id: str = Field(max_length=64, index=True)
    decision: str = Field(max_length=16)
    decided_by: str = Field(max_length=120)
    decided_at: dt.datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=NOTE_MAX)

    def to_value(self) -> AnalystDecision:
        return AnalystDecision(
            review_id=self.review_id,
            theme_id=self.theme_id,
            decision=Decision(self.decision),
            by=self.decided_by,
            at=self.decided_at,
            note=self.note,
        )


def _check(decision: str, by: str, at: dt.datetime, note: str | None) -> Decision:
    try:
        verdict = Decision(decision)
    except ValueError as bad:
        raise InvalidDecision(f"decision {decision!r} is not 'confirm' or 'reject'") from bad
    if not _NAME.match(by or ""):
        raise InvalidDecision("say who decides (--by NAME, up to 120 characters)")
    if at.tzinfo is None:
        raise InvalidDecision("the decision time must be timezone-aware (UTC)")
    if note is not None and len(note) > NOTE_MAX:
        raise InvalidDecision(f"the note is longer than {NOTE_MAX} characters")
    return verdict


def record_decision(
    session: Session,
    *,
    review_id: str,
    theme_id: str,
    decision: str,
    by: str,
    at: dt.datetime,
    note: str | None = None,
) -> AnalystDecision:
    """Record a confirm or reject (the caller checks that the review and theme exist)."""
    verdict = _check(decision, by, at, note)
    record = ThemeDecisionRecord(
        review_id=review_id,
        theme_id=theme_id,
        decision=str(verdict),
        decided_by=by,
        decided_at=at,
        note=note,
    )
    session.add(record)
    session.commit()
    session.refresh(record)
    return record.to_value()


def latest_decisions(session: Session) -> dict[tuple[str, str], AnalystDecision]:
    """The decision in force for each (review id, theme id): the latest recorded."""
    statement = select(ThemeDecisionRecord).order_by(
        col(ThemeDecisionRecord.decided_at), col(ThemeDecisionRecord.id)
    )
    latest: dict[tuple[str, str], AnalystDecision] = {}
    for record in session.exec(statement):
        latest[(record.review_id, record.theme_id)] = record.to_value()
    return latest


def decision_history(
    session: Session, review_id: str | None = None, theme_id: str | None = None
) -> list[AnalystDecision]:
    """Every recorded decision (oldest first), optionally for one review and/or theme."""
    statement = select(ThemeDecisionRecord)
    if review_id is not None:
        statement = statement.where(ThemeDecisionRecord.review_id == review_id)
    if theme_id is not None:
        statement = statement.where(ThemeDecisionRecord.theme_id == theme_id)
    statement = statement.order_by(col(ThemeDecisionRecord.decided_at), col(ThemeDecisionRecord.id))
    return [record.to_value() for record in session.exec(statement)]


def load_decisions(database_url: str) -> dict[tuple[str, str], AnalystDecision]:
    """The decisions in force in the app database at ``database_url`` (schema made if empty)."""
    from core.db import open_session
    from core.migrations import prepare_database

    prepare_database(database_url)
    with open_session(database_url) as session:
        return latest_decisions(session)


def save_decision(
    database_url: str,
    *,
    review_id: str,
    theme_id: str,
    decision: str,
    by: str,
    at: dt.datetime,
    note: str | None = None,
) -> AnalystDecision:
    """Record one decision in the app database at ``database_url`` (see :func:`record_decision`)."""
    from core.db import open_session
    from core.migrations import prepare_database

    prepare_database(database_url)
    with open_session(database_url) as session:
        return record_decision(
            session,
            review_id=review_id,
            theme_id=theme_id,
            decision=decision,
            by=by,
            at=at,
            note=note,
        )
