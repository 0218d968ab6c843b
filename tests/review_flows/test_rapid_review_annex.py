"""The rapid review draft's annex: the case's shortlist first, then similar reviews of
the case's age group and outcome, and plain words when the library cannot help."""

from __future__ import annotations

from typing import Any

import pytest

from core.case_facts import CaseFacts
from core.draft_model import ANNEX_HEADING, RapidReviewDraft
from learning.case_annex import case_view
from learning.case_learning import draft_precis, find_learning
from learning.errors import IndexNotFound, InvalidFilter
from learning.filters import Filters
from learning.precis import case_precis
from review_flows.case_facts import timeline_facts
from review_flows.case_queries import CaseTimeline
from review_flows.rapid_review import build_draft
from review_flows.rapid_review_docx import render_docx
from tests.review_flows.rapid_review_fakes import (
    BABY,
    MEN,
    OLD_BABY,
    TEEN,
    TODAY,
    _Engine,
    _entry,
    _texts,
)
from tests.review_flows.rapid_review_fakes import timeline as timeline


def _annex_titles(draft: RapidReviewDraft) -> list[str]:
    return [section.heading for section in draft.sections if section.level == 2]


# --- the annex: shortlist first, then the case's age group and outcome ----------------------------


def test_the_shortlisted_review_leads_the_annex_whatever_the_search_ranks_first(
    timeline: CaseTimeline,
) -> None:
    engine = _Engine([BABY, TEEN, MEN])

    learning = find_learning(
        lambda: engine, timeline_facts(timeline), [_entry(MEN.review_id, "men unseen")]
    )
    draft = build_draft(timeline, case_view(learning), today=TODAY)

    assert [(r.review.review_id, r.shortlisted) for r in learning.reviews] == [
        (MEN.review_id, True), (BABY.review_id, False), (TEEN.review_id, False),
    ]  # fmt: skip
    assert _annex_titles(draft)[0] == MEN.title
    first = next(s for s in draft.sections if s.level == 2)
    assert "Saved to this case's shortlist. Why: men unseen" in [p.text for p in first.paragraphs]
    assert engine.reloaded == 1  # an upload since the engine was opened is searched too


def test_similar_reviews_of_the_cases_age_group_lead_over_a_better_ranked_teenager(
    timeline: CaseTimeline,
) -> None:
    # the search ranks a teenager's stabbing first; the case is a baby who died
    engine = _Engine([TEEN, OLD_BABY, MEN, BABY])

    learning = find_learning(lambda: engine, timeline_facts(timeline), [], k=3)

    assert [r.review.review_id for r in learning.reviews] == [
        BABY.review_id, OLD_BABY.review_id, MEN.review_id,  # same nation first, then "mixed"
    ]  # fmt: skip
    assert learning.reviews[0].shared_facets == ("age_group", "outcome", "nation")
    # asked for the case's age group and outcome first, then its age group, then any
    assert [asked[2] for asked in engine.asked] == [
        Filters(age_group=("under_1",), outcome=("death",)), Filters(age_group=("under_1",)), None,
    ]  # fmt: skip
    assert {asked[0] for asked in engine.asked} == {draft_precis(timeline_facts(timeline))}


def test_enough_reviews_of_the_age_group_and_outcome_need_no_wider_search(
    timeline: CaseTimeline,
) -> None:
    engine = _Engine([TEEN, BABY, OLD_BABY])

    learning = find_learning(
        lambda: engine, timeline_facts(timeline), [_entry(TEEN.review_id)], k=2
    )

    assert [r.review.review_id for r in learning.reviews] == [
        TEEN.review_id, BABY.review_id, OLD_BABY.review_id,
    ]  # fmt: skip
    assert len(engine.asked) == 1


def test_a_shortlisted_review_no_longer_in_the_library_is_counted_not_named(
    timeline: CaseTimeline,
) -> None:
    learning = find_learning(
        lambda: _Engine([BABY]), timeline_facts(timeline), [_entry("r99-gone-2020")]
    )
    annex = build_draft(timeline, case_view(learning), today=TODAY).sections[7]

    assert learning.missing == ("r99-gone-2020",)
    assert "One review saved to this case's shortlist is no longer in the library. The " \
        "shortlist on the Case page names them." in [p.text for p in annex.paragraphs]  # fmt: skip
    assert "r99" not in build_draft(timeline, case_view(learning), today=TODAY).all_text()


def test_the_precis_is_the_similar_cases_pages_from_the_coded_facts(
    timeline: CaseTimeline,
) -> None:
    facts = CaseFacts("death", "under_1", looked_after=True, stage="rapid_review")

    assert draft_precis(timeline_facts(timeline)) == case_precis(facts)
    assert "chronologies" not in draft_precis(timeline_facts(timeline))  # event notes stay out


@pytest.mark.parametrize(
    ("problem", "says"),
    [
        (IndexNotFound("no index in /data/index; run `cspr ingest PATH` first"),
         "the library holds no published reviews yet"),
        (InvalidFilter("age_group='x' matches no review; the index holds: 1_4"),
         "the search index cannot be used at the moment; ask an administrator to rebuild it"),
    ],
)  # fmt: skip
def test_a_library_that_cannot_be_searched_is_said_in_words_without_paths_or_commands(
    timeline: CaseTimeline, problem: Exception, says: str
) -> None:
    def broken() -> Any:
        raise problem

    learning = find_learning(broken, timeline_facts(timeline), [_entry(BABY.review_id)])
    annex = build_draft(timeline, case_view(learning), today=TODAY).sections[-1]

    assert learning.unavailable == says
    assert (annex.heading, [p.text for p in annex.paragraphs]) == (
        ANNEX_HEADING, [f"The library of published reviews could not be searched: {says}."],
    )  # fmt: skip
    assert find_learning(None, timeline_facts(timeline), []).unavailable == (
        "the library of published reviews is not set up here"
    )


def test_no_review_found_says_so(timeline: CaseTimeline) -> None:
    learning = find_learning(lambda: _Engine([]), timeline_facts(timeline), [])
    annex = build_draft(timeline, case_view(learning), today=TODAY)

    texts = _texts(render_docx(annex))
    assert texts[-2:] == [ANNEX_HEADING, "No similar published review was found in the library."]
