"""`cspr run` stops everything on Ctrl-C and on SIGTERM, even when started with SIGINT ignored
(a shell's background job): checked on a real child process."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

CHILD = """
import signal, sys, time
from review_flows.cli.processes import stop_on_signals
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
