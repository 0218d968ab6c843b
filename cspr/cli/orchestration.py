"""``cspr sweep``, ``cspr contacts``, ``cspr jobs`` and the processes: ``cspr server`` (a local
Prefect server), ``cspr serve`` (the deployments), ``cspr run`` (everything, for ``make run``)."""

from __future__ import annotations

from typing import Annotated

import typer

from cspr.cli.common import (
    DataDirOption,
    JsonOption,
    TodayOption,
    _print_json,
    _refusals,
    _session,
    _settings,
    _today,
)

contacts_app = typer.Typer(help="Partnership contacts: who reminders go to.", no_args_is_help=True)
jobs_app = typer.Typer(
    help="Work events set going: follow-ups, publications.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    from cspr.cli import processes

    app.command("sweep")(sweep_command)
    app.add_typer(contacts_app, name="contacts")
    app.add_typer(jobs_app, name="jobs")
    processes.register(app)


def sweep_command(
    today: TodayOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would go; send nothing.")
    ] = False,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Run the deadline sweep once, here (no Prefect server needed), and print what it sent."""
    from review_flows.sweep import run_sweep

    with _refusals(), _session(data_dir) as session:
        day = _today(today)
        report = run_sweep(session, today=day, settings=_settings(data_dir), dry_run=dry_run)
    result = report.to_dict()
    if as_json:
        _print_json(result)
        return
    verb = "would send" if dry_run else "sent"
    for notice in result["sent"]:
        what = (
            f"{notice['case']} {notice['milestone']} due {notice['due']}"
            if notice["case"]
            else notice["subject"]
        )
        typer.echo(
            f"{verb} {notice['kind']:<10} {notice['channel']:<5} to {notice['recipient']}: {what}"
        )
    for notice in result["failed"]:
        typer.echo(f"FAILED {notice['kind']} to {notice['recipient']}: {notice['error']}", err=True)
    typer.echo(
        f"{day.isoformat()}: {result['open_cases']} open cases; {len(result['sent'])} {verb}, "
        f"{result['skipped_already_sent']} already sent, {len(result['failed'])} failed"
        + (
            f", {result['unavailable_channel']} for email (set CSPR_SMTP_HOST)"
            if result["unavailable_channel"]
            else ""
        )
    )
    if result["failed"]:
        raise typer.Exit(1)


@contacts_app.command("add")
def contacts_add(
    partnership: Annotated[str, typer.Option("--partnership", "-p", help="Partnership.")],
    role: Annotated[str, typer.Option(help="business_manager, chair, reviewer or analyst.")],
    email: Annotated[str, typer.Option(help="Email address.")],
    channels: Annotated[
        str, typer.Option(help="inbox, email or both (comma-separated).")
    ] = "inbox,email",
    username: Annotated[str | None, typer.Option(help="App user who reads this inbox.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add a partnership contact."""
    from review_flows.cases import parse_input
    from review_flows.contacts import add_contact
    from review_flows.partnership_models import ContactCreate

    with _refusals(), _session(data_dir) as session:
        data = {
            "partnership": partnership,
            "role": role,
            "email": email,
            "channels": channels,
            "username": username,
        }
        contact = add_contact(session, parse_input(ContactCreate, data))
    typer.echo(
        f"added #{contact.id} {contact.role.value} {contact.email} of {contact.partnership} "
        f"({contact.channels})"
    )


@contacts_app.command("list")
def contacts_list(
    partnership: Annotated[str | None, typer.Option("--partnership", "-p")] = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """The contacts, by partnership and role."""
    from review_flows.contacts import list_contacts

    with _refusals(), _session(data_dir) as session:
        contacts = list_contacts(session, partnership=partnership)
    if as_json:
        _print_json([c.model_dump(mode="json") for c in contacts])
        return
    for c in contacts:
        digest = " · monthly digest" if c.digest else ""
        typer.echo(
            f"#{c.id:<4} {c.partnership:<40} {c.role.value:<17} {c.email:<40} {c.channels}{digest}"
        )
    if not contacts:
        typer.echo("no contacts; add one with `cspr contacts add`")


@contacts_app.command("remove")
def contacts_remove(
    contact_id: Annotated[int, typer.Argument(help="Contact id (`cspr contacts list`).")],
    data_dir: DataDirOption = None,
) -> None:
    """Remove a contact (notices already sent stay recorded)."""
    from review_flows.contacts import remove_contact

    with _refusals(), _session(data_dir) as session:
        contact = remove_contact(session, contact_id)
    typer.echo(
        f"removed #{contact.id} {contact.role.value} {contact.email} of {contact.partnership}"
    )


@contacts_app.command("digest")
def contacts_digest(
    contact_id: Annotated[int, typer.Argument(help="Contact id (`cspr contacts list`).")],
    on: Annotated[bool, typer.Option("--on/--off", help="Send it, or stop sending it.")] = True,
    data_dir: DataDirOption = None,
) -> None:
    """Opt a contact in to the monthly digest of new learning by email (`--off`: out)."""
    from review_flows.contacts import set_digest_opt_in

    with _refusals(), _session(data_dir) as session:
        contact = set_digest_opt_in(session, contact_id, on)
    state = "gets" if contact.digest else "does not get"
    typer.echo(f"#{contact.id} {contact.email} of {contact.partnership} {state} the digest")


@jobs_app.command("list")
def jobs_list(
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Jobs not done yet (the sweep retries them)."""
    from review_flows.jobs import pending_jobs

    with _refusals(), _session(data_dir) as session:
        jobs = pending_jobs(session)
    rows = [
        {"id": j.id, "kind": j.kind, "case_id": j.case_id, "event_id": j.event_id,
         "attempts": j.attempts, "last_error": j.last_error}
        for j in jobs
    ]  # fmt: skip
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        typer.echo(
            f"#{row['id']} {row['kind']} case {row['case_id']} event {row['event_id']} "
            f"attempts {row['attempts']} {row['last_error'] or ''}"
        )
    typer.echo(f"{len(rows)} pending")


@jobs_app.command("run")
def jobs_run(today: TodayOption = None, data_dir: DataDirOption = None) -> None:
    """Do every pending job here, now (what the sweep does after its reminders)."""
    import os

    from review_flows.dispatch import run_pending_in_process

    if data_dir is not None:
        os.environ["CSPR_DATA_DIR"] = str(data_dir)
        from core.settings import get_settings

        get_settings.cache_clear()
    with _refusals():
        result = run_pending_in_process(_today(today))
    typer.echo(f"{result['done']} done, {len(result['failed'])} failed")
    for failed in result["failed"]:
        typer.echo(f"job #{failed['job']}: {failed['error']}", err=True)
