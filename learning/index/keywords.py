"""Keyword postings in ``units.sqlite``: per term, the units that hold it and how often.

Written in segments inside the index's own transaction, so they can never disagree with the
units after a crash. Each commit writes the units it added as one new segment. A removed
unit's postings stay in their segment (the ``units`` table says which units are live) until
there are more than :data:`MAX_SEGMENTS` segments; then all are merged into one, leaving the
removed units out. An index built before the postings existed, or with another analyzer, gets
them (re)built from its units the next time it is opened for writing; until then searches use
FTS5's own ranking.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from learning.keywords import (
    ANALYZER,
    Postings,
    UnitTerms,
    bm25_scores,
    invert,
    length_norms,
    top_scores,
    unit_terms,
)
from learning.models import Unit

logger = logging.getLogger(__name__)

#: More segments than this are merged into one at the next commit.
MAX_SEGMENTS = 8
#: Units analysed per segment when the postings are built from the units.
BUILD_SEGMENT_UNITS = 50_000

_TABLES = (
    "CREATE TABLE IF NOT EXISTS keyword_state "
    "(id INTEGER PRIMARY KEY CHECK (id = 1), analyzer TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS keyword_segments "
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, unit_ids BLOB NOT NULL, lengths BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS keyword_postings (term TEXT NOT NULL, "
    "segment INTEGER NOT NULL REFERENCES keyword_segments (id) ON DELETE CASCADE, "
    "unit_ids BLOB NOT NULL, weights BLOB NOT NULL, PRIMARY KEY (term, segment))",
)
# Unit ids fit 32 bits (SQLite rowids of one index); a unit's weighted count of one word fits 16.
_IDS = np.dtype("<i4")
_WEIGHTS = np.dtype("<u2")
_LENGTHS = np.dtype("<u4")


def _ids(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, _IDS)


def _weights(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, _WEIGHTS)


def _weights_blob(weights: np.ndarray) -> bytes:
    return np.minimum(weights, np.iinfo(_WEIGHTS).max).astype(_WEIGHTS).tobytes()


def _has_tables(db: sqlite3.Connection) -> bool:
    row = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'keyword_postings'"
    ).fetchone()
    return bool(row[0])


def _analyzer(db: sqlite3.Connection) -> str | None:
    if not _has_tables(db):
        return None
    row = db.execute("SELECT analyzer FROM keyword_state WHERE id = 1").fetchone()
    return str(row[0]) if row else None


def _live_ids(db: sqlite3.Connection) -> np.ndarray:
    return np.fromiter((row[0] for row in db.execute("SELECT id FROM units")), np.int64)


def _segments(db: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
    """Every segment's unit ids and their lengths, concatenated."""
    rows = db.execute("SELECT unit_ids, lengths FROM keyword_segments ORDER BY id").fetchall()
    if not rows:
        return np.empty(0, _IDS), np.empty(0, _LENGTHS)
    return (
        np.concatenate([_ids(row[0]) for row in rows]),
        np.concatenate([np.frombuffer(row[1], _LENGTHS) for row in rows]),
    )


def _write_segment(
    db: sqlite3.Connection, ids: np.ndarray, lengths: np.ndarray, postings: Mapping[str, Postings]
) -> None:
    cursor = db.execute(
        "INSERT INTO keyword_segments (unit_ids, lengths) VALUES (?, ?)",
        (ids.astype(_IDS).tobytes(), lengths.astype(_LENGTHS).tobytes()),
    )
    segment = cursor.lastrowid
    db.executemany(
        "INSERT INTO keyword_postings (term, segment, unit_ids, weights) VALUES (?, ?, ?, ?)",
        (
            (term, segment, held.ids.astype(_IDS).tobytes(), _weights_blob(held.weights))
            for term, held in postings.items()
        ),
    )


def _write_units(db: sqlite3.Connection, ids: Sequence[int], units: Sequence[UnitTerms]) -> None:
    _write_segment(
        db,
        np.asarray(ids, np.int64),
        np.asarray([unit.length for unit in units], _LENGTHS),
        invert(ids, units),
    )


class KeywordWriter:
    """Collects the terms of units added in the open transaction; :meth:`flush` writes them."""

    def __init__(self) -> None:
        self._ids: list[int] = []
        self._units: list[UnitTerms] = []

    def add(self, ids: Sequence[int], units: Sequence[Unit]) -> None:
        self._ids.extend(ids)
        self._units.extend(unit_terms(unit.text, unit.section) for unit in units)

    def discard(self) -> None:
        self._ids.clear()
        self._units.clear()

    def ensure_current(self, db: sqlite3.Connection) -> None:
        """Create the tables if missing and (re)build the postings if they are not the
        current analyzer's or do not cover every unit (inside the open transaction)."""
        for statement in _TABLES:
            db.execute(statement)
        if _analyzer(db) == ANALYZER and not _uncovered(_live_ids(db), _segments(db)[0]):
            return
        logger.info("building the keyword postings from the index's units")
        db.execute("DELETE FROM keyword_segments")
        db.execute("INSERT OR REPLACE INTO keyword_state (id, analyzer) VALUES (1, ?)", (ANALYZER,))
        rows = db.execute("SELECT id, text, section FROM units ORDER BY id")
        while batch := rows.fetchmany(BUILD_SEGMENT_UNITS):
            _write_units(db, [row[0] for row in batch], [unit_terms(r[1], r[2]) for r in batch])

    def flush(self, db: sqlite3.Connection) -> None:
        """Write the collected units as one segment; merge if there are too many."""
        if self._ids:
            _write_units(db, self._ids, self._units)
            self.discard()
        count = db.execute("SELECT count(*) FROM keyword_segments").fetchone()[0]
        if count > MAX_SEGMENTS:
            _merge(db)


