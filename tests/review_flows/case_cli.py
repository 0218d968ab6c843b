"""``cspr case`` and ``cspr db`` under CliRunner on a temp data folder: the command
line of a new case, the runner and app fixtures, and ``run`` (exit code, stdout, stderr)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cspr.cli import cases as cli_cases
from cspr.cli import database as cli_database

NEW = [
    "case", "new", "--ref", "NSH-2026-004", "--partnership", "Northshire", "--nation", "england",
    "--incident", "2026-01-05", "--aware", "2026-01-06", "--outcome", "death",
    "--age-group", "under_1", "--cp-plan", "--by", "alice", "--today", "2026-03-31",
]  # fmt: skip
TODAY = ["--today", "2026-03-31"]


@pytest.fixture
def cli(data_dir: Path) -> CliRunner:
    return CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    cli_cases.register(app)
    cli_database.register(app)
    return app


def run(cli: CliRunner, app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr
