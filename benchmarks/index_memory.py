"""The loaded index's memory, for the learning and workers benchmarks: the RSS delta of
opening it in a fresh process, and its files' sizes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.table import BenchTable
from learning.index import UNITS_FILE, VECTORS_FILE

ROOT = Path(__file__).resolve().parent.parent


def index_type(index_dir: Path) -> tuple[str, int]:
    manifest = json.loads((index_dir / "manifest.json").read_text("utf-8"))
    return str(manifest["index_type"]), int(manifest["count"])


_RSS_SNIPPET = """
import json, sys
from pathlib import Path
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) * 1024
import faiss, sqlite3, numpy
from learning.index import open_index
before = rss()
index = open_index(Path(sys.argv[1]))
index.keywords
print(json.dumps({'delta': rss() - before}))
index.close()
"""


def measure_memory(index_dir: Path) -> dict[str, int]:
    """RSS delta of opening the index in a fresh process (imports done first), file sizes."""
    done = subprocess.run(
        [sys.executable, "-c", _RSS_SNIPPET, str(index_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    delta = json.loads(done.stdout.strip().splitlines()[-1])["delta"]
    return {
        "rss": int(delta),
        "faiss": (index_dir / VECTORS_FILE).stat().st_size,
        "sqlite": (index_dir / UNITS_FILE).stat().st_size,
    }


def memory_table(
    memory: dict[int, dict[str, int]], types: dict[int, tuple[str, int]]
) -> BenchTable:
    mb = 1024 * 1024
    rows = tuple(
        (
            f"{size:,}",
            f"{types[size][1]:,}",
            types[size][0],
            f"{figures['rss'] / mb:.1f}",
            f"{figures['faiss'] / mb:.1f}",
            f"{figures['sqlite'] / mb:.1f}",
            f"{figures['rss'] / types[size][1] / 1024:.2f}",
        )
        for size, figures in memory.items()
    )
    return BenchTable(
        "Loaded index memory",
        (
            "passages",
            "units",
            "vectors",
            "RSS delta MiB",
            "vectors.faiss MiB",
            "units.sqlite MiB",
            "KiB/unit (RSS)",
        ),
        rows,
        notes="RSS delta of open_index (manifest check, checksum, FAISS read) and of loading "
        "its keyword postings' unit lengths, in a fresh "
        "process after its imports; the model is not included (about 90 MiB once per process).",
    )
