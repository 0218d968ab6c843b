"""The Search, Similar cases and Library pages, run by AppTest over a tiny index.

The index is the learning tests' corpus (plus a review paged by form feeds) ingested with the
hashing :class:`FakeEncoder`; the app's engine loads it through ``cspr.cli.library.build_encoder``,
patched to the same encoder, from the data folder's ``index/``. ``st.cache_resource`` is
cleared around each test so no test sees another's engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core.access import Viewer
from core.case_facts import CaseFacts
from core.db import open_session
from core.roles import Role
from learning.encoder import FakeEncoder
from learning.index import open_index
from learning.ingest import ingest_paths
from learning.library import ThemeSource
from learning.precis import case_precis
from learning.search import open_engine
from learning.similar_facets import similar_by_facets
from learning.themes.taxonomy import SHIPPED_TAXONOMY
from review_flows.models import Case, ShortlistItem
from tests.learning.factories import CORPUS, review_markdown
from tests.learning.test_library import write_library
from tests.ui.conftest import NORTHSHIRE, PANEL, REVIEWER, AppFactory

SEARCH, SIMILAR, LIBRARY = "ui/pages/search.py", "ui/pages/similar.py", "ui/pages/library.py"
CWM_TAWEL = "Cwm Tawel Regional Safeguarding Board"
WELSH_PANEL = Viewer("cara.cwm", Role.PANEL_MEMBER, CWM_TAWEL, "Cara Cwm")
BRUISES = (
    "A six week old baby was taken to hospital with bruises on his face and arm. He could not "
    "yet roll over. The mother's new boyfriend had moved in recently and was not known to the "
    "health visitor."
)
GARBAGE_PDF = b"garbage bytes, not a PDF \x00\x01\x02"


@pytest.fixture
def index_dir(app_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The tiny library ingested into the data folder's index; the app's encoder patched."""
    monkeypatch.setattr("learning.runtime.build_encoder", FakeEncoder)
    folder = app_data / "index"
    ingest_paths([write_library(app_data.parent / "reviews")], folder, FakeEncoder())
    st.cache_resource.clear()
    yield folder
    st.cache_resource.clear()


