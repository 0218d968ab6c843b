"""Briefing drafts of real demo reviews: every point quoted from the page it cites."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from learning.briefing import HEADINGS, QUESTIONS_NOTE, Briefing, draft_briefing
from learning.briefing_library import review_briefing
from learning.encoder import FakeEncoder
from learning.errors import ReviewNotIndexed
from learning.extract import extract_document
from learning.ingest import ingest_paths
from learning.search import SearchEngine, open_engine
from learning.themes.values import Evidence, TagSource, ThemeTag

pytest_plugins = ("tests.learning.factories",)

REVIEWS = Path(__file__).resolve().parents[2] / "corpus" / "reviews"
# PDFs with and without printed page numbers, a Word document, a web page and Markdown
REAL = (
    "r01-child-a-northshire-2012.pdf",
    "r03-child-c-eastbridge-2014.pdf",
    "r04-baby-d-kingsford-2014.docx",
    "r07-child-g-riverton-2016.html",
    "r10-child-k-glenmorven-2017.md",
)
ONE_HEADING = """---
review_id: "short-one-heading"
title: "Learning brief: Child Z"
year: 2024
---

# Learning brief: Child Z

Child Z was a baby of four months who was seriously injured at home in 2023.

The health visitor saw a bruise on his ear and accepted the mother's explanation of a fall.

Nobody asked the mother's new partner about his history or recorded his name.

Practitioners should refer every bruise on a baby who is not yet mobile for a medical.
"""
NO_HEADING = """Child Y was a teenager who went missing from care many times in 2022.

Workers saw his repeated missing episodes as a choice he had made for himself.

Return interviews were not offered after most of the episodes of going missing.
"""


def _normalised(text: str) -> str:
    return " ".join(text.replace("**", "").replace("-\n", "-").split())


def assert_supported(briefing: Briefing, source: Path) -> None:
    """Every quoted point is on the page it cites, and that page's printed label is cited."""
    pages = {page.number: page for page in extract_document(source).pages}
    assert briefing.points
    for point in briefing.points:
        page = pages[point.placed.page]
        assert _normalised(point.text) in _normalised(page.text), (point.citation, point.text)
        assert point.citation == f"p. {page.label or page.number}"
        assert any(
            point.shown() == paragraph.text for s in briefing.sections for paragraph in s.paragraphs
        )


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    folder = tmp_path_factory.mktemp("briefing")
    (folder / "short.md").write_text(ONE_HEADING, encoding="utf-8")
    (folder / "none.txt").write_text(NO_HEADING, encoding="utf-8")
    paths = [REVIEWS / name for name in REAL] + [folder / "short.md", folder / "none.txt"]
    report = ingest_paths(paths, folder / "index", FakeEncoder())
    assert not report.failed
    opened = open_engine(folder / "index", FakeEncoder())
    yield opened
    opened.close()


def _review_id(engine: SearchEngine, source: Path) -> str:
    found = engine.index.store.document_by_source(str(source))
    assert found is not None
    return found.review_id


@pytest.mark.parametrize("name", REAL)
def test_every_point_of_a_real_review_is_on_its_cited_page(engine: SearchEngine, name: str) -> None:
    briefing = review_briefing(engine, _review_id(engine, REVIEWS / name))
    assert briefing.checked
    assert_supported(briefing, REVIEWS / name)
    parts = {point.part for point in briefing.points}
    assert {"learning", "recs"} <= parts
    assert [section.heading for section in briefing.sections] == list(HEADINGS.values())


def test_a_pdf_review_cites_its_printed_page_numbers(engine: SearchEngine) -> None:
    source = REVIEWS / REAL[1]  # front matter numbered i, ii, iii; then 1, 2 ...
    briefing = review_briefing(engine, _review_id(engine, source))
    labels = {page.label for page in extract_document(source).pages}
    assert {point.citation.removeprefix("p. ") for point in briefing.points} <= labels
    assert all(point.citation != f"p. {point.placed.page}" for point in briefing.points)


@pytest.mark.parametrize(("name", "text"), [("short.md", ONE_HEADING), ("none.txt", NO_HEADING)])
def test_a_short_document_with_one_heading_or_none_gives_a_draft(
    engine: SearchEngine, tmp_path: Path, name: str, text: str
) -> None:
    source = Path(engine.index.directory).parent / name
    briefing = review_briefing(engine, _review_id(engine, source))
    assert_supported(briefing, source)
    assert {point.part for point in briefing.points} >= {"learning"}
    # each sentence is quoted once, in one part
    texts = [point.text for point in briefing.points]
    assert len(texts) == len(set(texts))


def test_an_unknown_review_is_refused_in_words(engine: SearchEngine) -> None:
    with pytest.raises(ReviewNotIndexed, match="no review 'r99-nobody' in the library"):
        review_briefing(engine, "r99-nobody")


def test_questions_come_from_the_themes_and_say_so(engine: SearchEngine) -> None:
    review_id = _review_id(engine, REVIEWS / REAL[0])
    store = engine.index.store
    document = store.document_by_review(review_id)
    assert document is not None
    evidence = Evidence(1, "finding", None, "Findings", 17, "16", "text", 0.8, "[Child A, p. 16]")
    tag = ThemeTag(
        review_id, "nai_infancy", "Non-accidental injury in infancy", 0.9, 0.9, 0.5,
        TagSource.MODEL, (evidence,),
    )  # fmt: skip
    briefing = draft_briefing(
        document, store.units_of_review(review_id), (), (tag,), FakeEncoder().encode
    )
    questions = next(s for s in briefing.sections if s.heading == HEADINGS["questions"])
    assert questions.paragraphs[0].text == QUESTIONS_NOTE
    assert questions.paragraphs[1].text.startswith("Non-accidental injury in infancy: ")
    more = next(s for s in briefing.sections if s.heading == HEADINGS["more"])
    assert "Theme: Non-accidental injury in infancy, evidence on p. 16." in [
        p.text for p in more.paragraphs
    ]
    assert not briefing.checked  # no pages given: each point cites its unit's first page


@pytest.mark.slow
def test_end_to_end_with_the_real_model(tmp_path: Path, real_encoder) -> None:  # noqa: ANN001
    source = REVIEWS / REAL[0]
    report = ingest_paths([source], tmp_path / "index", real_encoder)
    assert not report.failed
    opened = open_engine(tmp_path / "index", real_encoder)
    try:
        briefing = review_briefing(opened, _review_id(opened, source))
    finally:
        opened.close()
    assert_supported(briefing, source)
    assert sum(point.part == "learning" for point in briefing.points) == 6
