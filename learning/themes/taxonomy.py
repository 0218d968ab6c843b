"""The theme taxonomy as data: loaded from YAML, validated, hashed, and extended by analysts.

The product ships ``learning/data/taxonomy.yaml``. An analyst's own file (setting
``taxonomy_file``, else ``taxonomy.yaml`` in the data folder once one exists there) replaces it
without code. Every problem is a :class:`TaxonomyInvalid` naming the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from learning.errors import TaxonomyInvalid, ThemeNotFound

SHIPPED_TAXONOMY = Path(__file__).resolve().parents[1] / "data" / "taxonomy.yaml"
ANALYST_FILE_NAME = "taxonomy.yaml"
_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class ThemeSpec(BaseModel):
    """One theme: an idea with a stable id, a label, a definition and practitioners' phrases."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(pattern=_ID_PATTERN, max_length=64)
    label: str = Field(min_length=1, max_length=120)
    group: str = Field(min_length=1, max_length=40)
    definition: str = Field(min_length=20)
    phrases: tuple[str, ...] = Field(min_length=1)

    @field_validator("phrases")
    @classmethod
    def _phrases_have_words(cls, phrases: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(" ".join(str(phrase).split()) for phrase in phrases)
        if any(not phrase for phrase in cleaned):
            raise ValueError("a phrase is empty")
        return cleaned


class _TaxonomyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    themes: list[ThemeSpec] = Field(min_length=1)

    @field_validator("themes")
    @classmethod
    def _ids_unique(cls, themes: list[ThemeSpec]) -> list[ThemeSpec]:
        seen: set[str] = set()
        for theme in themes:
            if theme.id in seen:
                raise ValueError(f"theme id {theme.id!r} is used twice")
            seen.add(theme.id)
        return themes


@dataclass(frozen=True)
class Taxonomy:
    """A validated taxonomy, where it came from, and a digest of its content."""

    themes: tuple[ThemeSpec, ...]
    source: Path
    digest: str
    version: int = 1

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(theme.id for theme in self.themes)

    def theme(self, theme_id: str) -> ThemeSpec:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise ThemeNotFound(
            f"no theme {theme_id!r} in {self.source}; `cspr themes list` shows the ids"
        )

    def label_of(self, theme_id: str) -> str:
        return self.theme(theme_id).label


def taxonomy_digest(themes: tuple[ThemeSpec, ...]) -> str:
    """sha256 of the themes' content (not the file's bytes: comments do not change it)."""
    canonical = json.dumps([theme.model_dump(mode="json") for theme in themes], sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _field_path(location: tuple[Any, ...], raw: Any) -> str:
    parts: list[str] = []
    for item in location:
        parts.append(f"[{item}]" if isinstance(item, int) else f".{item}")
    path = "".join(parts).lstrip(".") or "(top level)"
    if len(location) >= 2 and location[0] == "themes" and isinstance(location[1], int):
        themes = raw.get("themes") if isinstance(raw, dict) else None
        if isinstance(themes, list) and location[1] < len(themes):
            entry = themes[location[1]]
            if isinstance(entry, dict) and entry.get("id"):
                path += f" (theme {entry['id']!r})"
    return path


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as missing:
        raise TaxonomyInvalid(path, "file not found") from missing
    except (OSError, UnicodeDecodeError) as unreadable:
        raise TaxonomyInvalid(path, f"cannot be read ({unreadable})") from unreadable
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as bad:
        mark = getattr(bad, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise TaxonomyInvalid(path, f"not valid YAML{where}") from bad


def parse_taxonomy(raw: Any, source: Path) -> Taxonomy:
    """Validate already-parsed YAML as a taxonomy (``source`` names it in errors)."""
    if not isinstance(raw, dict):
        raise TaxonomyInvalid(source, "expected a mapping with 'version' and 'themes'")
    try:
        parsed = _TaxonomyFile.model_validate(raw)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        field = _field_path(tuple(first["loc"]), raw)
        more = len(invalid.errors()) - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise TaxonomyInvalid(source, f"{field}: {first['msg']}{extra}") from invalid
    themes = tuple(parsed.themes)
    return Taxonomy(themes, source, taxonomy_digest(themes), parsed.version)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file (the shipped one by default)."""
    source = Path(path) if path is not None else SHIPPED_TAXONOMY
    return parse_taxonomy(_read_yaml(source), source)


def resolve_taxonomy_path(taxonomy_file: Path | None, data_dir: Path) -> Path:
    """The file in use: the setting's, else the data folder's analyst copy, else the shipped one."""
    if taxonomy_file is not None:
        return Path(taxonomy_file)
    analyst = data_dir / ANALYST_FILE_NAME
    return analyst if analyst.exists() else SHIPPED_TAXONOMY


def analyst_taxonomy_path(taxonomy_file: Path | None, data_dir: Path) -> Path:
    """The file an analyst's changes go to: never the package's own file."""
    path = Path(taxonomy_file) if taxonomy_file is not None else data_dir / ANALYST_FILE_NAME
    if path.resolve() == SHIPPED_TAXONOMY:
        raise TaxonomyInvalid(path, "is the shipped taxonomy; set CSPR_TAXONOMY_FILE to your own")
    return path


def ensure_analyst_copy(path: Path) -> Path:
    """Create ``path`` as a copy of the shipped taxonomy if it does not exist yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHIPPED_TAXONOMY, path)
    return path


def slug_id(text: str, taken: set[str] | tuple[str, ...], prefix: str = "") -> str:
    """A free theme id from ``text``: snake_case words, a number added if it is taken."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    base = (prefix + "_".join(words))[:48].strip("_") or "theme"
    if not base[0].isalpha():
        base = f"theme_{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate


def _theme_yaml(theme: ThemeSpec) -> str:
    entry = theme.model_dump(mode="json")
    entry["phrases"] = list(theme.phrases)
    body = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=96)
    return "".join(f"  {line}" if line.strip() else line for line in body.splitlines(True))


def append_theme(path: Path, theme: ThemeSpec) -> Taxonomy:
    """Add ``theme`` to the taxonomy file at ``path`` and return the file's new taxonomy.

    The entry is appended as text, so the analyst's comments and layout stay; if the file's
    shape does not allow that (``themes`` is not the last key), the file is rewritten whole.
    """
    current = load_taxonomy(path)
    if theme.id in current.ids:
        raise TaxonomyInvalid(path, f"themes: a theme with id {theme.id!r} already exists")
    text = path.read_text(encoding="utf-8")
    appended = text.rstrip("\n") + "\n" + _theme_yaml(theme)
    try:
        candidate = parse_taxonomy(yaml.safe_load(appended), path)
    except (TaxonomyInvalid, yaml.YAMLError):
        candidate = None
    expected = (*current.themes, theme)
    if candidate is None or candidate.themes != expected:
        entries = [t.model_dump(mode="json") for t in expected]
        document = {"version": current.version, "themes": entries}
        appended = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=96)
    _write_text(path, appended)
    return load_taxonomy(path)


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
