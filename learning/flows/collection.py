"""A national collection on many workers: ``ingest-batch`` (run by workers polling a work
pool: read, split, embed and stage each document of a batch) and ``ingest-collection`` (the
coordinator: list, send batches, send again what a lost worker left, then build the index
from staging, one writer). See :mod:`learning.collection`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from prefect import flow, get_run_logger

from core.settings import get_settings
from learning.collection.plan import Batch, ManifestEntry, RunPhase

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

BATCH_DEPLOYMENT = "ingest-batch/ingest-batch"
_PHASES = {
    "SCHEDULED": RunPhase.WAITING,
    "PAUSED": RunPhase.WAITING,
    "PENDING": RunPhase.RUNNING,
    "RUNNING": RunPhase.RUNNING,
    "CANCELLING": RunPhase.RUNNING,
}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _encoder(fake_encoder: bool) -> Any:
    from learning.encoder import FakeEncoder
    from learning.runtime import build_encoder

    # the hashing encoder of the tests and scale benchmarks: the plumbing without the model
    return FakeEncoder() if fake_encoder else build_encoder()


@flow(name="ingest-batch", log_prints=True)
def ingest_batch(entries: list[dict[str, str]], fake_encoder: bool = False) -> dict[str, Any]:
    """Stage each document of the batch (path, content_hash) not yet accounted for."""
    from prefect.runtime import flow_run

    from core.db import get_engine
    from learning.collection.worker import stage_batch
    from learning.reader import shared_reader

    settings = get_settings()
    report = stage_batch(
        [ManifestEntry(e["path"], e["content_hash"]) for e in entries],
        get_engine(settings.resolved_database_url),
        _encoder(fake_encoder),
        shared_reader(settings.ingest_memory_mb, settings.ingest_seconds_per_document),
        staged_by=f"flow-run {flow_run.get_id() or 'local'}",
        clock=_utc_now,
        max_bytes=settings.max_document_mb * 1024 * 1024,
    )
    get_run_logger().info("batch: %s", report.to_dict())
    return report.to_dict()


class PrefectDispatcher:
    """Batches as runs of the ``ingest-batch`` deployment, for whichever worker takes them."""

    def __init__(self, deployment: str = BATCH_DEPLOYMENT, fake_encoder: bool = False) -> None:
        self.deployment = deployment
        self.fake_encoder = fake_encoder

    def submit(self, batch: Batch) -> str:
        from prefect.deployments import run_deployment

        entries = [{"path": e.path, "content_hash": e.content_hash} for e in batch.entries]
        # outside an event loop it runs synchronously; async_dispatch types it as a union
        run = cast(
            "FlowRun",
            run_deployment(
                self.deployment,
                parameters={"entries": entries, "fake_encoder": self.fake_encoder},
                flow_run_name=f"batch-{batch.number}-attempt-{batch.attempt}",
                tags=["collection"],
                timeout=0,
            ),
        )
        return str(run.id)

    def phases(self, run_ids: Sequence[str]) -> Mapping[str, RunPhase]:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(i) for i in run_ids])),
                limit=len(run_ids) or 1,
            )
        return {
            str(run.id): _PHASES.get(run.state.type.name if run.state else "", RunPhase.FINISHED)
            for run in runs
        }

    def abandon(self, run_id: str, reason: str) -> None:
        from prefect.client.orchestration import get_client
        from prefect.states import Crashed

        with get_client(sync_client=True) as client:
            client.set_flow_run_state(UUID(run_id), Crashed(message=reason), force=True)


@flow(name="ingest-collection", log_prints=True)
def ingest_collection(
    folder: str,
    index_dir: str | None = None,
    batch_size: int = 50,
    stall_seconds: float = 600.0,
    fake_encoder: bool = False,
    build: bool = True,
) -> dict[str, Any]:
    """List the collection, have the workers stage it, then build the index from staging."""
    from core.db import get_engine
    from core.migrations import prepare_database
    from learning.collection.builder import build_index
    from learning.collection.coordinator import coordinate, list_collection
    from learning.collection.staging import accounted_hashes, failures

    settings = get_settings()
    prepare_database(settings.resolved_database_url)
    engine = get_engine(settings.resolved_database_url)
    listing = list_collection(Path(folder))
    logger = get_run_logger()
    logger.info("%d documents in %s", len(listing.entries), folder)
    report = coordinate(
        listing.entries, PrefectDispatcher(fake_encoder=fake_encoder),
        lambda hashes: accounted_hashes(engine, hashes),
        batch_size=batch_size, stall_seconds=stall_seconds,
    )  # fmt: skip
    logger.info("staged: %s", report.to_dict())
    hashes = [entry.content_hash for entry in listing.entries]
    result: dict[str, Any] = {
        "staging": report.to_dict(),
        "refused": [{"path": p, "reason": r} for p, r in listing.refused],
        "failed": [{"path": p, "reason": r} for p, r in failures(engine, hashes)],
    }
    if build:
        encoder = _encoder(fake_encoder)
        built = build_index(
            engine, Path(index_dir) if index_dir else settings.resolved_index_dir,
            hashes=hashes, model_name=encoder.name, dimension=encoder.dimension,
            now=_utc_now().isoformat(timespec="seconds"),
            on_wait=lambda holder: logger.info("waiting for the index writer lock: %s", holder),
        )  # fmt: skip
        result["index"] = built.to_dict()
        logger.info("index: %s", built.to_dict())
    return result
