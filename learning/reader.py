"""Reading one document at a time, in a child process, under limits.

Every document is untrusted: a 700-byte file can ask for gigabytes, a page can nest thousands
of levels deep, a parser can crash. Extraction and splitting run in one long-lived child
process (spawned, so no OpenMP or torch state is forked) whose address space is capped
(``memory_mb``) and whose work on one document is timed (``seconds``). Whatever happens to a
document (an exception of any kind, memory exhausted, time out, the child killed) becomes that
document's :class:`UnreadableDocument` with a reason; the child is replaced and the run goes
on. One reader is shared by every ingest of the process (the app, flows, tests).
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import threading
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from learning import errors
from learning.errors import DocumentFailed, UnreadableDocument
from learning.models import ExtractedDocument, Unit

logger = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = 2048
DEFAULT_SECONDS = 600.0


@dataclass(frozen=True)
class _Failure:
    """Why the child could not read a document (exceptions are not sent across processes)."""

    kind: str  # the UnreadableDocument subclass name, or "" for any other error
    reason: str


def _limit_memory(memory_mb: int) -> None:
    """In the child: cap its address space so that a runaway document raises MemoryError."""
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _read(path: str, max_bytes: int | None) -> tuple[ExtractedDocument, list[Unit]] | _Failure:
    """In the child: extract and split one document, or say why not."""
    from learning.extract import extract_document
    from learning.structure import split_units

    try:
        document = extract_document(Path(path), max_bytes=max_bytes)
        return document, split_units(document)
    except UnreadableDocument as problem:
        return _Failure(type(problem).__name__, problem.reason)
    except MemoryError:
        return _Failure("", "ran out of memory while reading it (CSPR_INGEST_MEMORY_MB)")
    except RecursionError:
        return _Failure("", "its structure is nested too deeply to read")
    except Exception as problem:  # noqa: BLE001 - the isolation boundary: any error is this file's
        logger.exception("unexpected error reading %s", path)
        return _Failure("", f"could not be read ({type(problem).__name__}: {problem})"[:300])


class DocumentReader:
    """A child process that reads documents under limits; replaced after any failure of its
    own (killed, timed out)."""

    def __init__(self, memory_mb: int = DEFAULT_MEMORY_MB, seconds: float = DEFAULT_SECONDS):
        self.memory_mb = memory_mb
        self.seconds = seconds
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_limit_memory,
                initargs=(self.memory_mb,),
            )
        return self._pool

    def read(
        self, path: Path, max_bytes: int | None = None
    ) -> tuple[ExtractedDocument, list[Unit]]:
        """The document and its units; raises :class:`UnreadableDocument` (a subclass naming
        what went wrong) for this document alone."""
        with self._lock:
            future = self._executor().submit(_read, str(path), max_bytes)
            try:
                outcome = future.result(timeout=self.seconds)
            except concurrent.futures.TimeoutError:
                self._replace()
                raise DocumentFailed(
                    path,
                    f"reading it took over {self.seconds:g} s and was stopped "
                    "(CSPR_INGEST_SECONDS_PER_DOCUMENT)",
                ) from None
            except BrokenProcessPool:
                self._replace()
                raise DocumentFailed(
                    path,
                    "the reader process died while reading it (out of memory or a crash in a "
                    f"parser; memory limit {self.memory_mb} MB, CSPR_INGEST_MEMORY_MB)",
                ) from None
        if isinstance(outcome, _Failure):
            raise _failure_error(path, outcome)
        return outcome

    def _replace(self) -> None:
        """Kill the child (it may be stuck) and start afresh on the next read."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # The executor has no public way to stop a worker stuck in a document: shutdown() waits
        # for it. Its process table is the only handle on the child, so kill through it.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


def _failure_error(path: Path, failure: _Failure) -> UnreadableDocument:
    kind = getattr(errors, failure.kind, None) if failure.kind else None
    if isinstance(kind, type) and issubclass(kind, UnreadableDocument):
        return kind(path, failure.reason)
    return DocumentFailed(path, failure.reason)


_shared: dict[tuple[int, float], DocumentReader] = {}
_shared_lock = threading.Lock()


def shared_reader(
    memory_mb: int = DEFAULT_MEMORY_MB, seconds: float = DEFAULT_SECONDS
) -> DocumentReader:
    """The process's reader for these limits (its child is started on first use)."""
    with _shared_lock:
        key = (memory_mb, seconds)
        if key not in _shared:
            _shared[key] = DocumentReader(memory_mb, seconds)
        return _shared[key]
