"""Reviews ranked from their units in context: a short review's whole text competes as a unit,
so one short recommendation line cannot beat a review whose relevant text is spread over its
paragraphs (issue 24); long reviews are ranked by their units as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from learning.search import open_engine

ABOUT_RACE = """# Learning brief: Child K

What happened
Child K was fourteen when he was excluded from school after an incident in class. His mother
said the family had been targeted by neighbours for years.

Learning
Over two years of contact nobody asked the family about race, or about how the racism they
described from neighbours and at school shaped what the boy lived through day to day. The
family's culture and faith were written down at the first assessment and never explored again,
and adult bias about the boy's behaviour in class was not named by any of the agencies involved.
"""

NOT_ABOUT_RACE = """# Learning brief: Child L

What happened
Child L, aged two, was found alone at home. The house was cold and there was little food.

Recommendations:
1. Strengthen understanding of how bias and culture in teams shape decisions to close a case.
2. Record the child's weight at every contact.
"""

QUERY = "race, culture and bias"
FILLER = [
    "The baby was seen in the emergency department with a bruise that was not explained.",
    "Police attended the home after neighbours reported shouting and a child crying.",
    "The young person went missing three times and was found in another city.",
    "The father was never assessed although he cared for the baby most days.",
]


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "child-k.md").write_text(f"---\nreview_id: child-k\n---\n{ABOUT_RACE}")
    (docs / "child-l.md").write_text(f"---\nreview_id: child-l\n---\n{NOT_ABOUT_RACE}")
    for n, text in enumerate(FILLER):
        (docs / f"filler-{n}.md").write_text(
            f"---\nreview_id: filler-{n}\n---\n# Brief {n}\n\n{text}\n"
        )
    report = ingest_paths([docs], tmp_path / "index", FakeEncoder())
    assert not report.failed
    return tmp_path / "index"


def _top(index: Path, scoring: str) -> list[str]:
    engine = open_engine(index, FakeEncoder(), weights=(0.0, 1.0), review_scoring=scoring)
    try:
        return [hit.review_id for hit in engine.search_reviews(QUERY, k=3)]
    finally:
        engine.close()


def test_one_recommendation_line_no_longer_wins_a_review_search(library: Path) -> None:
    # before: child-l's one short line holding two of the words beat the review whose
    # paragraph holds all three (a long unit scores less per word than a short one)
    assert _top(library, "best-unit")[0] == "child-l"
    assert _top(library, "in-context")[0] == "child-k"


def test_a_review_found_by_its_whole_text_still_shows_its_passages(library: Path) -> None:
    engine = open_engine(library, FakeEncoder(), weights=(0.0, 1.0))
    try:
        hit = engine.search_reviews(QUERY, k=1)[0]
    finally:
        engine.close()
    assert hit.review_id == "child-k"
    assert hit.passages and all(p.review_id == "child-k" for p in hit.passages)
    assert any("race" in p.text.lower() for p in hit.passages)


def test_an_unknown_review_scoring_is_refused(library: Path) -> None:
    with pytest.raises(ValueError, match="review_scoring"):
        open_engine(library, FakeEncoder(), review_scoring="best-paragraph")
