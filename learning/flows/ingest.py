"""A folder of reviews into the learning index: one task per document, cached by content, with
its progress recorded on the flow run (documents done of the total) for the Library page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from core.settings import get_settings
from learning.ingest_runs import progress_fields


@functools.lru_cache(maxsize=2)
def _shared_encoder(factory: Callable[[], Any]) -> Any:
    """One encoder per process for the run's tasks: each made its own, and so loaded the
    model again for every document (about 1 s each)."""
    return factory()


def _encoder() -> Any:
    from learning import runtime

    return _shared_encoder(runtime.build_encoder)


def _content_key(context: Any, parameters: dict[str, Any]) -> str:
    from learning.extract import content_hash

    return f"ingest-{content_hash(Path(parameters['path']))}-{parameters['index_dir']}"


@task(
    name="ingest-document",
    cache_key_fn=_content_key,
    retries=2,
    retry_delay_seconds=[5, 30],
    retry_condition_fn=lambda task, run, state: isinstance(
        state.result(raise_on_failure=False), OSError
    ),
)
def ingest_document(path: str, index_dir: str) -> dict[str, Any]:
    from learning.ingest import ingest_paths

    report = ingest_paths([Path(path)], Path(index_dir), _encoder())
    return report.to_dict()


@task(name="prepare-themes")
def prepare_library_themes(index_dir: str) -> int:
    """Work out the reviews' theme tags once the documents are in, here in the worker, so the
    Library and Themes pages read them from the cache instead of loading the model."""
    from learning.library import ThemeSource, prepare_themes
    from learning.search import open_engine

    engine = open_engine(Path(index_dir), _encoder())
    try:
        return prepare_themes(engine, ThemeSource.from_settings(get_settings()))
    finally:
        engine.close()


def _record_progress(artifact_id: Any, done: int, total: int) -> Any:
    """Record ``done`` of ``total`` on the run's progress artifact (created on the first call);
    its id. Progress is for people: if the server does not take it, the ingest goes on."""
    import httpx
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import ArtifactCreate, ArtifactUpdate
    from prefect.runtime import flow_run

    fields = progress_fields(done, total)
    try:
        with get_client(sync_client=True) as client:
            if artifact_id is None:
                made = ArtifactCreate(type="progress", flow_run_id=flow_run.id, **fields)
                return client.create_artifact(made).id
            client.update_artifact(artifact_id, ArtifactUpdate(**fields))
    except (httpx.HTTPError, RuntimeError) as failed:
        get_run_logger().warning("progress %d/%d not recorded: %s", done, total, failed)
    return artifact_id


@flow(name="ingest-folder", log_prints=True)
def ingest_folder(folder: str, index_dir: str | None = None) -> dict[str, Any]:
    """One task per document (cached by content, retried on I/O errors), then the themes;
    the counts. After each document the progress is recorded on the run (what the Library
    page shows). The run yields the CPU to the app (``CSPR_INGEST_NICE``)."""
    from learning.index.disk import index_exists
    from learning.runtime import lower_priority
    from learning.sources import find_documents

    settings = get_settings()
    lower_priority(settings.ingest_nice)  # the app, on the same cores, answers first
    target = index_dir or str(settings.resolved_index_dir)
    files, skipped = find_documents([Path(folder)])
    totals: dict[str, Any] = {"documents": len(files), "failed": [], "skipped": []}
    totals["skipped"] = [{"path": str(p), "reason": why} for p, why in skipped]
    progress = _record_progress(None, 0, len(files))
    for count, path in enumerate(files, 1):
        state = ingest_document(str(path), target, return_state=True)
        result = state.result(raise_on_failure=False)
        if isinstance(result, BaseException):
            totals["failed"].append({"path": str(path), "reason": str(result)})
        else:
            totals["failed"].extend(result["failed"])
        get_run_logger().info("%d/%d %s", count, len(files), path.name)
        progress = _record_progress(progress, count, len(files))
    if files and index_exists(Path(target)):
        themes = prepare_library_themes(target, return_state=True)
        if themes.is_failed():
            get_run_logger().warning("themes not worked out: %s", themes.message)
    return totals
