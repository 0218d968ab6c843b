"""Exported chain heads: each case's last hash and number of events, written where the
database user cannot write, so that deleting a case's last events or rewriting a whole chain
is caught by default.

Each export is a new dated file (``heads-2026-12-07T070000Z.json``), created owner-only
(0600, in a 0700 folder) and never overwritten: a later rewrite of the database cannot erase
an older head. A new export is written only if the log verifies against the latest one (the
chains, the case rows and the saved heads), so the latest always descends from the older
ones; ``cspr audit verify`` compares with the latest by default.

Heads are exported by ``cspr backup`` (also into the backup as ``audit-heads.json``), by the
daily sweep, and by ``cspr audit export-heads``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from core.audit_chain import CHAIN_SCHEME, HeadsUnreadable, SavedHeads, saved_heads
from core.errors import AuditLogBroken
from review_flows.audit_log import AuditReport, verify_log

logger = logging.getLogger(__name__)

BACKUP_HEADS = "audit-heads.json"
_PREFIX = "heads-"


@dataclass(frozen=True)
class LatestHeads:
    """The newest export of this chain scheme in a heads folder."""

    path: Path
    saved: SavedHeads


def heads_file_name(now: dt.datetime) -> str:
    """``heads-2026-12-07T070000Z.json``: names sort in time order."""
    return f"{_PREFIX}{now.astimezone(dt.UTC):%Y-%m-%dT%H%M%SZ}.json"


def latest_heads(folder: Path) -> LatestHeads | None:
    """The newest export in ``folder`` of this chain scheme (older schemes' files predate the
    re-seal and are passed over); None if there is none. An unreadable newest file raises
    :class:`HeadsUnreadable`: it is not silently skipped for an older one."""
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob(f"{_PREFIX}*.json"), key=_order, reverse=True):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as unreadable:
            raise HeadsUnreadable(f"{path}: {unreadable}") from None
        scheme = _scheme_of(text)
        if scheme is not None and scheme != CHAIN_SCHEME:
            continue
        try:
            return LatestHeads(path, saved_heads(text))
        except HeadsUnreadable as unreadable:
            raise HeadsUnreadable(f"{path}: {unreadable}") from None
    return None


def export_heads(
    session: Session, folder: Path, *, now: dt.datetime, after_restore: bool = False
) -> Path:
    """Verify the log against the latest export in ``folder`` and write its heads to a new
    file there; :class:`AuditLogBroken` (nothing written) if it does not verify.

    ``after_restore``: the database was restored from a backup, so its chains may be shorter
    than the latest heads; they are not compared (the chains and case rows still must hold,
    and the older files are kept)."""
    latest = None if after_restore else latest_heads(folder)
    report = verify_log(session, latest.saved if latest else None)
    if not report.intact:
        against = f" against {latest.path}" if latest else ""
        found = "; ".join(found.describe() for found in report.breaks)
        raise AuditLogBroken(
            f"the event log does not verify{against}, so no heads were exported: {found}"
        )
    return _write_new(folder, heads_file_name(now), _export_text(report, now))


def backup_heads(
    database_url: str, target: Path, *, now: dt.datetime, heads_dir: Path | None = None
) -> AuditReport | None:
    """Heads of the database being backed up, as ``audit-heads.json`` in the backup folder
    ``target`` (whether or not the log verifies: the report in it says), and, with
    ``heads_dir``, a new export there if the log verifies against the latest one there (else
    a warning: the backup goes on, the older heads stay the latest)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from core.db import open_session

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return None  # nothing to back up: the backup says so itself (never create the file)
    latest = latest_heads(heads_dir) if heads_dir is not None else None
    try:
        with open_session(database_url) as session:
            report = verify_log(session, latest.saved if latest else None)
    except (OperationalError, ProgrammingError) as unreadable:
        logger.warning("no chain heads in the backup: the database cannot be read (%s)",
                       unreadable)  # fmt: skip
        return None
    _write_new(target, BACKUP_HEADS, _export_text(report, now))
    if heads_dir is not None:
        if report.intact:
            _write_new(heads_dir, heads_file_name(now), _export_text(report, now))
        else:
            logger.warning(
                "the event log does not verify, so the backup's heads were not exported to %s: "
                "run `cspr audit verify`", heads_dir,
            )  # fmt: skip
    return report


def _export_text(report: AuditReport, now: dt.datetime) -> str:
    exported = {"exported_at": now.astimezone(dt.UTC).isoformat(timespec="seconds")}
    return json.dumps({**exported, **report.to_dict()}, indent=2) + "\n"


def _order(path: Path) -> tuple[str, int]:
    """``heads-<stamp>.json`` before ``heads-<stamp>-2.json`` (written later in that second)."""
    stamp, _, attempt = path.stem.removeprefix(_PREFIX).partition("Z-")
    return (stamp.removesuffix("Z"), int(attempt) if attempt.isdigit() else 1)


def _scheme_of(text: str) -> int | None:
    try:
        return int(json.loads(text).get("scheme", 1))
    except (ValueError, TypeError, AttributeError):
        return None  # unreadable: the caller's parse says why


def _write_new(folder: Path, name: str, text: str) -> Path:
    """Create ``folder/name`` owner-only, never replacing a file (``-2``, ``-3`` ... if one of
    that name exists); written and synced before it is closed."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask
    stem, suffix = name.removesuffix(".json"), ".json"
    for attempt in range(1, 1000):
        path = folder / (name if attempt == 1 else f"{stem}-{attempt}{suffix}")
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        return path
    raise FileExistsError(f"{folder}: too many heads files named {name}")
