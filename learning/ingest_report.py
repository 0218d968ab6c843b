"""What an ingest run reports: its totals at the end and its progress after each file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did. ``failed`` pairs each refused file with the reason;
    ``warnings`` each ingested file with what could not be used of it (a metadata value, a page
    without text), which never refuses the file."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: tuple[tuple[Path, str], ...] = ()
    warnings: tuple[tuple[Path, str], ...] = ()
    # indexed files under the folders ingested that are gone (kept without --remove-missing)
    missing: tuple[Path, ...] = ()
    units_added: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": [{"path": str(path), "reason": reason} for path, reason in self.failed],
            "warnings": [
                {"path": str(path), "warning": warning} for path, warning in self.warnings
            ],
            "missing": [str(path) for path in self.missing],
            "units_added": self.units_added,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class IngestProgress:
    """Reported after each file: ``outcome`` is added, updated, unchanged or failed."""

    done: int
    total: int
    path: Path
    outcome: str
    units: int = 0  # units read so far in this run


ProgressCallback = Callable[[IngestProgress], None]
