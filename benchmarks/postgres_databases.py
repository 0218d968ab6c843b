"""Throwaway PostgreSQL databases for the workers benchmark: the server (on
``CSPR_TEST_POSTGRES_URL`` or started by ``scripts/test-postgres start``), and a fresh database
created and dropped per run.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]


def postgres_server() -> tuple[str, bool]:
    """The PostgreSQL server's URL, and whether this started it (so must stop it)."""
    url = os.environ.get("CSPR_TEST_POSTGRES_URL", "")
    if url:
        return url, False
    done = subprocess.run(
        [str(REPO / "scripts" / "test-postgres"), "start"], capture_output=True, text=True
    )
    for line in done.stdout.splitlines():
        if "CSPR_TEST_POSTGRES_URL=" in line:
            return line.split("=", 1)[1].strip(), True
    raise RuntimeError(f"no PostgreSQL server could be started: {done.stderr.strip()}")


def create_database(server_url: str, prefix: str) -> str:
    from core.db import build_engine

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = build_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    from core.db import build_engine, get_engine

    get_engine(url).dispose()
    name = make_url(url).database
    admin = build_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
