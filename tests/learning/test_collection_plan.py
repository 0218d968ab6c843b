"""A collection on many workers, the pure decisions: batches cut from the manifest,
each batch's run sorted into done, lost, stalled or outstanding, and the coordinator
with a fake pool whose worker is killed half-way."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Collection, Mapping, Sequence

import pytest

from learning.collection.coordinator import coordinate
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


def entry(n: int) -> ManifestEntry:
    return ManifestEntry(f"/reviews/r{n:02d}.md", f"h{n:02d}")


def batch(number: int, *ns: int) -> Batch:
    return Batch(number, tuple(entry(n) for n in ns))


# --- plan: partition and review -------------------------------------------------------------


def test_the_decisions_import_no_database_or_prefect() -> None:
    code = (
        "import sys, learning.collection.plan; "
        "print(sorted({'prefect', 'sqlalchemy', 'sqlmodel', 'faiss'} & "
        "{name.split('.')[0] for name in sys.modules}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (loaded.returncode, loaded.stdout.strip()) == (0, "[]")


@pytest.mark.parametrize(
    ("n", "size", "sizes"),
    [(0, 3, []), (1, 3, [1]), (6, 3, [3, 3]), (7, 3, [3, 3, 1]), (5, 10, [5])],
)
def test_partition_cuts_consecutive_batches(n: int, size: int, sizes: list[int]) -> None:
    batches = partition([entry(i) for i in range(n)], size, first_number=4)
    assert [len(b.entries) for b in batches] == sizes
    assert [b.number for b in batches] == list(range(4, 4 + len(sizes)))
    assert [e for b in batches for e in b.entries] == [entry(i) for i in range(n)]


def test_partition_refuses_an_empty_batch_size() -> None:
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        partition([entry(1)], 0)


def test_a_document_present_twice_is_one_unit_of_work() -> None:
    copy = ManifestEntry("/reviews/copy-of-r01.md", "h01")
    assert unique_entries([entry(2), copy, entry(1)]) == [copy, entry(2)]


@pytest.mark.parametrize(
    ("phase", "accounted", "progress_at", "counted", "verdict", "missing"),
    [
        # every document accounted for: done, whatever the run says
        (RunPhase.RUNNING, {"h01", "h02"}, 0.0, 0, "done", []),
        (RunPhase.WAITING, {"h01", "h02"}, None, 0, "done", []),
        # finished (completed, failed, crashed) with one missing: lost, send it again
        (RunPhase.FINISHED, {"h01"}, 50.0, 1, "lost", ["h02"]),
        # running without a new document for longer than the stall: stalled (killed worker)
        (RunPhase.RUNNING, {"h01"}, 10.0, 1, "stalled", ["h02"]),
        # running, a new document since the last look: progress, not stalled
        (RunPhase.RUNNING, {"h01"}, 10.0, 0, "outstanding", []),
        # running, first seen now: the stall clock starts now
        (RunPhase.RUNNING, set(), None, 0, "outstanding", []),
        # waiting for a worker for ever never stalls (the overall deadline covers it)
        (RunPhase.WAITING, set(), None, 0, "outstanding", []),
    ],
)
def test_review_sorts_batches(
    phase: RunPhase,
    accounted: set[str],
    progress_at: float | None,
    counted: int,
    verdict: str,
    missing: list[str],
) -> None:
    watch = Watch(batch(1, 1, 2), "run-1", progress_at=progress_at, accounted=counted)
    seen = review_batches([watch], {"run-1": phase}, accounted, now=100.0, stall_seconds=60.0)
    verdicts = {
        "done": seen.done,
        "lost": tuple(w for w in seen.lost if w not in seen.stalled),
        "stalled": seen.stalled,
        "outstanding": seen.outstanding,
    }
    assert {name for name, found in verdicts.items() if found} == {verdict}
    assert [e.content_hash for e in seen.missing] == missing
    if verdict == "outstanding" and phase is RunPhase.RUNNING:
        # progress now (a new document, or first seen running): the stall clock restarts
        assert seen.outstanding[0].progress_at == 100.0


def test_a_document_that_keeps_losing_its_worker_is_given_up() -> None:
    again, given_up = split_by_attempts([entry(1), entry(2)], {"h01": 3, "h02": 1}, 3)
    assert (again, given_up) == ([entry(2)], [entry(1)])


# --- the coordinator with a fake pool -------------------------------------------------------


class FakePool:
    """Two workers taking batches in turn; the run ``killed`` stages half its batch and then
    stays "running" for ever, as a run whose worker was SIGKILLed does."""

    def __init__(self, killed: int) -> None:
        self.killed = killed
        self.staged: set[str] = set()
        self.runs: dict[str, Batch] = {}
        self.abandoned: list[str] = []

    def submit(self, batch: Batch) -> str:
        run_id = f"run-{len(self.runs) + 1}"
        self.runs[run_id] = batch
        return run_id

    def phases(self, run_ids: Sequence[str]) -> Mapping[str, RunPhase]:
        phases = {}
        for run_id in run_ids:
            hashes = [e.content_hash for e in self.runs[run_id].entries]
            if run_id == f"run-{self.killed}" and run_id not in self.abandoned:
                self.staged.update(hashes[: len(hashes) // 2])
                phases[run_id] = RunPhase.RUNNING
            else:
                self.staged.update(hashes)
                phases[run_id] = RunPhase.FINISHED
        return phases

    def abandon(self, run_id: str, reason: str) -> None:
        self.abandoned.append(run_id)

    def accounted(self, hashes: Collection[str]) -> set[str]:
        return self.staged & set(hashes)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_killed_worker_loses_nothing_and_nothing_is_done_twice() -> None:
    entries = [entry(n) for n in range(10)]
    pool, clock = FakePool(killed=2), FakeClock()
    report = coordinate(
        entries, pool, pool.accounted, batch_size=4, stall_seconds=30, poll_seconds=5,
        clock=clock, sleep=clock.sleep,
    )  # fmt: skip
    assert pool.staged == {e.content_hash for e in entries}
    assert pool.abandoned == ["run-2"]
    assert report.stalled_runs == ("run-2",)
    assert report.sent_again == 2  # the half of batch 2 that run-2 never staged
    assert report.batches == 4
    assert [e.content_hash for e in pool.runs["run-4"].entries] == ["h06", "h07"]
    assert pool.runs["run-4"].attempt == 2


def test_a_second_run_sends_only_what_is_missing() -> None:
    pool, clock = FakePool(killed=0), FakeClock()
    pool.staged = {"h00", "h01"}
    report = coordinate(
        [entry(n) for n in range(3)], pool, pool.accounted, batch_size=5,
        clock=clock, sleep=clock.sleep,
    )  # fmt: skip
    assert (report.accounted_before, report.batches) == (2, 1)
    assert [e.content_hash for e in pool.runs["run-1"].entries] == ["h02"]
