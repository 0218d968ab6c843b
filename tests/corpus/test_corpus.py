"""The demo corpus keeps the promises its README and plan make.

Every file under corpus/reviews is read as a user's tools would read it (tests/corpus/loading.py)
and checked: complete metadata, the fictional notice on the first page, the mix of formats,
eras, nations, ages and outcomes, PDF page furniture, findings and numbered recommendations,
realistic theme prevalence, and generated files that still match their sources.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from corpus.builder.run import build_corpus
from tests.corpus.loading import (
    CORPUS,
    REVIEWS,
    ROOT,
    LoadedReview,
    docx_header_footer,
    docx_pages,
    html_text,
    load_review,
    pdf_pages,
    read_metadata_csv,
    review_files,
)

FIELDS = (
    "review_id",
    "title",
    "year",
    "partnership",
    "nation",
    "review_type",
    "outcome",
    "age_group",
    "published",
)
ALLOWED = {
    "nation": {"england", "wales", "scotland", "northern_ireland"},
    "review_type": {"scr", "cspr", "national", "cpr", "susr", "learning_review", "cmr"},
    "outcome": {"death", "serious_harm"},
    "age_group": {"under_1", "1_4", "5_9", "10_14", "15_17", "mixed"},
}
CHILD_AGES = {"under_1", "1_4", "5_9", "10_14", "15_17"}
_FINDINGS = re.compile(r"^\W*(\d+(\.\d+)*\.?\s+)?.*\b(findings?|learning|lessons)\b", re.I | re.M)
_RECOMMENDATIONS = re.compile(
    r"^\W*(\d+(\.\d+)*\.?\s+)?[^\n]{0,40}\brecommendations?\b[^\n]{0,60}$", re.I | re.M
)
_NUMBERED = re.compile(r"^\s*(\d+(\.\d+)*[.)]?\s+\S|R\d+\b|recommendation \d+)", re.I | re.M)
_LEADERS = re.compile(r"(\. ){4,}\.?\s*\d+")


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, str]]:
    with (CORPUS / "catalogue.csv").open(encoding="utf-8", newline="") as handle:
        return {row["review_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def reviews() -> dict[str, LoadedReview]:
    listed = read_metadata_csv()
    return {path.stem: load_review(path, listed) for path in review_files()}


def _by_field(reviews: dict[str, LoadedReview], name: str) -> Counter[str]:
    return Counter(review.meta.get(name, "") for review in reviews.values())


def test_corpus_has_at_least_40_reviews_one_per_catalogue_row(reviews, catalogue) -> None:
    assert len(reviews) >= 40
    assert sorted(reviews) == sorted(catalogue)


def test_every_review_has_complete_metadata_with_allowed_values(reviews) -> None:
    for review_id, review in reviews.items():
        meta = review.meta
        assert [f for f in FIELDS if not meta.get(f)] == [], review_id
        assert meta["review_id"] == review_id
        for name, allowed in ALLOWED.items():
            assert meta[name] in allowed, (review_id, name, meta[name])
        published = dt.date.fromisoformat(meta["published"])
        assert published.year == int(meta["year"]), review_id


def test_every_review_says_on_its_first_page_that_it_is_fictional(reviews) -> None:
    lacking = [
        rid for rid, review in reviews.items() if "fictional" not in review.first_page.lower()
    ]
    assert lacking == []


def test_formats_match_the_catalogue_and_the_mix_is_realistic(reviews, catalogue) -> None:
    for review_id, review in reviews.items():
        assert review.format == catalogue[review_id]["format"], review_id
    formats = Counter(review.format for review in reviews.values())
    assert formats["pdf"] >= 12
    assert formats["docx"] >= 4
    assert formats["html"] >= 4
    assert formats["md"] + formats["txt"] == len(reviews) - sum(
        formats[f] for f in ("pdf", "docx", "html")
    )
    assert formats["md"] > 0 and formats["txt"] > 0


# (review type, nation) -> the years such reviews were published under that name
ERAS = {
    ("scr", "england"): (2012, 2019),
    ("scr", "scotland"): (2012, 2022),
    ("cspr", "england"): (2019, 2026),
    ("national", "england"): (2019, 2026),
    ("cpr", "wales"): (2012, 2026),
    ("susr", "wales"): (2025, 2026),
    ("learning_review", "scotland"): (2022, 2026),
    ("cmr", "northern_ireland"): (2012, 2026),
}


def test_every_review_type_belongs_to_its_nation(reviews) -> None:
    pairs = {(r.meta["review_type"], r.meta["nation"]) for r in reviews.values()}
    assert pairs - set(ERAS) == set()


@pytest.mark.parametrize(("review_type", "nation"), sorted(ERAS))
def test_review_types_are_dated_within_their_era(reviews, review_type, nation) -> None:
    first, last = ERAS[(review_type, nation)]
    years = {
        rid: int(r.meta["year"])
        for rid, r in reviews.items()
        if (r.meta["review_type"], r.meta["nation"]) == (review_type, nation)
    }
    assert {rid: y for rid, y in years.items() if not first <= y <= last} == {}


def test_nations_ages_outcomes_and_years_are_covered(reviews) -> None:
    nations = _by_field(reviews, "nation")
    assert nations["wales"] >= 3
    assert nations["scotland"] >= 2
    assert nations["northern_ireland"] >= 1
    assert _by_field(reviews, "review_type")["national"] >= 2
    assert set(_by_field(reviews, "age_group")) >= CHILD_AGES
    assert set(_by_field(reviews, "outcome")) == {"death", "serious_harm"}
    years = {int(review.meta["year"]) for review in reviews.values()}
    assert (min(years), max(years)) == (2012, 2026)


def test_every_pdf_has_a_contents_page_and_running_furniture(reviews) -> None:
    pdfs = [review for review in reviews.values() if review.format == "pdf"]
    for review in pdfs:
        pages = review.pages
        assert len(pages) >= 4, review.path.name
        assert any("Contents" in p and _LEADERS.search(p) for p in pages[1:4]), review.path.name
        inner = pages[1:]
        first_lines = Counter(p.strip().splitlines()[0] for p in inner if p.strip())
        assert first_lines.most_common(1)[0][1] >= 0.8 * len(inner), review.path.name
        numbered = [p for p in inner if re.search(r"(\b\d+|\b[ivx]+)\s*$", p.strip())]
        assert len(numbered) >= 0.8 * len(inner), review.path.name


def test_docx_reviews_have_heading_styles_header_and_footer(reviews) -> None:
    import docx

    for review in (r for r in reviews.values() if r.format == "docx"):
        styles = {p.style.name for p in docx.Document(str(review.path)).paragraphs}
        assert {"Heading 1", "Heading 2"} <= styles, review.path.name
        header, footer = docx_header_footer(review.path)
        assert review.meta["partnership"] in header + footer, review.path.name


def test_html_reviews_are_partnership_pages(reviews) -> None:
    from bs4 import BeautifulSoup

    for review in (r for r in reviews.values() if r.format == "html"):
        soup = BeautifulSoup(review.path.read_text(encoding="utf-8"), "html.parser")
        assert soup.select_one("header nav") is not None, review.path.name
        assert soup.select_one("nav.breadcrumbs") is not None, review.path.name
        assert soup.select_one("main article h1") is not None, review.path.name
        assert soup.select("main article ol"), review.path.name
        assert "cookies" in soup.select_one("footer").get_text().lower(), review.path.name


def test_every_review_has_findings_and_numbered_recommendations(reviews) -> None:
    for review_id, review in reviews.items():
        text = review.text
        assert _FINDINGS.search(text), review_id
        headings = list(_RECOMMENDATIONS.finditer(text))
        assert headings, review_id
        after = text[headings[-1].end() :]
        assert len(_NUMBERED.findall(after)) >= 2, review_id


def test_catalogue_themes_are_taxonomy_ids(catalogue) -> None:
    taxonomy = yaml.safe_load((ROOT / "learning/data/taxonomy.yaml").read_text(encoding="utf-8"))
    ids = {theme["id"] for theme in taxonomy["themes"]}
    used = {t for row in catalogue.values() for t in row["themes"].split(";")}
    assert used - ids == set()
    assert len(used) == len(ids)


def test_theme_prevalence_is_realistic(catalogue) -> None:
    counts = Counter(t for row in catalogue.values() for t in row["themes"].split(";"))
    top = {theme for theme, _ in counts.most_common(5)}
    assert {"neglect", "domestic_abuse", "information_sharing"} <= top
    most = counts.most_common(1)[0][1]
    for rare in ("online_harm", "covid_impact"):
        assert 1 <= counts[rare] <= most / 3


def test_every_file_in_reviews_has_a_catalogue_row_and_a_source(catalogue) -> None:
    sources = {p.stem for p in (CORPUS / "src").glob("*.md")}
    for path in sorted(REVIEWS.iterdir()):
        if path.name == "metadata.csv":
            continue
        if path.name.endswith(".meta.yaml"):
            stem = path.name.removesuffix(".meta.yaml")
            assert catalogue[stem]["format"] == "html", path.name
            continue
        assert path.stem in catalogue, path.name
        assert path.suffix == f".{catalogue[path.stem]['format']}", path.name
        if path.suffix in (".pdf", ".docx", ".html"):
            assert path.stem in sources, path.name
    for stem in sources:
        assert catalogue[stem]["format"] in ("pdf", "docx", "html"), stem


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    """The generated files built afresh from the sources, in a temporary folder."""
    out = tmp_path_factory.mktemp("rebuilt")
    readme = out / "README.md"
    shutil.copy(CORPUS / "README.md", readme)
    report = build_corpus(CORPUS, out / "reviews", readme=readme)
    assert report.problems == []
    return out


def test_generated_files_are_up_to_date_with_their_sources(rebuilt) -> None:
    fresh = rebuilt / "reviews"
    made = sorted(p.name for p in fresh.iterdir())
    committed = sorted(p.name for p in REVIEWS.iterdir() if p.suffix not in (".md", ".txt"))
    assert made == committed
    readers = {".pdf": pdf_pages, ".docx": docx_pages, ".html": html_text}
    for name in made:
        suffix = Path(name).suffix
        reader = readers.get(suffix, lambda p: p.read_text(encoding="utf-8"))
        assert reader(fresh / name) == reader(REVIEWS / name), (
            f"{name} differs from its source: run `make corpus`"
        )
    assert (rebuilt / "README.md").read_text() == (CORPUS / "README.md").read_text(), (
        "corpus/README.md table is out of date: run `make corpus`"
    )
