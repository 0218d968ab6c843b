"""The Case page's rapid review draft, through ``app.py`` with AppTest on the seeded demo store:
prepared from the case's shortlist first, edited in text areas, saved into the download, and
regenerated from the shortlist as it is now (which replaces the edits)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest
from docx import Document
from sqlmodel import select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.db import open_session
from core.draft_model import ANNEX_HEADING, SECTION_HEADINGS
from learning.errors import IndexNotFound
from learning.filters import Filters
from learning.results import PassageHit, SimilarReview
from review_flows.models import Case
from review_flows.shortlists import save_to_shortlist
from tests.ui.conftest import PANEL, AppFactory

CASE = "ui/pages/case.py"
REFERENCE = "NSH-DEMO-001"  # a baby who died
PREPARE = "Prepare the rapid review draft"
DOWNLOAD = "Download the rapid review draft (.docx)"


def _review(review_id: str, title: str, age_group: str, page: int, label: str | None) -> Any:
    review = {
        "review_id": review_id, "title": title, "source": f"{review_id}.pdf", "year": 2021,
        "nation": "england", "partnership": "Eastshire Safeguarding Partnership",
        "review_type": "cspr", "outcome": "death", "age_group": age_group,
    }  # fmt: skip
    passage = PassageHit(
        **review, unit_id=1, kind="finding", number="3", section="Findings", page=page,
        page_label=label, text="Finding 3: Agencies did not share what they knew.", score=0.9,
        highlighted="", spans=(),
    )  # fmt: skip
    return SimilarReview(**review, score=1.0, similarity=0.8, passages=(passage,))


TEEN = _review("r03-teen", "Child C: a teenager", "15_17", 9, "6")
BABY = _review("r15-baby", "Child R: a baby", "under_1", 14, None)
MEN = _review("r21-men", "National review: the men around babies", "mixed", 15, "12")


class _Engine:
    """Ranks a teenager's review first; honours the age group filter; holds the men review."""

    def __init__(self) -> None:
        self.named: list[list[str]] = []

    def reload_if_changed(self) -> bool:
        return False

    def similar_cases(
        self, precis: str, k: int = 5, filters: Filters | None = None
    ) -> list[SimilarReview]:
        hits = [TEEN, BABY]
        if filters is not None and filters.age_group:
            hits = [hit for hit in hits if hit.age_group in filters.age_group]
        return hits[:k]

    def reviews_matching(
        self, review_ids: Sequence[str], precis: str, per_review: int = 3
    ) -> list[SimilarReview]:
        self.named.append(list(review_ids))
        return [hit for hit in (MEN, TEEN, BABY) if hit.review_id in review_ids]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> _Engine:
    search = _Engine()
    monkeypatch.setattr("ui.resources.search_engine", lambda: search)
    return search


@pytest.fixture
def case_id(db_url: str) -> int:
    with open_session(db_url) as session:
        case = session.exec(select(Case).where(Case.reference == REFERENCE)).one()
        assert case.id is not None
        return case.id


def _shortlist(db_url: str, review_id: str) -> None:
    with open_session(db_url) as session:
        save_to_shortlist(session, PANEL, REFERENCE, review_id, "the men were not seen")


def _open(app: AppFactory) -> AppTest:
    at = app(PANEL)
    at.session_state["case_ref"] = REFERENCE
    return at.switch_page(CASE).run()


def _button(at: AppTest, label: str) -> Any:
    [button] = [b for b in at.button if b.label == label]
    return button


