"""Hybrid search on a tiny corpus: passages, reviews, similar cases, filters, highlighting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from learning.encoder import Encoder, FakeEncoder
from learning.errors import EmptyQuery, IndexMismatch, IndexNotFound, InvalidFilter, ThemeNotFound
from learning.filters import parse_filters
from learning.ingest import ingest_paths
from learning.search import SearchEngine, open_engine
from tests.learning.factories import CORPUS, write_corpus

pytest_plugins = ("tests.learning.factories",)

PRECIS = (
    "A six week old baby was taken to hospital with bruises on his face and arm. He could not "
    "yet roll over. The mother's new boyfriend had moved in recently and was not known to the "
    "health visitor. Nobody asked who else lived in the household."
)


def _engine(tmp_path: Path, encoder: Encoder, **options: object) -> SearchEngine:
    write_corpus(tmp_path / "reviews")
    ingest_paths([tmp_path / "reviews"], tmp_path / "index", encoder)
    return open_engine(tmp_path / "index", encoder, **options)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    search = _engine(tmp_path_factory.mktemp("search"), FakeEncoder())
    yield search
    search.close()


@pytest.mark.parametrize(
    ("query", "review_id"),
    [
        ("bruising on a non-mobile baby", "r-infant-bruising"),
        ("county lines exploitation", "r-exploitation"),
        ("co-sleeping after drinking alcohol", "r-safe-sleep"),
        ("disguised compliance and neglect", "r-neglect"),
        ("see the child alone", "r-domestic-abuse"),
    ],
)
def test_query_finds_the_right_review_first(
    engine: SearchEngine, query: str, review_id: str
) -> None:
    assert engine.search_passages(query, k=3)[0].review_id == review_id
    assert engine.search_reviews(query, k=3)[0].review_id == review_id


def test_passage_hit_carries_its_citation(engine: SearchEngine) -> None:
    hit = engine.search_passages(
        "bruising protocol", k=1, filters=parse_filters(["kind=recommendation"])
    )[0]
    assert (hit.review_id, hit.kind, hit.number, hit.section) == (
        "r-infant-bruising",
        "recommendation",
        "1",
        "Recommendations",
    )
    assert hit.title == CORPUS["r-infant-bruising"]["meta"]["title"]
    assert hit.year == 2019 and hit.nation == "england"
    assert hit.source.endswith("r-infant-bruising.md")
    assert hit.page >= 1 and hit.score > 0


def test_highlight_marks_the_query_words(engine: SearchEngine) -> None:
    hit = engine.search_passages("county lines", k=1)[0]
    assert "**county** **lines**" in hit.highlighted
    assert [hit.text[a:b] for a, b in hit.spans][:2] == ["county", "lines"]


def test_highlight_matches_word_forms(engine: SearchEngine) -> None:
    hit = engine.search_passages("bruises", k=1)[0]
    assert "**Bruising**" in hit.highlighted or "**bruising**" in hit.highlighted


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (["nation=wales"], {"r-safe-sleep"}),
        (["year>=2020"], {"r-safe-sleep", "r-neglect", "r-domestic-abuse"}),
        (["year=2018-2019"], {"r-exploitation", "r-infant-bruising"}),
        (["outcome=serious_harm"], {"r-neglect", "r-domestic-abuse"}),
        (["age_group=under_1", "nation=england"], {"r-infant-bruising"}),
        (["partnership=glenmorven"], {"r-neglect"}),
        (["review_type=scr,cpr"], {"r-exploitation", "r-safe-sleep"}),
    ],
)
def test_filters_exclude_other_reviews(engine: SearchEngine, filters: list[str], allowed) -> None:
    parsed = parse_filters(filters)
    passages = engine.search_passages("baby bruising neglect exploitation", k=20, filters=parsed)
    reviews = engine.search_reviews("baby bruising neglect exploitation", k=20, filters=parsed)
    assert passages and {hit.review_id for hit in passages} <= allowed
    assert {hit.review_id for hit in reviews} == allowed


def test_kind_filter_keeps_only_that_kind(engine: SearchEngine) -> None:
    hits = engine.search_passages("child", k=20, filters=parse_filters(["kind=finding"]))
    assert hits and {hit.kind for hit in hits} == {"finding"}


def test_filter_that_matches_nothing_gives_no_results(engine: SearchEngine) -> None:
    assert engine.search_passages("baby", filters=parse_filters(["nation=northern_ireland"])) == []


def test_free_value_that_no_review_holds_names_the_values_held(engine: SearchEngine) -> None:
    with pytest.raises(
        InvalidFilter,
        match=r"outcome='injury' matches no review; the index "
        r"holds: death, serious_harm",
    ):
        engine.search_passages("baby", filters=parse_filters(["outcome=injury"]))


def test_review_results_are_distinct_with_their_passages(engine: SearchEngine) -> None:
    reviews = engine.search_reviews("baby", k=10)
    ids = [review.review_id for review in reviews]
    assert len(ids) == len(set(ids)) == len(CORPUS)
    assert all(1 <= len(r.passages) <= 3 for r in reviews)
    assert all(p.review_id == r.review_id for r in reviews for p in r.passages)
    assert [r.score for r in reviews] == sorted((r.score for r in reviews), reverse=True)


@pytest.mark.parametrize("query", ["", "   ", "?!", "--"])
def test_empty_query_is_refused(engine: SearchEngine, query: str) -> None:
    with pytest.raises(EmptyQuery, match="the query is empty"):
        engine.search_passages(query)


def test_stopword_only_query_still_searches_by_meaning(engine: SearchEngine) -> None:
    assert engine.search_passages("what about them", k=2)


def test_similar_cases_from_a_precis(engine: SearchEngine) -> None:
    similar = engine.similar_cases(PRECIS, k=3)
    assert similar[0].review_id == "r-infant-bruising"
    best = similar[0].passages
    assert best and {p.kind for p in best} <= {"finding", "recommendation"}
    assert all(p.matched_query for p in best)
    assert 0 < similar[0].similarity <= 1


def test_similar_cases_respects_filters(engine: SearchEngine) -> None:
    similar = engine.similar_cases(PRECIS, k=5, filters=parse_filters(["nation=wales"]))
    assert [s.review_id for s in similar] == ["r-safe-sleep"]


def test_results_serialise_in_one_shape(engine: SearchEngine) -> None:
    passage = engine.search_passages("county lines", k=1)[0].to_dict()
    review = engine.search_reviews("county lines", k=1)[0].to_dict()
    similar = engine.similar_cases(PRECIS, k=1)[0].to_dict()
    for result in (passage, review, similar):
        assert {"review_id", "title", "source", "year", "score", "passages"} <= set(result)
        assert {"page", "section", "text"} <= set(result["passages"][0])
    assert passage["passages"][0]["text"] == passage["text"]


def test_engine_refuses_an_index_of_another_model(tmp_path: Path) -> None:
    _engine(tmp_path, FakeEncoder()).close()
    with pytest.raises(IndexMismatch, match="built with model"):
        open_engine(tmp_path / "index", FakeEncoder(name="other"))
    with pytest.raises(IndexNotFound):
        open_engine(tmp_path / "nothing", FakeEncoder())


def test_engine_reloads_after_another_ingest(tmp_path: Path) -> None:
    engine = _engine(tmp_path, FakeEncoder())
    try:
        assert engine.reload_if_changed() is False
        extra = tmp_path / "more"
        extra.mkdir()
        (extra / "r-new.md").write_text(
            "---\nreview_id: r-new\n---\n\nA toddler drowned in a pond.\n"
        )
        nothing_yet = engine.search_passages("pond", k=3, filters=parse_filters(["year<1990"]))
        assert nothing_yet == []
        ingest_paths([extra], tmp_path / "index", FakeEncoder())
        assert engine.reload_if_changed() is True
        assert engine.search_passages("pond", k=1)[0].review_id == "r-new"
        # The filter's allowed units are read afresh from the new index (no stale cache).
        (extra / "r-new.md").write_text(
            "---\nreview_id: r-new\nyear: 1989\n---\n\nA toddler drowned in a pond.\n"
        )
        ingest_paths([extra], tmp_path / "index", FakeEncoder())
        assert engine.reload_if_changed() is True
        old = engine.search_passages("pond", k=3, filters=parse_filters(["year<1990"]))
        assert [hit.review_id for hit in old] == ["r-new"]
    finally:
        engine.close()


def test_weighted_fusion_option(tmp_path: Path) -> None:
    engine = _engine(tmp_path, FakeEncoder(), fusion="weighted", weights=(0.3, 0.7))
    try:
        assert engine.search_passages("county lines", k=1)[0].review_id == "r-exploitation"
    finally:
        engine.close()


@pytest.fixture(scope="module")
def real_engine(tmp_path_factory: pytest.TempPathFactory, real_encoder) -> Iterator[SearchEngine]:
    search = _engine(tmp_path_factory.mktemp("real"), real_encoder)
    yield search
    search.close()


@pytest.mark.slow
def test_paraphrase_finds_the_review_by_meaning(real_engine: SearchEngine) -> None:
    hits = real_engine.search_passages("baby with bruises who could not yet crawl", k=3)
    assert hits[0].review_id == "r-infant-bruising"


@pytest.mark.slow
def test_paraphrase_without_shared_words_dense_side_alone(real_engine: SearchEngine) -> None:
    dense_only = SearchEngine(real_engine.index, real_engine.encoder, weights=(1.0, 0.0))
    hits = dense_only.search_passages("teenager groomed by gangs to sell drugs", k=3)
    assert hits[0].review_id == "r-exploitation"
    hits = dense_only.search_passages("infant died in the parents' bed after they drank", k=3)
    assert hits[0].review_id == "r-safe-sleep"


@pytest.mark.slow
def test_similar_cases_with_the_real_model(real_engine: SearchEngine) -> None:
    similar = real_engine.similar_cases(PRECIS, k=3)
    assert similar[0].review_id == "r-infant-bruising"
    assert any("household" in p.text or "bruising" in p.text for p in similar[0].passages)


def test_engine_can_be_shared_by_threads(engine: SearchEngine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    queries = ["county lines", "safer sleep", "bruising protocol", "disguised compliance"] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        tops = list(pool.map(lambda q: engine.search_passages(q, k=1)[0].review_id, queries))
    assert tops[:4] == ["r-exploitation", "r-safe-sleep", "r-infant-bruising", "r-neglect"]
    assert tops == tops[:4] * 3


def test_a_side_weighted_zero_is_not_run(tmp_path: Path) -> None:
    """Keyword-only search finds nothing for a word no review contains; dense-only still ranks."""
    keyword_only = _engine(tmp_path / "k", FakeEncoder(), weights=(0.0, 1.0))
    dense_only = open_engine(tmp_path / "k" / "index", FakeEncoder(), weights=(1.0, 0.0))
    try:
        assert keyword_only.search_passages("zyzzogeton", k=3) == []
        assert len(dense_only.search_passages("zyzzogeton", k=3)) == 3
        assert keyword_only.similar_cases("zyzzogeton quokka", k=3) == []
        assert len(dense_only.similar_cases(PRECIS, k=3)) == 3
    finally:
        keyword_only.close()
        dense_only.close()


def test_filters_stay_right_when_the_engine_forgets_older_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import learning.search

    monkeypatch.setattr(learning.search, "ALLOWED_CACHE_SIZE", 1)
    keyword_only = _engine(tmp_path, FakeEncoder(), weights=(0.0, 1.0))
    try:
        for _ in range(2):
            for nation in ("england", "wales", "scotland"):
                filters = parse_filters([f"nation={nation}"])
                hits = keyword_only.search_passages(
                    "child baby young person family", k=50, filters=filters
                )
                reviews = {hit.review_id for hit in hits}
                assert reviews and all(CORPUS[r]["meta"]["nation"] == nation for r in reviews)
        assert len(keyword_only._allowed_cache) == 1
    finally:
        keyword_only.close()


@pytest.mark.parametrize("weights", [(0.0, 0.0), (-1.0, 1.0)])
def test_engine_refuses_weights_that_switch_everything_off(
    tmp_path: Path, weights: tuple[float, float]
) -> None:
    write_corpus(tmp_path / "reviews")
    ingest_paths([tmp_path / "reviews"], tmp_path / "index", FakeEncoder())
    with pytest.raises(ValueError, match="weights must be non-negative"):
        open_engine(tmp_path / "index", FakeEncoder(), weights=weights)


@pytest.fixture(scope="module")
def theme_engine(real_engine: SearchEngine) -> SearchEngine:
    return SearchEngine(real_engine.index, real_engine.encoder, themes=True)


@pytest.mark.slow
def test_a_query_naming_a_theme_finds_reviews_about_it(theme_engine: SearchEngine) -> None:
    # "coercive control" is a practitioner phrase of the domestic abuse theme; the review
    # about domestic abuse never uses those words
    assert theme_engine._theme_signals().named_themes("coercive control") == ["domestic_abuse"]
    hits = theme_engine.search_reviews("coercive control", k=3)
    assert hits[0].review_id == "r-domestic-abuse"
    assert hits[0].passages  # with the passages that show why


@pytest.mark.slow
def test_a_theme_picked_from_the_taxonomy_ranks_by_it(theme_engine: SearchEngine) -> None:
    hits = theme_engine.search_reviews("what did reviews recommend", k=3, theme="exploitation_ehm")
    assert hits[0].review_id == "r-exploitation"
    with pytest.raises(ThemeNotFound, match="no theme 'gangs'; themes: nai_infancy"):
        theme_engine.search_reviews("gangs", theme="gangs")


@pytest.mark.slow
def test_similar_cases_say_which_case_patterns_they_share(theme_engine: SearchEngine) -> None:
    similar = theme_engine.similar_cases(PRECIS, k=3)
    assert similar[0].review_id == "r-infant-bruising"
    assert "Non-accidental injury in infancy" in similar[0].shared_themes
    assert similar[0].to_dict()["shared_themes"] == list(similar[0].shared_themes)
