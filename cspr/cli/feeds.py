"""``cspr feed``: the open cases' milestones as an iCalendar (.ics) file to subscribe to.

The command reads the open cases (``summarise_cases``), keeps a partnership's or a user's, and
hands them to the pure :func:`review_flows.feeds.milestones_calendar`. Written to ``--out``
atomically, so a web server publishing the file never serves half a calendar to a client
that polls mid-write; without ``--out`` the calendar goes to stdout.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from cspr.cli.common import REFUSED, DataDirOption, TodayOption, _refusals, _session, _today
from review_flows.errors import CaseDataInvalid


def register(app: typer.Typer) -> None:
    """Mount ``feed`` on the ``cspr`` app (one command, not a group)."""
    app.command("feed")(feed_command)


def feed_command(
    partnership: Annotated[
        str | None,
        typer.Option("--partnership", "-p", help="The open cases of this partnership."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Write the .ics here; default stdout."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", help="Only the cases this user owns (all partnerships unless -p)."),
    ] = None,
    today: TodayOption = None,
    data_dir: DataDirOption = None,
    include_done: Annotated[
        bool, typer.Option("--include-done", help="Also the milestones already done.")
    ] = False,
) -> None:
    """The open cases' milestones as an iCalendar feed: one all-day event per milestone due,
    with a reminder two days before; events keep their UID when a due date moves."""
    from review_flows.case_queries import summarise_cases
    from review_flows.feeds import feed_entries, milestones_calendar, owned_by

    with _refusals():
        if partnership is None and user is None:
            raise CaseDataInvalid("feed of whose cases? give --partnership P or --user USERNAME")
        day = _today(today)
        with _session(data_dir) as session:
            cases = summarise_cases(session, today=day, partnership=partnership, open_only=True)
    if user is not None:
        cases = owned_by(cases, user)
    name = _feed_name(partnership, user)
    ics = milestones_calendar(cases, name=name, as_of=day, include_done=include_done)
    if out is None:
        typer.echo(ics, nl=False)
        return
    try:
        _write_atomically(out, ics)
    except OSError as failed:
        typer.echo(f"error: cannot write {out} ({failed.strerror}); check the folder", err=True)
        raise typer.Exit(REFUSED) from None
    count = len(feed_entries(cases, include_done=include_done))
    typer.echo(f"wrote {count} milestones of {len(cases)} cases to {out}", err=True)


def _feed_name(partnership: str | None, user: str | None) -> str:
    """The calendar's display name: "CSPR milestones: Northshire, alice"."""
    return "CSPR milestones: " + ", ".join(part for part in (partnership, user) if part)


def _write_atomically(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename: readers see the old file or the new one."""
    folder = path.resolve().parent
    # a web server publishing the feed must read it: keep the old file's mode, else rw-r--r--
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", delete=False) as tmp:
        try:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
            os.chmod(tmp.name, mode)
        except BaseException:
            os.unlink(tmp.name)
            raise
    os.replace(tmp.name, path)
