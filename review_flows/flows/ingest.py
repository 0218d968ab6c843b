"""A folder of reviews into the learning index: one task per document, cached by content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from review_flows.settings import get_settings


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
    from learning.cli import build_encoder
    from learning.ingest import ingest_paths

    report = ingest_paths([Path(path)], Path(index_dir), build_encoder())
    return report.to_dict()


@flow(name="ingest-folder", log_prints=True)
def ingest_folder(folder: str, index_dir: str | None = None) -> dict[str, Any]:
    """One task per document (cached by content, retried on I/O errors); the counts."""
    from learning.sources import find_documents

    target = index_dir or str(get_settings().resolved_index_dir)
    files, skipped = find_documents([Path(folder)])
    totals: dict[str, Any] = {"documents": len(files), "failed": [], "skipped": []}
    totals["skipped"] = [{"path": str(p), "reason": why} for p, why in skipped]
    for count, path in enumerate(files, 1):
        state = ingest_document(str(path), target, return_state=True)
        result = state.result(raise_on_failure=False)
        if isinstance(result, BaseException):
            totals["failed"].append({"path": str(path), "reason": str(result)})
        else:
            totals["failed"].extend(result["failed"])
        get_run_logger().info("%d/%d %s", count, len(files), path.name)
    return totals
