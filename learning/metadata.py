"""Review metadata: from YAML front matter, a sidecar file, a ``metadata.csv``, else inferred from
the text where the text is unambiguous; otherwise ``None``. Nothing is guessed.

Precedence, field by field: front matter, sidecar (``<file>.meta.yaml``, ``<stem>.meta.yaml`` or
``<stem>.yaml`` beside the file), ``metadata.csv`` in the file's folder or its parent (row matched
by the ``file`` column or by ``review_id``), then the text. Outcome and age group come only from
explicit metadata.

Metadata bends without lying: a value that plainly means a known one is normalised to it
("Serious harm", "serious-harm" -> serious_harm); a value outside the vocabulary is kept as itself
(as a slug: "Significant harm" -> significant_harm) with a warning; a value that cannot be used
(year "abc", age 19, a list) is left unknown with a warning. A warning names the file, the field
and the value. A metadata file that cannot be read is ignored with a warning. Metadata never
refuses a document: only unreadable text does.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from learning.metadata_vocabulary import VOCABULARY, normalise_value, slug
from learning.models import ReviewMetadata
from learning.safe_yaml import load_yaml
from learning.title_page import implied_nation, infer_from_text

logger = logging.getLogger(__name__)

_ALIASES = {
    "area": "partnership",
    "type": "review_type",
    "child_age_group": "age_group",
    "id": "review_id",
}
_YEAR_KEYS = ("year", "published", "publication_date", "date_published", "date")
_AGE_KEYS = ("age", "child_age", "age_years")
_BLANKS = ("", "null", "none", "n/a", "na", "unknown", "not known", "not stated", "-")
_MAX_VALUE_CHARS = 300
MAX_REVIEW_ID_CHARS = 120
_SAFE_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_REVIEW_ID_CHARS - 1}}}")
_MAX_SLUG_CHARS = 40
_FIELDS = ("review_id", "title", "year", "partnership", "nation", "review_type", "outcome")


@dataclass(frozen=True)
class MetadataReading:
    """A review's metadata and what could not be used of it (each warning names the source,
    the field and the value)."""

    metadata: ReviewMetadata
    warnings: tuple[str, ...] = ()


def read_metadata(
    path: Path, text_pages: Sequence[str], front_matter: Mapping[str, Any] | None = None
) -> ReviewMetadata:
    """Metadata of the review in ``path`` (see the module docstring for the sources)."""
    return read_metadata_with_warnings(path, text_pages, front_matter).metadata


def read_metadata_with_warnings(
    path: Path, text_pages: Sequence[str], front_matter: Mapping[str, Any] | None = None
) -> MetadataReading:
    """Metadata of the review in ``path`` and the warnings about values that were not used."""
    path = Path(path)
    warnings: list[str] = []
    front = _normalise(path, path, front_matter or {}, warnings)
    sidecar = _normalise(path, *_read_sidecar(path, warnings), warnings)
    first_id = front.get("review_id") or sidecar.get("review_id")
    table = _normalise(path, *_read_csv_row(path, first_id, warnings), warnings)
    inferred = infer_from_text(text_pages)
    merged: dict[str, Any] = {}
    for source in (front, sidecar, table):
        for key, value in source.items():
            merged.setdefault(key, value)
    for key in ("title", "year", "partnership", "nation", "review_type"):
        if merged.get(key) is None and inferred.get(key) is not None:
            merged[key] = inferred[key]
    if merged.get("nation") is None and merged.get("review_type"):
        merged["nation"] = implied_nation(merged["review_type"])
    merged["review_id"] = _safe_review_id(path, merged.get("review_id"), warnings)
    fields: dict[str, Any] = {k: merged.get(k) for k in (*_FIELDS, "age_group")}
    metadata = ReviewMetadata(**fields)
    return MetadataReading(metadata, tuple(dict.fromkeys(warnings)))


def is_safe_review_id(value: str) -> bool:
    """Letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit, at most
    ``MAX_REVIEW_ID_CHARS`` characters, and no ``..``: safe in a path, a URL and a terminal."""
    return bool(_SAFE_ID.fullmatch(value)) and ".." not in value


def _safe_review_id(path: Path, declared: str | None, warnings: list[str]) -> str:
    """The declared review id if it is safe; else the file's stem (made safe), with a warning."""
    if declared and is_safe_review_id(declared):
        return declared
    stem = path.stem if is_safe_review_id(path.stem) else _safe_stem(path.stem)
    if declared:
        shown = declared if len(declared) <= 60 else declared[:57] + "..."
        warnings.append(
            f"review_id {shown!r} is not a safe id (letters, digits, '.', '_' and '-', up to "
            f"{MAX_REVIEW_ID_CHARS} characters); the file name's {stem!r} is used instead"
        )
    return stem


def _safe_stem(stem: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).replace("..", ".").strip(".-_")
    return cleaned[:MAX_REVIEW_ID_CHARS] or "review"


def sidecar_paths(path: Path) -> list[Path]:
    """Where a sidecar metadata file for ``path`` may be, in order of preference."""
    return [
        path.with_name(path.name + ".meta.yaml"),
        path.with_name(path.stem + ".meta.yaml"),
        path.with_name(path.stem + ".yaml"),
    ]


def _read_sidecar(path: Path, warnings: list[str]) -> tuple[Path, dict[str, Any]]:
    for candidate in sidecar_paths(path):
        if candidate.is_file():
            return candidate, _sidecar_values(candidate, warnings)
    return path, {}


