"""Column types and row helpers shared by every table of the app database (both halves).

``UTCDateTime`` keeps timestamps timezone-aware on every backend; ``enum_column`` stores an
enum's values; ``read_as`` reads a stored row as its public view; ``utc_now`` is the audit
stamp's clock.
"""

import datetime as dt
from enum import StrEnum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

PublicModel = TypeVar("PublicModel", bound=SQLModel)

ENUM_LENGTH = 40


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it without the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def enum_column(enum: type[StrEnum]) -> sa.Enum:
    """A VARCHAR column holding the enum's values (not its member names), no native type."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=ENUM_LENGTH,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def read_as(public: type[PublicModel], row: SQLModel) -> PublicModel:
    """The ``XPublic`` view of a stored row, without validating it again.

    Stored rows were validated when written; re-validating on read would make old rows
    unreadable if a rule (say, the reference pattern) is tightened later.
    """
    return public.model_construct(**{name: getattr(row, name) for name in public.model_fields})


def utc_now() -> dt.datetime:
    """The current time in UTC, for audit stamps (recorded_at, created_at, sent_at)."""
    return dt.datetime.now(dt.UTC)
