"""The store on PostgreSQL: the service and model tests again, the schema check and the
append-only triggers, each test in a database of its own.

Needs ``CSPR_TEST_POSTGRES_URL`` (a server where the user may CREATE DATABASE), for example
from ``eval "$(scripts/test-postgres start)"``; skipped with that reason otherwise, except under
``CI=true``, where tests/conftest.py fails the run instead.

Collected here: the tests that take ``session``, ``db_url`` or ``case_factory`` (a module's few
pure tests come along with a star import). Not collected, and why:

- test_backup, test_cli_case_show_list, test_cli_case_events, test_cli_database, and the CLI
  tests of test_demo, test_feeds and test_partnerships: they reach their database through the
  ``data_dir`` fixture, a SQLite file by design;
- test_migrations: written for SQLite files (``empty_url``, ``sqlite_master``); its schema
  check runs on PostgreSQL below;
- test_flows and test_flow_runs: Prefect orchestration under a test server (a minute or more
  each); the services their tasks call run here through test_sweep;
- test_calendar, test_lifecycle, test_personal_data, test_rulebook, test_sweep_plan,
  test_timeline_england, test_timeline_no_time_limit, test_timeline_core and test_week: pure,
  no database.

A star import silently shadows a name already imported: test_case_details and test_shortlists
share a test name (the first is imported again under a second name), and test_audit and
test_feeds a fixture (``three_cases`` below hands each module its own).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from core.db import build_engine, get_engine
from core.migrations import prepare_database, upgrade_database

# The same tests as on SQLite, collected here again with the PostgreSQL fixtures below.
from tests.review_flows import test_audit, test_feeds
from tests.review_flows.test_access import *  # noqa: F403
from tests.review_flows.test_audit import *  # noqa: F403
from tests.review_flows.test_audit_row import *  # noqa: F403
from tests.review_flows.test_case_actions import *  # noqa: F403
from tests.review_flows.test_case_amend import *  # noqa: F403
from tests.review_flows.test_case_details import *  # noqa: F403
from tests.review_flows.test_case_details import (  # noqa: F401  (test_shortlists has one too)
    test_a_case_out_of_scope_reads_as_missing as test_case_details_out_of_scope_reads_as_missing,
)
from tests.review_flows.test_case_queries import *  # noqa: F403
from tests.review_flows.test_case_records import *  # noqa: F403
from tests.review_flows.test_concurrent_writers import *  # noqa: F403
from tests.review_flows.test_deadlines import *  # noqa: F403
from tests.review_flows.test_demo import (  # noqa: F401
    demo_day,
    test_a_short_password_is_refused_before_anything_is_written,
    test_contacts_are_linked_to_the_demo_users,
    test_each_panel_member_sees_their_own_partnership,
    test_every_nation_stage_and_status_is_on_show,
    test_every_partnership_has_the_four_contact_roles,
    test_seeding_twice_creates_the_cases_once,
    test_the_demo_history_sets_no_follow_up_going,
    test_the_demo_holds_a_delay_a_correction_and_a_void,
    test_the_demo_users_are_created_once_with_the_password,
    test_the_reviewer_owns_a_few_cases,
    test_the_serious_case_review_is_skipped_once_2018_is_too_recent,
    test_the_sweep_fills_the_demo_inboxes,
    test_westmere_holds_a_few_english_cases,
    test_without_a_password_no_user_is_created,
)
from tests.review_flows.test_feeds import (  # noqa: F401
    test_calendar_properties_and_deterministic_order,
    test_done_milestones_are_left_out_unless_asked_for,
    test_each_event_starts_on_the_due_date_of_its_milestone,
    test_one_alarm_per_event_two_days_before,
    test_owned_by_keeps_a_users_cases_across_partnerships,
    test_summary_holds_the_reference_and_description_the_rule,
    test_uid_is_unique_and_survives_a_moved_due_date,
)
from tests.review_flows.test_inbox_notices import *  # noqa: F403
from tests.review_flows.test_migrations import schema_diffs
from tests.review_flows.test_models import (  # noqa: F401
    test_case_reference_is_unique_per_partnership,
    test_enums_are_stored_as_values_and_stamps_come_back_in_utc,
    test_event_log_is_append_only_in_the_database,
    test_naive_timestamps_are_refused,
    test_orm_update_of_an_event_is_refused,
)
from tests.review_flows.test_notice_claims import *  # noqa: F403
from tests.review_flows.test_partnerships import (  # noqa: F401
    test_new_cases_take_the_partnerships_edition_where_it_can_govern_them,
    test_setting_clearing_and_refusing,
)
from tests.review_flows.test_publication_jobs import *  # noqa: F403
from tests.review_flows.test_publication_paths import *  # noqa: F403
from tests.review_flows.test_publication_reports import *  # noqa: F403
from tests.review_flows.test_rapid_review_annex import *  # noqa: F403
from tests.review_flows.test_rapid_review_citations import *  # noqa: F403
from tests.review_flows.test_rapid_review_sections import *  # noqa: F403
from tests.review_flows.test_shared_references import *  # noqa: F403
from tests.review_flows.test_shortlists import *  # noqa: F403  (shadows a case_details name)
from tests.review_flows.test_sign_in import *  # noqa: F403
from tests.review_flows.test_sign_in_lockout import *  # noqa: F403
from tests.review_flows.test_sweep import *  # noqa: F403
from tests.review_flows.test_users import *  # noqa: F403

SERVER_URL = os.environ.get("CSPR_TEST_POSTGRES_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not SERVER_URL,
        reason="CSPR_TEST_POSTGRES_URL is not set; start a throwaway server with "
        'eval "$(scripts/test-postgres start)"',
    ),
]


def _new_database() -> str:
    name = f"cspr_test_{uuid.uuid4().hex[:12]}"
    admin = build_engine(SERVER_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    get_engine(url).dispose()
    admin = build_engine(SERVER_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = make_url(url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """URL of a new, empty database on the test server; dropped afterwards."""
    url = _new_database()
    try:
        yield url
    finally:
        _drop_database(url)


@pytest.fixture
def db_url(empty_pg_url: str) -> str:
    upgrade_database(empty_pg_url)
    return empty_pg_url


@pytest.fixture
def blank_url(empty_pg_url: str) -> str:
    """test_audit's "upgrade from every revision" starts from this empty database."""
    return empty_pg_url


