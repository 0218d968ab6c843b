"""The rapid review draft's annex from a real search engine over the tiny test corpus (fake
encoder): the shortlist first, then reviews of the case's age group and outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session

from learning.case_annex import case_view
from learning.case_learning import draft_precis, find_learning
from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from learning.search import SearchEngine, open_engine
from review_flows.case_facts import timeline_facts
from review_flows.case_queries import CaseTimeline, case_timeline
from review_flows.rapid_review import build_draft
from review_flows.shortlists import ShortlistEntry
from tests.learning.factories import CORPUS, write_corpus


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    folder = tmp_path_factory.mktemp("rapid-review-library")
    write_corpus(folder / "reviews")
    encoder = FakeEncoder()
    ingest_paths([folder / "reviews"], folder / "index", encoder)
    search = open_engine(folder / "index", encoder)
    yield search
    search.close()


@pytest.fixture
def baby_died(session: Session, case_factory: Any, today: dt.date) -> CaseTimeline:
    case_factory(reference="NSH-2026-031", outcome="death", age_group="under_1")
    return case_timeline(session, "NSH-2026-031", today=today, partnership="Northshire")


def _saved(*review_ids: str) -> list[ShortlistEntry]:
    when = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    return [ShortlistEntry(review_id, None, "pat.panel", when) for review_id in review_ids]


def test_a_baby_who_died_learns_from_babies_first(
    library: SearchEngine, baby_died: CaseTimeline
) -> None:
    learning = find_learning(lambda: library, timeline_facts(baby_died), [], k=3)

    found = [item.review.review_id for item in learning.reviews]
    # both reviews of babies who died, the English one first (the case's nation), then one more
    assert found[:2] == ["r-infant-bruising", "r-safe-sleep"] and len(found) == 3
    assert [CORPUS[review_id]["meta"]["age_group"] for review_id in found[:2]] == ["under_1"] * 2
    assert learning.reviews[0].shared_facets == ("age_group", "outcome", "nation")


def test_the_shortlisted_teenagers_review_leads_then_the_babies(
    library: SearchEngine, baby_died: CaseTimeline
) -> None:
    learning = find_learning(
        lambda: library, timeline_facts(baby_died), _saved("r-exploitation", "r-gone"), k=2
    )
    draft = build_draft(
        learning=case_view(learning), timeline=baby_died, today=dt.date(2026, 3, 31)
    )

    assert [(item.review.review_id, item.shortlisted) for item in learning.reviews] == [
        ("r-exploitation", True), ("r-infant-bruising", False), ("r-safe-sleep", False),
    ]  # fmt: skip
    assert learning.missing == ("r-gone",)
    annex = [section for section in draft.sections if section.level == 2]
    assert annex[0].heading == CORPUS["r-exploitation"]["meta"]["title"]
    assert annex[0].paragraphs[1].text == "Saved to this case's shortlist."
    assert any(p.text.startswith("Finding ") for p in annex[0].paragraphs)


def test_a_shortlisted_review_shows_the_passages_the_similar_search_shows(
    library: SearchEngine, baby_died: CaseTimeline
) -> None:
    precis = draft_precis(timeline_facts(baby_died))
    searched = {hit.review_id: hit for hit in library.similar_cases(precis, k=5)}

    named = library.reviews_matching(["r-neglect", "r-none", "r-neglect"], precis)

    assert [hit.review_id for hit in named] == ["r-neglect"]
    assert named[0].passages == searched["r-neglect"].passages
    assert named[0].shared_themes == searched["r-neglect"].shared_themes
