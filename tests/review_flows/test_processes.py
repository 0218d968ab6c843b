"""`cspr run` stops everything on Ctrl-C and on SIGTERM, even when started with SIGINT ignored
(a shell's background job): checked on a real child process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

CHILD = """
import signal, sys, time
from cspr.cli.processes import stop_on_signals
stop_on_signals()
try:
    print("ready", flush=True)
    time.sleep(60)
except KeyboardInterrupt as stopped:
    print(f"stopping on {stopped}", flush=True)
    sys.exit(0)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_it_even_with_sigint_ignored(signum: int) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    started = time.monotonic()
    child.send_signal(signum)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 0, err[-2000:]
    assert out.strip() == f"stopping on {signal.Signals(signum).name}"
    assert time.monotonic() - started < 30


# --- the start-up sweep --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[str]:
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield str(PREFECT_API_URL.value())


def _runs_of(deployment_id: object) -> list[Any]:
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )


@pytest.mark.slow
def test_cspr_runs_start_up_asks_prefect_for_a_sweep_run(
    prefect_api: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cspr run`'s start-up step, on a real Prefect API: with the sweep deployment served, one
    flow run of it is created at once (the serving process then runs it); none before."""
    from core.settings import Settings
    from cspr.cli.processes import _catch_up_sweep
    from cspr.deployments import CATCH_UP_RUN, deployments

    for name in ("PREFECT_API_URL", "PREFECT_HOME", "DO_NOT_TRACK"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    env = {"PREFECT_API_URL": prefect_api, "CSPR_DEMO_PASSWORD": "not-exported"}

    _catch_up_sweep(env, wait_seconds=2)  # nothing served yet: a warning, no crash
    assert "the start-up sweep was not started" in capsys.readouterr().err
    assert os.environ.get("CSPR_DEMO_PASSWORD") != "not-exported"  # only Prefect's settings

    [sweep] = [d for d in deployments(Settings()) if d.name == "deadline-sweep"]
    deployment_id = sweep.apply(_sync=True)  # synchronous whatever the context
    assert _runs_of(deployment_id) == []

    _catch_up_sweep(env, wait_seconds=30)

    assert "start-up sweep requested" in capsys.readouterr().out
    [run] = _runs_of(deployment_id)
    assert run.name == CATCH_UP_RUN
    assert run.state is not None and run.state.is_scheduled()
