"""``units.sqlite``: documents, units, the FTS5 keyword index and the index state row.

``units.id`` is the FAISS id of the unit's vector. The keyword index is an FTS5
external-content table over ``units`` (text, section), kept in step by triggers, so the text
is stored once. Every change happens inside one transaction that the index commits last.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from learning.errors import IndexBusy
from learning.filters import UNKNOWN, Filters
from learning.index.schema import SCHEMA
from learning.models import ExtractedDocument, Unit

_DOCUMENT_COLUMNS = (
    "review_id, source, content_hash, format, size_bytes, mtime_ns, title, year, partnership, "
    "nation, review_type, outcome, age_group, n_pages, ingested_at"
)
_UNIT_COLUMNS = (
    "u.id, u.review_id, u.ordinal, u.kind, u.number, u.section, u.page, u.page_label, u.text, "
    "d.title, d.source, d.year, d.nation, d.partnership, d.review_type, d.outcome, d.age_group"
)
_UNITS_JOINED = "FROM units u JOIN documents d ON d.review_id = u.review_id"
_ALLOWED_TABLE = re.compile(r"allowed_[0-9]+")
# Metadata as written by people varies ("Northern Ireland", "serious harm"): compare normalised.
_NORMALISED = "lower(replace(replace(trim(coalesce(d.{0}, '')), ' ', '_'), '-', '_'))"


@dataclass(frozen=True)
class IndexState:
    """The row that ties ``units.sqlite`` to ``vectors.faiss`` (the commit point)."""

    generation: int
    vectors_sha256: str
    vector_count: int
    index_type: str
    model_name: str
    dimension: int


@dataclass(frozen=True)
class FileStamp:
    """Which file a review came from and its state when read: decides "unchanged" next time."""

    source: str
    content_hash: str
    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True)
class StoredDocument:
    review_id: str
    source: str
    content_hash: str
    format: str
    size_bytes: int
    mtime_ns: int
    title: str | None
    year: int | None
    partnership: str | None
    nation: str | None
    review_type: str | None
    outcome: str | None
    age_group: str | None
    n_pages: int
    ingested_at: str | None


@dataclass(frozen=True)
class UnitRow:
    """A stored unit with its review's metadata: everything a search result shows."""

    id: int
    review_id: str
    ordinal: int
    kind: str
    number: str | None
    section: str
    page: int
    page_label: str | None
    text: str
    title: str | None
    source: str
    year: int | None
    nation: str | None
    partnership: str | None
    review_type: str | None
    outcome: str | None
    age_group: str | None


def connect(path: Path, timeout: float = 30.0) -> sqlite3.Connection:
    """Open ``units.sqlite`` in autocommit mode; transactions are explicit (``begin``)."""
    # Shared across threads (a Streamlit app's sessions); callers serialise their use.
    connection = sqlite3.connect(
        str(path), timeout=timeout, isolation_level=None, check_same_thread=False
    )
    connection.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed transaction survives a power cut, as the commit point must.
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def document_clause(filters: Filters | None) -> tuple[str, list[object]]:
    """SQL conditions on a review's metadata (alias ``d``, documents); ``1`` if none."""
    if filters is None or filters.is_empty:
        return "1", []
    clauses: list[str] = []
    params: list[object] = []
    if filters.year_min is not None:
        clauses.append("d.year >= ?")
        params.append(filters.year_min)
    if filters.year_max is not None:
        clauses.append("d.year <= ?")
        params.append(filters.year_max)
    for field in ("nation", "review_type", "outcome", "age_group"):
        values = getattr(filters, field)
        if values:
            marks = ", ".join("?" * len(values))
            clauses.append(f"{_NORMALISED.format(field)} IN ({marks})")
            # "unknown" is a review whose field is not known (NULL, normalised to '')
            params.extend("" if value == UNKNOWN else value for value in values)
    if filters.partnership:
        ors = " OR ".join(
            "instr(lower(coalesce(d.partnership, '')), ?) > 0" for _ in filters.partnership
        )
        clauses.append(f"({ors})")
        params.extend(filters.partnership)
    return (" AND ".join(clauses) or "1"), params


def _checked_name(name: str) -> str:
    """A temporary table name made by :meth:`UnitStore.allow_units` (never user text)."""
    if not _ALLOWED_TABLE.fullmatch(name):
        raise ValueError(f"not a table of allowed units: {name!r}")
    return name


