"""Reviews uploaded on the Library page: saved under safe names, then ingested like any other.

Uploads are kept in ``<data_dir>/uploads/<UTC timestamp>/`` (the index records where each
review came from, so the files must stay). A name is made safe before it touches the disk: no
folders, no dot-files, letters, digits, ``.``, ``_`` and ``-`` only, the suffix kept (it says
the format), so it also makes a valid review id. Only admins, reviewers and analysts may add
reviews; panel members read the library.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.access import Viewer
from core.flow_runs import flow_run_url
from core.roles import Role
from learning.errors import LearningError

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = ("pdf", "docx", "html", "htm", "md", "txt")
# read as text: their size is all words to embed, so they have a smaller cap than PDF or Word
TEXT_SUFFIXES = frozenset({"html", "htm", "md", "txt"})
UPLOAD_ROLES = frozenset({Role.ADMIN, Role.REVIEWER, Role.ANALYST})
MAX_STEM_CHARS = 80
INGEST_DEPLOYMENT = "ingest-folder/ingest-folder"  # cspr.deployments
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadNotAllowed(LearningError, PermissionError):
    """The viewer's role may not add reviews to the library."""


class IngestFlowNotSubmitted(LearningError):
    """The Prefect server did not take the ingest flow run (down, or no deployment)."""


@dataclass(frozen=True)
class SavedUploads:
    """Where one batch of uploads went: the saved files (with the name each was uploaded
    as) and the uploads refused before saving, each with the reason."""

    folder: Path
    saved: tuple[tuple[Path, str], ...]
    refused: tuple[tuple[str, str], ...] = ()

    @property
    def paths(self) -> list[Path]:
        return [path for path, _ in self.saved]


def may_upload(viewer: Viewer) -> bool:
    return viewer.role in UPLOAD_ROLES


def check_may_upload(viewer: Viewer) -> None:
    if not may_upload(viewer):
        role = viewer.role.value.replace("_", " ")
        raise UploadNotAllowed(
            f"a {role} cannot add reviews to the library; ask a reviewer or an admin"
        )


def safe_file_name(name: str) -> str:
    """A name safe to save under: the last part of ``name`` (no folders), ASCII letters,
    digits, ``.``, ``_`` and ``-``, not starting with a dot, the suffix kept in lower case."""
    base = re.split(r"[\\/]", name)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, suffix = ascii_name.rpartition(".")
    if not dot:
        stem, suffix = ascii_name, ""
    stem = _UNSAFE.sub("-", stem).strip(".-_")[:MAX_STEM_CHARS].strip(".-_") or "review"
    suffix = _UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def upload_folder(uploads_root: Path, now: datetime) -> Path:
    """A new folder for one batch, named by its UTC time (``-2``, ``-3`` ... if taken)."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    uploads_root.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 1000):
        folder = uploads_root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(f"no free upload folder for {stamp} in {uploads_root}")


def save_uploads(
    viewer: Viewer,
    files: Sequence[tuple[str, bytes]],
    uploads_root: Path,
    *,
    now: datetime,
    max_bytes: int | None = None,
    max_text_bytes: int | None = None,
) -> SavedUploads:
    """Save ``(name, content)`` uploads under safe, distinct names in a new batch folder.
    A file of a format the library does not read, or larger than ``max_bytes`` (a text,
    Markdown or HTML file: ``max_text_bytes``), is refused with the reason (and not saved)."""
    check_may_upload(viewer)
    folder = upload_folder(uploads_root, now)
    saved: list[tuple[Path, str]] = []
    refused: list[tuple[str, str]] = []
    taken: set[str] = set()
    for name, content in files:
        problem = upload_refusal(
            name, len(content), max_bytes=max_bytes, max_text_bytes=max_text_bytes
        )
        if problem:
            refused.append((name, problem))
            continue
        path = folder / _distinct(safe_file_name(name), taken)
        path.write_bytes(content)
        saved.append((path, name))
    logger.info("%s uploaded %d file(s) to %s", viewer.username, len(saved), folder)
    return SavedUploads(folder, tuple(saved), tuple(refused))


def upload_refusal(
    name: str, size: int, *, max_bytes: int | None, max_text_bytes: int | None = None
) -> str | None:
    """Why an upload named ``name`` of ``size`` bytes is refused (its format or size), if it
    is; what to do is in the reason."""
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    if suffix not in ALLOWED_SUFFIXES:
        return (
            "not a format the library reads; upload PDF, Word (.docx), HTML, Markdown or text files"
        )
    if suffix in TEXT_SUFFIXES and max_text_bytes is not None and size > max_text_bytes:
        return (
            f"larger than the {max_text_bytes // (1024 * 1024)} MB limit for text, Markdown "
            "and HTML files (CSPR_MAX_TEXT_DOCUMENT_MB); a published review's text is rarely "
            "over 1 MB: check it is the right file, or upload the review as PDF or Word"
        )
    if max_bytes is not None and size > max_bytes:
        return (
            f"larger than the {max_bytes // (1024 * 1024)} MB limit (CSPR_MAX_DOCUMENT_MB); "
            "split it or ask an admin to raise the limit"
        )
    return None


def _distinct(name: str, taken: set[str]) -> str:
    """``name``, or ``stem-2.suffix`` ... if an earlier file of the batch has it."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{stem}-{number}{dot}{suffix}"
    taken.add(candidate.lower())
    return candidate


def submit_ingest_flow(folder: Path, index_dir: Path, *, api_url: str) -> str:
    """Submit the ingest of a saved batch as a flow run (not waiting for it); its UI URL.
    Raises :class:`IngestFlowNotSubmitted` if the server does not take it."""
    try:
        run = _run_deployment(
            api_url, INGEST_DEPLOYMENT,
            parameters={"folder": str(folder), "index_dir": str(index_dir)},
            timeout=0, flow_run_name=f"upload {folder.name}", tags=["upload"],
        )  # fmt: skip
    except _submission_errors() as problem:
        message = f"the Prefect server at {api_url} did not take it: {problem}"
        raise IngestFlowNotSubmitted(message) from problem
    logger.info("uploads in %s submitted as flow run %s", folder, run.id)
    return flow_run_url(api_url, run.id)


def _run_deployment(api_url: str, name: str, **options: Any) -> Any:
    """``prefect.deployments.run_deployment`` against ``api_url`` (Prefect is slow to import)."""
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        # synchronous whatever the context (a coroutine would be handed back in a running loop)
        return run_deployment(name, _sync=True, **options)  # type: ignore[call-arg]  # `_sync`: untyped


def _submission_errors() -> tuple[type[Exception], ...]:
    import httpx
    from prefect.exceptions import PrefectException

    # RuntimeError: the client refuses a server of another API version
    return (httpx.HTTPError, PrefectException, RuntimeError)
