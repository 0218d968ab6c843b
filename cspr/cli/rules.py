"""``cspr rules list|show`` and ``cspr timeline``: the rulebooks, and the what-if calculator's
milestones for a hypothetical case (nothing is stored, so any dates are taken: a future date, a
missing or out-of-order step is a warning printed with the result, never a refusal).

Bad input ends with a one-line message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from core.errors import WorkbenchError
from core.settings import get_settings
from review_flows.calendar import Nation, calendar_with_overrides_file, parse_nation
from review_flows.events import Event, EventKind
from review_flows.milestones import Milestone, describe_rule, milestone_to_dict
from review_flows.rulebook import Rulebook, list_rulebooks, load_rulebook, select_rulebook
from review_flows.what_if import CALCULATOR_KINDS, what_if

rules_app = typer.Typer(
    name="rules", help="Statutory rulebooks: editions, rules, sources.", no_args_is_help=True
)

_NATIONS = ", ".join(nation.value for nation in Nation)
_KINDS = ", ".join(kind.value for kind in CALCULATOR_KINDS)
# Kinds that act on a case record rather than date a step, and what to give the calculator instead.
_NOT_FOR_WHAT_IF = {
    EventKind.CORRECTION: "give the corrected date of the event itself instead",
    EventKind.VOID: "leave the event out instead",
    EventKind.AMENDED: "give --incident or --nation instead",
}
_STATUS_STYLE = {
    "overdue": "bold red",
    "due_soon": "yellow",
    "done_late": "magenta",
    "done_on_time": "green",
    "no_time_limit": "cyan",
    "not_applicable": "dim",
    "not_started": "dim",
}


def register(app: typer.Typer) -> None:
    """Mount ``rules`` and ``timeline`` on the ``cspr`` app."""
    app.add_typer(rules_app, name="rules")
    app.command("timeline")(timeline)


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)


def _parse_date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        _fail(f"{what}: {value!r} is not a date; write YYYY-MM-DD")


def _parse_event(text: str, position: int) -> Event:
    kind_text, separator, day_text = text.partition("=")
    if not separator:
        _fail(f"--event {text!r}: write KIND=YYYY-MM-DD, e.g. --event aware=2024-03-01")
    kind_text = kind_text.strip().lower()
    try:
        kind = EventKind(kind_text)
    except ValueError:
        _fail(f"--event {text!r}: unknown event kind {kind_text!r}; use one of {_KINDS}")
    if kind in _NOT_FOR_WHAT_IF:
        _fail(f"--event {kind.value}: {_NOT_FOR_WHAT_IF[kind]}")
    return Event(kind=kind, on=_parse_date(day_text, f"--event {kind.value}"), id=position)


def _parse_nation(value: str) -> Nation:
    try:
        return parse_nation(value)
    except ValueError:
        _fail(f"--nation {value!r}: unknown nation; use one of {_NATIONS}")


def _print_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@rules_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the rulebooks with the incident dates each applies to."""
    try:
        books = list_rulebooks()
    except WorkbenchError as problem:
        _fail(str(problem))
    if as_json:
        _print_json([_summary(book) for book in books])
        return
    table = Table(title="Rulebooks")
    for header in ("id", "title", "nation", "type", "incidents from", "to", "rules"):
        # Ids and dates are what users copy: never cut or wrap them.
        table.add_column(header, no_wrap=header in {"id", "nation", "incidents from", "to"})
    for book in books:
        row = _summary(book)
        table.add_row(
            book.id,
            book.title,
            book.nation.value,
            book.review_type,
            row["in_force_from"] or "-",
            row["in_force_to"] or "-",
            str(len(book.rules)),
        )
    Console().print(table)


def _summary(book: Rulebook) -> dict[str, Any]:
    return {
        "id": book.id,
        "title": book.title,
        "nation": book.nation.value,
        "review_type": book.review_type,
        "in_force_from": book.in_force_from.isoformat() if book.in_force_from else None,
        "in_force_to": book.in_force_to.isoformat() if book.in_force_to else None,
        "rules": len(book.rules),
    }


