"""``cspr case ...``: open cases, show a case's clocks, list cases and the manager's week.

The commands translate arguments, call one service and print (options, refusals and output:
:mod:`cspr.cli.common`). Recording events and amending a case: :mod:`cspr.cli.case_events`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from cspr.cli.case_events import add_event_commands, parse_kind
from cspr.cli.case_views import (
    due_row_to_dict,
    flat_milestone,
    flat_overview,
    overview_to_dict,
    render_overviews,
    render_timeline,
    render_week,
)
from cspr.cli.common import (
    ByOption,
    DataDirOption,
    JsonOption,
    PartnershipOption,
    TodayOption,
    _date,
    _dump,
    _print_csv,
    _print_json,
    _refusals,
    _session,
    _today,
    _user,
)
from review_flows.errors import CaseDataInvalid

case_app = typer.Typer(help="Cases: open, record events, show clocks.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount ``case`` on the ``cspr`` app."""
    app.add_typer(case_app, name="case")


@case_app.command("new")
def new_command(
    ref: Annotated[str, typer.Option("--ref", help="Pseudonymous reference, e.g. NSH-2026-004.")],
    partnership: Annotated[str, typer.Option("--partnership", help="Safeguarding partnership.")],
    nation: Annotated[str, typer.Option(help="england, wales, scotland or northern_ireland.")],
    incident: Annotated[str, typer.Option(help="Date of the incident (YYYY-MM-DD).")],
    outcome: Annotated[str, typer.Option(help="death or serious_harm.")],
    age_group: Annotated[str, typer.Option(help="under_1, 1_4, 5_9, 10_14 or 15_17.")],
    aware: Annotated[
        str | None,
        typer.Option(
            help="Date the local authority became aware (may be left out with --taken-over)."
        ),
    ] = None,
    taken_over: Annotated[
        str | None,
        typer.Option(
            "--taken-over",
            help="A case taken over at a later stage: the date it was taken over; give the steps "
            "known with --known and why the others have no date with --reason.",
        ),
    ] = None,
    known: Annotated[
        list[str] | None,
        typer.Option(
            "--known", help="With --taken-over: KIND=YYYY-MM-DD of a step known, repeatable."
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(help="With --taken-over: why the earlier steps are not recorded (no names)."),
    ] = None,
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
    """Open a case: its first event is `aware` on the --aware date; or, for a case taken over
    at a later stage (--taken-over), one `history_imported` event and the --known steps."""
    data: dict[str, Any] = {
        "reference": ref,
        "partnership": partnership,
        "nation": nation,
        "incident_date": _date(incident, "--incident"),
        "outcome": outcome,
        "age_group": age_group,
        "looked_after": looked_after,
        "child_protection_plan": cp_plan,
        "owner": owner or _user(by),
        "ruleset_id": rules,
    }
    with _refusals(), _session(data_dir) as session:
        if taken_over is None:
            record = _open_case(session, data, aware, known, reason, by, today)
        else:
            record = _open_taken_over(session, data, taken_over, aware, known, reason, by, today)
    if as_json:
        _print_json({"case": _dump(record.case), "stage": record.stage.value})
        return
    case = record.case
    typer.echo(
        f"opened {case.reference} ({case.partnership}, {case.nation.value}); "
        f"stage {record.stage.value}"
    )


def _open_case(
    session: Any,
    data: dict[str, Any],
    aware: str | None,
    known: list[str] | None,
    reason: str | None,
    by: str | None,
    today: str | None,
) -> Any:
    from review_flows.cases import create_case, parse_input
    from review_flows.models import CaseCreate

    if aware is None:
        raise CaseDataInvalid("give --aware DATE, or --taken-over DATE for a case taken over later")
    if known or reason:
        raise CaseDataInvalid("--known and --reason go with --taken-over DATE")
    data = {**data, "aware_on": _date(aware, "--aware")}
    return create_case(
        session, parse_input(CaseCreate, data), recorded_by=_user(by), today=_today(today)
    )


def _open_taken_over(
    session: Any,
    data: dict[str, Any],
    taken_over: str,
    aware: str | None,
    known: list[str] | None,
    reason: str | None,
    by: str | None,
    today: str | None,
) -> Any:
    from review_flows.case_history import CaseHistoryCreate, KnownStep, open_case_with_history
    from review_flows.cases import parse_input
    from review_flows.events import EventKind

    if not reason:
        raise CaseDataInvalid("--taken-over needs --reason: why the earlier steps have no date")
    steps = [KnownStep(EventKind.AWARE, _date(aware, "--aware"))] if aware else []
    for text in known or []:
        kind_text, _, day = text.partition("=")
        kind = parse_kind(kind_text)
        steps.append(KnownStep(kind, _date(day, f"--known {kind_text}")))
    fields = {**data, "taken_over_on": _date(taken_over, "--taken-over"), "reason": reason}
    return open_case_with_history(
        session,
        parse_input(CaseHistoryCreate, fields),
        steps,
        recorded_by=_user(by),
        today=_today(today),
    )


# `case event` and `case amend` (cspr.cli.case_events), listed between `new` and `show`
add_event_commands(case_app)


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
    from review_flows.milestones import milestone_to_dict

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


def _stage(value: str | None) -> Any:
    from review_flows.lifecycle import Stage

    if value is None:
        return None
    try:
        return Stage(value.strip().lower())
    except ValueError:
        stages = ", ".join(stage.value for stage in Stage)
        raise CaseDataInvalid(f"unknown stage {value!r}; use one of: {stages}") from None
