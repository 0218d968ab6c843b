"""The processes of a worker and what it started, read from ``/proc``: its descendants, the
members of a process group, and a SIGKILL to whole groups, which is what losing the worker's
machine does (Prefect starts each flow run in a session of its own).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path


def kill_groups(groups: set[int]) -> None:
    """SIGKILL every process of these process groups (gone ones are skipped)."""
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)


def _processes() -> dict[int, tuple[int, int]]:
    """Every process: pid -> (parent pid, process group)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # the fields after the command name, which may hold spaces, in parentheses
            fields = stat.rsplit(")", 1)[1].split()
            found[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return found


def process_tree(pid: int) -> list[tuple[int, int]]:
    """(pid, process group) of every descendant of ``pid``."""
    table = _processes()
    children: dict[int, list[int]] = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    tree, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        tree.append((child, table[child][1]))
        todo.extend(children.get(child, []))
    return tree


def group_members(pgid: int) -> list[int]:
    """The processes in process group ``pgid``."""
    return [pid for pid, (_, group) in _processes().items() if group == pgid]


def kill_machine(worker: subprocess.Popen[bytes]) -> None:
    """What losing the worker's machine does: SIGKILL to the worker's process group and to
    every process it started (flow runs run in sessions of their own)."""
    kill_groups({worker.pid} | {group for _, group in process_tree(worker.pid)})
