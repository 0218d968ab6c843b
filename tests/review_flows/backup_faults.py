"""Ways to damage a backup folder (each changes the backup folder B), and the restore
helpers the SQLite and PostgreSQL restore tests share."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import typer
from click.testing import Result
from typer.testing import CliRunner

from core.db import get_engine, open_session
from cspr.cli import backup as cli_backup

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
GARBAGE = 32 * 1024
Fault = Callable[[Path], None]


# --- the faults: each changes the backup folder B -----------------------------------------------


def _garbage(path: Path, size: int = GARBAGE, at: float = 0.5) -> None:
    """Overwrite ``size`` bytes around ``at`` (the middle) of ``path`` with random ones."""
    data = bytearray(path.read_bytes())
    size = min(size, len(data) // 2)
    start = int(len(data) * at) - size // 2
    data[start : start + size] = random.Random(22).randbytes(size)
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _rehash(backup_dir: Path, name: str) -> None:
    """What an attacker who also rewrites ``backup.json`` does: the listed size and hash made
    those of the damaged file."""
    manifest_path = backup_dir / "backup.json"
    manifest = json.loads(manifest_path.read_text())
    path = backup_dir / name
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["size"] = path.stat().st_size
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))


def _edit_manifest(backup_dir: Path, change: Callable[[dict], object]) -> None:
    manifest = json.loads((backup_dir / "backup.json").read_text())
    change(manifest)
    (backup_dir / "backup.json").write_text(json.dumps(manifest))


def _unlist(backup_dir: Path, name: str) -> None:
    _edit_manifest(
        backup_dir,
        lambda m: m.__setitem__("files", [f for f in m["files"] if f["path"] != name]),
    )


def _old_manifest(backup_dir: Path) -> None:
    """A manifest as ``cspr backup`` wrote it before format version 2: no files, no hashes."""
    manifest = json.loads((backup_dir / "backup.json").read_text())
    keep = ("created_at", "database", "revision", "cases", "events", "index")
    (backup_dir / "backup.json").write_text(json.dumps({key: manifest[key] for key in keep}))


def _drop_an_event(backup_dir: Path) -> None:
    """A well-formed database copy that holds one event fewer than the manifest says."""
    with sqlite3.connect(backup_dir / "cspr.db") as connection:
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
        ).fetchall():
            connection.execute(f'DROP TRIGGER "{name}"')
        connection.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
    connection.close()
    _rehash(backup_dir, "cspr.db")


def _alter_another_listed_file(backup_dir: Path) -> None:
    """A listed file the restore does not swap in (``audit-heads.json``, say) is checked too."""
    manifest = json.loads((backup_dir / "backup.json").read_text())
    others = [
        f["path"] for f in manifest["files"] if f["path"].split("/")[0] not in ("cspr.db", "index")
    ]
    if not others:
        (backup_dir / "extra.json").write_text("{}")
        manifest["files"].append({"path": "extra.json", "size": 0, "sha256": ""})
        (backup_dir / "backup.json").write_text(json.dumps(manifest))
        _rehash(backup_dir, "extra.json")
        others = ["extra.json"]
    path = backup_dir / others[0]
    path.write_bytes(b"X" + path.read_bytes()[1:])


def _cli_restore(backup_dir: Path) -> Result:
    app = typer.Typer()
    cli_backup.register(app)
    return CliRunner().invoke(app, ["restore", str(backup_dir), "--force"])


def _add_an_event(url: str) -> None:
    from review_flows.cases import record_event
    from review_flows.models import CaseEventCreate

    with open_session(url) as session:
        record_event(
            session, "NSH-DEMO-001", CaseEventCreate(kind="notified", on=dt.date(2026, 12, 2)),
            recorded_by="demo", today=dt.date(2026, 12, 2),
            partnership="Northshire Safeguarding Children Partnership",
        )  # fmt: skip
    get_engine(url).dispose()


def _index_hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if not p.name.endswith(("-wal", "-shm", ".lock"))
    }
