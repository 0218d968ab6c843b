"""Which files an ingest reads: review files under the folders given (links followed only inside
them, each skipped path named with why), and which file keeps a review id that several claim.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from learning.extract import SUPPORTED_SUFFIXES

_SIDE_FILES = ("metadata.csv",)


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)


def _is_candidate(path: Path, root: Path) -> bool:
    if _is_hidden(path, root):
        return False
    name = path.name.lower()
    if name.endswith(".meta.yaml") or name in _SIDE_FILES:
        return False
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def find_documents(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Review files under ``paths`` (folders walked recursively), and paths that cannot be used.

    A symbolic link inside a folder is followed only when its target is a file inside that
    folder; every other link (outside, to a folder, broken or a loop) is named with why it was
    skipped. A path given by name is used as it is.
    """
    found: dict[Path, None] = {}
    problems: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            files, skipped = _walk_folder(path)
            found.update(dict.fromkeys(files))
            problems.extend(skipped)
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found[path.resolve()] = None
            else:
                supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
                problems.append(
                    (path, f"unsupported format {path.suffix!r} (supported: {supported})")
                )
        else:
            problems.append((path, "no such file or folder"))
    return list(found), problems


def _walk_folder(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Candidate files under ``root`` (links resolved when they stay inside it)."""
    inside = root.resolve()
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted([*names, *(d for d in dirs if Path(folder, d).is_symlink())]):
            path = Path(folder, name)
            if not path.is_symlink():
                if _is_candidate(path, root):
                    files.append(path.resolve())
                continue
            if _is_hidden(path, root):
                continue
            target, reason = _link_target(path, inside)
            if target is None:
                skipped.append((path, reason))
            elif _is_candidate(path, root):
                files.append(target)
    return files, skipped


def _link_target(link: Path, inside: Path) -> tuple[Path | None, str]:
    """Where a link inside the folder leads, or why it is not followed."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return None, "a broken link (its target is missing, or it loops): not followed"
    if target.is_dir():
        return None, "a link to a folder: not followed (list the folder itself to ingest it)"
    if not target.is_relative_to(inside):
        return None, "a link to a file outside the folder: not followed"
    return target, ""


def clashing_claims(claims: dict[Path, str]) -> dict[Path, str]:
    """Files refused because another file of the run claims the same review id, with why.

    Of two or more files claiming one id, the one whose name is the id keeps it; if none or
    several are so named, none does. Never whichever sorts first.
    """
    by_id: dict[str, list[Path]] = {}
    for path, review_id in claims.items():
        by_id.setdefault(review_id, []).append(path)
    refused: dict[Path, str] = {}
    for review_id, paths in by_id.items():
        if len(paths) < 2:
            continue
        named = [path for path in paths if path.stem == review_id]
        if len(named) == 1:
            for path in paths:
                if path != named[0]:
                    refused[path] = (
                        f"claims review id {review_id!r}, which {named[0]} keeps (its file name "
                        "is that id): give this file its own review_id"
                    )
            continue
        listed = ", ".join(str(path) for path in sorted(paths))
        for path in paths:
            refused[path] = (
                f"review id {review_id!r} is claimed by {len(paths)} files ({listed}) and no one "
                "of them alone is named after it, so none was ingested: give each its own review_id"
            )
    return refused