def _page(app: AppFactory, viewer: Viewer, page: str) -> AppTest:
    at = app(viewer)
    at.run()  # registers the role's pages, so the switch finds the page by its file
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _plain(markdown: str) -> str:
    """Markdown as it reads: escapes and bold markers gone."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def _markdown(at: AppTest) -> list[str]:
    return [element.value for element in at.main.markdown]


def _locations(at: AppTest) -> list[str]:
    return [_plain(c.value) for c in at.main.caption if " · page " in _plain(c.value)]


def _titles(at: AppTest) -> list[str]:
    """The numbered result titles ("1. Child A: ...") in order."""
    return [_plain(text) for text in _markdown(at) if re.match(r"\*\*\d+\. ", text)]


def _button(at: AppTest, label: str, index: int = 0):  # type: ignore[no-untyped-def]
    return [button for button in at.button if button.label == label][index]


def _search(at: AppTest, query: str, mode: str = "passages") -> AppTest:
    at.radio(key="search_mode").set_value(mode)
    at.text_input(key="search_query").set_value(query).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- Search ------------------------------------------------------------------------------------


def test_a_query_returns_the_expected_review_first_with_its_page(
    app: AppFactory, index_dir: Path
) -> None:
    at = _search(_page(app, REVIEWER, SEARCH), "dentist saw tooth decay")

    assert _locations(at)[0] == "Finding 1 · Findings · page 2 of Child F: a paged review"
    passages = [text for text in _markdown(at) if "**" in text]
    assert "The **dentist** **saw** untreated **tooth** **decay**" in passages[0]
    assert len(_locations(at)) == 10  # the ten best passages, best first


def test_review_mode_lists_reviews_and_a_filter_narrows_them(
    app: AppFactory, index_dir: Path
) -> None:
    at = _search(_page(app, REVIEWER, SEARCH), "child safeguarding", mode="reviews")
    everywhere = _titles(at)

    nation = next(widget for widget in at.multiselect if widget.label == "Nation")
    assert nation.options == ["England", "Northern Ireland", "Scotland", "Wales"]
    nation.set_value(["wales"]).run()

    assert len(everywhere) > 1
    assert _titles(at) == ["1. Baby B: sudden unexpected death in infancy"]


def test_a_year_range_narrows_the_results(app: AppFactory, index_dir: Path) -> None:
    at = _search(_page(app, REVIEWER, SEARCH), "child", mode="reviews")
    next(widget for widget in at.slider if widget.label == "Years").set_value((2021, 2022)).run()

    assert sorted(title.split(". ", 1)[1] for title in _titles(at)) == [
        "Baby B: sudden unexpected death in infancy",
        "Child D: chronic neglect of a toddler",
    ]


def test_opening_a_review_shows_its_findings_recommendations_and_themes(
    app: AppFactory, index_dir: Path
) -> None:
    at = _search(_page(app, REVIEWER, SEARCH), "bruising on a non-mobile baby")

    _button(at, "Open review").click().run()

    # in a dialog over the results (issue 23, item 6: not drawn below them)
    assert not at.main.header and not at.main.subheader
    assert [_plain(h.value) for h in at.header] == [CORPUS["r-infant-bruising"]["meta"]["title"]]
    assert [h.value for h in at.subheader] == ["Findings", "Recommendations", "Themes"]
    text = [_plain(element.value) for element in at.markdown]
    for recommendation in CORPUS["r-infant-bruising"]["recommendations"]:
        assert any(recommendation in line and "page 1" in line for line in text)
    assert any(line.startswith("- Non-accidental injury in infancy") for line in text)

    _button(at, "Close review").click().run()
    assert not at.header
    at.run()  # nothing else the reviewer does opens it again
    assert not at.header


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("   ", "The query is empty: type some words to search for."),
        ("?! --", "Cannot search: the query is empty: give some words to search for."),
        ("bruising " * 60, "Cannot search: the query has 539 characters; keep it to 500"),
    ],
)
def test_an_empty_or_too_long_query_says_so(
    app: AppFactory, index_dir: Path, query: str, message: str
) -> None:
    at = _search(_page(app, REVIEWER, SEARCH), query)
    assert [w.value for w in at.warning][0].startswith(message)
    assert not _locations(at)


def test_search_without_an_index_says_where_to_add_reviews(app: AppFactory, app_data: Path) -> None:
    st.cache_resource.clear()
    at = _page(app, REVIEWER, SEARCH)
    assert [i.value for i in at.info] == [
        "The library has no reviews yet. Add some on the Library page, then search them."
    ]


# --- Similar cases -----------------------------------------------------------------------------


def test_a_case_precis_finds_similar_reviews_and_one_is_saved_to_the_case(
    app: AppFactory, index_dir: Path, db_url: str
) -> None:
    at = _page(app, PANEL, SIMILAR)
    case = at.selectbox(key="similar_case")
    assert case.options and all(option.endswith(f" · {NORTHSHIRE}") for option in case.options)

    case.set_value(f"NSH-DEMO-001 · {NORTHSHIRE}").run()
    facts = CaseFacts("death", "under_1", stage=_stage(db_url))
    assert at.text_area(key="precis").value == case_precis(facts)

    at.text_area(key="precis").set_value(BRUISES)
    _button(at, "Find similar reviews").click().run()

    assert not at.exception
    assert _titles(at)[0] == "1. Child A: a serious case of injury in infancy"
    assert _locations(at)  # the passages that matched, with their pages
    engine = open_engine(index_dir, FakeEncoder())
    try:
        source = ThemeSource(SHIPPED_TAXONOMY, db_url)
        expected = similar_by_facets(engine, BRUISES, source)
    finally:
        engine.close()
    assert _titles(at) == [f"{rank}. {hit.title}" for rank, hit in enumerate(expected.reviews, 1)]
    matches = [text for text in _markdown(at) if text.startswith("**Matches ")]
    assert [text.split(":**")[0] for text in matches] == [
        f"**Matches {len(hit.matched)} of {len(expected.facets)} facets" for hit in expected.reviews
    ]

    note = [w for w in at.text_input if w.label.startswith("Why it is useful")][0]
    note.set_value("same pattern: bruising not acted on")
    _button(at, "Save to NSH-DEMO-001").click().run()

    assert [s.value for s in at.success] == ["Saved to the shortlist of NSH-DEMO-001."]
    with open_session(db_url) as session:
        saved = session.exec(select(ShortlistItem, Case).join(Case)).all()
        rows = [(item.review_id, item.note, item.saved_by, case.reference) for item, case in saved]
    assert rows == [
        ("r-infant-bruising", "same pattern: bruising not acted on", "pat.panel", "NSH-DEMO-001")
    ]


def _stage(db_url: str) -> str:
    from review_flows.case_queries import get_case

    with open_session(db_url) as session:
        return str(get_case(session, "NSH-DEMO-001", partnership=NORTHSHIRE).stage)


def test_a_panel_member_of_another_partnership_cannot_pick_a_case_not_theirs(
    app: AppFactory, index_dir: Path
) -> None:
    at = _page(app, WELSH_PANEL, SIMILAR)
    options = at.selectbox(key="similar_case").options
    assert options and all(option.endswith(f" · {CWM_TAWEL}") for option in options)
    assert not [option for option in options if option.startswith("NSH-")]


def test_without_a_case_the_results_show_but_cannot_be_saved(
    app: AppFactory, index_dir: Path, db_url: str
) -> None:
    at = _page(app, REVIEWER, SIMILAR)  # the reviewer owns no demo case
    assert at.selectbox(key="similar_case").options == []

    at.text_area(key="precis").set_value(BRUISES)
    _button(at, "Find similar reviews").click().run()

    assert _titles(at)[0] == "1. Child A: a serious case of injury in infancy"
    assert "Choose a case above to save this review to its shortlist." in [
        c.value for c in at.caption
    ]
    assert not at.get("form")


def test_an_empty_precis_says_so(app: AppFactory, index_dir: Path) -> None:
    at = _page(app, PANEL, SIMILAR)
    _button(at, "Find similar reviews").click().run()
    assert [w.value for w in at.warning] == [
        "Cannot search: the précis is empty: give some words to search for."
    ]


def test_a_precis_with_names_is_warned_about_and_searched_only_once_masked(
    app: AppFactory, index_dir: Path
) -> None:
    # issue 22, finding 4: a précis with names was searched with no warning
    at = _page(app, REVIEWER, SIMILAR)
    at.text_area(key="precis").set_value(f"Baby Jayden Smith was admitted; mum Chelsea. {BRUISES}")
    _button(at, "Find similar reviews").click().run()

    warning = [w.value for w in at.warning]
    assert len(warning) == 1 and warning[0].startswith(
        "The précis seems to hold personal data: a person's name (J***** S****); "
        "a person's name (C******)."
    )
    assert _titles(at) == []  # nothing searched yet

    _button(at, "Mask and search").click().run()
    assert not at.exception
    assert at.text_area(key="precis").value == f"Baby [name] was admitted; mum [name]. {BRUISES}"
    assert [w.value for w in at.warning] == []
    assert _titles(at)[0] == "1. Child A: a serious case of injury in infancy"


# --- Library -----------------------------------------------------------------------------------


def test_a_good_upload_goes_in_and_a_broken_one_is_named_with_its_reason(
    app: AppFactory, index_dir: Path, app_data: Path
) -> None:
    """Handed to the sweep (no Prefect server here), never read in the app's process."""
    import datetime as dt

    from review_flows.dispatch import run_pending_in_process
    from review_flows.models import Job, JobKind

    at = _page(app, REVIEWER, LIBRARY)
    meta = {**CORPUS["r-neglect"]["meta"], "title": "Child N: an uploaded review"}
    good = review_markdown("r-uploaded", {**CORPUS["r-neglect"], "meta": meta}).encode()

    at.file_uploader[0].set_value(
        [
            ("Child N (final).md", good, "text/markdown"),
            ("broken.pdf", GARBAGE_PDF, "application/pdf"),
        ]
    )
    _button(at, "Add to the library").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success][0].startswith("2 files saved. They will be added")
    with open_session(f"sqlite:///{app_data / 'cspr.db'}") as session:
        (job,) = session.exec(select(Job).where(Job.kind == JobKind.INGEST_UPLOAD)).all()
    assert job.done_at is None

    assert run_pending_in_process(dt.date.today()) == {"done": 1, "failed": []}  # the sweep
    with open_session(f"sqlite:///{app_data / 'cspr.db'}") as session:
        done = session.get(Job, job.id)
    assert done is not None and done.done_at is not None
    assert (done.last_error or "").startswith("broken.pdf: the name says .pdf but the content")
    st.cache_resource.clear()  # the engine reloads the index the worker wrote
    at = _page(app, REVIEWER, LIBRARY)
    index = open_index(index_dir)
    try:
        assert "r-uploaded" in {doc.review_id for doc in index.store.documents()}
        uploaded = index.store.document_by_review("r-uploaded")
        assert uploaded is not None
        assert Path(uploaded.source).is_relative_to((app_data / "uploads").resolve())
    finally:
        index.close()
    table = at.dataframe[0].value
    assert "Child N: an uploaded review" in list(table["Title"])


