"""``manifest.json``: what the index was built with, and the figures that tie its files together.

Plain JSON (never pickle). The model is stored by name only, never its weights.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from learning.errors import IndexCorrupt, IndexMismatch

MANIFEST_FORMAT = "cspr-learning-index"
SCHEMA_VERSION = 1
REBUILD_HINT = "run `cspr ingest --rebuild`"


@dataclass(frozen=True)
class Manifest:
    """The index's identity card; ``generation`` and ``vectors_sha256`` tie the files together."""

    model_name: str
    dimension: int
    index_type: str
    count: int
    generation: int
    vectors_sha256: str
    schema_version: int = SCHEMA_VERSION
    faiss_version: str = ""
    sentence_transformers_version: str = ""
    created: str | None = None
    updated: str | None = None
    format: str = MANIFEST_FORMAT

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def package_version(name: str) -> str:
    """Installed version of a distribution, or ``""`` when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def stamp_versions(manifest: Manifest) -> Manifest:
    """The manifest with the installed faiss and sentence-transformers versions filled in."""
    return replace(
        manifest,
        faiss_version=package_version("faiss-cpu"),
        sentence_transformers_version=package_version("sentence-transformers"),
    )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a crash leaves the old file or the new one, never half."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb", opener=private_opener) as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def private_opener(path: str, flags: int) -> int:
    """``open(..., opener=private_opener)``: a file it creates is owner-only (0600)."""
    return os.open(path, flags, 0o600)


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` owner-only (0700) whatever the umask."""
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o700)


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def save_manifest(path: Path, manifest: Manifest) -> None:
    text = json.dumps(manifest.to_dict(), indent=2, sort_keys=True) + "\n"
    write_atomic(path, text.encode("utf-8"))


def load_manifest(path: Path) -> Manifest:
    """Read and validate ``manifest.json``; anything unreadable is an :class:`IndexMismatch`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise IndexMismatch(f"{path} is missing; {REBUILD_HINT}") from missing
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as bad:
        raise IndexCorrupt(f"{path} is not readable JSON ({bad}); {REBUILD_HINT}") from bad
    if not isinstance(raw, dict) or raw.get("format") != MANIFEST_FORMAT:
        raise IndexMismatch(f"{path} is not a cspr index manifest; {REBUILD_HINT}")
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise IndexMismatch(
            f"index schema version {raw.get('schema_version')} is not the supported "
            f"{SCHEMA_VERSION}; {REBUILD_HINT}"
        )
    known = {field.name for field in fields(Manifest)}
    try:
        return Manifest(**{key: value for key, value in raw.items() if key in known})
    except TypeError as bad:
        raise IndexCorrupt(f"{path} lacks a field ({bad}); {REBUILD_HINT}") from bad
