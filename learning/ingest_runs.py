"""Reviews on their way into the library, for the Library page: the ``ingest-folder`` flow runs
(the demo library at first start, a batch of uploads) and how far each has got.

What is shown is what the system records, nothing kept beside it: Prefect's run (its state)
and the progress the flow records on it as it goes (a progress artifact whose metadata say
how many documents are done out of how many, :func:`progress_fields`). Uploads that wait for
the sweep are jobs in the case database (:func:`review_flows.upload_jobs.waiting_uploads`).
The server is read over its REST API (:mod:`core.prefect_rest`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import PrefectUnreachable
from core.prefect_rest import FINAL_STATES, parse_time, post_json

INGEST_FLOW = "ingest-folder"  # learning.flows.ingest
#: The flow run ``cspr run`` starts for the demo's published reviews (review_flows.flows.
#: deployments.run_demo_library_now), and its tag.
DEMO_LIBRARY_RUN = "demo library"
DEMO_LIBRARY_TAG = "demo-library"
UPLOAD_TAG = "upload"  # learning.uploads.submit_ingest_flow
#: How long a finished run stays listed, so its outcome is seen.
SHOWN_AFTER_END = dt.timedelta(hours=1)
STATE_WORDS: Mapping[str, str] = {
    "SCHEDULED": "waiting to start",
    "PENDING": "starting",
    "RUNNING": "under way",
    "PAUSED": "paused",
    "CANCELLING": "being cancelled",
    "COMPLETED": "finished",
    "FAILED": "stopped by an error",
    "CRASHED": "stopped before it finished",
    "CANCELLED": "cancelled",
}


@dataclass(frozen=True)
class IngestRun:
    """One batch of reviews being added: what it is, its state in words, and its progress
    (``done`` of ``total`` documents; None until the flow has counted them)."""

    what: str
    state: str
    ended: bool
    done: int | None = None
    total: int | None = None
    started: dt.datetime | None = None

    @property
    def fraction(self) -> float | None:
        """How much is done, 0 to 1, if the total is known."""
        if self.done is None or not self.total:
            return None
        return min(1.0, self.done / self.total)

    def describe(self) -> str:
        """ "The demo library: 12 of 49 documents added; under way." """
        counted = (
            f"{self.done} of {self.total} document{'s' * (self.total != 1)} done"
            if self.done is not None and self.total is not None
            else "counting its documents"
        )
        return f"{self.what}: {counted}; {self.state}."


@dataclass(frozen=True)
class IngestView:
    """The batches to show, newest first, and a note if the server could not be asked."""

    runs: tuple[IngestRun, ...] = ()
    note: str | None = None

    @property
    def under_way(self) -> bool:
        return any(not run.ended for run in self.runs)


def progress_fields(done: int, total: int) -> dict[str, Any]:
    """What the ingest flow records on its progress artifact after each document: the share
    done (Prefect's progress, 0-100), a description, and the counts as metadata."""
    share = 100.0 * done / total if total else 100.0
    return {
        "data": round(share, 1),
        "description": f"{done} of {total} documents done",
        "metadata_": {"done": str(done), "total": str(total)},
    }


def library_ingests(api_url: str | None, *, now: dt.datetime, limit: int = 10) -> IngestView:
    """The ingest runs not yet ended, and those ended in the last hour, with their progress."""
    if not api_url:
        return IngestView()
    try:
        runs = post_json(
            api_url,
            "flow_runs/filter",
            {
                "flows": {"name": {"any_": [INGEST_FLOW]}},
                "sort": "EXPECTED_START_TIME_DESC",
                "limit": limit,
            },
        )
        runs = [run for run in runs if _still_shown(run, now)]
        progress = _progress_of(api_url, [run["id"] for run in runs]) if runs else {}
    except PrefectUnreachable as problem:
        return IngestView(note=f"Whether reviews are being added cannot be seen now ({problem}).")
    return IngestView(tuple(_ingest_run(run, progress.get(run["id"])) for run in runs))


def _still_shown(run: Mapping[str, Any], now: dt.datetime) -> bool:
    if run.get("state_type") not in FINAL_STATES:
        return True
    ended = parse_time(run.get("end_time"))
    return ended is not None and now - ended <= SHOWN_AFTER_END


def _progress_of(api_url: str, run_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Each run's latest recorded ``(done, total)``."""
    artifacts = post_json(
        api_url,
        "artifacts/filter",
        {"artifacts": {"flow_run_id": {"any_": run_ids}, "type": {"any_": ["progress"]}}},
    )
    found: dict[str, tuple[int, int]] = {}
    for artifact in sorted(artifacts, key=lambda a: str(a.get("updated") or "")):
        counts = artifact.get("metadata_") or {}
        if str(counts.get("done", "")).isdigit() and str(counts.get("total", "")).isdigit():
            found[artifact["flow_run_id"]] = (int(counts["done"]), int(counts["total"]))
    return found


def _ingest_run(run: Mapping[str, Any], progress: tuple[int, int] | None) -> IngestRun:
    state = str(run.get("state_type") or "")
    started = parse_time(run.get("start_time")) or parse_time(run.get("expected_start_time"))
    return IngestRun(
        what=_what(run, started),
        state=STATE_WORDS.get(state, (run.get("state_name") or "unknown").lower()),
        ended=state in FINAL_STATES,
        done=progress[0] if progress else None,
        total=progress[1] if progress else None,
        started=started,
    )


def _what(run: Mapping[str, Any], started: dt.datetime | None) -> str:
    tags = set(run.get("tags") or ())
    if DEMO_LIBRARY_TAG in tags or run.get("name") == DEMO_LIBRARY_RUN:
        return "The demo library (the published reviews the demo comes with)"
    when = f" at {started:%H:%M} UTC on {started:%-d %b %Y}" if started else ""
    if UPLOAD_TAG in tags:
        return f"Reviews uploaded{when}"
    return f"Reviews added{when}"
