"""Migrations: an empty database upgraded to head matches the models exactly, and commands
create the schema only where that is safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table, inspect, text

from core.db import build_engine
from core.errors import DatabaseNotReady
from core.migrations import (
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    head_revision,
    prepare_database,
    upgrade_database,
)
from cspr.schema import load_models

STORE_TABLES = {
    "actions",
    "cases",
    "contacts",
    "events",
    "jobs",
    "notices",
    "shortlist_items",
    "users",
}


def schema_diffs(url: str) -> list:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, load_models())
    finally:
        engine.dispose()


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


def test_upgrade_creates_tables_that_match_the_models(empty_url: str) -> None:
    assert current_revision(empty_url) is None
    assert upgrade_database(empty_url) == head_revision()
    engine = build_engine(empty_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert tables == STORE_TABLES | set(load_models().tables) | {"alembic_version"}
    assert schema_diffs(empty_url) == []


def test_compare_metadata_would_see_a_difference(empty_url: str) -> None:
    """The no-diff check above is meaningful: a missing column shows up."""
    upgrade_database(empty_url)
    engine = build_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE actions DROP COLUMN evidence"))
    engine.dispose()
    (diff,) = schema_diffs(empty_url)
    assert (diff[0], diff[2], diff[3].name) == ("add_column", "actions", "evidence")


def test_first_revision_is_the_store() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_base() == "0001"
    assert "cases" in (MIGRATIONS_DIR / "versions" / "0001_initial.py").read_text()


def test_downgrade_to_base_and_up_again(empty_url: str) -> None:
    upgrade_database(empty_url)
    upgrade_database(empty_url)  # a second upgrade is a no-op
    config = alembic_config(empty_url)
    command.downgrade(config, "base")
    engine = build_engine(empty_url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    upgrade_database(empty_url)
    assert schema_diffs(empty_url) == []


def test_triggers_come_with_the_migration(empty_url: str) -> None:
    upgrade_database(empty_url)
    engine = build_engine(empty_url)
    with engine.connect() as connection:
        names = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        ).scalars()
        assert list(names) == ["events_no_delete", "events_no_update"]
    engine.dispose()


def test_prepare_creates_an_empty_database_once(empty_url: str) -> None:
    assert prepare_database(empty_url) is True
    assert prepare_database(empty_url) is False
    assert current_revision(empty_url) == head_revision()


def test_prepare_refuses_a_database_it_did_not_make(empty_url: str) -> None:
    engine = build_engine(empty_url)
    Table("legacy", MetaData(), Column("id", Integer, primary_key=True)).create(engine)
    engine.dispose()
    with pytest.raises(DatabaseNotReady, match=r"has tables \(legacy\) but no migration history"):
        prepare_database(empty_url)


def test_prepare_refuses_an_older_schema(empty_url: str) -> None:
    upgrade_database(empty_url)
    engine = build_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    engine.dispose()
    with pytest.raises(DatabaseNotReady, match=r"at schema revision 0000.*run `cspr db upgrade`"):
        prepare_database(empty_url)


def test_developer_ini_finds_the_scripts() -> None:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    assert ScriptDirectory.from_config(config).get_current_head() == head_revision()
    assert (MIGRATIONS_DIR / "script.py.mako").read_text().count("import sqlmodel") == 1
