"""``cspr themes national``: the national picture in rates from the command line.

Each theme's share of the library's reviews by year, nation or area with 95% intervals,
year-on-year changes tested against chance, and the figures the Panel and the DfE publish
beside ours; the rates table as CSV and the chart as PNG for a report. Registered on
``cspr themes`` by :mod:`cspr.cli.themes`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cspr.cli.library import AsJson, DataDir, _fail, _print_json
from cspr.cli.themes import _run, _workspace, app
from learning.themes.national_rates import BY

if TYPE_CHECKING:
    from learning.themes.national_picture import NationalPicture

ByOpt = Annotated[
    str,
    typer.Option(
        "--by", help="year, nation or region (the partnership's area: reviews record no region)."
    ),
]
CsvOpt = Annotated[Path | None, typer.Option("--csv", help="Write the rates table to this CSV.")]
ChartOpt = Annotated[Path | None, typer.Option("--chart", help="Write the chart to this PNG file.")]
BesideOpt = Annotated[
    Path | None,
    typer.Option("--beside-chart", help="Write ours beside the published shares to this PNG."),
]
FiguresOpt = Annotated[
    Path | None,
    typer.Option("--figures", help="The CSV of published figures (default: the shipped one)."),
]


def _as_dict(picture: NationalPicture) -> dict[str, object]:
    from learning.themes.national_picture import (
        CHANGE_COLUMNS,
        COMPARISON_COLUMNS,
        RATE_COLUMNS,
        change_rows,
        comparison_rows,
        rate_rows,
    )

    def table(columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[dict[str, object]]:
        return [dict(zip(columns, row, strict=True)) for row in rows]

    return {
        "by": picture.by,
        "total_reviews": picture.total_reviews,
        "rates": table(RATE_COLUMNS, rate_rows(picture)),
        "changes": table(CHANGE_COLUMNS, change_rows(picture)),
        "published": table(COMPARISON_COLUMNS, comparison_rows(picture)),
    }


def _print_text(picture: NationalPicture) -> None:
    from learning.themes.national_picture import change_rows, changes_text, comparison_rows

    typer.echo(f"{picture.total_reviews} reviews in the library, by {BY[picture.by].lower()}.")
    typer.echo("\nPublished figures beside ours:")
    for row in comparison_rows(picture):
        period, measure, theirs, _, ours, interval, difference = row[:7]
        extra = f" (95% {interval}; difference {difference})" if interval else ""
        typer.echo(f"  {period}  {measure}: theirs {theirs}; ours {ours}{extra}")
        typer.echo(f"      source: {row[9]} <{row[10]}> ({str(row[12]).lower()})")
    typer.echo(f"\n{changes_text(picture)}")
    for change in change_rows(picture, flagged_only=True):
        theme, year_before, year, *_, change_pp, _, p, p_holm, _ = change
        typer.echo(f"  {theme} {year_before}->{year}: {change_pp} (p {p}, Holm {p_holm})")


@app.command("national")
def national_command(
    by: ByOpt = "year",
    csv_file: CsvOpt = None,
    chart_file: ChartOpt = None,
    beside_file: BesideOpt = None,
    figures: FiguresOpt = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Theme rates by year, nation or region with 95% intervals, beside the Panel's figures."""

    def body() -> None:
        from learning.themes.national_chart import comparison_chart_png, rates_chart_png
        from learning.themes.national_picture import national_picture, rates_csv

        if by not in BY:
            raise _fail(f"--by {by!r} is not one of: {', '.join(BY)}")
        workspace = _workspace(data_dir)
        try:
            picture = national_picture(workspace, by, figures)
        finally:
            workspace.index.close()
        try:
            if csv_file is not None:
                csv_file.write_bytes(rates_csv(picture))
            if chart_file is not None:
                chart_file.write_bytes(rates_chart_png(picture))
            if beside_file is not None:
                beside_file.write_bytes(comparison_chart_png(picture))
        except ValueError as empty:
            raise _fail(str(empty)) from None
        except OSError as problem:
            raise _fail(f"cannot write {problem.filename}: {problem.strerror}") from None
        if as_json:
            _print_json(_as_dict(picture))
        else:
            _print_text(picture)
        for path in (csv_file, chart_file, beside_file):
            if path is not None:
                typer.echo(f"wrote {path}", err=as_json)

    _run(body)
