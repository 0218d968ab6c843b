"""Themes found together, ranked for reading: each combination with its lift, the reviews it
rests on, and a flag where those are too few to trust. Pure (over a co-occurrence report).

The heat map this replaces could label only a few of its 27 columns and showed a lift of 27.56
from 2 reviews as boldly as one from 20; a ranked list names every theme in full and says
beside each lift how many reviews carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from learning.themes.rates import FEW_NOTE, FEW_REVIEWS

if TYPE_CHECKING:
    from learning.themes.report import CooccurrenceReport


@dataclass(frozen=True)
class RankedCombination:
    """A pair or triple of themes found together: its place by lift, the reviews carrying all
    of them (observed), the number expected if they were independent, and the lift."""

    rank: int
    themes: tuple[str, ...]
    observed: int
    expected: float
    lift: float

    @property
    def label(self) -> str:
        return " + ".join(self.themes)

    @property
    def few(self) -> bool:
        """True when the lift rests on fewer than :data:`FEW_REVIEWS` reviews."""
        return self.observed < FEW_REVIEWS

    @property
    def note(self) -> str:
        return FEW_NOTE if self.few else ""


def ranked_combinations(report: CooccurrenceReport) -> tuple[RankedCombination, ...]:
    """Every pair and triple of the report, strongest lift first, with human theme labels."""
    return tuple(
        RankedCombination(
            rank,
            tuple(report.labels[theme] for theme in item.themes),
            item.observed,
            round(item.expected, 2),
            round(item.lift, 2),
        )
        for rank, item in enumerate(report.items, start=1)
    )


def _reviews(count: int) -> str:
    return f"{count} review" + "s" * (count != 1)


def cooccurrence_text(report: CooccurrenceReport, top: int = 3) -> str:
    """The ranking in words (the chart's text alternative): how many combinations, how many
    rest on too few reviews, and the strongest, each with the reviews it rests on."""
    ranked = ranked_combinations(report)
    if not ranked:
        return f"No themes are found together often enough in the {report.total_reviews} reviews."
    few = sum(combination.few for combination in ranked)
    flagged = f" {few} of them rest on {FEW_NOTE} (marked)." if few else ""
    strongest = "; ".join(
        f"{c.label} ({_reviews(c.observed)}{', ' + FEW_NOTE if c.few else ''}, lift {c.lift:.2f})"
        for c in ranked[:top]
    )
    return (
        f"{len(ranked)} combinations of themes found together in {report.total_reviews} "
        f"reviews.{flagged} Strongest: {strongest}."
    )
