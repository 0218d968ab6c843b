"""The corpus catalogue: which format each review is published in, its length, its main themes.

``corpus/catalogue.csv`` was made once from the corpus plan's table. The themes are the authors'
intent, kept for evaluation only: they never go into the files the engine reads.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from corpus.builder.errors import CatalogueInvalid

GENERATED_FORMATS = ("pdf", "docx", "html")
DIRECT_FORMATS = ("md", "txt")
LENGTHS = ("brief", "medium", "long")
CATALOGUE_COLUMNS = ("review_id", "format", "length", "themes")
# The taxonomy's theme ids (learning/data/taxonomy.yaml ships exactly these), in plan order.
THEME_IDS = (
    "nai_infancy",
    "sudi_unsafe_sleep",
    "neglect",
    "csa_intrafamilial",
    "exploitation_ehm",
    "adolescent_mental_health",
    "missing_education",
    "disability_health_needs",
    "children_in_care",
    "online_harm",
    "domestic_abuse",
    "parental_mental_health",
    "parental_substance_misuse",
    "invisible_men",
    "young_parents_capacity",
    "poverty_housing",
    "race_culture_faith",
    "information_sharing",
    "professional_curiosity",
    "voice_of_child",
    "risk_assessment",
    "disguised_compliance",
    "thresholds_early_help",
    "supervision_workforce",
    "multiagency_transfer",
    "health_practice",
    "covid_impact",
)


@dataclass(frozen=True)
class CatalogueEntry:
    """One review in the catalogue. ``themes``: strongest first."""

    review_id: str
    format: str
    length: str
    themes: tuple[str, ...]

    @property
    def generated(self) -> bool:
        return self.format in GENERATED_FORMATS

    @property
    def file_name(self) -> str:
        return f"{self.review_id}.{self.format}"


def read_catalogue(path: Path) -> list[CatalogueEntry]:
    """Every entry of the catalogue, checked: known format, length and themes, unique ids."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CATALOGUE_COLUMNS:
            raise CatalogueInvalid(f"{path}: columns must be {', '.join(CATALOGUE_COLUMNS)}")
        entries = [_entry(row, path, line) for line, row in enumerate(reader, start=2)]
    seen: set[str] = set()
    for entry in entries:
        if entry.review_id in seen:
            raise CatalogueInvalid(f"{path}: review_id {entry.review_id} appears twice")
        seen.add(entry.review_id)
    return entries


def _entry(row: dict[str, str], path: Path, line: int) -> CatalogueEntry:
    where = f"{path}, line {line}"
    if row["format"] not in GENERATED_FORMATS + DIRECT_FORMATS:
        raise CatalogueInvalid(f"{where}: unknown format {row['format']!r}")
    if row["length"] not in LENGTHS:
        raise CatalogueInvalid(f"{where}: unknown length {row['length']!r}")
    themes = tuple(t.strip() for t in row["themes"].split(";") if t.strip())
    unknown = [t for t in themes if t not in THEME_IDS]
    if unknown or not themes:
        raise CatalogueInvalid(f"{where}: unknown or missing themes {unknown}")
    return CatalogueEntry(row["review_id"], row["format"], row["length"], themes)
