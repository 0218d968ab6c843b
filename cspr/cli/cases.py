"""``cspr case ...`` and ``cspr db ...``: open cases, record events, show clocks; migrate the store.

The commands translate arguments, call one service and print. Refusals (a wrong date, an event
out of order, an unknown case) print one line starting ``error:`` on stderr and exit with 2;
nothing is written. The first command on an empty database creates the schema (and says so on
stderr); a database with an older schema is left alone until ``cspr db upgrade``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from core.errors import WorkbenchError
from cspr.cli.case_views import (
    csv_text,
    due_row_to_dict,
    flat_milestone,
    flat_overview,
    overview_to_dict,
    render_overviews,
    render_timeline,
    render_week,
)
from review_flows.errors import (
    CaseDataInvalid,
    CaseNotFound,
    EventAlreadyRecorded,
)
from review_flows.events import EventKind

case_app = typer.Typer(help="Cases: open, record events, show clocks.", no_args_is_help=True)
db_app = typer.Typer(help="The case database: apply migrations.", no_args_is_help=True)

REFUSED = 2

TodayOption = Annotated[
    str | None, typer.Option("--today", help="Compute as of this date (YYYY-MM-DD); default today.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Username recording this; default your login name.")
]
PartnershipOption = Annotated[
    str | None,
    typer.Option(
        "--partnership", "-p", help="Partnership of the case, if the reference is shared."
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data folder for this command (database DIR/cspr.db)."),
]


def register(app: typer.Typer) -> None:
    """Mount ``case`` and ``db`` on the ``cspr`` app."""
    app.add_typer(case_app, name="case")
    app.add_typer(db_app, name="db")


# --- db ------------------------------------------------------------------------------------------


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


# --- case ----------------------------------------------------------------------------------------


@case_app.command("new")
def new_command(
    ref: Annotated[str, typer.Option("--ref", help="Pseudonymous reference, e.g. NSH-2026-004.")],
    partnership: Annotated[str, typer.Option("--partnership", help="Safeguarding partnership.")],
    nation: Annotated[str, typer.Option(help="england, wales, scotland or northern_ireland.")],
    incident: Annotated[str, typer.Option(help="Date of the incident (YYYY-MM-DD).")],
    aware: Annotated[str, typer.Option(help="Date the local authority became aware.")],
    outcome: Annotated[str, typer.Option(help="death or serious_harm.")],
    age_group: Annotated[str, typer.Option(help="under_1, 1_4, 5_9, 10_14 or 15_17.")],
    looked_after: Annotated[
        bool, typer.Option("--looked-after", help="Child looked after.")
    ] = False,
    cp_plan: Annotated[bool, typer.Option("--cp-plan", help="Child on a protection plan.")] = False,
    rules: Annotated[
        str | None, typer.Option("--rules", help="Pin a rulebook id (`cspr rules list`).")
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(help="The user who answers for the case's deadlines; default --by."),
    ] = None,
    by: ByOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Open a case; its first event is `aware` on the --aware date."""
    from review_flows.cases import create_case, parse_input
    from review_flows.models import CaseCreate

    with _refusals(), _session(data_dir) as session:
        data = {
            "reference": ref,
            "partnership": partnership,
            "nation": nation,
            "incident_date": _date(incident, "--incident"),
            "aware_on": _date(aware, "--aware"),
            "outcome": outcome,
            "age_group": age_group,
            "looked_after": looked_after,
            "child_protection_plan": cp_plan,
            "owner": owner or _user(by),
            "ruleset_id": rules,
        }
        record = create_case(
            session, parse_input(CaseCreate, data), recorded_by=_user(by), today=_today(today)
        )
    if as_json:
        _print_json({"case": _dump(record.case), "stage": record.stage.value})
        return
    case = record.case
    typer.echo(
        f"opened {case.reference} ({case.partnership}, {case.nation.value}); "
        f"stage {record.stage.value}"
    )


def _event_help() -> str:
    from review_flows.events import KIND_DESCRIPTIONS

    width = max(len(kind.value) for kind in KIND_DESCRIPTIONS)
    lines = [f"{kind.value:<{width}}  {text}" for kind, text in KIND_DESCRIPTIONS.items()]
    return (
        "Record an event; refused (and nothing written) if it does not fit the case.\n\n"
        "KIND is one of:\n\n\b\n" + "\n".join(lines)
    )


@case_app.command("event", help=_event_help())
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
        data = {"kind": _kind(kind), "on": _date(on, "ON"), "note": note, "corrects": corrects}
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


@case_app.command("amend")
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