def _sidecar_values(sidecar: Path, warnings: list[str]) -> dict[str, Any]:
    try:
        data = load_yaml(sidecar.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as problem:
        where = getattr(problem, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        warnings.append(f"{sidecar.name}: not valid YAML{at}; its metadata was ignored (fix it)")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        warnings.append(
            f"{sidecar.name}: not a set of 'key: value' lines; its metadata was ignored (fix it)"
        )
        return {}
    return data


def _read_csv_row(
    path: Path, review_id: str | None, warnings: list[str]
) -> tuple[Path, dict[str, Any]]:
    """The row describing ``path`` in the nearest metadata.csv (folder, then parent)."""
    for folder in (path.parent, path.parent.parent):
        table = folder / "metadata.csv"
        if not table.is_file():
            continue
        row = _find_row(path, table, review_id, warnings)
        if row is not None:
            return table, row
    return path, {}


@lru_cache(maxsize=8)
def _table_rows(table: Path, mtime_ns: int, size: int) -> tuple[dict[str, str], ...]:
    """A metadata.csv's rows, keys lower case; read once per version of the file (an ingest
    looks a row up for every file of its folder)."""
    with table.open(encoding="utf-8-sig", newline="") as handle:
        return tuple(
            {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(handle)
        )


def _find_row(
    path: Path, table: Path, review_id: str | None, warnings: list[str]
) -> dict[str, Any] | None:
    try:
        stat = table.stat()
        rows = _table_rows(table, stat.st_mtime_ns, stat.st_size)
    except (csv.Error, UnicodeDecodeError) as problem:
        warnings.append(f"{table}: cannot be read as CSV ({problem}); it was ignored (fix it)")
        return None
    names = {path.name.lower(), str(path.relative_to(table.parent)).lower()}
    ids = {review_id or path.stem}
    for row in rows:
        listed = row.get("file", "").replace("\\", "/").lower()
        if listed and (listed in names or Path(listed).name == path.name.lower()):
            return row
    for row in rows:
        if row.get("review_id") and row["review_id"] in ids:
            return row
    return None


def _normalise(
    path: Path, source: Path, raw: Mapping[str, Any], warnings: list[str]
) -> dict[str, Any]:
    """Known fields of one source, normalised; empty and unusable values dropped (the unusable
    ones with a warning in ``warnings``)."""
    data = {_ALIASES.get(str(k).strip().lower(), str(k).strip().lower()): v for k, v in raw.items()}
    where = "front matter" if source == path else source.name
    out: dict[str, Any] = {}
    for key in ("review_id", "title", "partnership"):
        if _present(data.get(key)):
            text = _scalar_text(data[key])
            if text is None:
                warnings.append(f"{where}: {key} is not a single value; left unknown")
            else:
                out[key] = text
    year_key = next((k for k in _YEAR_KEYS if _present(data.get(k))), None)
    if year_key:
        _keep(out, "year", _year(where, year_key, data[year_key], warnings))
    for key in VOCABULARY:
        if _present(data.get(key)):
            _keep(out, key, _vocabulary_value(where, key, data[key], warnings))
    age_key = next((k for k in _AGE_KEYS if _present(data.get(k))), None)
    if "age_group" not in out and age_key:
        _keep(out, "age_group", _age_group(where, data[age_key], warnings))
    return out


def _keep(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _present(value: Any) -> bool:
    return value is not None and str(value).strip().lower() not in _BLANKS


def _scalar_text(value: Any) -> str | None:
    """A metadata value as one line of text; ``None`` for lists, mappings and overlong text."""
    if isinstance(value, (list, tuple, set, dict)):
        return None
    text = " ".join(str(value).split())
    return text if len(text) <= _MAX_VALUE_CHARS else None


def _vocabulary_value(where: str, field: str, value: Any, warnings: list[str]) -> str | None:
    """A known value, else the value itself as a slug (with a warning), else ``None``."""
    text = _scalar_text(value)
    known = normalise_value(field, text) if text is not None else None
    if known is not None:
        return known
    kept = slug(text) if text is not None else ""
    allowed = ", ".join(VOCABULARY[field])
    if kept and len(kept) <= _MAX_SLUG_CHARS:
        warnings.append(f"{where}: {field} {text!r} is not one of {allowed}; kept as {kept!r}")
        return kept
    shown = repr(text) if text is not None else "(not a single value)"
    warnings.append(f"{where}: {field} {shown} cannot be used; left unknown (use one of {allowed})")
    return None


def _year(where: str, key: str, value: Any, warnings: list[str]) -> int | None:
    if isinstance(value, dt.date):
        value = value.year  # then checked as any other year
    if isinstance(value, int) and not isinstance(value, bool) and 1980 <= value <= 2099:
        return value
    text = _scalar_text(value) or ""
    match = re.search(r"\b(19[89]\d|20\d\d)\b", text)
    if match:
        return int(match.group(1))
    if re.fullmatch(r"-?\d{1,6}", text.strip()):
        warnings.append(
            f"{where}: {key} {text.strip()} is not a plausible publication year (1980-2099); "
            "left unknown"
        )
        return None
    warnings.append(f"{where}: {key} {str(value)[:60]!r} has no year; left unknown (e.g. 2021)")
    return None


def _age_group(where: str, value: Any, warnings: list[str]) -> str | None:
    try:
        if isinstance(value, bool):  # YAML's yes/no are not a number of years
            raise TypeError
        age = float(value)
    except (TypeError, ValueError, OverflowError):
        warnings.append(f"{where}: age {str(value)[:60]!r} is not a number of years; left unknown")
        return None
    for upper, group in ((1, "under_1"), (5, "1_4"), (10, "5_9"), (15, "10_14"), (18, "15_17")):
        if 0 <= age < upper:
            return group
    warnings.append(f"{where}: age {value!r} is outside 0-17; left unknown")
    return None
