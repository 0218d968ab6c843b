"""Schema migrations of the case store (Alembic), configured in code so that
``cspr db upgrade`` works from any folder once the package is installed.

:func:`upgrade_database` applies every migration; :func:`prepare_database` is what commands
call before they touch the store: it creates the schema in an empty database and refuses
(:class:`DatabaseNotReady`) one whose schema is older than the code.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from core.db import get_engine
from core.errors import DatabaseNotReady

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the bundled migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.attributes["url"] = url
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise DatabaseNotReady(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None if it was never migrated."""
    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_database(url: str, revision: str = "head") -> str:
    """Apply the migrations up to ``revision`` to the database at ``url``; return its revision."""
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    reached = current_revision(url)
    logger.info("database %s at revision %s", _safe(url), reached)
    return reached or ""


def prepare_database(url: str) -> bool:
    """Make the database at ``url`` ready for the store; True if it had to create the schema.

    An empty database gets every migration. One at an older revision, or with tables but no
    migration history, raises :class:`DatabaseNotReady` (run ``cspr db upgrade``): upgrading a
    database that holds cases is left to a deliberate command.
    """
    current = current_revision(url)
    if current == head_revision():
        return False
    if current is None:
        tables = inspect(get_engine(url)).get_table_names()
        if tables:
            raise DatabaseNotReady(
                f"the database {_safe(url)} has tables ({', '.join(sorted(tables)[:5])}) but no "
                "migration history; point CSPR_DATABASE_URL at an empty database"
            )
        upgrade_database(url)
        return True
    raise DatabaseNotReady(
        f"the database {_safe(url)} is at schema revision {current}, the code needs "
        f"{head_revision()}: run `cspr db upgrade` (back it up first)"
    )


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)
