"""``cspr themes retrain`` and ``cspr themes tagger``: the learned tagger from the command line.

Train it now from the analysts' decisions (and, for a cold start, a file of labels the
organisation already has); say which tagger makes the tags; go back to the zero-shot tagger, or
forward again. Registered on ``cspr themes`` by :mod:`cspr.cli.themes`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cspr.cli.library import AsJson, DataDir, _print_json
from cspr.cli.themes import _run, _settings, app
from learning import runtime
from learning.themes.learned_head import TaggerChoice

if TYPE_CHECKING:
    from learning.themes.retraining import TaggerStatus, TrainingReport

LabelsOpt = Annotated[
    Path | None,
    typer.Option(
        "--labels",
        help="CSV of review_id, theme_id[, grade]: labels to train on besides the decisions "
        "(a listed review's other themes count as rejected).",
    ),
]
UseOpt = Annotated[
    TaggerChoice | None,
    typer.Option("--use", help="learned, or zero-shot (the way back) for this data folder."),
]


def _print_report(report: TrainingReport) -> None:
    typer.echo(
        f"trained {report.version} on {report.decisions} decisions ({report.examples} labelled "
        f"review-theme pairs): {len(report.learned)} themes learned, "
        f"{len(report.left_zero_shot)} stay zero-shot"
    )
    for theme_id, why in sorted(report.left_zero_shot.items()):
        typer.echo(f"  {theme_id}: zero-shot ({why})")


@app.command("retrain")
def retrain_command(
    labels: LabelsOpt = None, data_dir: DataDir = None, as_json: AsJson = False
) -> None:
    """Train the learned tagger now from the analysts' decisions (the flow does it as they
    accumulate); the tags use it from the next time they are read."""

    def body() -> None:
        from learning.themes.head_store import tagger_in_use
        from learning.themes.retraining import retrain_tagger

        settings = _settings(data_dir)
        report = retrain_tagger(
            settings, lambda: runtime.build_encoder(), now=datetime.now(UTC),
            labels_file=labels,
        )  # fmt: skip
        if as_json:
            _print_json(report.to_dict())
            return
        _print_report(report)
        in_use = tagger_in_use(settings.theme_tagger, settings.data_dir)
        if in_use.choice is TaggerChoice.ZERO_SHOT:
            typer.echo(f"not in use: the zero-shot tagger makes the tags ({in_use.reason})")

    _run(body)


def _print_status(status: TaggerStatus) -> None:
    typer.echo(f"tags made by: {status.in_use.choice} tagger ({status.in_use.reason})")
    typer.echo(f"version on the tags: {status.version}")
    head = status.head
    if head is not None:
        learned = ", ".join(model.theme_id for model in head.models) or "none"
        typer.echo(
            f"learned head: {head.version}, trained {head.trained_at} on {head.decisions} "
            f"decisions; themes learned: {learned}"
        )
    elif status.problem:
        typer.echo(f"learned head: not usable ({status.problem}); retrain it")
    else:
        typer.echo("learned head: none trained yet (tags are zero-shot until it is)")
    if status.check is not None:
        typer.echo(
            f"decisions since its training: {status.check.since} "
            f"(retrained at {status.check.needed})"
        )


@app.command("tagger")
def tagger_command(
    use: UseOpt = None,
    by: Annotated[str, typer.Option("--by", help="Who chooses.")] = "admin",
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Which tagger makes the theme tags; --use zero-shot goes back to the zero-shot tagger,
    --use learned forward again (CSPR_THEME_TAGGER=zero-shot, if set, still holds)."""

    def body() -> None:
        from learning.themes.head_store import write_choice
        from learning.themes.retraining import tagger_status

        settings = _settings(data_dir)
        if use is not None:
            write_choice(settings.data_dir, use, by, datetime.now(UTC))
        status = tagger_status(settings)
        if as_json:
            _print_json(
                {
                    "in_use": str(status.in_use.choice),
                    "reason": status.in_use.reason,
                    "version": status.version,
                    "head": status.head.version if status.head else None,
                    "problem": status.problem,
                    "decisions_since": status.check.since if status.check else None,
                }
            )
        else:
            _print_status(status)

    _run(body)
