"""``cspr db ...``: apply the migrations to the case database and show its revision."""

from __future__ import annotations

from typing import Annotated

import typer

from cspr.cli.common import DataDirOption, _database_url, _refusals, _safe

db_app = typer.Typer(help="The case database: apply migrations.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount ``db`` on the ``cspr`` app."""
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade_command(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
    data_dir: DataDirOption = None,
) -> None:
    """Apply the migrations to the database of the settings (CSPR_DATABASE_URL or CSPR_DATA_DIR)."""
    from core.migrations import upgrade_database

    url = _database_url(data_dir)
    with _refusals():
        reached = upgrade_database(url, revision)
    typer.echo(f"database {_safe(url)} is at revision {reached}")


@db_app.command("current")
def current_command(
    data_dir: DataDirOption = None,
) -> None:
    """Show the schema revision of the database and the newest one the code has."""
    from core.migrations import current_revision, head_revision

    url = _database_url(data_dir)
    with _refusals():
        current = current_revision(url)
    typer.echo(
        f"database {_safe(url)}: revision {current or 'none (empty)'}; code {head_revision()}"
    )
