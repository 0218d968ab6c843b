"""The index as the pages read it: search, similar reviews, a review to read, the library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from learning.encoder import FakeEncoder
from learning.errors import EmptyQuery, ReviewNotIndexed
from learning.filters import Filters, parse_filters
from learning.index import open_index
from learning.ingest import ingest_paths
from learning.library import (
    ThemeSource,
    filter_choices,
    library_rows,
    review_reading,
    review_tags,
    search_library,
    similar_reviews,
)
from learning.results import PassageHit, ReviewHit
from learning.search import SearchEngine, open_engine
from learning.search_form import QueryTooLong, SearchMode
from learning.themes.decisions import load_decisions
from learning.themes.tagging import ThemeWorkspace
from learning.themes.taxonomy import SHIPPED_TAXONOMY, load_taxonomy
from tests.learning.factories import CORPUS, write_corpus

PAGED_REVIEW = """---
review_id: "r-dental-neglect"
title: "Child F: a paged review"
year: 2017
nation: "northern_ireland"
review_type: "cmr"
outcome: "serious_harm"
age_group: "5_9"
---

Introduction. Child F lived with her mother and two brothers.
\f
Findings

1. The dentist saw untreated tooth decay, a sign of neglect, and did not refer.
\f
Recommendations

1. Dentists should refer children with untreated tooth decay to social care.
"""


def write_library(folder: Path) -> Path:
    """The tiny corpus plus one text review whose findings and recommendations are on pages
    2 and 3 (form feeds), as a published PDF's would be."""
    write_corpus(folder)
    (folder / "r-dental-neglect.txt").write_text(PAGED_REVIEW, encoding="utf-8")
    return folder


def _numbered(texts: list[str]) -> list[str]:
    return [f"{number}. {text}" for number, text in enumerate(texts, start=1)]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SearchEngine, Path]]:
    root = tmp_path_factory.mktemp("library")
    ingest_paths([write_library(root / "reviews")], root / "index", FakeEncoder())
    engine = open_engine(root / "index", FakeEncoder())
    yield engine, root
    engine.close()


@pytest.fixture(scope="module")
def engine(library: tuple[SearchEngine, Path]) -> SearchEngine:
    return library[0]


@pytest.fixture(scope="module")
def source(library: tuple[SearchEngine, Path]) -> ThemeSource:
    return ThemeSource(SHIPPED_TAXONOMY, f"sqlite:///{library[1] / 'cspr.db'}")


def test_filter_choices_are_what_the_index_holds(engine: SearchEngine) -> None:
    choices = filter_choices(engine)
    assert choices.year_span == (2017, 2022)
    assert choices.nation == ("england", "northern_ireland", "scotland", "wales")
    assert choices.outcome == ("death", "serious_harm")
    assert "cmr" in choices.review_type and "1_4" in choices.age_group


def test_passage_search_finds_the_finding_with_its_page(engine: SearchEngine) -> None:
    hits = search_library(engine, "dentist saw tooth decay", SearchMode.PASSAGES, Filters())
    first = hits[0]
    assert isinstance(first, PassageHit)
    assert (first.review_id, first.kind, first.page) == ("r-dental-neglect", "finding", 2)


def test_review_search_lists_each_review_once(engine: SearchEngine) -> None:
    hits = search_library(engine, "safer sleep advice", SearchMode.REVIEWS, Filters(), k=10)
    assert all(isinstance(hit, ReviewHit) for hit in hits)
    assert hits[0].review_id == "r-safe-sleep"
    assert len({hit.review_id for hit in hits}) == len(hits)


