"""The pure decisions of a collection ingest on many workers: which documents go in which
batch, and, while batches run, which are done, which were lost and what must be sent again.

No database, no Prefect, no clock: the coordinator passes in what it observed (the phase of
each batch's run, the content hashes accounted for in staging, the time).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum


@dataclass(frozen=True)
class ManifestEntry:
    """One document of the collection: its file and the hash of its content when listed."""

    path: str
    content_hash: str


@dataclass(frozen=True)
class Batch:
    """A worker's unit of work: documents to stage, ``attempt`` 1 for the first sending."""

    number: int
    entries: tuple[ManifestEntry, ...]
    attempt: int = 1

    @property
    def hashes(self) -> frozenset[str]:
        return frozenset(entry.content_hash for entry in self.entries)


class RunPhase(StrEnum):
    """A batch's run as the coordinator sees it."""

    WAITING = "waiting"  # not yet taken by a worker (scheduled, late, paused)
    RUNNING = "running"  # taken by a worker (pending or running)
    FINISHED = "finished"  # terminal, whatever the outcome (completed, failed, crashed, ...)


@dataclass(frozen=True)
class Watch:
    """One submitted batch: its run, and when it last showed progress while running."""

    batch: Batch
    run_id: str
    progress_at: float | None = None
    accounted: int = 0


@dataclass(frozen=True)
class Review:
    """What one look at the outstanding batches decided."""

    outstanding: tuple[Watch, ...]
    done: tuple[Watch, ...]
    # runs that finished, or stalled, with documents unaccounted for, and those documents
    lost: tuple[Watch, ...]
    stalled: tuple[Watch, ...]
    missing: tuple[ManifestEntry, ...]


def unique_entries(entries: Iterable[ManifestEntry]) -> list[ManifestEntry]:
    """The entries with one per content hash (a file present twice is one document of work),
    in path order."""
    seen: dict[str, ManifestEntry] = {}
    for entry in sorted(entries, key=lambda e: e.path):
        seen.setdefault(entry.content_hash, entry)
    return list(seen.values())


def partition(
    entries: Sequence[ManifestEntry], batch_size: int, *, first_number: int = 1, attempt: int = 1
) -> list[Batch]:
    """Consecutive batches of at most ``batch_size`` documents."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    return [
        Batch(first_number + n, tuple(entries[start : start + batch_size]), attempt)
        for n, start in enumerate(range(0, len(entries), batch_size))
    ]


def review_batches(
    watches: Sequence[Watch],
    phases: Mapping[str, RunPhase],
    accounted: Collection[str],
    now: float,
    stall_seconds: float,
) -> Review:
    """Sort the outstanding batches into done, lost and still outstanding.

    A batch is done once all its documents are accounted for (staged or failed), whatever its
    run says. It is lost when its run finished without them, or when its run was taken by a
    worker but no new document of it was accounted for in ``stall_seconds`` (a killed worker
    leaves its run "running" for ever). A batch still waiting for a worker never stalls.
    """
    outstanding: list[Watch] = []
    done: list[Watch] = []
    lost: list[Watch] = []
    stalled: list[Watch] = []
    missing: list[ManifestEntry] = []
    for watch in watches:
        count = sum(1 for entry in watch.batch.entries if entry.content_hash in accounted)
        if count == len(watch.batch.entries):
            done.append(watch)
            continue
        phase = phases.get(watch.run_id, RunPhase.WAITING)
        progress_at = watch.progress_at
        if phase is RunPhase.RUNNING and (progress_at is None or count > watch.accounted):
            progress_at = now
        seen = replace(watch, progress_at=progress_at, accounted=count)
        is_stalled = (
            phase is RunPhase.RUNNING
            and progress_at is not None
            and now - progress_at > stall_seconds
        )
        if phase is RunPhase.FINISHED or is_stalled:
            lost.append(seen)
            if is_stalled:
                stalled.append(seen)
            missing.extend(e for e in watch.batch.entries if e.content_hash not in accounted)
        else:
            outstanding.append(seen)
    return Review(tuple(outstanding), tuple(done), tuple(lost), tuple(stalled), tuple(missing))


def split_by_attempts(
    missing: Sequence[ManifestEntry], attempts: Mapping[str, int], max_attempts: int
) -> tuple[list[ManifestEntry], list[ManifestEntry]]:
    """The missing documents to send again, and those given up after ``max_attempts`` sendings
    (a document that takes its worker down every time must not loop for ever)."""
    again = [e for e in missing if attempts.get(e.content_hash, 0) < max_attempts]
    given_up = [e for e in missing if attempts.get(e.content_hash, 0) >= max_attempts]
    return again, given_up
