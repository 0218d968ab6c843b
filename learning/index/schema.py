"""The SQL schema of ``units.sqlite`` (version :data:`learning.index.manifest.SCHEMA_VERSION`)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS index_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,
    vectors_sha256 TEXT NOT NULL,
    vector_count INTEGER NOT NULL,
    index_type TEXT NOT NULL,
    model_name TEXT NOT NULL,
    dimension INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    review_id TEXT PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    format TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    title TEXT,
    year INTEGER,
    partnership TEXT,
    nation TEXT,
    review_type TEXT,
    outcome TEXT,
    age_group TEXT,
    n_pages INTEGER NOT NULL,
    ingested_at TEXT
);
CREATE INDEX IF NOT EXISTS documents_hash ON documents (content_hash);
CREATE INDEX IF NOT EXISTS documents_year ON documents (year);
-- AUTOINCREMENT: ids are never reused, so a FAISS id always names one unit, even a removed one.
CREATE TABLE IF NOT EXISTS units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id TEXT NOT NULL REFERENCES documents (review_id),
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    number TEXT,
    section TEXT NOT NULL,
    page INTEGER NOT NULL,
    page_label TEXT,
    text TEXT NOT NULL,
    UNIQUE (review_id, ordinal)
);
-- (kind, review_id) covers a filter on both: the unit id is the rowid, held by every index.
CREATE INDEX IF NOT EXISTS units_kind_review ON units (kind, review_id);
CREATE TABLE IF NOT EXISTS tombstones (id INTEGER PRIMARY KEY);
CREATE VIRTUAL TABLE IF NOT EXISTS units_fts USING fts5 (
    text, section, content = 'units', content_rowid = 'id', tokenize = 'porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS units_after_insert AFTER INSERT ON units BEGIN
    INSERT INTO units_fts (rowid, text, section) VALUES (new.id, new.text, new.section);
END;
CREATE TRIGGER IF NOT EXISTS units_after_delete AFTER DELETE ON units BEGIN
    INSERT INTO units_fts (units_fts, rowid, text, section)
    VALUES ('delete', old.id, old.text, old.section);
END;
CREATE TRIGGER IF NOT EXISTS units_after_update AFTER UPDATE ON units BEGIN
    INSERT INTO units_fts (units_fts, rowid, text, section)
    VALUES ('delete', old.id, old.text, old.section);
    INSERT INTO units_fts (rowid, text, section) VALUES (new.id, new.text, new.section);
END;
"""
