"""Similar cases by facets, run by AppTest over the tiny index (issue 23, item 6): the précis's
facets shown, each result saying which it matches, scores in the order shown, no passage twice,
and "Open review" opening a dialog over the results."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from learning.query import words_of
from tests.ui.conftest import REVIEWER, AppFactory
from tests.ui.test_search_similar_library import SIMILAR, _button, _page, _plain, _titles
from tests.ui.test_search_similar_library import index_dir as index_dir  # fixture

ISSUE_PRECIS = (
    "4-month-old, non-accidental head injury, father's mental health and substance misuse, "
    "mother a care leaver, health visitor missed bruising, agencies did not share information"
)
FACETS = [
    "4-month-old",
    "non-accidental head injury",
    "father's mental health",
    "substance misuse",
    "mother a care leaver",
    "health visitor",
    "health visitor missed bruising",
    "agencies did not share information",
]
_BADGE = re.compile(r":(\w+)-badge\[((?:\\.|[^\]\\])*)\]")
_FIXED = re.compile(r"^(\*\*(\d+\. |Matches |Not matched|Why it matched|Facets of)|- \*\*)")


def _badges(markdown: str, colour: str) -> list[str]:
    return [_plain(text) for found, text in _BADGE.findall(markdown) if found == colour]


def _ask(at: AppTest, precis: str) -> AppTest:
    at.text_area(key="precis").set_value(precis)
    _button(at, "Find similar reviews").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _passages(at: AppTest) -> list[str]:
    """The passages shown as results' evidence, as they read."""
    return [_plain(m.value) for m in at.main.markdown if not _FIXED.match(m.value)]


def test_the_precis_facets_are_shown_and_each_result_says_which_it_matches(
    app: AppFactory, index_dir: Path
) -> None:
    at = _ask(_page(app, REVIEWER, SIMILAR), ISSUE_PRECIS)

    markdown = [m.value for m in at.main.markdown]
    (facets,) = [text for text in markdown if text.startswith("**Facets of the précis:**")]
    assert _badges(facets, "blue") == FACETS
    results = _titles(at)
    matches = [i for i, text in enumerate(markdown) if text.startswith("**Matches ")]
    assert len(results) == len(matches) == 5
    for line in matches:
        matched = _badges(markdown[line], "green")
        following = markdown[line + 1]
        missed = _badges(following, "gray") if following.startswith("**Not matched:**") else []
        assert markdown[line].startswith(f"**Matches {len(matched)} of 8 facets:**")
        assert sorted(matched + missed) == sorted(FACETS)
    first = _badges(markdown[matches[0]], "green")
    assert results[0] == "1. Child A: a serious case of injury in infancy"
    assert {"4-month-old", "non-accidental head injury", "health visitor"} <= set(first)


def test_scores_come_in_the_order_shown_and_no_passage_is_shown_twice(
    app: AppFactory, index_dir: Path
) -> None:
    at = _ask(_page(app, REVIEWER, SIMILAR), ISSUE_PRECIS)

    scores = [
        float(found.group(1))
        for caption in at.main.caption
        if (found := re.search(r"· score (\d\.\d\d)$", caption.value))
    ]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    passages = _passages(at)
    assert passages and len(passages) == len(set(passages))
    runs = [
        {tuple(words_of(p)[i : i + 12]) for i in range(len(words_of(p)) - 11)} for p in passages
    ]
    assert not any(a & b for i, a in enumerate(runs) for b in runs[:i])
    # each passage says which facets it bears out, or that it matched the précis as a whole
    evidence = [c.value for c in at.main.caption if " · page " in _plain(c.value)]
    assert len(evidence) == len(passages)
    assert all(" · matches" in _plain(caption) for caption in evidence)


def test_open_review_shows_the_review_in_a_dialog_over_the_results(
    app: AppFactory, index_dir: Path
) -> None:
    at = _ask(_page(app, REVIEWER, SIMILAR), ISSUE_PRECIS)
    first = _titles(at)[0].split(". ", 1)[1]

    _button(at, "Open review").click().run()

    assert not at.exception
    assert not at.main.header  # nothing drawn at the foot of the page
    assert [_plain(h.value) for h in at.header] == [first]
    assert [h.value for h in at.subheader] == ["Findings", "Recommendations", "Themes"]
    dialog = [m.value for m in at.markdown if m.value.startswith("**Matches ")]
    assert len(dialog) == 6  # five results, and the opened one's in the dialog
    assert _titles(at)[0] == f"1. {first}"  # the results stay where they were

    _button(at, "Close review").click().run()
    assert not at.header


def test_each_matched_facet_shows_its_passage_or_says_what_else_matched_it(
    app: AppFactory, index_dir: Path
) -> None:
    """Issue 24: for each past case, which facets it matches and which not, and the passage
    for each matched facet; a facet matched on the review's age group or themes says so."""
    at = _ask(_page(app, REVIEWER, SIMILAR), ISSUE_PRECIS)

    for rank in range(1, 6):
        result = at.main.get_by_key(f"similar_result_{rank}")
        markdown = [m.value for m in result.markdown]
        captions = [_plain(c.value) for c in result.caption]
        (line,) = [text for text in markdown if text.startswith("**Matches ")]
        matched = _badges(line, "green")
        by_passage = {
            label
            for caption in captions
            if " · matches: " in caption
            for label in caption.split(" · matches: ", 1)[1].split(", ")
        }
        themed = "; ".join(c for c in captions if c.startswith("Matched on the review's themes"))
        aged = [c for c in captions if c.startswith("Age matched on the review's details: ")]
        assert by_passage <= set(matched)
        for label in set(matched) - by_passage:
            if label == "4-month-old":
                assert aged == ["Age matched on the review's details: Under 1 year"], captions
            else:
                assert themed, (rank, label, captions)
        assert ("4-month-old" in matched) == bool(aged)
