"""``cspr backup DIR`` and ``cspr restore DIR``: the case database and the learning index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cspr.cli.common import DataDirOption, _refusals, _settings


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


def backup_command(
    target: Annotated[Path, typer.Argument(help="A new folder for the backup.")],
    data_dir: DataDirOption = None,
) -> None:
    """Copy the database and the index into TARGET, consistent while the system runs."""
    from cspr.backup import backup

    settings = _settings(data_dir)
    with _refusals():
        manifest = backup(
            settings.resolved_database_url, settings.resolved_index_dir, target,
            now=dt.datetime.now(dt.UTC), heads_dir=settings.resolved_audit_heads_dir,
        )  # fmt: skip
    index = "and the index " if manifest.index else ""
    typer.echo(
        f"backed up {manifest.cases} cases, {manifest.events} events {index}to {target} "
        f"(schema {manifest.revision})"
    )


def restore_command(
    source: Annotated[Path, typer.Argument(help="A folder made by `cspr backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds cases.")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Put a backup back (stop the app and the flows first): checked first, then swapped in."""
    from cspr.backup import restore

    settings = _settings(data_dir)
    with _refusals():
        restored = restore(
            source, settings.resolved_database_url, settings.resolved_index_dir, force=force,
            now=dt.datetime.now(dt.UTC),
        )  # fmt: skip
    manifest = restored.manifest
    typer.echo(
        f"restored {manifest.cases} cases and {manifest.events} events from {source} "
        f"(made {manifest.created_at}, every file's SHA-256 and the copies checked); the data "
        f"it replaced is kept in {restored.previous} until the next restore; run "
        "`cspr db upgrade` if the code is newer"
    )
