"""The real development set (``corpus/dev``): its documents, labels and theme queries.

Short documents written from real published briefings and review summaries, labelled from the
publishers' own theme words by the rule in ``corpus/dev/RULE.md`` (written before any scoring).
Every evaluation that reports on the set reads it through here, so they all agree on it.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / "corpus" / "dev"
DOCS = DEV / "docs"
UNMAPPED = "unmapped"
# a theme is searched for only when at least this many documents carry it
MIN_RELEVANT = 2


@dataclass(frozen=True)
class ThemeQuery:
    """Review search for a theme: the taxonomy's label as the query, its documents relevant."""

    id: str
    theme_id: str
    text: str
    judgements: dict[str, int]


def _rows(pattern: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(DEV.glob(pattern)):
        with open(path, newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def read_dev_labels() -> dict[str, frozenset[str]]:
    """doc_id -> theme ids, from every ``labels*.csv`` (unmapped words left out). A document
    with no mapped theme still appears, with no labels (a tag on it is a false positive)."""
    labels: dict[str, set[str]] = {}
    for row in _rows("labels.csv"):
        themes = labels.setdefault(row["doc_id"].strip(), set())
        theme = row["theme_id"].strip()
        if theme and theme != UNMAPPED:
            themes.add(theme)
    return {doc: frozenset(themes) for doc, themes in labels.items()}


def read_dev_sources() -> dict[str, dict[str, str]]:
    """doc_id -> its source row (url, publisher, kind, publisher_theme_words)."""
    return {row["doc_id"].strip(): row for row in _rows("sources.csv")}


def theme_queries(
    labels: Mapping[str, frozenset[str]], theme_labels: Mapping[str, str]
) -> list[ThemeQuery]:
    """One query per theme that at least :data:`MIN_RELEVANT` documents carry, in the
    taxonomy's order (``theme_labels``: theme id -> its label)."""
    queries = []
    for theme_id, label in theme_labels.items():
        relevant = {doc: 1 for doc, themes in labels.items() if theme_id in themes}
        if len(relevant) >= MIN_RELEVANT:
            queries.append(ThemeQuery(f"dev-{theme_id}", theme_id, label, relevant))
    return queries


def document_ids(folder: Path = DOCS) -> Sequence[str]:
    """The documents' ids (file stems), sorted."""
    return sorted(path.stem for path in folder.glob("*.md"))
