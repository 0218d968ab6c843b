"""``cspr rules target``: a partnership's own local targets, in working days, for the steps the
guidance sets no statutory time limit for (Wales, Scotland, Northern Ireland; a few in England).

Mounted on ``cspr rules`` (whose other commands live in :mod:`cspr.cli.rules`). Refusals print
one ``error:`` line on stderr and exit with 2; nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cspr.cli.common import ByOption, DataDirOption, _refusals, _session, _settings, _user
from cspr.cli.rules import rules_app

if TYPE_CHECKING:
    from sqlmodel import Session


def register(app: typer.Typer) -> None:
    """Add ``target`` to the ``cspr rules`` group (``app`` mounts that group already)."""
    rules_app.command("target")(target_command)


def target_command(
    partnership: Annotated[str, typer.Argument(help="Partnership name.")],
    step: Annotated[
        str | None,
        typer.Argument(
            help="RULEBOOK:MILESTONE, e.g. wales-cpr:review_completed (`cspr rules show`)."
        ),
    ] = None,
    days: Annotated[int | None, typer.Argument(help="Target in working days (1-500).")] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Remove the partnership's own target for STEP.")
    ] = False,
    by: ByOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Show a partnership's local targets, or set or clear its own target for one step."""
    from review_flows.errors import LocalTargetInvalid
    from review_flows.partnership_targets import (
        clear_partnership_target,
        set_partnership_target,
        step_label,
    )

    with _refusals(), _session(data_dir) as session:
        if step is None:
            if clear or days is not None:
                raise LocalTargetInvalid("name the step: RULEBOOK:MILESTONE, then the days")
            _show(session, partnership, data_dir)
            return
        ruleset_id, separator, milestone = step.partition(":")
        if not separator or not ruleset_id or not milestone:
            raise LocalTargetInvalid(
                f"{step!r}: write RULEBOOK:MILESTONE, e.g. wales-cpr:review_completed"
            )
        if clear:
            done = clear_partnership_target(
                session, partnership, ruleset_id, milestone, by=_user(by)
            )
            what = "removed" if done else "was not set"
            typer.echo(f"{partnership}: own local target for {step} {what}")
            return
        if days is None:
            raise LocalTargetInvalid(f"give the target in working days after {step}, or --clear")
        row = set_partnership_target(
            session, partnership, ruleset_id, milestone, days, by=_user(by)
        )
        typer.echo(
            f"{row.partnership}: local target for \u201c{step_label(ruleset_id, milestone)}\u201d "
            f"({ruleset_id}) set to {row.working_days} working days"
        )


def _show(session: Session, partnership: str, data_dir: Path | None) -> None:
    from review_flows.partnership_targets import partnership_targets, step_label

    own = partnership_targets(session, partnership)
    shared: dict[str, int] = _settings(data_dir).local_targets
    own_keys = {f"{row.ruleset_id}:{row.milestone}" for row in own}
    lines = [
        f"  {row.ruleset_id}:{row.milestone}  {row.working_days} working days  "
        f"\u201c{step_label(row.ruleset_id, row.milestone)}\u201d  (own, set by {row.set_by} "
        f"on {row.set_at:%Y-%m-%d})"
        for row in own
    ]
    lines += [
        f"  {key}  {value} working days  (CSPR_LOCAL_TARGETS, every partnership)"
        for key, value in sorted(shared.items())
        if key not in own_keys
    ]
    if not lines:
        typer.echo(f"{partnership.strip()}: no local targets")
        return
    typer.echo(f"{partnership.strip()}: local targets (working days)")
    typer.echo("\n".join(lines))
