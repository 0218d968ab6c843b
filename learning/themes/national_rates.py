"""The national picture in rates: each theme's share of the library's reviews per year, nation
or area with 95% intervals, year-on-year changes tested against chance, and our shares beside
the figures the Panel publishes. Pure.

Why a test at all: with a few dozen reviews a year a theme's share moves by ten points on
two reviews, and an analyst needs to know which moves a report may call a change. Each
change between consecutive years is a two-proportion z-test (pooled, two-sided); testing
every theme every year makes some p < 0.05 by chance alone, so each p is also given adjusted
by Holm's method over the whole table, and both flags are shown.

Why the comparison says why it differs: our library holds *published* reviews, a minority
of notified cases, tagged by the workbench's tagger from their text and dated by
publication; the Panel counts *rapid reviews or notifications*, coded by its analysts and
dated by notification. Ours beside theirs is context, never a check of one against the other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from core.labels import NATION_LABELS
from learning.themes.national_figures import OUTCOMES, POPULATIONS, PublishedFigure
from learning.themes.rates import Rate, format_percent, format_pp
from learning.themes.trends import ReviewFacts, prevalence

#: What the national picture groups by; "region" is the partnership's area (see area_of).
BY = {"year": "Year of publication", "nation": "Nation", "region": "Area (partnership)"}
ALPHA = 0.05
#: Words of partnership names that say what kind of body it is, not where it is.
_BODY_WORDS = frozenset({
    "lscb", "lscp", "safeguarding", "children", "childrens", "child", "partnership", "board",
    "regional", "protection", "committee", "for", "the", "of", "and", "fictional", "example",
    "practice", "review", "panel", "local",
})  # fmt: skip
_WORD = re.compile(r"[A-Za-z0-9'\u2019-]+")
Tags = Mapping[str, frozenset[str] | set[str]]


def area_of(partnership: str | None) -> str | None:
    """The place a partnership covers: "Northshire" for both "Northshire LSCB" and
    "Northshire Safeguarding Children Partnership".

    Reviews record the partnership, not a region; an area counts an LSCB and the partnership
    that succeeded it in 2019 together, so a place's reviews are not split at the change.
    """
    if not partnership:
        return None
    words = [w for w in _WORD.findall(partnership) if w.casefold() not in _BODY_WORDS]
    return " ".join(words) or None


@dataclass(frozen=True)
class GroupRate:
    """A theme's share of one group's reviews (a year, a nation, an area)."""

    group: str
    theme_id: str
    rate: Rate


def group_rates(
    facts: Sequence[ReviewFacts], tags: Tags, theme_ids: Sequence[str], by: str
) -> tuple[GroupRate, ...]:
    """Each theme's share of each group's reviews, group by group (years oldest first).

    Every review falls in one group (``unknown`` where the fact is missing), so the groups'
    reviews add up to the library's. Raises :class:`ValueError` for an unknown ``by``.
    """
    if by not in BY:
        raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(BY)}")
    dimension = by
    if by == "region":
        facts = [replace(fact, partnership=area_of(fact.partnership)) for fact in facts]
        dimension = "partnership"
    table = prevalence(facts, tags, theme_ids, dimension)
    return tuple(
        GroupRate(row.group, row.theme_id, Rate(row.count, row.reviews)) for row in table.rows
    )


# --- year-on-year changes ------------------------------------------------------------------------


def two_proportion_test(count_a: int, n_a: int, count_b: int, n_b: int) -> tuple[float, float]:
    """(z, two-sided p) of the pooled two-proportion z-test of ``count_b/n_b`` against
    ``count_a/n_a``. Where the pooled share is 0 or 1 the two cannot differ: (0, 1)."""
    if n_a <= 0 or n_b <= 0:
        raise ValueError("each side of a test needs at least one review")
    pooled = (count_a + count_b) / (n_a + n_b)
    spread = pooled * (1 - pooled) * (1 / n_a + 1 / n_b)
    if spread <= 0:
        return 0.0, 1.0
    z = (count_b / n_b - count_a / n_a) / math.sqrt(spread)
    return z, math.erfc(abs(z) / math.sqrt(2))


def holm_adjust(p_values: Sequence[float]) -> tuple[float, ...]:
    """Holm's step-down adjustment, in the order given: the k-th smallest of m is multiplied
    by (m - k + 1), kept non-decreasing and capped at 1."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, place in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[place]))
        adjusted[place] = running
    return tuple(adjusted)


@dataclass(frozen=True)
class YearChange:
    """A theme's share in one year against the year before it in the library, tested."""

    theme_id: str
    year_before: int
    year: int
    before: Rate
    after: Rate
    z: float
    p: float
    p_holm: float

    @property
    def change(self) -> float:
        return self.after.share - self.before.share

    @property
    def beyond_chance(self) -> bool:
        return self.p < ALPHA

    @property
    def beyond_chance_holm(self) -> bool:
        return self.p_holm < ALPHA

    def verdict(self) -> str:
        """What an analyst may say of the change, in words."""
        if self.beyond_chance_holm:
            return "More than chance, even allowing for the number of tests"
        if self.beyond_chance:
            return (
                "More than chance on its own (p < 0.05), not once the number of tests is "
                "allowed for"
            )
        return "Within chance"


