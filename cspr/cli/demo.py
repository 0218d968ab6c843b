"""``cspr demo``: seed the fictional demo cases, contacts and, with ``CSPR_DEMO_PASSWORD`` set,
the demo users (see :mod:`review_flows.demo`).

Safe to run again: cases, contacts and users already there are left alone. The demo users'
names are printed, never their password. Refusals print one line starting ``error:`` on stderr
and exit with 2, as the case commands do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from core.settings import get_settings
from cspr.cli.common import (
    DataDirOption,
    JsonOption,
    TodayOption,
    _database_url,
    _print_json,
    _refusals,
    _safe,
    _session,
    _today,
)
from review_flows.errors import CaseDataInvalid

if TYPE_CHECKING:
    from review_flows.demo import DemoReport


def register(app: typer.Typer) -> None:
    """Mount ``demo`` on the ``cspr`` app."""
    app.command("demo")(demo_command)


def demo_command(
    today: TodayOption = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Username recording the demo events (default: the owner)."),
    ] = None,
) -> None:
    """Seed about 30 fictional cases in four nations, dated relative to today so that some
    milestones are due this week, some overdue, some done on time and some late; with the
    contacts of each partnership, and with CSPR_DEMO_PASSWORD set a demo user per role.
    Running it again adds nothing."""
    from review_flows.demo import seed_demo

    with _refusals():
        day = _seed_day(today)
        secret = get_settings().demo_password
        password = secret.get_secret_value() if secret is not None else None
        with _session(data_dir) as session:
            report = seed_demo(session, today=day, recorded_by=by, password=password)
    database = _safe(_database_url(data_dir))
    if as_json:
        _print_json({**dataclasses.asdict(report), "today": day.isoformat(), "database": database})
        return
    skipped = f", {report.cases_skipped} skipped" if report.cases_skipped else ""
    typer.echo(
        f"seeded {report.cases_created} cases ({report.cases_existing} already there{skipped}), "
        f"{report.contacts_created} contacts, {report.events_recorded} events in {database}"
    )
    typer.echo(_users_line(report))


def _users_line(report: DemoReport) -> str:
    """Which demo users there are to sign in as (never the password itself)."""
    if not report.password_set:
        return "no demo users: set CSPR_DEMO_PASSWORD to create them"
    parts = []
    if report.users_created:
        parts.append(f"demo users created: {', '.join(report.users_created)}")
    if report.users_existing:
        parts.append(f"already there (left as they were): {', '.join(report.users_existing)}")
    return "; ".join(parts) + " (their password: the value of CSPR_DEMO_PASSWORD)"


def _seed_day(value: str | None) -> dt.date:
    """The date to seed as of: never after the real today, since every demo event but a
    planned publication is recorded as having happened."""
    day = _today(value)
    if day > dt.date.today():
        raise CaseDataInvalid(
            f"--today {day.isoformat()} is in the future; the demo records events as having "
            "happened, so seed as of today (or an earlier date) and read later dates with "
            "`cspr case list --today`"
        )
    return day