def test_a_panel_member_sees_the_library_without_an_upload_widget(
    app: AppFactory, index_dir: Path
) -> None:
    at = _page(app, PANEL, LIBRARY)

    assert not at.file_uploader
    assert "The library is read-only for panel members" in " ".join(c.value for c in at.caption)
    table = at.dataframe[0].value
    assert list(table["Title"]) == [
        "Child D: chronic neglect of a toddler",
        "Baby B: sudden unexpected death in infancy",
        "Child E: living with domestic abuse",
        "Child A: a serious case of injury in infancy",
        "Child C: criminal exploitation of a teenager",
        "Child F: a paged review",
    ]
    child_a = table[table["Title"] == "Child A: a serious case of injury in infancy"].iloc[0]
    assert (child_a["Year"], child_a["Nation"], child_a["Outcome"], child_a["Type"]) == (
        2019, "England", "Death", "CSPR",
    )  # fmt: skip
    assert "Non-accidental injury in infancy" in child_a["Themes"]


def test_the_library_is_filtered_by_text(app: AppFactory, index_dir: Path) -> None:
    at = _page(app, PANEL, LIBRARY)
    at.text_input[0].set_value("northern ireland").run()
    assert list(at.dataframe[0].value["Title"]) == ["Child F: a paged review"]
