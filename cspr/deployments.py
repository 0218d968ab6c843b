"""Every deployment and schedule in one place: the sweep on its schedule, the rest on demand.
Served by one process (``cspr serve``) on one machine, or deployed to a work pool for workers
(``cspr deploy``)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from core.settings import Settings, get_settings

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.client.schemas.objects import FlowRun

ENTRYPOINTS = {
    "deadline-sweep": "review_flows/flows/sweep.py:deadline_sweep",
    "case-event": "review_flows/flows/case_events.py:case_event",
    "publication": "review_flows/flows/publication.py:publication",
    "ingest-folder": "learning/flows/ingest.py:ingest_folder",
    # a batch of a collection, for workers only (served in one process, a collection's batches
    # would all run at once); its coordinator, ingest-collection, is served by ``cspr serve``
    # so that it never holds a worker's slot while it waits
    "ingest-batch": "learning/flows/collection.py:ingest_batch",
    "retrain-theme-tagger": "learning/flows/tagger.py:retrain_theme_tagger",
    "monthly-digest": "review_flows/flows/digest.py:monthly_digest",
}


def sweep_schedule(settings: Settings) -> Any:
    from prefect.schedules import Cron

    return Cron(settings.sweep_cron, timezone=settings.sweep_timezone)


def digest_schedule(settings: Settings) -> Any:
    """The monthly digest's schedule: ``CSPR_DIGEST_CRON`` in the sweep's time zone."""
    from prefect.schedules import Cron

    return Cron(settings.digest_cron, timezone=settings.sweep_timezone)


def deployments(settings: Settings | None = None) -> list[Any]:
    """The deployments served by one process: those of :data:`ENTRYPOINTS` that are not for
    workers only, and the collection's coordinator ``ingest-collection``."""
    from learning.flows.collection import ingest_collection
    from learning.flows.ingest import ingest_folder
    from learning.flows.tagger import retrain_theme_tagger
    from review_flows.flows.case_events import case_event
    from review_flows.flows.digest import monthly_digest
    from review_flows.flows.publication import publication
    from review_flows.flows.sweep import deadline_sweep

    settings = settings or get_settings()
    return [
        _to_deployment(deadline_sweep, "deadline-sweep", schedules=[sweep_schedule(settings)]),
        _to_deployment(case_event, "case-event"),
        _to_deployment(publication, "publication"),
        _to_deployment(ingest_folder, "ingest-folder"),
        _to_deployment(ingest_collection, "ingest-collection"),
        _to_deployment(retrain_theme_tagger, "retrain-theme-tagger"),
        _to_deployment(monthly_digest, "monthly-digest", schedules=[digest_schedule(settings)]),
    ]


def _to_deployment(flow: Flow[..., Any], name: str, **options: Any) -> Any:
    """``flow.to_deployment`` called synchronously whatever the context: where a running loop
    or a leftover run context is present, Prefect's async_dispatch would hand back a coroutine
    (``_sync`` is untyped, hence the ignore)."""
    return flow.to_deployment(name=name, _sync=True, **options)  # type: ignore[call-arg]


def serve_all(settings: Settings | None = None) -> None:
    """Serve every deployment from this process until stopped (schedules stay active)."""
    from prefect import serve

    serve(*deployments(settings), pause_on_shutdown=False)


SWEEP_DEPLOYMENT = "deadline-sweep/deadline-sweep"
CATCH_UP_RUN = "start-up catch-up"


def run_sweep_now(wait_seconds: float = 120) -> str:
    """Ask Prefect for one run of the sweep deployment now: the catch-up at start-up, so that
    cases already late get their reminders at once, not at the next scheduled time. The sweep
    is idempotent (a notice goes once), so a catch-up after a restart sends nothing twice.

    Waits up to ``wait_seconds`` for the serving process to register the deployment; returns
    the flow run's id (the serving process runs it). Raises ``ObjectNotFound`` if it never
    appears."""
    import time

    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            # `_sync=True`: the synchronous call even where a running loop or a leftover run
            # context would make Prefect's async_dispatch hand back a coroutine (typed as a
            # union, hence the cast)
            run = cast(
                "FlowRun",
                run_deployment(  # type: ignore[call-arg]  # `_sync`: untyped
                    SWEEP_DEPLOYMENT, flow_run_name=CATCH_UP_RUN, tags=["catch-up"], timeout=0,
                    _sync=True,
                ),
            )
            return str(run.id)
        except ObjectNotFound:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


INGEST_DEPLOYMENT = "ingest-folder/ingest-folder"


def run_demo_library_now(folder: Path, index_dir: Path, wait_seconds: float = 120) -> str:
    """Ask Prefect for one run of the ingest deployment on the demo's published reviews, named
    and tagged as the Library page shows it (learning.ingest_runs), without waiting for
    it: the app is up while the library embeds. Waits as :func:`run_sweep_now` does for the
    deployment to be served; returns the flow run's id."""
    import time

    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    from learning.ingest_runs import DEMO_LIBRARY_RUN, DEMO_LIBRARY_TAG

    deadline = time.monotonic() + wait_seconds
    parameters = {"folder": str(folder), "index_dir": str(index_dir)}
    while True:
        try:
            run = cast("FlowRun", run_deployment(  # type: ignore[call-arg]  # `_sync`, as above
                INGEST_DEPLOYMENT, parameters=parameters, flow_run_name=DEMO_LIBRARY_RUN,
                tags=[DEMO_LIBRARY_TAG], timeout=0, _sync=True,
            ))  # fmt: skip
            return str(run.id)
        except ObjectNotFound:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def deploy_to_pool(
    pool: str,
    source: Path,
    settings: Settings | None = None,
    only: Collection[str] | None = None,
) -> list[str]:
    """Register the deployments (those named in ``only``, or all) on work pool ``pool`` (run
    by ``prefect worker start``), with the code read from ``source`` (this checkout, on a path
    every worker shares)."""
    from prefect import flow

    settings = settings or get_settings()
    names = []
    for name, entrypoint in ENTRYPOINTS.items():
        if only is not None and name not in only:
            continue
        # synchronous whatever the context, as above
        loaded = cast(
            "Flow[..., Any]",
            flow.from_source(source=str(source), entrypoint=entrypoint, _sync=True),  # type: ignore[call-arg]  # `_sync`: untyped
        )
        schedules = [sweep_schedule(settings)] if name == "deadline-sweep" else None
        if name == "monthly-digest":
            schedules = [digest_schedule(settings)]
        loaded.deploy(  # type: ignore[call-arg]  # `_sync`, as above
            name=name, work_pool_name=pool, schedules=schedules, build=False, push=False,
            _sync=True,
        )
        names.append(f"{loaded.name}/{name}")
    return names