@rules_app.command("show")
def show_command(
    ruleset: Annotated[str, typer.Argument(help="Rulebook id, e.g. england-cspr-2023.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a rulebook's rules with their sources and confidence."""
    try:
        book = load_rulebook(ruleset)
    except WorkbenchError as problem:
        _fail(f"{problem} (see `cspr rules list`)")
    if as_json:
        _print_json(_book_payload(book))
        return
    table = Table(title=f"{book.title} ({book.id})", show_lines=True)
    for header in ("milestone", "rule", "done by", "responsible", "confidence", "source"):
        table.add_column(header, overflow="fold")
    for rule in book.rules:
        table.add_row(
            rule.milestone,
            describe_rule(rule),
            ", ".join(kind.value for kind in rule.done_by) or "(time passing)",
            rule.responsible,
            rule.confidence.value,
            book.source_text(rule),
        )
    console = Console()
    console.print(table)
    for note in book.notes:
        console.print(f"Note: {note}")


def _book_payload(book: Rulebook) -> dict[str, Any]:
    payload = book.model_dump(mode="json")
    for rule, dumped in zip(book.rules, payload["rules"], strict=True):
        dumped["rule"] = describe_rule(rule)
        dumped["source"] = book.source_text(rule)
    return payload


def timeline(
    event: Annotated[
        list[str] | None,
        typer.Option(
            "--event",
            "-e",
            help="KIND=YYYY-MM-DD, repeatable, any date (future too), e.g. aware=2024-03-01.",
        ),
    ] = None,
    rules: Annotated[
        str | None, typer.Option("--rules", help="Rulebook id; default: chosen by nation + date.")
    ] = None,
    nation: Annotated[str, typer.Option("--nation", help=f"One of {_NATIONS}.")] = "england",
    incident: Annotated[
        str | None, typer.Option("--incident", help="Incident date; default the aware date.")
    ] = None,
    today: Annotated[
        str | None,
        typer.Option("--today", help="As-of date (decides each status only); default today."),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the milestones as JSON (warnings go to stderr)."),
    ] = False,
) -> None:
    """What-if calculator: milestones for a hypothetical case from any dates (nothing stored).

    Future dates are fine. A missing earlier step (a decision with no
    notification date), steps out of order, an event before the incident,
    a step given twice or one the rulebook does not use is a warning
    printed under the result, never a refusal. Only a date outside the
    calendars' years (1990 to 2100) is refused.
    """
    events = [_parse_event(text, position) for position, text in enumerate(event or [], start=1)]
    chosen_nation = _parse_nation(nation)
    as_of = _parse_date(today, "--today") if today else dt.date.today()
    incident_date = _parse_date(incident, "--incident") if incident else _default_incident(events)
    settings = get_settings()
    try:
        book = select_rulebook(chosen_nation, incident_date, pinned=rules)
        calendar = calendar_with_overrides_file(book.nation, settings.holiday_overrides_file)
        result = what_if(
            events,
            book,
            calendar,
            as_of,
            incident_date=incident_date,
            due_soon_working_days=settings.due_soon_working_days,
            local_targets=settings.local_targets,
            stalled_after=settings.stalled_after_working_days,
        )
    except WorkbenchError as problem:
        _fail(str(problem))
    if as_json:
        # stdout stays the list of milestones scripts already read; the warnings go to stderr
        _print_json([milestone_to_dict(milestone) for milestone in result.milestones])
        for warning in result.warnings:
            typer.echo(f"Warning: {warning}", err=True)
        return
    _print_timeline(book, result.milestones, as_of)
    _print_warnings(result.warnings)


def _print_warnings(warnings: Sequence[str]) -> None:
    if warnings:
        typer.echo("Warnings (the milestones above are computed from the dates as given):")
    for warning in warnings:
        typer.echo(f"- {warning}")


def _default_incident(events: list[Event]) -> dt.date:
    if not events:
        _fail("give at least one --event KIND=YYYY-MM-DD, e.g. --event aware=2024-03-01")
    aware = [e.on for e in events if e.kind is EventKind.AWARE]
    return min(aware) if aware else min(e.on for e in events)


def _print_timeline(book: Rulebook, milestones: Sequence[Milestone], as_of: dt.date) -> None:
    table = Table(
        title=f"{book.title}: milestones as of {as_of.isoformat()}",
        caption="* the later of two readings of the guidance; alerts follow the earlier one",
    )
    for header in ("milestone", "due", "done", "status", "days", "rule", "confidence"):
        table.add_column(
            header, overflow="fold", no_wrap=header in {"milestone", "due", "done", "status"}
        )
    for milestone in milestones:
        status = milestone.status.value
        table.add_row(
            milestone.milestone + ("" if milestone.alert else " *"),
            milestone.due.isoformat() if milestone.due else "-",
            milestone.done.isoformat() if milestone.done else "-",
            f"[{_STATUS_STYLE.get(status, '')}]{status}[/]" if status in _STATUS_STYLE else status,
            _days_cell(milestone),
            milestone.rule,
            milestone.confidence.value,
        )
    Console().print(table)


def _days_cell(milestone: Milestone) -> str:
    if milestone.working_days_remaining is not None:
        days = milestone.working_days_remaining
        return f"{days} WD left" if days >= 0 else f"{-days} WD late"
    if milestone.elapsed_working_days is not None:
        return f"{milestone.elapsed_working_days} WD elapsed"
    return "-"


@rules_app.command("partnership")
def partnership_command(
    partnership: Annotated[str, typer.Argument(help="Partnership name.")],
    ruleset: Annotated[
        str | None, typer.Argument(help="Rulebook id for its new cases (`cspr rules list`).")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Back to the edition in force.")] = False,
    by: Annotated[str | None, typer.Option("--by", help="Who sets it.")] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data folder for this command.")
    ] = None,
) -> None:
    """Show or set the edition a partnership's new cases take where it can govern them."""
    from cspr.cli.common import _refusals, _session, _user
    from review_flows.partnerships import (
        clear_partnership_rulebook,
        partnership_rulebooks,
        set_partnership_rulebook,
    )

    with _refusals(), _session(data_dir) as session:
        if clear:
            done = clear_partnership_rulebook(session, partnership)
            typer.echo(f"{partnership}: {'back to' if done else 'already on'} the edition in force")
            return
        if ruleset is not None:
            row = set_partnership_rulebook(session, partnership, ruleset, by=_user(by))
            typer.echo(f"{row.partnership}: new cases take {row.ruleset_id} where it applies")
            return
        chosen = {row.partnership: row.ruleset_id for row in partnership_rulebooks(session)}
    typer.echo(f"{partnership}: {chosen.get(partnership.strip(), 'the edition in force')}")
