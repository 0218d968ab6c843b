"""``cspr case import`` and ``cspr case export``: a partnership's tracker in and out.

The commands read the file (the service takes bytes, never a path), call one service and print
its report; refusals of the file itself (unreadable, no layout fits) exit with 2 like every
refusal. ``import`` exits with 2 too when a row was refused and ``--skip-bad`` was not given
(nothing was written), so a script can tell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cspr.cli.common import (
    REFUSED,
    ByOption,
    DataDirOption,
    TodayOption,
    _refusals,
    _session,
    _today,
    _user,
)
from review_flows.errors import CaseDataInvalid


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to the ``case`` commands (mounted by cspr.cli.cases)."""
    from cspr.cli.cases import case_app

    names = {command.name for command in case_app.registered_commands}
    if "import" not in names:
        case_app.command("import")(import_command)
        case_app.command("export")(export_command)


def import_command(
    file: Annotated[Path, typer.Argument(help="The tracker: a .xlsx workbook or a .csv file.")],
    partnership: Annotated[
        str, typer.Option("--partnership", "-p", help="The partnership the cases belong to.")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="A column-mapping file (.toml); default: the bundled layout the header fits.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")
    ] = False,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Write the good cases and skip the refused rows."),
    ] = False,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            help="The partnership's own local target for a step without a statutory limit, "
            "RULEBOOK:STEP=DAYS (e.g. wales-susr:review_completed=120), set with the cases; "
            "repeatable.",
        ),
    ] = None,
    by: ByOption = None,
    today: TodayOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Bring in the cases of an existing tracker, each row checked as `case new` and `case
    event` check it; all or nothing unless --skip-bad. Try it with --dry-run first."""
    from review_flows.tracker_import import import_tracker
    from review_flows.tracker_layouts import load_layout
    from review_flows.tracker_report import render_report

    with _refusals():
        content = _read(file)
        layout = load_layout(mapping) if mapping is not None else None
        targets = _targets(target or [])
        with _session(data_dir) as session:
            report = import_tracker(
                session, content, file.name, partnership=partnership, mapping=layout,
                dry_run=dry_run, skip_bad=skip_bad, recorded_by=_user(by), today=_today(today),
                targets=targets,
            )  # fmt: skip
    typer.echo(render_report(report))
    if report.refused and not skip_bad:
        raise typer.Exit(REFUSED)


def _targets(given: list[str]) -> dict[str, int]:
    """``RULEBOOK:STEP=DAYS`` options as the import takes them; refused in words."""
    from review_flows.errors import LocalTargetInvalid

    targets: dict[str, int] = {}
    for text in given:
        key, _, days = text.partition("=")
        if ":" not in key or not days.strip().isdigit():
            raise LocalTargetInvalid(
                f"--target {text!r}: give RULEBOOK:STEP=DAYS, e.g. wales-susr:review_completed=120"
            )
        targets[key.strip()] = int(days)
    return targets


def export_command(
    partnership: Annotated[
        str, typer.Option("--partnership", "-p", help="The partnership whose cases to write.")
    ],
    as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV (UTF-8).")] = False,
    as_xlsx: Annotated[bool, typer.Option("--xlsx", help="Write an Excel workbook.")] = False,
    layout: Annotated[
        str, typer.Option("--layout", help="per-case (a row per case) or per-event.")
    ] = "per-case",
    out: Annotated[
        Path | None, typer.Option("--out", help="The file to write; CSV only may go to stdout.")
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Write a partnership's cases as a tracker that `case import` reads back: the dates as
    the log now reads them (corrections applied, voided events left out)."""
    from review_flows.tracker_export import ExportFormat, export_tracker
    from review_flows.tracker_layouts import bundled_layouts, layout_named

    with _refusals():
        if as_csv == as_xlsx:
            raise CaseDataInvalid("choose one of --csv or --xlsx")
        fmt = ExportFormat.XLSX if as_xlsx else ExportFormat.CSV
        if fmt is ExportFormat.XLSX and out is None:
            raise CaseDataInvalid("a workbook is written to a file: add --out FILE.xlsx")
        chosen = layout_named(layout, bundled_layouts())
        with _session(data_dir) as session:
            export = export_tracker(session, partnership=partnership, layout=chosen, fmt=fmt)
        if out is None:
            typer.echo(export.content.decode("utf-8-sig"), nl=False)
        else:
            _write(out, export.content)
    for warning in export.warnings:
        typer.echo(f"note: {warning}", err=True)
    if out is not None:
        typer.echo(
            f"wrote {export.cases} case{'s' * (export.cases != 1)} of {partnership} to {out}"
        )


def _read(file: Path) -> bytes:
    from review_flows.tracker_read import MAX_FILE_BYTES

    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CaseDataInvalid(
                f"{file.name} is over {MAX_FILE_BYTES // 1_048_576} MB; a tracker is far smaller"
            )
        return file.read_bytes()
    except OSError as failed:
        raise CaseDataInvalid(f"cannot read {file}: {failed.strerror or failed}") from None


def _write(out: Path, content: bytes) -> None:
    try:
        out.write_bytes(content)
    except OSError as failed:
        raise CaseDataInvalid(f"cannot write {out}: {failed.strerror or failed}") from None
