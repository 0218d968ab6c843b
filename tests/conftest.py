"""Shared fixtures. Area-specific fixtures live in the conftest of each test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Nothing in the test run may reach the network or a hub, or send telemetry.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_UI_ENABLED", "false")

REPO_ROOT = Path(__file__).resolve().parents[1]
POSTGRES_CONNECT_SECONDS = 5
START_POSTGRES = 'eval "$(scripts/test-postgres start)"'


#: Tests that must run on one pytest-xdist worker, by path prefix: the browser tests share one
#: `cspr run` (a session fixture), so they go to one worker, first, since they take longest.
XDIST_GROUPS = {"tests/ui/browser/": "browser"}


def xdist_unit(nodeid: str) -> str:
    """The unit of work a test belongs to: its group (:data:`XDIST_GROUPS`), else its file, so
    a module's fixtures are built once, on one worker."""
    for prefix, group in XDIST_GROUPS.items():
        if nodeid.startswith(prefix):
            return group
    return nodeid.partition("::")[0]


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Under ``--dist loadgroup``, one unit of work per :func:`xdist_unit`, the groups queued
    first. xdist 3.8's own ``loadgroup`` reads ``xdist_group`` marks from node ids that pytest
    9.2 no longer lets it rewrite, so it would spread the browser tests over both workers."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_unit(nodeid)

        def schedule(self) -> None:
            if self.collection is None and self.registered_collections:
                # a unit's first key fixes its place in the queue: the groups go first
                collected = next(iter(self.registered_collections.values()))
                for unit in dict.fromkeys(xdist_unit(nodeid) for nodeid in collected):
                    if unit in XDIST_GROUPS.values():
                        self.workqueue[unit] = {}
            super().schedule()

    return UnitScheduling(config, log)


@pytest.hookimpl(trylast=True)  # after `-m`/`-k` have deselected what will not run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``CI=true`` the PostgreSQL tests must run: no server fails the run, not a skip."""
    if os.environ.get("CI", "").strip().lower() != "true":
        return
    if not any(item.get_closest_marker("postgres") for item in items):
        return
    problem = postgres_problem(os.environ.get("CSPR_TEST_POSTGRES_URL", ""))
    if problem is not None:
        pytest.exit(
            f"CI=true and the PostgreSQL tests cannot run: {problem}. Start a throwaway server "
            f"with `{START_POSTGRES}` (it sets CSPR_TEST_POSTGRES_URL), or unset CI to let "
            "them skip.",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


def postgres_problem(url: str) -> str | None:
    """Why the test server at ``url`` cannot be used, or None when it answers a query."""
    if not url:
        return "CSPR_TEST_POSTGRES_URL is not set"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    try:
        parsed = make_url(url)
    except ArgumentError as unusable:
        return f"CSPR_TEST_POSTGRES_URL is not a database URL ({unusable})"
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() != "postgresql":
        return f"CSPR_TEST_POSTGRES_URL ({shown}) is not a PostgreSQL URL"
    engine = create_engine(parsed, connect_args={"connect_timeout": POSTGRES_CONNECT_SECONDS})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as failed:
        reason = str(getattr(failed, "orig", None) or failed).strip().splitlines()[0]
        return f"the server at {shown} does not answer ({reason})"
    finally:
        engine.dispose()
    return None


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data folder, set as ``CSPR_DATA_DIR`` with the settings cache cleared."""
    from core.settings import get_settings

    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("CSPR_DATA_DIR", str(folder))
    monkeypatch.delenv("CSPR_DATABASE_URL", raising=False)
    monkeypatch.delenv("CSPR_INDEX_DIR", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()
