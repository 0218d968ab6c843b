"""The national picture for analysts, built from the indexed reviews and the published figures
(glue; no Streamlit here), and its tables as rows and as a CSV for a report.

The CLI and the Themes page both call :func:`national_picture` and render the same rows, so
the file an analyst downloads says what the page shows. Text cells of the CSV that a
spreadsheet would run as a formula are written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.labels import NATION_LABELS
from learning.themes.national_figures import (
    CONFIDENCE,
    DEFAULT_FIGURES,
    POPULATIONS,
    PublishedFigure,
    load_published_figures,
)
from learning.themes.national_rates import (
    BY,
    Comparison,
    GroupRate,
    YearChange,
    compare_published,
    group_rates,
    year_on_year,
)
from learning.themes.rates import format_interval, format_percent, format_pp
from learning.themes.report import review_facts
from learning.themes.tagging import ThemeWorkspace
from learning.themes.trends import ReviewFacts
from learning.themes.views import group_label

RATE_COLUMNS = (
    "Group by", "Group", "Theme", "Reviews", "With the theme", "Share", "95% low", "95% high",
    "Note",
)  # fmt: skip
CHANGE_COLUMNS = (
    "Theme", "From", "To", "Share before", "Share after", "Change", "z", "p", "p (Holm)",
    "Verdict",
)  # fmt: skip
COMPARISON_COLUMNS = (
    "Period", "Measure", "Theirs", "Population", "Ours", "Our 95% interval", "Difference",
    "Outside our interval", "Why they differ", "Source", "Source address", "Where",
    "Confidence",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class NationalPicture:
    """Rates by one fact, tested year-on-year changes and the published figures beside ours."""

    by: str
    total_reviews: int
    labels: dict[str, str]
    rates: tuple[GroupRate, ...]
    changes: tuple[YearChange, ...]
    comparisons: tuple[Comparison, ...]


def build_national_picture(
    facts: Sequence[ReviewFacts],
    tags: Mapping[str, frozenset[str] | set[str]],
    labels: Mapping[str, str],
    figures: Sequence[PublishedFigure],
    by: str = "year",
) -> NationalPicture:
    """The picture over ``facts`` and ``tags`` (pure): themes in ``labels``' order."""
    ids = list(labels)
    return NationalPicture(
        by,
        len(facts),
        dict(labels),
        group_rates(facts, tags, ids, by),
        year_on_year(facts, tags, ids),
        compare_published(figures, facts, tags),
    )


def national_picture(
    workspace: ThemeWorkspace, by: str = "year", figures_path: Path | None = None
) -> NationalPicture:
    """The picture of the indexed reviews beside the figures of ``figures_path`` (by default
    the file shipped in ``corpus/national/``).

    Raises :class:`~learning.errors.PublishedFiguresInvalid` when the figures file is bad
    (a theme it names must be one of the taxonomy's), and :class:`ValueError` for an
    unknown ``by``.
    """
    labels = {theme.id: theme.label for theme in workspace.taxonomy.themes}
    figures = load_published_figures(figures_path or DEFAULT_FIGURES, frozenset(labels))
    return build_national_picture(
        review_facts(workspace), workspace.tag_sets(), labels, figures, by
    )


# --- rows ----------------------------------------------------------------------------------------


def rate_rows(picture: NationalPicture) -> list[tuple[object, ...]]:
    """The rates table: a row per group and theme (shares as fractions, 4 decimals)."""
    return [
        (
            BY[picture.by], group_label(item.group), picture.labels[item.theme_id],
            item.rate.reviews, item.rate.count, round(item.rate.share, 4),
            round(item.rate.interval[0], 4), round(item.rate.interval[1], 4), item.rate.note,
        )
        for item in picture.rates
    ]  # fmt: skip


def change_rows(picture: NationalPicture, flagged_only: bool = False) -> list[tuple[object, ...]]:
    """The year-on-year changes (only those with p < 0.05 when ``flagged_only``)."""
    return [
        (
            picture.labels[c.theme_id], c.year_before, c.year, c.before.describe(),
            c.after.describe(), format_pp(c.change), round(c.z, 2), round(c.p, 4),
            round(c.p_holm, 4), c.verdict(),
        )
        for c in picture.changes
        if c.beyond_chance or not flagged_only
    ]  # fmt: skip


def comparison_rows(picture: NationalPicture) -> list[tuple[object, ...]]:
    """Each published figure beside ours, with the reasons they differ and the source."""
    rows: list[tuple[object, ...]] = []
    for item in picture.comparisons:
        figure = item.figure
        ours = (
            f"{format_percent(item.ours.share)} ({item.ours.count} of {item.ours.reviews})"
            if item.ours
            else f"{item.reviews} review{'s' * (item.reviews != 1)} in the library"
        )
        rows.append(
            (
                figure.period, figure.measure, figure.value_text(),
                f"{POPULATIONS[figure.population]} ({NATION_LABELS[figure.nation]})", ours,
                format_interval(item.ours.interval) if item.ours else "",
                format_pp(item.difference) if item.difference is not None else "",
                "Yes" if item.outside_interval else "No" if item.ours else "",
                item.explanation, figure.source, figure.source_url, figure.where,
                CONFIDENCE[figure.confidence],
            )
        )  # fmt: skip
    return rows


def changes_text(picture: NationalPicture) -> str:
    """The tested changes in one sentence: how many, how many beyond chance, after Holm."""
    tested = len(picture.changes)
    if not tested:
        return "No change between consecutive years can be tested (fewer than two years)."
    raw = sum(change.beyond_chance for change in picture.changes)
    holm = sum(change.beyond_chance_holm for change in picture.changes)
    changes = "change" if tested == 1 else "changes"
    have = "has" if raw == 1 else "have"
    remain = "remains" if holm == 1 else "remain"
    return (
        f"{tested} year-on-year {changes} tested (two-proportion z-test). {raw} {have} "
        f"p < 0.05 on {'its' if raw == 1 else 'their'} own; with so many tests about "
        f"{round(tested * 0.05)} would by chance alone. {holm} {remain} below 0.05 once "
        "adjusted for the number of tests (Holm)."
    )


# --- CSV -----------------------------------------------------------------------------------------


def _safe(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return f"'{cell}"
    return cell


def table_csv(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """A table as UTF-8 CSV (with a byte-order mark, so Excel reads the dashes right)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([[_safe(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def rates_csv(picture: NationalPicture) -> bytes:
    """The rates table as CSV."""
    return table_csv(RATE_COLUMNS, rate_rows(picture))


def read_table_csv(data: bytes) -> list[dict[str, str]]:
    """A CSV written by :func:`table_csv` read back, a dict per row."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
