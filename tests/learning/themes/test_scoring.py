"""Pure theme scoring: excluded sections, phrase matching, prototype mixing, review aggregation,
threshold calibration."""

from __future__ import annotations

import numpy as np
import pytest

from learning.themes.scoring import (
    ScoringParams,
    build_phrase_index,
    calibrate_reviews,
    choose_threshold,
    combine_scores,
    is_excluded_section,
    lexical_scores,
    prototype_offsets,
    review_scores,
    semantic_scores,
    unit_confidences,
)


@pytest.mark.parametrize(
    ("section", "excluded"),
    [
        ("Glossary", True),
        ("7. Glossary of terms", True),
        ("Contents", True),
        ("Table of contents", True),
        ("Abbreviations", True),
        ("Acronyms and abbreviations used", True),
        ("Title", True),
        ("Title page", True),
        ("Findings", False),
        ("Recommendations", False),
        ("Entitled to support", False),
        ("", False),
        (None, False),
    ],
)
def test_excluded_sections(section: str | None, excluded: bool) -> None:
    assert is_excluded_section(section) is excluded


PHRASES = build_phrase_index(
    [
        ["coercive control", "domestic abuse"],
        ["respectful uncertainty", "children in care"],
        ["bruising on a non-mobile baby"],
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("There was coercive control by the father.", [1.0, 0.0, 0.0]),
        ("Domestic abuse was missed", [1.0, 0.0, 0.0]),
        ("The abuse was domestic in nature", [0.0, 0.0, 0.0]),  # not in order
        ("Domestic and sexual abuse", [0.0, 0.0, 0.0]),  # another content word between
        ("Workers lacked respectful uncertainty", [0.0, 1.0, 0.0]),
        ("Children in the care of the council", [0.0, 1.0, 0.0]),  # stopwords only
        ("Children who are not in the care of anyone", [0.0, 0.0, 0.0]),  # too far apart
        ("Children's social care was told", [0.0, 0.0, 0.0]),
        ("Bruises to the non-mobile baby were missed", [0.0, 0.0, 1.0]),
        ("Bruising was seen on the baby", [0.0, 0.0, 0.0]),  # 2 of 4 content words
        ("A bruise, and the baby was not yet mobile", [0.0, 0.0, 0.5]),  # 3 of 4, apart
        ("Nothing relevant here", [0.0, 0.0, 0.0]),
        ("", [0.0, 0.0, 0.0]),
    ],
)
def test_lexical_phrase_matches(text: str, expected: list[float]) -> None:
    assert lexical_scores([text], PHRASES).tolist() == [expected]


def test_semantic_mixes_best_and_mean_prototype_per_theme() -> None:
    units = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    prototypes = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    offsets = prototype_offsets([0, 0, 1])
    scores = semantic_scores(units, prototypes, offsets, max_weight=0.5)
    # unit 0: theme 0 best 1.0, mean 0.5 -> 0.75; theme 1: 0.6
    np.testing.assert_allclose(scores, [[0.75, 0.6], [0.75, 0.8]], atol=1e-6)


@pytest.mark.parametrize("grouping", [[1, 1, 2], [0, 2, 2], [0, 1, 0], []])
def test_prototypes_must_be_grouped_by_theme(grouping: list[int]) -> None:
    with pytest.raises(ValueError, match="grouped by theme"):
        prototype_offsets(grouping)


def test_confidence_rises_with_similarity_and_phrases() -> None:
    params = ScoringParams(center=0.5, scale=10.0, relative_weight=0.0, lexical_weight=0.2)
    semantic = np.array([[0.3, 0.5, 0.7]], dtype=np.float32)
    plain = combine_scores(semantic, np.zeros((1, 3), dtype=np.float32), params)[0]
    phrased = combine_scores(semantic, np.ones((1, 3), dtype=np.float32), params)[0]
    assert plain[0] < plain[1] < plain[2]
    assert plain[1] == pytest.approx(0.5)
    assert all(phrased > plain)
    assert all((0 <= value <= 1) for value in (*plain, *phrased))


