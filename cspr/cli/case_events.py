"""``cspr case event`` and ``cspr case amend``: append to a case's log an event (a step, a
correction or a void) or the ``amended`` events that fix its facts or hand it to another owner.
Mounted on ``cspr case`` by :mod:`cspr.cli.cases`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cspr.cli.common import (
    ByOption,
    DataDirOption,
    JsonOption,
    PartnershipOption,
    TodayOption,
    _date,
    _dump,
    _print_json,
    _refusals,
    _session,
    _settings,
    _today,
    _user,
)
from review_flows.errors import CaseDataInvalid, EventAlreadyRecorded
from review_flows.events import EventKind


def add_event_commands(case_app: typer.Typer) -> None:
    """Mount ``event`` and ``amend`` on the ``case`` app."""
    case_app.command("event", help=_event_help())(event_command)
    case_app.command("amend")(amend_command)


def _event_help() -> str:
    from review_flows.events import KIND_DESCRIPTIONS

    width = max(len(kind.value) for kind in KIND_DESCRIPTIONS)
    lines = [f"{kind.value:<{width}}  {text}" for kind, text in KIND_DESCRIPTIONS.items()]
    return (
        "Record an event; refused (and nothing written) if it does not fit the case.\n\n"
        "KIND is one of:\n\n\b\n" + "\n".join(lines)
    )


def event_command(
    ref: Annotated[str, typer.Argument(help="Case reference.")],
    kind: Annotated[str, typer.Argument(help="Event kind, e.g. notified (see --help).")],
    on: Annotated[str, typer.Argument(help="Date it happened (YYYY-MM-DD).")],
    note: Annotated[
        str | None,
        typer.Option("--note", "--reason", help="Note; required for delay_recorded and void."),
    ] = None,
    corrects: Annotated[
        int | None,
        typer.Option(
            "--corrects", "--voids", help="Event id a correction or void acts on (`case show`)."
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="With published: the report's file, ingested into the learning index."
        ),
    ] = None,
    by: ByOption = None,
    today: TodayOption = None,
    partnership: PartnershipOption = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Record an event; refused (and nothing written) if it does not fit the case."""
    from core.columns import utc_now
    from review_flows.case_queries import get_case
    from review_flows.case_rows import find_case
    from review_flows.cases import late_notices, parse_input, record_event
    from review_flows.dispatch import dispatch_event_jobs
    from review_flows.models import CaseEventCreate
    from review_flows.publications import operator_report

    with _refusals(), _session(data_dir) as session:
        data = {"kind": parse_kind(kind), "on": _date(on, "ON"), "note": note, "corrects": corrects}
        parsed = parse_input(CaseEventCreate, data)
        case = find_case(session, ref, partnership) if report is not None else None
        try:
            # the operator's file is copied into the publications folder the job reads
            with operator_report(
                report, case, parsed.kind, now=utc_now(), settings=_settings(data_dir)
            ) as stored:
                event = record_event(
                    session,
                    ref,
                    parsed,
                    recorded_by=_user(by),
                    # --today reads clocks as of a date; it never lets a future event in
                    today=min(_today(today), dt.date.today()),
                    partnership=partnership,
                    report_path=stored,
                )
        except EventAlreadyRecorded as twice:
            raise EventAlreadyRecorded(
                f"{data['kind']} is already recorded (#{twice.event_id} on {twice.on}); to "
                f"change its date: cspr case event {ref} correction YYYY-MM-DD "
                f"--corrects {twice.event_id}",
                event_id=twice.event_id,
                on=twice.on,
            ) from None
        notices = late_notices(session, ref, event, partnership=partnership)
        stage = get_case(session, ref, partnership=partnership).stage
        jobs = dispatch_event_jobs(session, event.id, _settings(data_dir))
    if as_json:
        _print_json(
            {
                "event": _dump(event),
                "stage": stage.value,
                "late": notices,
                "jobs": [{"id": job.id, "kind": job.kind} for job in jobs],
            }
        )
        return
    typer.echo(
        f"recorded #{event.id} {event.kind.value} on {event.on.isoformat()} for {ref}; "
        f"stage now {stage.value}"
    )
    for notice in notices:
        typer.echo(f"late: {notice}")
    if any(job.kind == "publish" for job in jobs):
        typer.echo("the report is being ingested into the learning index (`case show` says when)")


def amend_command(
    ref: Annotated[str, typer.Argument(help="Case reference.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the case's facts change.")],
    incident: Annotated[
        str | None, typer.Option("--incident-date", help="The right incident date (YYYY-MM-DD).")
    ] = None,
    nation: Annotated[
        str | None, typer.Option("--nation", help="The right nation (england, wales, ...).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Hand the case to this user (a username).")
    ] = None,
    by: ByOption = None,
    partnership: PartnershipOption = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Fix a case's incident date or nation, or hand it to another owner: appended to its log
    as `amended` events (the case row follows in the same transaction); refused (nothing
    written) if its events or rulebook no longer fit."""
    from review_flows.case_queries import get_case
    from review_flows.cases import amend_case

    with _refusals(), _session(data_dir) as session:
        events = amend_case(
            session,
            ref,
            reason=reason,
            recorded_by=_user(by),
            today=dt.date.today(),
            incident_date=_date(incident, "--incident-date") if incident else None,
            nation=nation,
            owner=owner,
            partnership=partnership,
        )
        record = get_case(session, ref, partnership=partnership)
    if as_json:
        _print_json({"events": [_dump(e) for e in events], "case": _dump(record.case)})
        return
    for event in events:
        typer.echo(f"recorded #{event.id} amended: {event.amends} is now {event.amended_to}")
    typer.echo(
        f"{ref}: incident {record.case.incident_date.isoformat()}, {record.case.nation.value}"
    )


def parse_kind(value: str) -> EventKind:
    """An event kind as typed (any case, hyphens or underscores); refused naming the kinds."""
    try:
        return EventKind(value.strip().lower().replace("-", "_"))
    except ValueError:
        # a history is only imported with a case, never recorded as an event
        kinds = ", ".join(k.value for k in EventKind if k is not EventKind.HISTORY_IMPORTED)
        raise CaseDataInvalid(f"unknown event kind {value!r}; use one of: {kinds}") from None