class UnitStore:
    """Reads and writes ``units.sqlite``. Writes only inside ``begin()`` ... ``commit()``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._db.row_factory = sqlite3.Row
        self._temp_tables = 0

    @classmethod
    def open(cls, path: Path, *, create: bool = False, timeout: float = 30.0) -> UnitStore:
        """Open ``units.sqlite``; ``timeout`` is how long to wait for another writer's lock."""
        store = cls(connect(path, timeout))
        if create:
            store._db.executescript(SCHEMA)
        return store

    def close(self) -> None:
        self._db.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection, for the keyword postings (:mod:`learning.index.keywords`)."""
        return self._db

    @property
    def in_transaction(self) -> bool:
        return self._db.in_transaction

    def begin(self) -> None:
        """Take the write lock now, so no other writer can commit under us."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as locked:
            raise IndexBusy(f"the index is being written by another process ({locked})") from locked

    def commit(self) -> None:
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def state(self) -> IndexState | None:
        row = self._db.execute(
            "SELECT generation, vectors_sha256, vector_count, index_type, model_name, dimension "
            "FROM index_state WHERE id = 1"
        ).fetchone()
        return IndexState(*row) if row else None

    def set_state(self, state: IndexState) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO index_state (id, generation, vectors_sha256, vector_count, "
            "index_type, model_name, dimension) VALUES (1, ?, ?, ?, ?, ?, ?)",
            (
                state.generation,
                state.vectors_sha256,
                state.vector_count,
                state.index_type,
                state.model_name,
                state.dimension,
            ),
        )

    def tombstones(self) -> set[int]:
        return {row[0] for row in self._db.execute("SELECT id FROM tombstones")}

    def set_tombstones(self, ids: Iterable[int]) -> None:
        self._db.execute("DELETE FROM tombstones")
        self._db.executemany("INSERT INTO tombstones (id) VALUES (?)", ((int(i),) for i in ids))

    def documents(self) -> list[StoredDocument]:
        rows = self._db.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM documents ORDER BY review_id")
        return [StoredDocument(*row) for row in rows]

    def metadata_values(self, field: str) -> list[str]:
        """The distinct values of one metadata field (``nation``, ``review_type``, ``outcome``,
        ``age_group``) as filters compare them; ``unknown`` for reviews without one."""
        if field not in ("nation", "review_type", "outcome", "age_group"):
            raise ValueError(f"not a metadata field with values: {field!r}")
        rows = self._db.execute(f"SELECT DISTINCT {_NORMALISED.format(field)} FROM documents d")
        return sorted(row[0] or UNKNOWN for row in rows)

    def document_by_source(self, source: str) -> StoredDocument | None:
        row = self._db.execute(
            f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE source = ?", (source,)
        ).fetchone()
        return StoredDocument(*row) if row else None

    def document_by_review(self, review_id: str) -> StoredDocument | None:
        row = self._db.execute(
            f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE review_id = ?", (review_id,)
        ).fetchone()
        return StoredDocument(*row) if row else None

    def update_file_stat(self, review_id: str, source: str, size_bytes: int, mtime_ns: int) -> None:
        """Record a file's new path, size and mtime when its content is unchanged."""
        self._db.execute(
            "UPDATE documents SET source = ?, size_bytes = ?, mtime_ns = ? WHERE review_id = ?",
            (source, size_bytes, mtime_ns, review_id),
        )

    def documents_with_hash(self, content_hash: str) -> list[StoredDocument]:
        rows = self._db.execute(
            f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE content_hash = ?", (content_hash,)
        )
        return [StoredDocument(*row) for row in rows]

    def insert_document(
        self,
        document: ExtractedDocument,
        source: str,
        content_hash: str,
        size_bytes: int,
        mtime_ns: int,
        ingested_at: str | None,
    ) -> None:
        meta = document.metadata
        self._db.execute(
            f"INSERT INTO documents ({_DOCUMENT_COLUMNS}) VALUES ({', '.join('?' * 15)})",
            (
                meta.review_id,
                source,
                content_hash,
                document.format,
                size_bytes,
                mtime_ns,
                meta.title,
                meta.year,
                meta.partnership,
                meta.nation,
                meta.review_type,
                meta.outcome,
                meta.age_group,
                len(document.pages),
                ingested_at,
            ),
        )

    def insert_units(self, units: Sequence[Unit]) -> list[int]:
        """Insert units; returns their new ids (never reused, so tombstones stay unambiguous)."""
        ids: list[int] = []
        for unit in units:
            cursor = self._db.execute(
                "INSERT INTO units (review_id, ordinal, kind, number, section, page, page_label, "
                "text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    unit.review_id,
                    unit.ordinal,
                    str(unit.kind),
                    unit.number,
                    unit.section,
                    unit.page,
                    unit.page_label,
                    unit.text,
                ),
            )
            ids.append(int(cursor.lastrowid or 0))
        return ids

    def delete_review(self, review_id: str) -> list[int]:
        """Delete a review's document and units; returns the removed unit ids."""
        ids = [
            row[0]
            for row in self._db.execute("SELECT id FROM units WHERE review_id = ?", (review_id,))
        ]
        self._db.execute("DELETE FROM units WHERE review_id = ?", (review_id,))
        self._db.execute("DELETE FROM documents WHERE review_id = ?", (review_id,))
        return ids

    def count_units(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM units").fetchone()[0])

    def keyword_search(
        self, expression: str, limit: int, allowed: str | None = None
    ) -> list[tuple[int, float]]:
        """(unit id, bm25) best first; bm25 is negative, lower is better; text counts double.

        Ranks on the FTS5 table alone; ``allowed`` names a table from :meth:`allow_units`
        whose ids restrict the hits, joined by rowid so that only allowed rows are scored."""
        if not expression:
            return []
        join = f"JOIN temp.{_checked_name(allowed)} a ON a.id = units_fts.rowid " if allowed else ""
        rows = self._db.execute(
            "SELECT units_fts.rowid, bm25(units_fts, 2.0, 1.0) AS score FROM units_fts "
            f"{join}WHERE units_fts MATCH ? ORDER BY score LIMIT ?",
            (expression, limit),
        )
        return [(int(row[0]), float(row[1])) for row in rows]

    def allow_units(self, ids: Iterable[int]) -> str:
        """Hold ``ids`` in a temporary table of this connection; returns its name for
        :meth:`keyword_search`. Gone when the connection closes, or by :meth:`forget_units`."""
        self._temp_tables += 1
        name = f"allowed_{self._temp_tables}"
        self._db.execute(f"CREATE TEMP TABLE {name} (id INTEGER PRIMARY KEY)")
        self._db.executemany(f"INSERT INTO temp.{name} (id) VALUES (?)", ((int(i),) for i in ids))
        return name

    def forget_units(self, name: str) -> None:
        self._db.execute(f"DROP TABLE IF EXISTS temp.{_checked_name(name)}")

    def filtered_ids(self, filters: Filters) -> list[int]:
        """Ids of the units whose review and kind pass ``filters``, in id order.

        The documents are filtered first (a few thousand rows at most), then their units are
        read through an index: ``(kind, review_id)`` when kinds are given, which covers the
        query, else ``(review_id, ordinal)``."""
        where, params = document_clause(filters)
        sql = (
            "SELECT u.id FROM units u WHERE u.review_id IN "
            f"(SELECT d.review_id FROM documents d WHERE {where})"
        )
        if filters.kind:
            sql += f" AND u.kind IN ({', '.join('?' * len(filters.kind))})"
            params = [*params, *filters.kind]
        return sorted(int(row[0]) for row in self._db.execute(sql, params))

    def fetch_units(self, ids: Sequence[int]) -> dict[int, UnitRow]:
        """Rows for ``ids`` that exist (removed ids are simply absent)."""
        rows = self._rows_for_ids(f"SELECT {_UNIT_COLUMNS} {_UNITS_JOINED} WHERE u.id", ids)
        return {int(row[0]): UnitRow(*row) for row in rows}

    def review_ids_of(self, ids: Sequence[int]) -> dict[int, str]:
        """The review of each unit in ``ids`` that exists (a light :meth:`fetch_units`)."""
        rows = self._rows_for_ids("SELECT id, review_id FROM units WHERE id", ids)
        return {int(row[0]): str(row[1]) for row in rows}

    def _rows_for_ids(self, select: str, ids: Sequence[int]) -> Iterator[sqlite3.Row]:
        """Rows of ``select`` (ending in the id column) for ``ids``, 500 ids a statement."""
        for start in range(0, len(ids), 500):
            batch = [int(i) for i in ids[start : start + 500]]
            yield from self._db.execute(f"{select} IN ({', '.join('?' * len(batch))})", batch)

    def unit_places(self) -> list[tuple[int, str, str]]:
        """Every unit's ``(id, review_id, section)``, each review's in document order."""
        rows = self._db.execute(
            "SELECT id, review_id, section FROM units ORDER BY review_id, ordinal"
        )
        return [(int(row[0]), str(row[1]), str(row[2] or "")) for row in rows]

    def units_of_review(self, review_id: str, kinds: Sequence[str] = ()) -> list[UnitRow]:
        kind_clause = f" AND u.kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
        rows = self._db.execute(
            f"SELECT {_UNIT_COLUMNS} {_UNITS_JOINED} "
            f"WHERE u.review_id = ?{kind_clause} ORDER BY u.ordinal",
            (review_id, *kinds),
        )
        return [UnitRow(*row) for row in rows]
