"""A case's published report on its way into the learning library: never a path a user types.

From the app a report comes only as a file uploaded with the ``published`` event
(:class:`ReportUpload`) or as the NAME of a file an administrator put in the drop folder
(``CSPR_PUBLICATION_DROP_DIR``, :class:`DroppedReport`). Either way it is checked like a Library
upload (type, size) and copied under a name the server chooses into ``<data_dir>/publications/``,
the one folder the publication job reads (:func:`confined_report`, checked again at job time).
The CLI's ``--report FILE`` is the server operator's own file (:func:`store_operator_report`).

Who may attach a report: whoever may record the case's ``published`` event (the panel members of
the case's partnership, admins). It is a right distinct from adding reviews to the library
(``learning.uploads.UPLOAD_ROLES``, which panel members do not have): one file, the partnership's
own published review, with that event only (SECURITY.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.access import Viewer, may_write_cases
from core.learning_seam import learning_side
from core.settings import Settings, get_settings
from review_flows.errors import CaseDataInvalid, ReviewFlowsError
from review_flows.events import EventKind
from review_flows.models import Case

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024
_NOT_IN_DROP = "there is no report named {name!r} in the publication drop folder"


class ReportRefused(CaseDataInvalid):
    """The published report cannot be taken (its format, size, or a name not in the drop
    folder); nothing is written."""


class ReportNotAllowed(ReviewFlowsError, PermissionError):
    """The viewer may not attach a published report."""


@dataclass(frozen=True)
class ReportUpload:
    """A report uploaded with the event: the name it was uploaded as (only its suffix is
    kept) and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class DroppedReport:
    """A report the administrator put in the drop folder, by its file name there."""

    name: str


SubmittedReport = ReportUpload | DroppedReport


def may_attach_report(viewer: Viewer) -> bool:
    """Whoever may record a case's ``published`` event may attach its report (the case's
    scope is checked with the event)."""
    return may_write_cases(viewer)


@contextmanager
def stored_report(
    viewer: Viewer,
    report: SubmittedReport | None,
    case: Case,
    kind: EventKind,
    *,
    now: dt.datetime,
    settings: Settings | None = None,
) -> Iterator[str | None]:
    """Check and store ``report`` for ``case``'s ``kind`` event; yields the stored file's path
    (None without a report) for the publication job, and removes the file again if the block
    raises (the event was refused)."""
    if report is None:
        yield None
        return
    if not may_attach_report(viewer):
        role = viewer.role.value.replace("_", " ")
        raise ReportNotAllowed(f"a {role} cannot attach a published report")
    if kind is not EventKind.PUBLISHED:
        raise ReportRefused("a report goes with a published event only")
    settings = settings or get_settings()
    if isinstance(report, ReportUpload):
        path = _store_upload(report, case, now, settings)
    else:
        path = _store_dropped(report.name, case, now, settings)
    with _removed_on_failure(path):
        yield str(path)
    logger.info("%s attached %s to case %s", viewer.username, path.name, case.reference)


@contextmanager
def operator_report(
    file: Path | None,
    case: Case | None,
    kind: EventKind,
    *,
    now: dt.datetime,
    settings: Settings | None = None,
) -> Iterator[str | None]:
    """The CLI's ``--report FILE`` (the server operator's own file: the operator may read any
    file anyway) stored like an upload; as :func:`stored_report` otherwise."""
    if file is None or case is None:
        yield None
        return
    if kind is not EventKind.PUBLISHED:
        raise ReportRefused("--report goes with a published event (the report's file)")
    path = _store_operator_file(file, case, now, settings or get_settings())
    with _removed_on_failure(path):
        yield str(path)


@contextmanager
def _removed_on_failure(path: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _store_operator_file(file: Path, case: Case, now: dt.datetime, settings: Settings) -> Path:
    text = str(file)
    if "://" in text:
        raise ReportRefused(
            f"--report {text!r} is a URL; download the report and give its file path "
            "(the workbench never downloads)"
        )
    path = Path(text).expanduser()
    if not path.is_file():
        raise ReportRefused(f"--report {text!r}: no such file")
    with path.open("rb") as source:
        return _store_stream(path.name, source, case, now, settings)


def confined_report(stored: str, settings: Settings) -> Path:
    """The stored report's real path, if it lies in the publications folder (the job reads
    nothing else); raises :class:`ReportRefused` otherwise, without saying whether it exists."""
    root = settings.publications_dir.resolve()
    real = Path(stored).resolve()
    if not real.is_relative_to(root) or real == root:
        raise ReportRefused(
            "the report is not one the workbench stored (uploaded or from the drop folder); "
            "record the published event again with the report uploaded"
        )
    return real


def _store_upload(report: ReportUpload, case: Case, now: dt.datetime, settings: Settings) -> Path:
    _check_format(report.name, len(report.content), settings)
    target = _new_file(case, _suffix(report.name), now, settings)
    with target.open("wb") as out:
        out.write(report.content)
    return target


def _store_dropped(name: str, case: Case, now: dt.datetime, settings: Settings) -> Path:
    """Copy the drop folder's file ``name``; every name that is not a plain file directly in
    the folder (absolute, ``..``, a folder, a link out of it, missing) reads the same."""
    drop = settings.publication_drop_dir
    if drop is None:
        raise ReportRefused(
            "no publication drop folder is configured (CSPR_PUBLICATION_DROP_DIR); upload the "
            "report instead"
        )
    root = drop.resolve()
    refused = ReportRefused(_NOT_IN_DROP.format(name=name))
    if not _is_plain_name(name):
        raise refused
    real = (root / name).resolve()
    if real.parent != root or not real.is_file():
        raise refused
    try:
        # O_NOFOLLOW: a name swapped for a link after the check is not followed
        handle = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        raise refused from None
    with os.fdopen(handle, "rb") as source:
        return _store_stream(name, source, case, now, settings)


def _is_plain_name(name: str) -> bool:
    return (
        bool(name)
        and name not in (".", "..")
        and not re.search(r"[/\\\x00]", name)
        and not Path(name).is_absolute()
    )


def _store_stream(
    name: str, source: BinaryIO, case: Case, now: dt.datetime, settings: Settings
) -> Path:
    size = os.fstat(source.fileno()).st_size
    _check_format(name, size, settings)
    limit = settings.max_document_mb * 1024 * 1024
    target = _new_file(case, _suffix(name), now, settings)
    written = 0
    try:
        with target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > limit:  # the file grew after it was measured
                    raise ReportRefused(f"{name!r} is larger than CSPR_MAX_DOCUMENT_MB")
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _check_format(name: str, size: int, settings: Settings) -> None:
    problem = learning_side().upload_refusal(name, size, settings)
    if problem:
        raise ReportRefused(f"the report was not taken: {problem}")


def _suffix(name: str) -> str:
    return name.rpartition(".")[2].lower()


def _new_file(case: Case, suffix: str, now: dt.datetime, settings: Settings) -> Path:
    """A new, empty file named by the server: the case's reference and the UTC time."""
    folder = settings.publications_dir
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^a-z0-9-]+", "-", case.reference.lower()).strip("-") or "report"
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ").lower()
    for attempt in range(1, 1000):
        extra = "" if attempt == 1 else f"-{attempt}"
        target = folder / f"{stem}-published-{stamp}{extra}.{suffix}"
        try:
            target.touch(exist_ok=False)
        except FileExistsError:
            continue
        return target
    raise FileExistsError(f"no free name for the report of {case.reference} in {folder}")