@case_app.command("show")
def show_command(
    ref: Annotated[str, typer.Argument(help="Case reference.")],
    today: TodayOption = None,
    partnership: PartnershipOption = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="The milestones as CSV.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """A case: its stage, its events and its milestones (due date, status, rule, source)."""
    from review_flows.case_queries import case_timeline
    from review_flows.jobs import publication_status
    from review_flows.timeline import milestone_to_dict

    day = None
    with _refusals(), _session(data_dir) as session:
        day = _today(today)
        timeline = case_timeline(session, ref, today=day, partnership=partnership)
        publication = publication_status(session, timeline.case.id)
    if as_json:
        _print_json(
            {
                "case": _dump(timeline.case),
                "stage": timeline.stage.value,
                "ruleset": timeline.ruleset_id,
                "today": day.isoformat(),
                "events": [_dump(event) for event in timeline.events],
                "milestones": [milestone_to_dict(m) for m in timeline.milestones],
                "publication": publication,
            }
        )
        return
    if as_csv:
        _print_csv(
            [
                {
                    "reference": timeline.case.reference,
                    "as_of": day.isoformat(),
                    "ruleset": timeline.ruleset_id,
                    **flat_milestone(milestone_to_dict(m)),
                }
                for m in timeline.milestones
            ]  # fmt: skip
        )
        return
    typer.echo(render_timeline(timeline, day))
    if publication:
        typer.echo(f"\npublication: {publication}")


@case_app.command("list")
def list_command(
    partnership: Annotated[str | None, typer.Option(help="Only this partnership.")] = None,
    open_only: Annotated[
        bool, typer.Option("--open", help="The manager's week: every pending milestone.")
    ] = False,
    due_within: Annotated[
        int | None,
        typer.Option(
            "--due-within", min=0, help="Milestones due within N working days (and overdue)."
        ),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue milestones.")] = False,
    stage: Annotated[str | None, typer.Option(help="Only cases at this stage.")] = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Cases with their stage, next milestone due and worst status; with --open (or
    --due-within, --overdue) the manager's week: every pending milestone of the open cases,
    most urgent first."""
    from review_flows.case_queries import due_this_week, summarise_cases

    week = open_only or due_within is not None or overdue
    with _refusals(), _session(data_dir) as session:
        day = _today(today)
        if week:
            rows = due_this_week(
                session, today=day, partnership=partnership, due_within=due_within,
                overdue_only=overdue,
            )  # fmt: skip
        else:
            overviews = summarise_cases(
                session, today=day, partnership=partnership, stage=_stage(stage)
            )
    if not week:
        _print_overviews(overviews, day, as_json, as_csv)
        return
    records = [due_row_to_dict(row) for row in rows]
    if as_json:
        _print_json({"as_of": day.isoformat(), "milestones": records})
    elif as_csv:
        _print_csv(records)
    else:
        typer.echo(render_week(rows, day))


def _print_overviews(overviews: list[Any], day: dt.date, as_json: bool, as_csv: bool) -> None:
    if as_json:
        _print_json([overview_to_dict(overview) for overview in overviews])
    elif as_csv:
        _print_csv([flat_overview(overview) for overview in overviews])
    else:
        typer.echo(render_overviews(overviews, day))


# --- helpers -------------------------------------------------------------------------------------


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn the library's named errors into one line on stderr and exit code 2."""
    try:
        yield
    except CaseNotFound as missing:  # the one message of the services, and where to look
        typer.echo(f"error: {missing}; `cspr case list` shows the cases", err=True)
        raise typer.Exit(REFUSED) from None
    except WorkbenchError as refused:
        typer.echo(f"error: {refused}", err=True)
        raise typer.Exit(REFUSED) from None
    except DBAPIError as failed:
        reason = str(failed.orig).splitlines()[0] if failed.orig else str(failed)
        typer.echo(
            f"error: the database refused or could not be reached ({reason}); "
            "check CSPR_DATABASE_URL and run `cspr db upgrade`",
            err=True,
        )
        raise typer.Exit(REFUSED) from None


@contextmanager
def _session(data_dir: Path | None = None) -> Iterator[Session]:
    from core.db import open_session
    from core.migrations import prepare_database

    url = _database_url(data_dir)
    if prepare_database(url):
        typer.echo(f"created the case database at {_safe(url)}", err=True)
    with open_session(url) as session:
        yield session


def _database_url(data_dir: Path | None = None) -> str:
    """The settings' database URL; with ``--data-dir`` the SQLite file in that folder (an
    explicit CSPR_DATABASE_URL still wins)."""
    return _settings(data_dir).resolved_database_url


def _settings(data_dir: Path | None = None) -> Any:
    """The settings, with ``--data-dir`` applied."""
    from core.settings import get_settings

    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CaseDataInvalid(f"{name}: {value!r} is not a date; write YYYY-MM-DD") from None


def _today(value: str | None) -> dt.date:
    return _date(value, "--today") if value else dt.date.today()


def _kind(value: str) -> EventKind:
    try:
        return EventKind(value.strip().lower().replace("-", "_"))
    except ValueError:
        kinds = ", ".join(kind.value for kind in EventKind)
        raise CaseDataInvalid(f"unknown event kind {value!r}; use one of: {kinds}") from None


def _stage(value: str | None) -> Any:
    from review_flows.lifecycle import Stage

    if value is None:
        return None
    try:
        return Stage(value.strip().lower())
    except ValueError:
        stages = ", ".join(stage.value for stage in Stage)
        raise CaseDataInvalid(f"unknown stage {value!r}; use one of: {stages}") from None


def _user(value: str | None) -> str:
    if value:
        return value
    try:
        login = getpass.getuser().lower()
    except (OSError, KeyError):
        return "cli"
    return login if re.fullmatch(r"[a-z0-9][a-z0-9_.@-]{1,63}", login) else "cli"


def _dump(model: Any) -> dict[str, Any]:
    return dict(model.model_dump(mode="json"))


def _print_csv(records: list[dict[str, Any]]) -> None:
    typer.echo(csv_text(records), nl=False)


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))