def _download(at: AppTest, media: list[MemoryMediaFileStorage]) -> list[str]:
    [button] = [b for b in at.get("download_button") if b.proto.label == DOWNLOAD]
    data = media[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def _area(at: AppTest, case_id: int, index: int) -> Any:
    return at.text_area(key=f"case_page_draft_text:{case_id}:{index}")


def _annex_reviews(at: AppTest, case_id: int) -> list[str]:
    """The labels of the annex's review sections (after the annex's own), in order."""
    prefix = f"case_page_draft_text:{case_id}:"
    labels = [area.label for area in at.text_area if (area.key or "").startswith(prefix)]
    return labels[len(SECTION_HEADINGS) + 1 :]


def test_the_draft_leads_with_the_shortlisted_review_and_cites_its_printed_page(
    app: AppFactory, db_url: str, engine: _Engine, case_id: int
) -> None:
    _shortlist(db_url, MEN.review_id)
    at = _open(app)
    _button(at, PREPARE).click().run()

    assert not at.exception
    assert engine.named == [[MEN.review_id]]
    # saved first; then the baby's review, ranked below the teenager's by the search
    assert _annex_reviews(at, case_id) == [MEN.title, BABY.title, TEEN.title]
    men = _area(at, case_id, len(SECTION_HEADINGS) + 1).value
    assert "Saved to this case's shortlist. Why: the men were not seen" in men
    assert "- Finding 3: Agencies did not share what they knew." in men  # labelled once
    assert "Source: [the men around babies, Eastshire CSPR 2021, p. 12]" in men
    assert "rules.md" not in "\n".join(area.value for area in at.text_area)
    captions = " ".join(caption.value for caption in at.caption)
    assert "Regenerate builds the draft again" in captions and "replaces your edits" in captions


def test_an_edit_saved_goes_into_the_download(
    app: AppFactory, engine: _Engine, case_id: int, media: list[MemoryMediaFileStorage]
) -> None:
    at = _open(app)
    _button(at, PREPARE).click().run()
    before = _download(at, media)
    assert any(line.startswith("Guidance: List each agency") for line in before)

    _area(at, case_id, 1).set_value("Health visiting and the GP knew the family.\n- Police")
    _button(at, "Save the edits").click().run()

    assert not at.exception
    text = _download(at, media)
    section = text[text.index(SECTION_HEADINGS[1]) : text.index(SECTION_HEADINGS[2])]
    assert section == [SECTION_HEADINGS[1], "Health visiting and the GP knew the family.", "Police"]
    assert "Case reference: NSH-DEMO-001" in text
    assert [line for line in text if line in SECTION_HEADINGS] == list(SECTION_HEADINGS)
    assert "Edits saved: the download below holds them." in [s.value for s in at.success]
    # the saved edit is kept: another run of the page shows and downloads it still
    at.run()
    assert _area(at, case_id, 1).value.startswith("Health visiting and the GP")


def test_regenerate_takes_the_shortlist_as_it_is_now_and_replaces_the_edits(
    app: AppFactory, db_url: str, engine: _Engine, case_id: int,
    media: list[MemoryMediaFileStorage],
) -> None:  # fmt: skip
    at = _open(app)
    _button(at, PREPARE).click().run()
    assert _annex_reviews(at, case_id)[0] == BABY.title  # of the case's age group, not TEEN
    _area(at, case_id, 1).set_value("An edit that regenerating replaces.")
    _button(at, "Save the edits").click().run()
    _shortlist(db_url, MEN.review_id)

    _button(at, "Regenerate the draft").click().run()

    assert not at.exception
    assert _annex_reviews(at, case_id)[0] == MEN.title
    assert _area(at, case_id, 1).value.startswith("Guidance: List each agency")
    text = _download(at, media)
    assert "An edit that regenerating replaces." not in text
    assert "Source: [the men around babies, Eastshire CSPR 2021, p. 12]" in text


def test_without_a_library_the_annex_says_so_in_words(
    app: AppFactory, monkeypatch: pytest.MonkeyPatch, media: list[MemoryMediaFileStorage]
) -> None:
    def no_index() -> Any:
        raise IndexNotFound("no index in data/index; run `cspr ingest PATH` first")

    monkeypatch.setattr("ui.resources.search_engine", no_index)
    at = _open(app)
    _button(at, PREPARE).click().run()

    assert not at.exception
    text = _download(at, media)
    assert text[text.index(ANNEX_HEADING) + 1] == (
        "The library of published reviews could not be searched: the library holds no "
        "published reviews yet."
    )
