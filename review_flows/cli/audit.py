"""``cspr audit verify``: check every case's hash chain and name the first broken row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from review_flows.cli.cases import DataDirOption, _refusals, _session

audit_app = typer.Typer(help="The tamper-evident event log.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="The report as JSON, with each case's chain head.")
    ] = False,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="A report saved earlier with --json: also find deleted last events, rewritten "
            "chains and deleted cases.",
        ),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Recompute every event's hash; exit 1 naming the first edited, inserted or deleted row of
    each case whose chain is broken. Keep a copy of the heads (--json) to compare later."""
    from review_flows.audit_log import verify_log

    saved = _saved_heads(against) if against is not None else None
    with _refusals(), _session(data_dir) as session:
        report = verify_log(session, saved)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    elif report.intact:
        typer.echo(f"the event log is intact: {report.events} events in {report.cases} cases")
    else:
        for found in report.breaks:
            typer.echo(f"BROKEN {found.describe()}", err=True)
        typer.echo(
            f"{len(report.breaks)} of {report.cases} cases have a broken chain; restore them "
            "from a backup (`cspr restore`) and find out who had write access to the database",
            err=True,
        )
    if not report.intact:
        raise typer.Exit(1)


def _saved_heads(path: Path) -> dict[str, str]:
    from review_flows.audit import HeadsUnreadable, saved_heads

    try:
        return saved_heads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, HeadsUnreadable) as unreadable:
        typer.echo(f"error: {path}: {unreadable}", err=True)
        raise typer.Exit(2) from None
