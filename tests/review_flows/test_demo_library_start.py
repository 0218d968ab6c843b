"""`cspr run` asks Prefect to embed the demo library as a flow run, after the app has started,
and only while the library lacks some of the demo's reviews (issue 23, item 10): checked on
a real Prefect API, and the count of what is missing on a real index."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from learning.library import documents_not_indexed
from tests.learning.factories import write_corpus
from tests.review_flows.test_flows import prefect_server  # noqa: F401


def test_what_the_index_lacks_of_a_folder_is_counted(tmp_path: Path) -> None:
    folder, index_dir = tmp_path / "reviews", tmp_path / "index"
    files = len(write_corpus(folder))
    assert documents_not_indexed(folder, index_dir) == files  # no index yet

    ingest_paths([folder], index_dir, FakeEncoder(), now=dt.datetime.now(dt.UTC))
    assert documents_not_indexed(folder, index_dir) == 0
    (folder / "new-review.md").write_text("# Child Z\n\nA review added later.\n")
    assert documents_not_indexed(folder, index_dir) == 1


def _runs_of(deployment_id: object) -> list[Any]:
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )


@pytest.mark.slow
def test_the_demo_library_is_asked_for_only_while_it_is_incomplete(
    prefect_server: None,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from prefect.settings import PREFECT_API_URL

    from core.settings import Settings
    from cspr.cli.processes import _demo_library
    from cspr.deployments import deployments

    for name in ("PREFECT_API_URL", "PREFECT_HOME", "DO_NOT_TRACK"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    folder = tmp_path / "reviews"
    write_corpus(folder)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=folder)
    env = {"PREFECT_API_URL": str(PREFECT_API_URL.value())}
    [ingest] = [d for d in deployments(settings) if d.name == "ingest-folder"]
    deployment_id = ingest.apply(_sync=True)  # synchronous whatever the context

    _demo_library(settings, env, wait_seconds=30)

    [run] = _runs_of(deployment_id)
    assert (run.name, run.tags) == ("demo library", ["demo-library"])
    assert run.parameters == {
        "folder": str(folder.resolve()),
        "index_dir": str(settings.resolved_index_dir.resolve()),
    }
    assert run.state is not None and run.state.is_scheduled()  # not waited for
    assert "published reviews being embedded" in capsys.readouterr().out

    ingest_paths([folder], settings.resolved_index_dir, FakeEncoder(), now=dt.datetime.now(dt.UTC))
    _demo_library(settings, env, wait_seconds=5)  # the library is complete: nothing asked

    assert len(_runs_of(deployment_id)) == 1
    assert capsys.readouterr().out == ""
