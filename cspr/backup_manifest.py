"""``backup.json``: what a backup holds, and the check that its files are the ones it lists.

The manifest lists every file of the backup folder (walked once everything else is written) with
its size and SHA-256, the row count of every table of the database copy, the schema revision and
the number of vectors in the index copy. A restore reads only listed files, and copies each one
into a scratch place while hashing it, so the bytes it checks are the bytes it swaps in.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from review_flows.errors import ReviewFlowsError

MANIFEST = "backup.json"
FORMAT = "cspr-backup"
FORMAT_VERSION = 2
SQLITE_FILE = "cspr.db"
PG_DUMP_FILE = "cspr.dump"
INDEX_FOLDER = "index"
INDEX_FILES = ("units.sqlite", "vectors.faiss", "manifest.json")
DAMAGED = "the backup is damaged, take a new one"


class BackupFailed(ReviewFlowsError):
    """A backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupFile:
    path: str  # relative to the backup folder, with forward slashes
    size: int
    sha256: str


@dataclass(frozen=True)
class BackupManifest:
    created_at: str
    database: str  # "sqlite" or "postgresql"
    revision: str | None
    cases: int
    events: int
    index: bool
    tables: dict[str, int] = field(default_factory=dict)
    index_vectors: int | None = None
    files: tuple[BackupFile, ...] = ()
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def database_file(self) -> str:
        return SQLITE_FILE if self.database == "sqlite" else PG_DUMP_FILE


def private_dir(path: Path) -> None:
    """Create ``path`` (and its parents) readable by its owner only, whatever the umask."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def make_private(folder: Path) -> None:
    """Every file below ``folder`` 0600 and every folder 0700."""
    os.chmod(folder, 0o700)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(Path(root) / name, 0o700)
        for name in files:
            os.chmod(Path(root) / name, 0o600)


def write_manifest(target: Path, manifest: BackupManifest) -> BackupManifest:
    """List and hash every file in ``target`` (but the manifest), then write ``backup.json``."""
    make_private(target)
    listed = tuple(_describe(target, path) for path in sorted(_files(target)))
    manifest = BackupManifest(**{**asdict(manifest), "files": listed})
    text = json.dumps(asdict(manifest), indent=2) + "\n"
    descriptor = os.open(target / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return manifest


def read_manifest(source: Path) -> BackupManifest:
    """Parse ``backup.json``; refuse one that is unreadable, of another format or version."""
    path = source / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as unreadable:
        raise BackupFailed(
            f"{source} is not a backup made by `cspr backup` ({path.name}: {unreadable})"
        ) from None
    if not isinstance(raw, dict):
        raise BackupFailed(f"backup {path}: not a backup manifest; {DAMAGED}")
    version = raw.get("format_version", 1)
    if raw.get("format", FORMAT) != FORMAT or version != FORMAT_VERSION:
        raise BackupFailed(
            f"backup {path}: wrong version (format {raw.get('format', FORMAT)!r} version "
            f"{version}; this restore reads {FORMAT!r} version {FORMAT_VERSION}, whose manifest "
            "lists each file's size and SHA-256); take a new backup with `cspr backup`"
        )
    try:
        return _parsed(raw)
    except (KeyError, TypeError, ValueError) as bad:
        raise BackupFailed(
            f"backup {path}: a field is missing or wrong ({bad}); {DAMAGED}"
        ) from None


def _parsed(raw: dict[str, Any]) -> BackupManifest:
    files = tuple(
        BackupFile(_safe_relative(str(item["path"])), int(item["size"]), str(item["sha256"]))
        for item in raw["files"]
    )
    tables = {str(name): int(count) for name, count in dict(raw["tables"]).items()}
    vectors = raw.get("index_vectors")
    return BackupManifest(
        created_at=str(raw["created_at"]), database=str(raw["database"]),
        revision=None if raw["revision"] is None else str(raw["revision"]),
        cases=int(raw["cases"]), events=int(raw["events"]), index=bool(raw["index"]),
        tables=tables, index_vectors=None if vectors is None else int(vectors), files=files,
    )  # fmt: skip


def _safe_relative(path: str) -> str:
    """A listed path stays inside the backup folder: relative, no ``..``."""
    parts = PurePosixPath(path).parts
    if not parts or PurePosixPath(path).is_absolute() or ".." in parts:
        raise ValueError(f"{path!r} is not a path inside the backup folder")
    return path


def required_files(manifest: BackupManifest) -> list[str]:
    """The files a restore needs: the database copy, and the index's three if it was backed up."""
    needed = [manifest.database_file]
    if manifest.index:
        needed += [f"{INDEX_FOLDER}/{name}" for name in INDEX_FILES]
    return needed


def check_listed(source: Path, manifest: BackupManifest) -> None:
    """Each needed file is listed; each listed file exists with its size (hashes come later)."""
    listed = {entry.path for entry in manifest.files}
    for name in required_files(manifest):
        if name not in listed:
            raise BackupFailed(f"backup {source / name}: not listed in {MANIFEST}; {DAMAGED}")
    for entry in manifest.files:
        path = source / entry.path
        if not path.is_file():
            raise BackupFailed(f"backup {path}: missing; the backup is incomplete, take a new one")
        size = path.stat().st_size
        if size != entry.size:
            raise BackupFailed(
                f"backup {path}: {size} bytes, the manifest says {entry.size}; the file is "
                "truncated or damaged, take a new backup"
            )


def copy_verified(source: Path, manifest: BackupManifest, prefix: str, target: Path) -> None:
    """Copy the listed files under ``prefix`` (a file or a folder) to ``target`` while hashing
    them; refuse the first whose SHA-256 is not the manifest's."""
    for entry in manifest.files:
        if entry.path != prefix and not entry.path.startswith(prefix + "/"):
            continue
        relative = entry.path[len(prefix) + 1 :] if entry.path != prefix else ""
        destination = target / relative if relative else target
        private_dir(destination.parent)
        if _copy_hashing(source / entry.path, destination) != entry.sha256:
            raise BackupFailed(
                f"backup {source / entry.path}: SHA-256 does not match the manifest; {DAMAGED}"
            )


def check_other_hashes(source: Path, manifest: BackupManifest, copied: tuple[str, ...]) -> None:
    """The SHA-256 of every listed file a restore does not copy (``audit-heads.json``...)."""
    for entry in manifest.files:
        if entry.path in copied or entry.path.startswith(tuple(f"{p}/" for p in copied)):
            continue
        if _describe(source, source / entry.path).sha256 != entry.sha256:
            raise BackupFailed(
                f"backup {source / entry.path}: SHA-256 does not match the manifest; {DAMAGED}"
            )


def _copy_hashing(source: Path, target: Path) -> str:
    digest = hashlib.sha256()
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(source, "rb") as reader, os.fdopen(descriptor, "wb") as writer:
        for block in iter(lambda: reader.read(1 << 20), b""):
            digest.update(block)
            writer.write(block)
        writer.flush()
        os.fsync(writer.fileno())
    return digest.hexdigest()


def _files(folder: Path) -> Iterable[Path]:
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            if path != folder / MANIFEST:
                yield path


def _describe(folder: Path, path: Path) -> BackupFile:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    relative = path.relative_to(folder).as_posix()
    return BackupFile(relative, path.stat().st_size, digest.hexdigest())


def remove_tree(path: Path) -> None:
    """Remove a scratch folder or file if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
