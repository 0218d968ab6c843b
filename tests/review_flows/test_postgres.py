"""The store on PostgreSQL: the service and model tests again, the schema check and the
append-only triggers, each test in a database of its own.

Needs ``CSPR_TEST_POSTGRES_URL`` (a server where the user may CREATE DATABASE), for example
from ``eval "$(scripts/test-postgres start)"``; skipped with that reason otherwise.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from review_flows.db import build_engine, get_engine
from review_flows.migrations import prepare_database, upgrade_database

# The same tests as on SQLite, collected here again with the PostgreSQL fixtures below.
from tests.review_flows.test_access import *  # noqa: F403
from tests.review_flows.test_cases import *  # noqa: F403
from tests.review_flows.test_migrations import schema_diffs
from tests.review_flows.test_models import (  # noqa: F401
    test_case_reference_is_unique_per_partnership,
    test_enums_are_stored_as_values_and_stamps_come_back_in_utc,
    test_event_log_is_append_only_in_the_database,
    test_naive_timestamps_are_refused,
    test_orm_update_of_an_event_is_refused,
)
from tests.review_flows.test_sweep import *  # noqa: F403

SERVER_URL = os.environ.get("CSPR_TEST_POSTGRES_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not SERVER_URL,
        reason="CSPR_TEST_POSTGRES_URL is not set; start a throwaway server with "
        'eval "$(scripts/test-postgres start)"',
    ),
]


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """URL of a new, empty database on the test server; dropped afterwards."""
    name = f"cspr_test_{uuid.uuid4().hex[:12]}"
    admin = build_engine(SERVER_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(empty_pg_url: str) -> str:
    upgrade_database(empty_pg_url)
    return empty_pg_url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = build_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def test_migrated_schema_matches_the_models_on_postgres(empty_pg_url: str) -> None:
    assert prepare_database(empty_pg_url) is True
    assert schema_diffs(empty_pg_url) == []


def test_postgres_triggers_guard_the_event_log(db_url: str) -> None:
    engine = build_engine(db_url)
    with engine.connect() as connection:
        names = connection.execute(
            text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'events'::regclass "
                "AND NOT tgisinternal ORDER BY tgname"
            )
        ).scalars()
        assert list(names) == ["events_no_truncate", "events_no_update_delete"]
    engine.dispose()


def test_truncate_of_events_is_refused(session: Session, case_factory: object) -> None:
    from sqlalchemy.exc import IntegrityError

    case_factory()  # type: ignore[operator]
    with pytest.raises(IntegrityError, match="append-only"):
        session.execute(text("TRUNCATE events CASCADE"))
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM events")).scalar_one() == 1
