"""Themes found together, ranked for reading (learning.themes.cooccurrence): every combination
named in full with its lift, the reviews it rests on, and the flag under five reviews."""

from __future__ import annotations

from learning.themes.cooccurrence import (
    RankedCombination,
    cooccurrence_text,
    ranked_combinations,
)
from learning.themes.report import CooccurrenceReport
from learning.themes.trends import Cooccurrence

LABELS = {
    "sudi": "Sudden unexpected death in infancy and unsafe sleep",
    "health": "Health practice",
    "da": "Domestic abuse and coercive control",
    "mh": "Parental mental health",
}
REPORT = CooccurrenceReport(
    48,
    (  # as the trends give them: strongest lift first
        Cooccurrence(("sudi", "health"), 2, 0.07257, 27.5556),
        Cooccurrence(("da", "mh", "health"), 4, 1.0, 4.0),
        Cooccurrence(("da", "mh"), 12, 6.0, 2.0),
        Cooccurrence(("da", "health"), 5, 4.999, 1.0002),
    ),
    LABELS,
    {},
)


def test_combinations_are_ranked_by_lift_with_their_reviews_and_flag() -> None:
    ranked = ranked_combinations(REPORT)

    assert ranked == (
        RankedCombination(1, (LABELS["sudi"], "Health practice"), 2, 0.07, 27.56),
        RankedCombination(
            2, (LABELS["da"], "Parental mental health", "Health practice"), 4, 1.0, 4.0
        ),
        RankedCombination(3, (LABELS["da"], "Parental mental health"), 12, 6.0, 2.0),
        RankedCombination(4, (LABELS["da"], "Health practice"), 5, 5.0, 1.0),
    )
    assert [c.few for c in ranked] == [True, True, False, False]  # under 5 reviews; 5 is enough
    assert [c.note for c in ranked] == ["fewer than 5 reviews", "fewer than 5 reviews", "", ""]
    assert ranked[1].label == (
        "Domestic abuse and coercive control + Parental mental health + Health practice"
    )


def test_the_words_say_which_lifts_rest_on_few_reviews() -> None:
    assert cooccurrence_text(REPORT, top=2) == (
        "4 combinations of themes found together in 48 reviews. 2 of them rest on fewer than 5 "
        f"reviews (marked). Strongest: {LABELS['sudi']} + Health practice (2 reviews, fewer "
        "than 5 reviews, lift 27.56); Domestic abuse and coercive control + Parental mental "
        "health + Health practice (4 reviews, fewer than 5 reviews, lift 4.00)."
    )


def test_well_supported_combinations_carry_no_flag_in_the_words() -> None:
    sound = CooccurrenceReport(48, REPORT.items[2:], LABELS, {})

    assert cooccurrence_text(sound, top=1) == (
        "2 combinations of themes found together in 48 reviews. Strongest: Domestic abuse and "
        "coercive control + Parental mental health (12 reviews, lift 2.00)."
    )


def test_no_combination_says_so() -> None:
    report = CooccurrenceReport(4, (), {}, {})

    assert ranked_combinations(report) == ()
    assert cooccurrence_text(report) == (
        "No themes are found together often enough in the 4 reviews."
    )
