"""One writer at a time per index, the others waiting their turn.

An advisory lock (``flock``) on ``<index>.writer.lock`` beside the index folder (beside it, so
that a rebuild, which builds a new folder and swaps it in, takes the same lock). The holder
writes its process id, command and start time into the file, so a waiting writer can say whom
it waits for. The kernel releases the lock when its holder dies, however it dies: a lock left
by a killed process is never in the way, and the record it left is reported as stale and
overwritten.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) an index's writer lock."""

    pid: int
    command: str
    started: str

    def describe(self) -> str:
        return f"process {self.pid} ({self.command}, since {self.started})"


WaitCallback = Callable[[LockHolder | None], None]


def lock_path(index_dir: Path) -> Path:
    return index_dir.with_name(index_dir.name + ".writer.lock")


@contextmanager
def writer_lock(index_dir: Path, on_wait: WaitCallback | None = None) -> Iterator[None]:
    """Hold the index's writer lock for the block; if another process holds it, call
    ``on_wait`` with the holder (once) and wait as long as it takes."""
    path = lock_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "a+", encoding="utf-8", opener=_private_opener) as handle:
        if not _try_lock(handle):
            holder = read_holder(path)
            logger.info("waiting for %s to finish writing %s", _who(holder), index_dir)
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        else:
            _report_stale(path, index_dir)
        _write_holder(handle)
        try:
            yield
        finally:
            handle.truncate(0)
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _private_opener(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)  # it names a process and a command: owner-only


def _try_lock(handle) -> bool:  # noqa: ANN001 - a text file object
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def read_holder(path: Path) -> LockHolder | None:
    """The record the lock's holder wrote, if any."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
        return LockHolder(int(data["pid"]), str(data["command"]), str(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _report_stale(path: Path, index_dir: Path) -> None:
    holder = read_holder(path)
    if holder is not None and holder.pid != os.getpid():
        logger.warning(
            "cleared a stale writer lock of %s on %s (it is no longer running)",
            holder.describe(),
            index_dir,
        )


def _write_holder(handle) -> None:  # noqa: ANN001 - a text file object
    record = {
        "pid": os.getpid(),
        "command": " ".join(os.path.basename(arg) for arg in sys.argv[:2]) or "python",
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    handle.seek(0)
    handle.truncate(0)
    handle.write(json.dumps(record))
    handle.flush()


def _who(holder: LockHolder | None) -> str:
    return holder.describe() if holder else "another process"
