"""Fixtures of the themes tests: hand-built indexes (no extraction), a workspace factory, a
migrated app database. Indexes are built through the index's public API with the fake encoder,
so scores are deterministic and fast."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from learning.encoder import FakeEncoder
from learning.index import create_index, open_index
from learning.models import ExtractedDocument, Page, ReviewMetadata, Unit, UnitKind
from learning.themes.scoring import ScoringParams
from learning.themes.tagging import ThemeWorkspace
from learning.themes.taxonomy import Taxonomy, load_taxonomy

F, R, P = UnitKind.FINDING, UnitKind.RECOMMENDATION, UnitKind.PASSAGE


@dataclass(frozen=True)
class Doc:
    """A review for a hand-built index: metadata plus (kind, text, section, page) units."""

    review_id: str
    units: tuple[tuple[UnitKind, str, str, int], ...]
    year: int | None = 2020
    nation: str | None = "england"
    title: str | None = None
    partnership: str | None = "Northshire Safeguarding Partnership"
    review_type: str | None = "cspr"
    outcome: str | None = "death"
    age_group: str | None = "under_1"


def build_index(index_dir: Path, docs: Sequence[Doc], encoder: FakeEncoder) -> Path:
    """An index at ``index_dir`` holding ``docs`` (created, or added to if it exists)."""
    if not (index_dir / "manifest.json").exists():
        create_index(index_dir, encoder.name, encoder.dimension)
    index = open_index(index_dir, write=True)
    try:
        for doc in docs:
            if index.store.document_by_review(doc.review_id) is not None:
                index.remove_review(doc.review_id)
            pages = max(page for *_, page in doc.units) if doc.units else 1
            meta = ReviewMetadata(
                review_id=doc.review_id,
                title=doc.title or f"Child {doc.review_id.upper()}: a review",
                year=doc.year,
                partnership=doc.partnership,
                nation=doc.nation,
                review_type=doc.review_type,
                outcome=doc.outcome,
                age_group=doc.age_group,
            )
            document = ExtractedDocument(
                source=Path(f"/reviews/{doc.review_id}.md"),
                format="md",
                content_hash=f"hash-{doc.review_id}",
                pages=tuple(Page(n, f"page {n}") for n in range(1, pages + 1)),
                metadata=meta,
            )
            units = [
                Unit(doc.review_id, i, kind, text, section, page, str(page), str(i + 1))
                for i, (kind, text, section, page) in enumerate(doc.units)
            ]
            index.store.insert_document(document, str(document.source), "h", 1, 1, None)
            ids = index.store.insert_units(units)
            index.vectors.add(ids, encoder.encode([unit.text for unit in units]))
        index.commit()
    finally:
        index.close()
    return index_dir


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def taxonomy() -> Taxonomy:
    return load_taxonomy()


# The fake encoder is a hashing bag of words: its cosines run lower than MiniLM's, so the tests
# that use it centre the logistic lower. The real model's defaults are tested in the slow tests.
FAKE_PARAMS = ScoringParams(center=0.55, scale=12.0, lexical_weight=0.2)


@pytest.fixture
def open_workspace(
    fake_encoder: FakeEncoder, taxonomy: Taxonomy
) -> Iterator[Callable[..., ThemeWorkspace]]:
    opened: list[ThemeWorkspace] = []

    def make(index_dir: Path, **options: object) -> ThemeWorkspace:
        options.setdefault("params", FAKE_PARAMS)
        chosen = options.pop("taxonomy", taxonomy)
        workspace = ThemeWorkspace(
            open_index(index_dir),
            chosen,
            lambda: fake_encoder,
            **options,  # type: ignore[arg-type]
        )
        opened.append(workspace)
        return workspace

    yield make
    for workspace in opened:
        workspace.index.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"