def _uncovered(live: np.ndarray, covered: np.ndarray) -> bool:
    """True if some ``live`` unit is in no postings segment (whose units are ``covered``)."""
    return bool(np.setdiff1d(live, covered, assume_unique=True).size)


def _merge(db: sqlite3.Connection) -> None:
    """All segments into one, without the postings of removed units."""
    ids, lengths = _segments(db)
    keep = np.isin(ids, _live_ids(db))
    alive = np.zeros(int(ids.max(initial=-1)) + 1, bool)
    alive[ids[keep]] = True
    merged: dict[str, Postings] = {}
    rows = db.execute("SELECT term, unit_ids, weights FROM keyword_postings ORDER BY term, segment")
    for term, id_blob, weight_blob in rows:
        held_ids, held_weights = _ids(id_blob), _weights(weight_blob)
        held = alive[held_ids]
        if not held.any():
            continue
        old = merged.get(term)
        new_ids, new_weights = held_ids[held], held_weights[held]
        if old is not None:
            new_ids = np.concatenate([old.ids, new_ids])
            new_weights = np.concatenate([old.weights, new_weights])
        merged[term] = Postings(new_ids, new_weights)
    db.execute("DELETE FROM keyword_segments")
    _write_segment(db, ids[keep], lengths[keep], merged)


class KeywordReader:
    """Scores queries on the postings with BM25 as FTS5 does; one per index generation."""

    def __init__(
        self,
        db: sqlite3.Connection,
        alive: np.ndarray,
        lengths: np.ndarray,
        *,
        removed: bool,
    ) -> None:
        mean_length = float(lengths[alive].mean()) if alive.any() else 1.0
        norms = length_norms(lengths, mean_length)
        #: The live units' mean length (BM25's avgdl).
        self.mean_length = mean_length
        self._db = db
        self._alive = alive
        self._norms = norms
        #: Each unit's length in tokens (as BM25 counts it), indexed by unit id.
        self.lengths = lengths
        # Whether some postings belong to removed units (else they need no checking).
        self._removed = removed
        self.unit_count = int(alive.sum())

    @classmethod
    def load(cls, db: sqlite3.Connection) -> KeywordReader | None:
        """The reader, or None if the index has no current postings (then FTS5 ranks)."""
        if _analyzer(db) != ANALYZER:
            return None
        ids, lengths = _segments(db)
        live = _live_ids(db)
        if _uncovered(live, ids):
            logger.warning("keyword postings are out of step with the units; using FTS5")
            return None
        size = int(max(ids.max(initial=0), live.max(initial=0))) + 1
        alive = np.zeros(size, bool)
        alive[live] = True
        unit_lengths = np.zeros(size, np.float32)
        unit_lengths[ids] = lengths
        removed = bool(ids.size > live.size)
        return cls(db, alive, unit_lengths, removed=removed)

    @property
    def size(self) -> int:
        """One more than the largest unit id the reader knows."""
        return int(self._alive.size)

    def mask(self, ids: np.ndarray) -> np.ndarray:
        """A boolean mask over unit ids that lets only ``ids`` through."""
        mask = np.zeros(self.size, bool)
        mask[ids[ids < self.size]] = True
        return mask

    def postings(self, term: str) -> Postings:
        """The live units holding ``term``."""
        rows = self._db.execute(
            "SELECT unit_ids, weights FROM keyword_postings WHERE term = ?", (term,)
        ).fetchall()
        if not rows:
            return Postings(np.empty(0, _IDS), np.empty(0, _WEIGHTS))
        ids = np.concatenate([_ids(row[0]) for row in rows])
        weights = np.concatenate([_weights(row[1]) for row in rows])
        if ids.max() >= self.size:  # units another process committed since this was loaded
            known = ids < self.size
            ids, weights = ids[known], weights[known]
        if not self._removed:
            return Postings(ids, weights)
        live = self._alive[ids]
        return Postings(ids[live], weights[live])

    def search(
        self,
        terms: Iterable[str],
        limit: int,
        allowed: np.ndarray | None = None,
        extra: Mapping[int, float] | None = None,
    ) -> list[tuple[int, float]]:
        """``(unit id, score)`` best first: the sum of each term's BM25 (idf over all live
        units), plus ``extra`` scores (phrases), among the units ``allowed`` (a mask)."""
        held_terms = [self.postings(term) for term in dict.fromkeys(terms)]
        scores = bm25_scores(held_terms, self._norms, self.unit_count, self.size)
        for unit_id, score in (extra or {}).items():
            if unit_id < self.size:
                scores[unit_id] += score
        held = scores > 0
        if allowed is not None:
            held &= allowed
        return top_scores(scores, np.flatnonzero(held), limit)
