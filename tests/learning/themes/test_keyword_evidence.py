"""Keyword evidence for themes: the label and phrases of each theme as review search's BM25
queries over a review set's units (pure), and the tagger with and without it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from learning.encoder import FakeEncoder
from learning.index import open_index
from learning.keywords import query_terms, unit_terms
from learning.query import extract_terms
from learning.themes.corpus import review_excluded_flags
from learning.themes.keyword_evidence import (
    build_theme_queries,
    keyword_evidence,
    keyword_scorer,
    query_bm25,
    term_statistics,
)
from learning.themes.scoring import ScoringParams, combine_scores
from learning.themes.taxonomy import Taxonomy
from tests.learning.themes.conftest import FAKE_PARAMS, Doc, F, P, build_index

# A small review set: what the units of a library say, a few themes each.
LIBRARY = (
    "The baby was not brought to health appointments and the GP was not told.",
    "Police attended the home after reports of shouting and a broken window.",
    "The school noticed the child was often hungry and tired in class.",
    "The review considered the records of six agencies over two years.",
    "The mother had post-natal depression and was not referred for support.",
    "The young person went missing from care and was found in another city.",
    "The family moved three times and lived in temporary accommodation.",
    "Supervision of the social worker did not question the plan.",
)


def scorer(taxonomy: Taxonomy, texts: tuple[str, ...], section: str = "Findings"):  # noqa: ANN201
    themes = taxonomy.themes
    return keyword_scorer(
        [theme.label for theme in themes],
        [theme.phrases for theme in themes],
        texts,
        [section] * len(texts),
    )


def evidence_of(taxonomy: Taxonomy, text: str, theme: str, library=LIBRARY) -> float:  # noqa: ANN001
    keywords = scorer(taxonomy, (*library, text))
    return float(keywords.score([text], ["Findings"])[0, taxonomy.ids.index(theme)])


def test_a_short_document_naming_domestic_abuse_gets_that_theme(taxonomy: Taxonomy) -> None:
    text = "Her mother lived with domestic abuse for years before anyone asked."
    keywords = scorer(taxonomy, (*LIBRARY, text))
    row = keywords.score([text], ["Learning"])[0]

    assert row[taxonomy.ids.index("domestic_abuse")] == pytest.approx(1.0)
    # nothing else it names as clearly: the rest is well below
    others = np.delete(row, taxonomy.ids.index("domestic_abuse"))
    assert others.max() < 0.6
    # a unit that does not name it gets none of it
    assert keywords.score([LIBRARY[3]], ["Findings"])[0, taxonomy.ids.index("domestic_abuse")] == 0


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        # word order and inflection do not matter, as in review search (porter stems)
        ("Agencies did not share information with each other.", "information_sharing"),
        ("Neglect of the children was seen by everyone and named by nobody.", "neglect"),
        ("There was coercive control by her partner.", "domestic_abuse"),
    ],
)
def test_plain_words_name_their_theme(taxonomy: Taxonomy, text: str, theme: str) -> None:
    assert evidence_of(taxonomy, text, theme) >= 0.9


def test_a_glossary_entry_earns_no_keyword_evidence(taxonomy: Taxonomy) -> None:
    # one review: a finding, then its glossary (the rule that excludes it is the tagger's own)
    texts = (LIBRARY[3], "Domestic abuse: any incident of controlling behaviour.")
    sections = ("Findings", "Glossary")
    themes = taxonomy.themes
    keywords = keyword_scorer(
        [theme.label for theme in themes],
        [theme.phrases for theme in themes],
        (*LIBRARY, *texts),
        ("Findings",) * len(LIBRARY) + sections,
    )
    rows = [
        _Row(text, section, "Child Q: a review")
        for text, section in zip(texts, sections, strict=True)
    ]
    excluded = np.array([False] * len(LIBRARY) + review_excluded_flags(rows))

    evidence = keywords.score_units(excluded)

    assert excluded[-2:].tolist() == [False, True]
    assert evidence[-1].max() == 0.0
    # the same words outside the glossary do count
    assert keywords.score(texts[1:], ["Findings"])[0, taxonomy.ids.index("domestic_abuse")] > 0.9


def test_idf_comes_from_the_review_set(taxonomy: Taxonomy) -> None:
    # "abuse" alone is part of "domestic abuse": in a set where most units say "abuse" it
    # tells little (low idf), in a set where it is rare it is most of the label's information.
    text = "The abuse was not recognised by the nursery."
    common = tuple(f"{line} The abuse went on." for line in LIBRARY)

    rare = evidence_of(taxonomy, text, "domestic_abuse")
    in_common = evidence_of(taxonomy, text, "domestic_abuse", common)

    assert rare > 0.15  # one of the label's two words, the one with most information
    assert in_common < rare / 3


def test_label_and_phrases_are_the_searchs_queries(taxonomy: Taxonomy) -> None:
    queries = build_theme_queries(
        [theme.label for theme in taxonomy.themes], [theme.phrases for theme in taxonomy.themes]
    )
    theme = taxonomy.themes[taxonomy.ids.index("domestic_abuse")]
    expected = [tuple(query_terms(extract_terms(t).words)) for t in (theme.label, *theme.phrases)]

    assert list(queries.queries[taxonomy.ids.index("domestic_abuse")]) == list(
        dict.fromkeys(expected)
    )
    assert ("domest", "abus") in expected  # stopwords dropped, porter stems


def test_scores_are_review_search_bm25(tmp_path: Path, fake_encoder: FakeEncoder) -> None:
    units = [(F, text, "Findings", 1) for text in LIBRARY]
    units.append((P, "Domestic abuse and domestic violence were not shared.", "Summary", 1))
    build_index(tmp_path / "index", [Doc("r1", tuple(units))], fake_encoder)
    writing = open_index(tmp_path / "index", write=True)
    writing.prepare_keywords()  # the postings, as ingest writes them
    writing.commit()
    writing.close()
    index = open_index(tmp_path / "index")
    try:
        reader = index.keywords
        assert reader is not None
        rows = index.store.units_of_review("r1")
        terms = query_terms(extract_terms("domestic abuse police home").words)
        searched = dict(reader.search(terms, limit=100))
    finally:
        index.close()
    analysed = [unit_terms(row.text, row.section or "") for row in rows]

    ours = query_bm25(analysed, terms, term_statistics(analysed))

    assert [round(float(s), 4) for s in ours] == [
        round(searched.get(row.id, 0.0), 4) for row in rows
    ]
    assert ours.max() > 0


def test_no_units_no_evidence(taxonomy: Taxonomy) -> None:
    queries = build_theme_queries(["Neglect"], [["chronic neglect"]])
    assert keyword_evidence([], queries, term_statistics([])).shape == (0, 1)


# --- the tagger with and without it ----------------------------------------------------------

NAMED = (
    "Learning. Nobody at the nursery or the surgery knew the household lived with domestic abuse "
    "from the stepfather."
)
SHORT_REVIEWS = [
    Doc("brief-da", ((P, NAMED, "Summary", 1),)),
    *(Doc(f"brief-{number}", ((P, text, "Summary", 1),)) for number, text in enumerate(LIBRARY)),
]


def test_the_keyword_weight_raises_a_theme_named_in_plain_words(
    tmp_path: Path, fake_encoder: FakeEncoder, open_workspace
) -> None:  # noqa: ANN001
    index_dir = build_index(tmp_path / "index", SHORT_REVIEWS, fake_encoder)
    without = open_workspace(index_dir, params=replace(FAKE_PARAMS, keyword_weight=0.0))
    with_it = open_workspace(index_dir, params=replace(FAKE_PARAMS, keyword_weight=0.3))
    column = without.taxonomy.ids.index("domestic_abuse")
    positions = without.table.positions_of_review(without.table.review_ids.index("brief-da"))

    before = without.scores.unit_conf[positions].max(axis=0)
    after = with_it.scores.unit_conf[positions].max(axis=0)

    # the fake encoder alone is unsure (its words spread over nursery, surgery, household)
    assert before[column] < 0.7
    assert after[column] > before[column] + 0.2
    assert int(np.argmax(after)) == column
    assert with_it.params.digest != without.params.digest  # cached scores are kept apart


def test_a_glossary_alone_earns_no_tag_with_keywords(
    tmp_path: Path, fake_encoder: FakeEncoder, open_workspace
) -> None:  # noqa: ANN001
    glossary = Doc(
        "r-glossary",
        (
            (F, "The school saw the child every day and nothing was wrong.", "Findings", 1),
            (P, "Domestic abuse: any incident of coercive control.", "Glossary", 2),
        ),
    )
    index_dir = build_index(tmp_path / "index", [glossary, *SHORT_REVIEWS[1:]], fake_encoder)
    workspace = open_workspace(index_dir, params=replace(FAKE_PARAMS, keyword_weight=0.3))

    assert "domestic_abuse" not in workspace.tag_sets()["r-glossary"]


class _Row:
    """What ``review_excluded_flags`` reads of a unit."""

    def __init__(self, text: str, section: str, title: str) -> None:
        self.text, self.section, self.title = text, section, title


def test_a_common_word_alone_does_not_name_a_phrase(taxonomy: Taxonomy) -> None:
    # "children" carries little information in this set, "care" most of "children in care":
    # without the share of the query's words held, "care" alone would name the theme.
    library = (*LIBRARY, *(f"The children were seen at school on day {n}." for n in range(6)))
    column = taxonomy.ids.index("children_in_care")
    keywords = scorer(taxonomy, (*library, "She was often at her grandmother's in her care."))

    alone = keywords.score(["She was often at her grandmother's in her care."], ["Findings"])
    named = keywords.score(["The children in care moved placement."], ["Findings"])

    assert alone[0, column] <= 0.5
    assert named[0, column] == pytest.approx(1.0)


def test_keyword_evidence_counts_relative_to_the_units_other_themes() -> None:
    semantic = np.full((2, 3), 0.6, dtype=np.float32)
    lexical = np.zeros((2, 3), dtype=np.float32)
    keyword = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5]], dtype=np.float32)
    params = ScoringParams(keyword_weight=0.2)

    with_it = combine_scores(semantic, lexical, params, keyword)
    without = combine_scores(semantic, lexical, replace(params, keyword_weight=0.0), keyword)

    assert with_it[0, 0] > without[0, 0] and with_it[0, 1] < without[0, 1]
    np.testing.assert_allclose(with_it[1], without[1], rtol=1e-6)  # the same words for all
    np.testing.assert_array_equal(combine_scores(semantic, lexical, params), without)