def test_excluded_units_score_zero() -> None:
    vectors = np.eye(2, dtype=np.float32)
    confidence = unit_confidences(
        vectors,
        ["coercive control", "coercive control"],
        np.array([False, True]),
        vectors,
        prototype_offsets([0, 1]),
        build_phrase_index([["coercive control"], ["neglect"]]),
        ScoringParams(),
    )
    assert confidence[0, 0] > 0.5
    assert confidence[1].tolist() == [0.0, 0.0]


def test_one_passing_mention_does_not_make_a_review_tag() -> None:
    params = ScoringParams(review_weights=(0.5, 0.3, 0.2), review_rule="fixed")
    # review 0: one strong unit; review 1: three strong units; review 2: no units
    confidence = np.array([[0.95], [0.02], [0.0], [0.9], [0.9], [0.9]], dtype=np.float32)
    reviews = review_scores(confidence, np.array([0, 0, 0, 1, 1, 1]), 3, params)
    assert reviews[0, 0] == pytest.approx(0.5 * 0.95 + 0.3 * 0.02)
    assert reviews[1, 0] == pytest.approx(0.9)
    assert reviews[2, 0] == 0.0
    assert reviews[0, 0] < params.review_threshold < reviews[1, 0]


@pytest.mark.parametrize(
    ("rule", "one_unit", "two_units", "long_mention"),
    [
        # renormalised: a one-paragraph summary is judged on its paragraph, with full weight
        ("renormalised", 0.9, (0.5 * 0.9 + 0.3 * 0.6) / 0.8, 0.5 * 0.9 + 0.3 * 0.1 + 0.2 * 0.1),
        ("fixed", 0.5 * 0.9, 0.5 * 0.9 + 0.3 * 0.6, 0.5 * 0.9 + 0.3 * 0.1 + 0.2 * 0.1),
    ],
)
def test_review_scores_are_fair_to_length(
    rule: str, one_unit: float, two_units: float, long_mention: float
) -> None:
    params = ScoringParams(review_rule=rule)
    # review 0: one unit; review 1: two units; review 2: a long review mentioning it once;
    # review 3: a glossary entry (not eligible) beside one real unit
    confidence = np.array([[0.9], [0.9], [0.6], [0.9], *[[0.1]] * 20, [0.95], [0.9]], "float32")
    reviews = np.array([0, 1, 1, *[2] * 21, 3, 3])
    eligible = np.ones(len(reviews), dtype=bool)
    eligible[-2] = False
    confidence[-2] = 0.0  # excluded units score 0 before aggregation
    scores = review_scores(confidence, reviews, 4, params, eligible=eligible)
    assert scores[:, 0].tolist() == pytest.approx([one_unit, two_units, long_mention, one_unit])


def test_calibration_puts_reviews_of_any_length_on_one_scale() -> None:
    params = ScoringParams()
    # a long review (strong, focused scores) and a briefing (the same profile, half as strong)
    long = np.array([0.95, 0.9, 0.3, 0.2, 0.1, 0.1, 0.05, 0.05], dtype=np.float32)
    reviews = np.stack([long, long / 2, np.zeros_like(long), np.full_like(long, 0.04)])
    calibrated = calibrate_reviews(reviews, params)
    np.testing.assert_allclose(calibrated[0, :2], calibrated[1, :2], rtol=1e-5)
    assert (calibrated[:2, :2] >= 0.5).all() and (calibrated[:2, 2:] < 0.5).all()
    assert calibrated[2].tolist() == [0.0] * 8  # no evidence at all: no theme
    assert (calibrated[3] < 0.5).all()  # a flat, weak profile below the floor: no theme
    absolute = calibrate_reviews(reviews, ScoringParams(review_calibration="absolute"))
    np.testing.assert_array_equal(absolute, reviews)


def test_review_scores_do_not_depend_on_unit_order() -> None:
    rng = np.random.default_rng(7)
    confidence = rng.random((50, 4)).astype(np.float32)
    reviews = rng.integers(0, 5, 50)
    order = rng.permutation(50)
    params = ScoringParams()
    np.testing.assert_allclose(
        review_scores(confidence, reviews, 5, params),
        review_scores(confidence[order], reviews[order], 5, params),
    )


