"""``cspr audit verify`` and ``cspr audit export-heads``: the tamper-evident event log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cspr.cli.common import DataDirOption, _refusals, _session, _settings

if TYPE_CHECKING:
    from core.audit_chain import SavedHeads

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
            help="Compare with these heads (a report saved with --json, or an export) instead "
            "of the latest export in CSPR_AUDIT_HEADS_DIR.",
        ),
    ] = None,
    no_heads: Annotated[
        bool,
        typer.Option(
            "--no-heads", help="Check the chains and case rows only, without saved heads."
        ),
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Recompute every event's hash and check every case row against its log; compare each
    case's chain with the latest exported heads (so deleted last events, rewritten chains and
    deleted cases show). Exit 1 naming each case that does not verify."""
    from review_flows.audit_log import verify_log

    saved, source = _heads_to_compare(against, no_heads, data_dir)
    with _refusals(), _session(data_dir) as session:
        report = verify_log(session, saved)
    if as_json:
        typer.echo(json.dumps({**report.to_dict(), "compared_with": source}, indent=2))
    else:
        typer.echo(_compared_line(source, no_heads, data_dir), err=True)
        if report.intact:
            typer.echo(f"the event log is intact: {report.events} events in {report.cases} cases")
        else:
            for found in report.breaks:
                typer.echo(f"BROKEN {found.describe()}", err=True)
            typer.echo(
                f"{report.broken_cases} of {report.cases} cases do not verify; restore them "
                "from a backup (`cspr restore`) and find out who had write access to the "
                "database",
                err=True,
            )
    if not report.intact:
        raise typer.Exit(1)


@audit_app.command("export-heads")
def export_heads_command(
    after_restore: Annotated[
        bool,
        typer.Option(
            "--after-restore",
            help="The database was restored from a backup: do not compare with the latest heads "
            "(its chains may be shorter); the chains and case rows must still verify.",
        ),
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Verify the log, then write each case's chain head to a new owner-only file in
    CSPR_AUDIT_HEADS_DIR (backups and the daily sweep do it too)."""
    from review_flows.audit_heads import export_heads

    folder = _settings(data_dir).resolved_audit_heads_dir
    with _refusals(), _session(data_dir) as session:
        path = export_heads(
            session, folder, now=dt.datetime.now(dt.UTC), after_restore=after_restore
        )
    typer.echo(f"exported the chain heads to {path}")


def _heads_to_compare(
    against: Path | None, no_heads: bool, data_dir: Path | None
) -> tuple[SavedHeads | None, str | None]:
    """The heads to compare with and the file they come from: ``--against``, else the latest
    export (none with ``--no-heads``, or if nothing was exported yet)."""
    from core.audit_chain import HeadsUnreadable, saved_heads
    from review_flows.audit_heads import latest_heads

    if against is not None and no_heads:
        typer.echo("error: give --against FILE or --no-heads, not both", err=True)
        raise typer.Exit(2)
    if no_heads:
        return None, None
    try:
        if against is not None:
            return saved_heads(against.read_text(encoding="utf-8")), str(against)
        latest = latest_heads(_settings(data_dir).resolved_audit_heads_dir)
    except (OSError, UnicodeDecodeError, HeadsUnreadable) as unreadable:
        where = f"{against}: " if against is not None else ""
        typer.echo(f"error: {where}{unreadable}", err=True)
        raise typer.Exit(2) from None
    return (latest.saved, str(latest.path)) if latest else (None, None)


def _compared_line(source: str | None, no_heads: bool, data_dir: Path | None) -> str:
    if source is not None:
        return f"compared with the chain heads in {source}"
    if no_heads:
        return "not compared with saved heads (--no-heads): chains and case rows only"
    folder = _settings(data_dir).resolved_audit_heads_dir
    return (
        f"no exported chain heads in {folder}: deleted last events and rewritten chains cannot "
        "be seen; export them with `cspr audit export-heads` (backups and the sweep do too)"
    )