def test_a_filter_narrows_the_results(engine: SearchEngine) -> None:
    everywhere = search_library(engine, "child", SearchMode.REVIEWS, Filters(), k=10)
    in_wales = search_library(
        engine, "child", SearchMode.REVIEWS, parse_filters(["nation=wales"]), k=10
    )
    assert len(everywhere) > 1
    assert [hit.review_id for hit in in_wales] == ["r-safe-sleep"]


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [("  ", EmptyQuery, "the query is empty"), ("x" * 501, QueryTooLong, "keep it to 500")],
)
def test_an_empty_or_too_long_query_is_refused(
    engine: SearchEngine, query: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        search_library(engine, query, SearchMode.PASSAGES, Filters())


def test_similar_reviews_say_why_they_matched(engine: SearchEngine) -> None:
    precis = (
        "A six week old baby had bruises on his face. He could not yet roll over. "
        "The mother's new partner was not known to the health visitor."
    )
    hits = similar_reviews(engine, precis)
    assert hits[0].review_id == "r-infant-bruising"
    assert hits[0].passages and all(p.matched_query for p in hits[0].passages)


def test_an_empty_precis_is_refused(engine: SearchEngine) -> None:
    with pytest.raises(EmptyQuery, match="the précis is empty"):
        similar_reviews(engine, " ... ")


def test_a_review_to_read_has_its_findings_recommendations_and_tags(
    engine: SearchEngine, source: ThemeSource
) -> None:
    reading = review_reading(engine, "r-infant-bruising", source)

    assert reading.title == CORPUS["r-infant-bruising"]["meta"]["title"]
    entry = CORPUS["r-infant-bruising"]
    assert [unit.text for unit in reading.findings] == _numbered(entry["findings"])
    assert [unit.text for unit in reading.recommendations] == _numbered(entry["recommendations"])
    decisions = load_decisions(source.database_url)
    workspace = ThemeWorkspace(
        engine.index, load_taxonomy(), lambda: engine.encoder, decisions=decisions
    )
    assert reading.tags == tuple(workspace.tags("r-infant-bruising"))


def test_a_review_not_in_the_index_reads_as_not_found(
    engine: SearchEngine, source: ThemeSource
) -> None:
    with pytest.raises(ReviewNotIndexed, match="no review 'r-gone' in the library"):
        review_reading(engine, "r-gone", source)


def test_library_lists_every_review_newest_first_with_units_and_themes(
    engine: SearchEngine, source: ThemeSource
) -> None:
    rows = library_rows(engine, source)
    tags = review_tags(engine, source)

    assert [row.year for row in rows] == [2022, 2021, 2020, 2019, 2018, 2017]
    dental = rows[-1]
    assert (dental.review_id, dental.title, dental.pages, dental.units) == (
        "r-dental-neglect",
        "Child F: a paged review",
        3,
        3,
    )
    assert {row.review_id: row.themes for row in rows} == {
        review_id: tuple(tag.label for tag in tags.get(review_id, ())) for review_id in tags
    } | {row.review_id: () for row in rows if row.review_id not in tags}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wales", ["r-safe-sleep"]),
        ("NORTHERN ireland", ["r-dental-neglect"]),
        ("chronic NEGLECT", ["r-neglect"]),
        ("2018", ["r-exploitation"]),
        ("serious harm 1-4", ["r-neglect"]),
        ("no such words", []),
    ],
)
def test_library_filter_by_text(
    engine: SearchEngine, source: ThemeSource, text: str, expected: list[str]
) -> None:
    assert [row.review_id for row in library_rows(engine, source, text)] == expected


def test_the_services_pick_up_what_another_writer_committed(tmp_path: Path) -> None:
    write_corpus(tmp_path / "reviews", ("r-neglect",))
    ingest_paths([tmp_path / "reviews"], tmp_path / "index", FakeEncoder())
    engine = open_engine(tmp_path / "index", FakeEncoder())
    source = ThemeSource(SHIPPED_TAXONOMY, f"sqlite:///{tmp_path / 'cspr.db'}")
    try:
        assert [row.review_id for row in library_rows(engine, source)] == ["r-neglect"]
        write_corpus(tmp_path / "more", ("r-safe-sleep",))
        ingest_paths([tmp_path / "more"], tmp_path / "index", FakeEncoder())

        assert [row.review_id for row in library_rows(engine, source)] == [
            "r-neglect",
            "r-safe-sleep",
        ]
        hits = search_library(engine, "co-sleeping", SearchMode.PASSAGES, Filters())
        assert hits[0].review_id == "r-safe-sleep"
    finally:
        engine.close()


def test_an_empty_index_has_no_tags(tmp_path: Path) -> None:
    ingest_paths([], tmp_path / "index", FakeEncoder())
    engine = open_engine(tmp_path / "index", FakeEncoder())
    try:
        source = ThemeSource(SHIPPED_TAXONOMY, f"sqlite:///{tmp_path / 'cspr.db'}")
        assert review_tags(engine, source) == {}
        assert library_rows(engine, source) == []
        assert open_index(tmp_path / "index").store.documents() == []
    finally:
        engine.close()
