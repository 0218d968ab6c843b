"""The coordinator of a collection ingest: list the collection, send its batches to workers,
watch them, send again what a lost worker left unstaged, until every document is accounted
for (staged or failed) in staging.

Workers are reached through a :class:`Dispatcher` (Prefect deployments in
``learning.flows.collection``; a fake in tests) and staging through ``accounted``; the
decisions are the pure functions of :mod:`learning.collection.plan`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from learning.collection.plan import (
    Batch,
    ManifestEntry,
    RunPhase,
    Watch,
    partition,
    review_batches,
    split_by_attempts,
    unique_entries,
)
from learning.errors import LearningError
from learning.extract import content_hash
from learning.sources import find_documents

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 50
DEFAULT_STALL_SECONDS = 600.0
DEFAULT_MAX_ATTEMPTS = 3


class CollectionIncomplete(LearningError):
    """The deadline passed with documents neither staged nor failed."""


class Dispatcher(Protocol):
    """Sends batches to workers and says how their runs are doing."""

    def submit(self, batch: Batch) -> str:
        """Start a run for ``batch``; return its id."""
        ...

    def phases(self, run_ids: Sequence[str]) -> Mapping[str, RunPhase]: ...

    def abandon(self, run_id: str, reason: str) -> None:
        """Mark a stalled run as given up (its worker is presumed gone)."""
        ...


@dataclass(frozen=True)
class Listing:
    """A collection folder as listed: one entry per document, and files that were refused."""

    entries: tuple[ManifestEntry, ...]
    refused: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CoordinationReport:
    documents: int
    accounted_before: int  # accounted for in staging before this run started
    batches: int  # runs submitted, first sendings and again
    sent_again: int  # documents sent again after a lost run
    lost_runs: tuple[str, ...] = ()
    stalled_runs: tuple[str, ...] = ()
    given_up: tuple[str, ...] = ()  # documents that lost their worker max_attempts times
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "accounted_before": self.accounted_before,
            "batches": self.batches,
            "sent_again": self.sent_again,
            "lost_runs": list(self.lost_runs),
            "stalled_runs": list(self.stalled_runs),
            "given_up": list(self.given_up),
            "seconds": round(self.seconds, 3),
        }


def list_collection(folder: Path) -> Listing:
    """Every document file under ``folder`` with its content hash, and the refused files."""
    files, problems = find_documents([folder])
    entries: list[ManifestEntry] = []
    refused = [(str(path), reason) for path, reason in problems]
    for path in files:
        try:
            entries.append(ManifestEntry(str(path), content_hash(path)))
        except OSError as problem:
            refused.append((str(path), problem.strerror or str(problem)))
    return Listing(tuple(unique_entries(entries)), tuple(refused))


@dataclass
class _State:
    watches: list[Watch] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    sent_again: int = 0
    lost: list[str] = field(default_factory=list)
    stalled: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)


def coordinate(
    entries: Sequence[ManifestEntry],
    dispatcher: Dispatcher,
    accounted: Callable[[Collection[str]], set[str]],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    stall_seconds: float = DEFAULT_STALL_SECONDS,
    timeout_seconds: float = 24 * 3600.0,
    poll_seconds: float = 2.0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> CoordinationReport:
    """Stage every entry through the dispatcher's workers; raises
    :class:`CollectionIncomplete` if ``timeout_seconds`` pass first."""
    started = clock()
    hashes = [entry.content_hash for entry in entries]
    before = accounted(hashes)
    state = _State()
    todo = [entry for entry in entries if entry.content_hash not in before]
    _send(state, dispatcher, todo, batch_size)
    while state.watches:
        if clock() - started > timeout_seconds:
            missing = sorted(set(hashes) - accounted(hashes))
            raise CollectionIncomplete(
                f"{len(missing)} documents were neither staged nor failed after "
                f"{timeout_seconds:g} s; are workers polling the pool? Run again to resume"
            )
        sleep(poll_seconds)
        phases = dispatcher.phases([watch.run_id for watch in state.watches])
        seen = review_batches(state.watches, phases, accounted(hashes), clock(), stall_seconds)
        state.watches = list(seen.outstanding)
        for watch in seen.stalled:
            dispatcher.abandon(
                watch.run_id,
                f"no document staged for {stall_seconds:g} s; its batch was sent again",
            )
            state.stalled.append(watch.run_id)
        state.lost.extend(watch.run_id for watch in seen.lost)
        again, given_up = split_by_attempts(seen.missing, state.attempts, max_attempts)
        state.given_up.extend(entry.path for entry in given_up)
        if again:
            logger.warning("sending %d documents of %d lost runs again", len(again), len(seen.lost))
            state.sent_again += len(again)
            _send(state, dispatcher, again, batch_size)
    return CoordinationReport(
        documents=len(entries), accounted_before=len(before), batches=state.batches,
        sent_again=state.sent_again, lost_runs=tuple(state.lost),
        stalled_runs=tuple(state.stalled), given_up=tuple(state.given_up),
        seconds=clock() - started,
    )  # fmt: skip


def _send(
    state: _State, dispatcher: Dispatcher, entries: Sequence[ManifestEntry], size: int
) -> None:
    attempt = 1 + max((state.attempts.get(e.content_hash, 0) for e in entries), default=0)
    for batch in partition(entries, size, first_number=state.batches + 1, attempt=attempt):
        for entry in batch.entries:
            state.attempts[entry.content_hash] = state.attempts.get(entry.content_hash, 0) + 1
        state.watches.append(Watch(batch, dispatcher.submit(batch)))
        state.batches += 1
