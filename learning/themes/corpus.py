"""Every unit of the index with its vector, in a stable order: the input of theme scoring.

Built only from the index's public objects (``UnitStore.documents``, ``units_of_review``,
``VectorIndex.vectors_for``). Units are ordered by review id, then ordinal, so the same index
gives the same rows whatever the unit ids are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from learning.index import LearningIndex, StoredDocument, UnitRow
from learning.themes.scoring import excluded_flags


@dataclass(frozen=True)
class UnitTable:
    """Units (rows), their review row, whether they are excluded, and documents by review id."""

    rows: tuple[UnitRow, ...]
    review_ids: tuple[str, ...]
    review_of_unit: np.ndarray
    documents: dict[str, StoredDocument]
    excluded: np.ndarray

    @property
    def unit_ids(self) -> list[int]:
        return [row.id for row in self.rows]

    @property
    def texts(self) -> list[str]:
        return [row.text for row in self.rows]

    def positions_of_review(self, row: int) -> np.ndarray:
        """Row positions of one review's units (units are stored review by review)."""
        start = int(np.searchsorted(self.review_of_unit, row, side="left"))
        end = int(np.searchsorted(self.review_of_unit, row, side="right"))
        return np.arange(start, end, dtype=np.int64)

    def positions(self, kinds: Sequence[str] = ()) -> np.ndarray:
        """Row positions of the units of ``kinds`` (all if empty) that are not excluded."""
        wanted = set(kinds)
        return np.array(
            [
                place
                for place, row in enumerate(self.rows)
                if (not wanted or row.kind in wanted) and not self.excluded[place]
            ],
            dtype=np.int64,
        )


def load_unit_table(index: LearningIndex) -> UnitTable:
    """All units of the index (with their documents), in review-id then ordinal order."""
    documents = {document.review_id: document for document in index.store.documents()}
    review_ids = tuple(sorted(documents))
    rows: list[UnitRow] = []
    review_of_unit: list[int] = []
    excluded: list[bool] = []
    for position, review_id in enumerate(review_ids):
        units = index.store.units_of_review(review_id)
        rows.extend(units)
        review_of_unit.extend([position] * len(units))
        excluded.extend(review_excluded_flags(units))
    return UnitTable(
        tuple(rows),
        review_ids,
        np.array(review_of_unit, dtype=np.int64),
        documents,
        np.array(excluded, dtype=bool),
    )


def review_excluded_flags(units: Sequence[UnitRow]) -> list[bool]:
    """Which of one review's units (in reading order) may not earn a tag."""
    title = units[0].title if units else None
    return excluded_flags([u.section for u in units], [u.text for u in units], title)


def unit_vectors(index: LearningIndex, unit_ids: Sequence[int]) -> np.ndarray:
    """The stored (L2-normalised) vectors of ``unit_ids``, in that order."""
    if not unit_ids:
        return np.zeros((0, index.dimension), dtype=np.float32)
    return index.vectors.vectors_for(list(unit_ids))


def unit_key(row: UnitRow) -> str:
    """A unit's identity that survives re-ingest of an unchanged review (ids do not)."""
    return f"{row.review_id}#{row.ordinal}"
