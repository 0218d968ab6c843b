"""Factories for the learning-engine tests: a tiny corpus of fictional reviews, hand-built
documents and units, and encoders. Fixtures are defined here and imported by the test modules
(``tests/learning/conftest.py`` belongs to the extraction tests).

Test modules load the fixtures with ``pytest_plugins = ("tests.learning.factories",)``; this
module has no assertions, so it is exempt from assertion rewriting: PYTEST_DONT_REWRITE."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from learning.encoder import FakeEncoder
from learning.models import ExtractedDocument, Page, ReviewMetadata, Unit, UnitKind

# review_id -> (metadata, summary paragraphs, findings, recommendations)
CORPUS: dict[str, dict] = {
    "r-infant-bruising": {
        "meta": {
            "title": "Child A: a serious case of injury in infancy",
            "year": 2019,
            "nation": "england",
            "review_type": "cspr",
            "outcome": "death",
            "age_group": "under_1",
            "partnership": "Northshire Safeguarding Partnership",
        },
        "summary": [
            "Child A was a seven week old baby who died from a head injury. Two weeks "
            "earlier a health visitor had seen a small bruise on his cheek."
        ],
        "findings": [
            "Bruising in a non-mobile infant was not recognised as a sign of possible "
            "physical abuse, and the injury protocol was not followed.",
            "The father and the mother's new partner were not seen by the health "
            "visitor; the men in the household were invisible to professionals.",
        ],
        "recommendations": [
            "The partnership should make sure the bruising protocol for "
            "non-mobile babies is followed by every agency, including GPs.",
            "Agencies should ask about and record every adult living in the "
            "household, including new partners.",
        ],
    },
    "r-safe-sleep": {
        "meta": {
            "title": "Baby B: sudden unexpected death in infancy",
            "year": 2021,
            "nation": "wales",
            "review_type": "cpr",
            "outcome": "death",
            "age_group": "under_1",
            "partnership": "Dyfnant Regional Safeguarding Board",
        },
        "summary": [
            "Baby B died aged three months while co-sleeping on a sofa with a parent "
            "who had been drinking alcohol."
        ],
        "findings": [
            "Safer sleep advice was given to the mother at the birth but never to the "
            "father, and it was not repeated when the family moved house.",
            "Co-sleeping after alcohol use was a known risk that nobody discussed.",
        ],
        "recommendations": [
            "Midwives and health visitors should give safer sleep advice to both "
            "parents at every contact and record it."
        ],
    },
    "r-exploitation": {
        "meta": {
            "title": "Child C: criminal exploitation of a teenager",
            "year": 2018,
            "nation": "england",
            "review_type": "scr",
            "outcome": "death",
            "age_group": "15_17",
            "partnership": "Eastbridge LSCB",
        },
        "summary": [
            "Child C was sixteen when he was stabbed. He had been drawn into county "
            "lines drug dealing and went missing from home many times."
        ],
        "findings": [
            "Repeated missing episodes were treated as bad behaviour rather than as "
            "signs of criminal exploitation through county lines.",
            "After his exclusion from school he was missing from education for months "
            "and no agency followed this up.",
        ],
        "recommendations": [
            "Children missing from education should be followed up jointly by "
            "the school, education welfare and children's social care."
        ],
    },
    "r-neglect": {
        "meta": {
            "title": "Child D: chronic neglect of a toddler",
            "year": 2022,
            "nation": "scotland",
            "review_type": "learning_review",
            "outcome": "serious_harm",
            "age_group": "1_4",
            "partnership": "Glenmorven Child Protection Committee",
        },
        "summary": [
            "Child D was two years old and was found underweight in a cold, dirty flat "
            "where both parents misused heroin."
        ],
        "findings": [
            "Professionals accepted the parents' promises to change; this disguised "
            "compliance hid chronic neglect and poor home conditions for years.",
            "Parental substance misuse was assessed separately from the care of the child.",
        ],
        "recommendations": [
            "Practitioners should judge progress by the child's lived "
            "experience, not by the parents' engagement with services."
        ],
    },
    "r-domestic-abuse": {
        "meta": {
            "title": "Child E: living with domestic abuse",
            "year": 2020,
            "nation": "england",
            "review_type": "cspr",
            "outcome": "serious_harm",
            "age_group": "5_9",
            "partnership": "Kingsford Safeguarding Children Partnership",
        },
        "summary": [
            "Child E, aged seven, lived with repeated domestic abuse by her stepfather. "
            "Police attended the home eleven times in two years."
        ],
        "findings": [
            "The voice of the child was not heard: she was never seen alone or asked "
            "what life at home was like.",
            "Domestic abuse notifications from the police were not shared with the school.",
        ],
        "recommendations": [
            "Practitioners should see and speak with the child alone and record "
            "her wishes and feelings."
        ],
    },
}


def review_markdown(review_id: str, entry: dict, *, with_id: bool = True) -> str:
    """A review as Markdown with YAML front matter, Findings and Recommendations sections."""
    front = {"review_id": review_id, **entry["meta"]} if with_id else dict(entry["meta"])
    lines = ["---", *(f"{key}: {json.dumps(value)}" for key, value in front.items()), "---", ""]
    lines += [f"# {entry['meta']['title']}", "", "## Summary", ""]
    for paragraph in entry["summary"]:
        lines += [paragraph, ""]
    for heading, items in (
        ("Findings", entry["findings"]),
        ("Recommendations", entry["recommendations"]),
    ):
        lines += [f"## {heading}", ""]
        for number, item in enumerate(items, start=1):
            lines += [f"{number}. {item}", ""]
    return "\n".join(lines)


def write_corpus(folder: Path, ids: tuple[str, ...] | None = None) -> dict[str, Path]:
    """Write the tiny corpus (or part of it) as Markdown files; returns review_id -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for review_id in ids or tuple(CORPUS):
        path = folder / f"{review_id}.md"
        path.write_text(review_markdown(review_id, CORPUS[review_id]), encoding="utf-8")
        paths[review_id] = path
    return paths


def make_document(review_id: str, source: Path | None = None, **meta: object) -> ExtractedDocument:
    """A hand-built extracted document (two pages) for index tests that skip extraction."""
    return ExtractedDocument(
        source=source or Path(f"/reviews/{review_id}.pdf"),
        format="pdf",
        content_hash=f"hash-{review_id}",
        pages=(Page(1, "first page", "i"), Page(2, "second page", "1")),
        metadata=ReviewMetadata(review_id=review_id, **meta),  # type: ignore[arg-type]
    )


def make_units(review_id: str, texts: list[tuple[UnitKind, str]]) -> list[Unit]:
    """Units numbered in order, on page 2 (printed label ``1``), in a section by kind."""
    return [
        Unit(
            review_id=review_id,
            ordinal=i,
            kind=kind,
            text=text,
            section=f"{kind.value.title()}s",
            page=2,
            page_label="1",
            number=str(i + 1) if kind is not UnitKind.PASSAGE else None,
        )
        for i, (kind, text) in enumerate(texts)
    ]


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "reviews"
    write_corpus(folder)
    return folder


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "data" / "index"


@pytest.fixture(scope="session")
def real_encoder() -> Iterator[object]:
    """The bundled MiniLM, loaded once for the whole test session."""
    from learning.encoder import load_sentence_encoder

    yield load_sentence_encoder(None, 16)