def year_on_year(
    facts: Sequence[ReviewFacts], tags: Tags, theme_ids: Sequence[str]
) -> tuple[YearChange, ...]:
    """Every theme's change between each pair of consecutive years the library holds
    reviews for, theme by theme. A theme found in neither year is not tested (nothing could
    be found), and is left out of the Holm family too."""
    rates = group_rates([f for f in facts if f.year is not None], tags, theme_ids, "year")
    by_theme: dict[str, list[GroupRate]] = {}
    for rate in rates:
        by_theme.setdefault(rate.theme_id, []).append(rate)
    raw: list[tuple[str, GroupRate, GroupRate, float, float]] = []
    for theme_id in theme_ids:
        series = by_theme.get(theme_id, [])
        for before, after in zip(series, series[1:], strict=False):
            if before.rate.count == 0 and after.rate.count == 0:
                continue
            z, p = two_proportion_test(
                before.rate.count, before.rate.reviews, after.rate.count, after.rate.reviews
            )
            raw.append((theme_id, before, after, z, p))
    adjusted = holm_adjust([item[4] for item in raw])
    return tuple(
        YearChange(theme, int(b.group), int(a.group), b.rate, a.rate, z, p, holm)
        for (theme, b, a, z, p), holm in zip(raw, adjusted, strict=True)
    )


# --- ours beside theirs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A published figure beside what our library says for the same years (and outcome)."""

    figure: PublishedFigure
    reviews: int
    ours: Rate | None
    difference: float | None
    outside_interval: bool
    explanation: str


def compare_published(
    figures: Sequence[PublishedFigure], facts: Sequence[ReviewFacts], tags: Tags
) -> tuple[Comparison, ...]:
    """Each published figure beside ours: for a theme's share, our share of the reviews of
    its nation published in its years (and of its outcome, where the figure is of deaths or
    of serious harm), the difference in points and whether theirs is outside our 95% interval; for a
    count, how many reviews the library holds for those years. Always with the reasons the
    two can differ."""
    return tuple(_compare(figure, facts, tags) for figure in figures)


def _compare(figure: PublishedFigure, facts: Sequence[ReviewFacts], tags: Tags) -> Comparison:
    chosen = [
        fact
        for fact in facts
        if fact.year is not None
        and figure.first_year <= fact.year <= figure.last_year
        and fact.nation == figure.nation
        and (not figure.outcome or fact.outcome == figure.outcome)
    ]
    ours = None
    if figure.theme_id and chosen:
        ours = Rate(sum(figure.theme_id in tags.get(f.review_id, ()) for f in chosen), len(chosen))
    difference = ours.share - figure.value / 100 if ours else None
    low, high = ours.interval if ours else (0.0, 1.0)
    outside = ours is not None and not low <= figure.value / 100 <= high
    if figure.qualifier == "more_than" and ours is not None:
        outside = high < figure.value / 100  # "more than 50%" is consistent with anything above
    return Comparison(
        figure, len(chosen), ours, difference, outside, _explain(figure, chosen, ours)
    )


def _explain(figure: PublishedFigure, chosen: Sequence[ReviewFacts], ours: Rate | None) -> str:
    years = _years(figure)
    outcome = f" ({OUTCOMES[figure.outcome].lower()})" if figure.outcome else ""
    population = POPULATIONS[figure.population].lower()
    theirs = f"Theirs counts {population}{outcome} in {figure.period}, {_coding(figure)}."
    nation = NATION_LABELS.get(figure.nation, figure.nation)
    library = (
        f"Ours counts the {len(chosen)} review{'s' * (len(chosen) != 1)}{outcome} from "
        f"{nation} in the library published in {years}: "
    )
    if figure.theme_id and ours is None:
        return (
            f"{library}none, so there is no share to compare. {theirs} "
            "Published reviews are a minority of notified cases, chosen because there was "
            "learning, and appear a year or more after the incident."
        )
    if not figure.theme_id:
        return (
            f"{library}a library holds some of a year's published reviews, not every case "
            f"notified, so this is context, not a rate. {theirs}"
        )
    assert ours is not None
    return (
        f"{library}{format_percent(ours.share)} carry the theme, tagged by the workbench from "
        f"each review's text. {theirs} Published reviews are a minority of notified cases, "
        "chosen because there was learning, dated by publication rather than notification; "
        "and a theme's definition is ours, not the Panel's. "
        f"Difference: {format_pp(ours.share - figure.value / 100)}."
    )


def _coding(figure: PublishedFigure) -> str:
    if figure.source.startswith("DfE"):
        return "as the Department for Education's official statistics count them"
    return "as coded by the Panel's analysts from the cases they see"


def _years(figure: PublishedFigure) -> str:
    if figure.first_year == figure.last_year:
        return str(figure.first_year)
    return f"{figure.first_year}\u2013{figure.last_year}"
