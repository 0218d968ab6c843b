"""Run every benchmark module (or those named on the command line) and print their tables.

``python -m benchmarks [NAME ...]`` where NAME is e.g. ``clock`` for ``bench_clock.py``.
Tables are also written to ``benchmarks/out/results.md``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import benchmarks
from benchmarks.table import BenchTable


def _modules(selected: list[str]) -> list[str]:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    )
    if selected:
        names = [name for name in names if name.removeprefix("bench_") in selected]
    return names


def main(argv: list[str]) -> int:
    tables: list[BenchTable] = []
    for name in _modules(argv):
        module = importlib.import_module(f"benchmarks.{name}")
        for table in module.run():
            print(table.to_markdown(), flush=True)
            tables.append(table)
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "results.md").write_text("\n".join(t.to_markdown() for t in tables), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