@pytest.fixture
def three_cases(request: pytest.FixtureRequest, case_factory: object, today: object) -> object:
    """test_audit and test_feeds each define a ``three_cases``: each test gets its own module's."""
    if request.function.__module__ == test_feeds.__name__:
        return test_feeds.three_cases.__wrapped__(case_factory)  # type: ignore[attr-defined]
    return test_audit.three_cases.__wrapped__(case_factory, today)  # type: ignore[attr-defined]


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


@pytest.mark.slow
def test_a_pg_dump_backup_taken_while_writers_write_restores_every_case_and_event(
    db_url: str, tmp_path: Path
) -> None:
    import datetime as dt

    from sqlmodel import select

    from core.db import open_session
    from cspr.backup import restore
    from review_flows.demo import seed_demo
    from review_flows.models import Case, CaseEvent
    from tests.review_flows.test_backup import (
        _backup_while_writing,
        _restored_holds_what_the_manifest_says,
    )

    with open_session(db_url) as session:
        seed_demo(session, today=dt.date(2026, 3, 31))
    manifest, total = _backup_while_writing(db_url, tmp_path / "index", tmp_path / "backup")
    assert manifest.database == "postgresql" and manifest.events < total
    target = _new_database()
    try:
        restore(tmp_path / "backup", target, tmp_path / "restored-index")
        _restored_holds_what_the_manifest_says(target, manifest)
        with open_session(db_url) as live, open_session(target) as restored:
            assert [c.model_dump() for c in restored.exec(select(Case).order_by(Case.id))] == [
                c.model_dump() for c in live.exec(select(Case).order_by(Case.id))
            ]
            kept = [e.model_dump() for e in restored.exec(select(CaseEvent).order_by(CaseEvent.id))]
            ids = [event["id"] for event in kept]
            source = live.exec(
                select(CaseEvent).where(CaseEvent.id.in_(ids)).order_by(CaseEvent.id)
            )
            assert kept == [e.model_dump() for e in source]  # each row exactly as it was
    finally:
        _drop_database(target)