@pytest.mark.parametrize(
    ("confirmed", "rejected", "expected"),
    [
        ([0.9, 0.8, 0.75], [0.6, 0.55], 0.675),  # moves up to separate them
        ([0.4, 0.35, 0.45], [0.1, 0.2], 0.275),  # moves down
        ([0.95, 0.9], [0.1, 0.05], 0.5),  # separable at the default: stays
        ([0.9, 0.9, 0.95], [0.85], 0.8),  # bounded above
        ([0.3, 0.25], [0.05, 0.1], 0.2),  # bounded below (0.175 would be best)
        ([0.9, 0.2], [0.1], 0.5),  # too few decisions: default
        ([0.9, 0.8, 0.7, 0.6], [], 0.5),  # only confirmations: default
    ],
)
def test_choose_threshold(confirmed: list[float], rejected: list[float], expected: float) -> None:
    assert choose_threshold(confirmed, rejected, 0.5) == pytest.approx(expected, abs=1e-4)


def test_params_digest_changes_with_any_knob() -> None:
    assert ScoringParams().digest == ScoringParams().digest
    assert ScoringParams().digest != ScoringParams(center=0.61).digest


@pytest.mark.parametrize(
    ("section", "text", "title", "excluded"),
    [
        ("Glossary", "MARAC multi-agency risk assessment conference", None, True),
        (
            "Overview Report",
            "Finding 1: Domestic abuse was missed . . . . . . 9\nFinding 2: Neglect . . . . . 11",
            None,
            True,
        ),
        ("Findings", "Domestic abuse was missed . . . and nobody asked.", None, False),
        (
            "Serious Case Review: Baby D",
            "Review type: serious case review",
            "Serious Case Review: Baby D",
            True,
        ),
        ("SERIOUS CASE REVIEW: BABY D", "Published 2014", "Serious Case Review: Baby D", True),
        ("Findings", "Domestic abuse was missed.", "Serious Case Review: Baby D", False),
    ],
)
def test_excluded_units(section: str, text: str, title: str | None, excluded: bool) -> None:
    from learning.themes.scoring import excluded_flags

    assert excluded_flags([section], [text], title) == [excluded]


BRIEFING = "Serious Case Review: Child A"
PROSE = (
    "Child A was a baby of ten weeks whose father shook him; the health visitor never met "
    "the father and nobody asked who else cared for the baby."
)


@pytest.mark.parametrize(
    ("units", "flags"),
    [
        # a one-heading briefing: its body is all under the title, and it all counts
        ([(BRIEFING, PROSE), (BRIEFING, PROSE), ("Recommendations", "1. Ask who cares.")],
         [False, False, False]),
        # a cover page before the first prose is the title block; after it, short lines count
        ([(BRIEFING, "Northshire Safeguarding Children Board\nPublished June 2012"),
          (BRIEFING, PROSE), (BRIEFING, "Key dates: March 2011")],
         [True, False, False]),
        # a unit that starts on the cover and runs into prose keeps its prose
        ([(BRIEFING, "Published June 2012\n" + PROSE)], [False]),
        ([("Glossary", PROSE), (BRIEFING, PROSE)], [True, False]),
    ],
)  # fmt: skip
def test_only_the_opening_lines_before_prose_are_a_title_block(units, flags) -> None:
    from learning.themes.scoring import excluded_flags

    sections, texts = zip(*units, strict=True)
    assert excluded_flags(sections, texts, BRIEFING) == flags


def test_sentence_windows_keep_whole_sentences() -> None:
    from learning.themes.scoring import sentence_windows

    text = (
        "Child C went missing sixty times.\nThe two police forces shared nothing at all. "
        "Her records took months to arrive. Ok. Nobody independent spoke with her."
    )
    assert sentence_windows(text, 2) == [
        "Child C went missing sixty times. The two police forces shared nothing at all.",
        "Her records took months to arrive. Nobody independent spoke with her.",
    ]


def test_only_short_reviews_are_read_in_windows() -> None:
    from learning.themes.scoring import short_review_positions

    params = ScoringParams(short_review_units=2)
    reviews = np.array([0, 0, 1, 1, 1, 2, 2, 2])  # review 2 has one glossary unit
    eligible = np.array([True, True, True, True, True, True, False, False])
    assert short_review_positions(reviews, eligible, params).tolist() == [0, 1, 5]
