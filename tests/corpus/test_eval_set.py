"""The evaluation set stays usable and honest: enough queries of each type, judgements that name
real reviews with valid grades, theme labels from the taxonomy for every review, a note for every
review, and queries that are paraphrases rather than copies of the reviews' sentences."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pytest
import yaml

from tests.corpus.loading import CORPUS, ROOT, review_files

EVAL = CORPUS / "eval"
QUERY_TYPES = ("theme", "passage", "case")


def _queries() -> list[dict]:
    lines = (EVAL / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _review_ids() -> set[str]:
    return {path.name.split(".")[0] for path in review_files()}


def _taxonomy_ids() -> set[str]:
    taxonomy = yaml.safe_load((ROOT / "learning" / "data" / "taxonomy.yaml").read_text())
    return {theme["id"] for theme in taxonomy["themes"]}


def test_at_least_sixty_queries_spread_over_the_three_types() -> None:
    queries = _queries()
    counts = Counter(query["type"] for query in queries)
    assert len(queries) >= 60
    assert set(counts) == set(QUERY_TYPES)
    assert min(counts.values()) >= 20


def test_query_ids_are_unique_and_every_query_is_explained() -> None:
    queries = _queries()
    assert len({query["id"] for query in queries}) == len(queries)
    for query in queries:
        assert query["query"].strip(), query["id"]
        assert len(query["note"]) > 40, query["id"]


def test_judgements_name_real_reviews_with_grades_one_or_two() -> None:
    reviews = _review_ids()
    for query in _queries():
        judgements = query["judgements"]
        assert 2 <= len(judgements) <= 10, query["id"]
        assert set(judgements) <= reviews, query["id"]
        assert set(judgements.values()) <= {1, 2}, query["id"]
        assert 2 in judgements.values(), query["id"]


def test_judgements_are_not_concentrated_on_a_few_reviews() -> None:
    judged = Counter(r for query in _queries() for r in query["judgements"])
    assert len(judged) >= 38  # almost every review is the answer to something
    assert judged.most_common(1)[0][1] <= 15


def test_case_queries_are_paragraphs() -> None:
    for query in _queries():
        if query["type"] == "case":
            assert len(query["query"].split()) >= 40, query["id"]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@pytest.fixture(scope="module")
def review_eight_grams() -> set[tuple[str, ...]]:
    grams: set[tuple[str, ...]] = set()
    for path in review_files():
        if path.suffix in (".md", ".txt"):
            words = _words(path.read_text(encoding="utf-8"))
            grams.update(zip(*(words[i:] for i in range(8)), strict=False))
    for path in (CORPUS / "src").glob("*.md"):
        words = _words(path.read_text(encoding="utf-8"))
        grams.update(zip(*(words[i:] for i in range(8)), strict=False))
    return grams


def test_queries_paraphrase_rather_than_copy_the_reviews(review_eight_grams) -> None:  # noqa: ANN001
    copied = []
    for query in _queries():
        words = _words(query["query"])
        grams = set(zip(*(words[i:] for i in range(8)), strict=False))
        if grams & review_eight_grams:
            copied.append(query["id"])
    assert copied == []


def test_theme_labels_cover_every_review_with_taxonomy_ids() -> None:
    with open(EVAL / "review_themes.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["review_id"] for row in rows} == _review_ids()
    assert {row["theme_id"] for row in rows} <= _taxonomy_ids()
    assert {row["grade"] for row in rows} <= {"1", "2"}
    pairs = [(row["review_id"], row["theme_id"]) for row in rows]
    assert len(pairs) == len(set(pairs))
    main_themes = Counter(row["review_id"] for row in rows if row["grade"] == "2")
    assert all(main_themes[review] >= 1 for review in _review_ids())


def test_every_review_has_reading_notes() -> None:
    notes = {path.stem for path in (EVAL / "notes").glob("*.md")}
    assert notes == _review_ids()


SHORT = EVAL / "short"


@pytest.mark.parametrize("kind", ["briefings", "summaries", "recommendations"])
def test_every_review_has_each_short_version(kind: str) -> None:
    stems = {path.name.split(".")[0] for path in (SHORT / kind).iterdir()}
    assert stems == _review_ids()


@pytest.mark.parametrize("path", sorted((SHORT / "briefings").glob("*.md")), ids=lambda p: p.stem)
def test_briefings_are_short_single_heading_paraphrases(path) -> None:  # noqa: ANN001
    text = path.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    assert yaml.safe_load(front.lstrip("-\n"))["source_review"] == path.stem
    assert 150 <= len(body.split()) <= 420
    assert [line for line in body.splitlines() if line.startswith("#")] == [body.split("\n")[1]]
    source = next(p for p in review_files() if p.name.startswith(path.stem + "."))
    if source.suffix in (".md", ".txt"):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", body) if len(s.split()) >= 12]
        original = " ".join(source.read_text(encoding="utf-8").split())
        assert not [s for s in sentences if " ".join(s.split()) in original]
