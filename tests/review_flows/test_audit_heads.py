"""Chain heads exported on every backup and by the daily sweep (issue 22, finding 3): into the
backup as ``audit-heads.json`` and as a new owner-only file in CSPR_AUDIT_HEADS_DIR, which
``cspr audit verify`` then compares with by default. SQLite files by design (``data_dir``);
the attacks themselves run on both stores in test_audit_row.py.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from review_flows.audit_heads import BACKUP_HEADS, latest_heads

NOW = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(data_dir: Path, migrated_template: Path) -> str:
    """The data folder's database, with one case opened through the service."""
    from core.db import get_engine, open_session
    from review_flows.cases import create_case, parse_input
    from review_flows.models import CaseCreate

    shutil.copyfile(migrated_template, data_dir / "cspr.db")
    url = f"sqlite:///{data_dir / 'cspr.db'}"
    data = {
        "reference": "NSH-2026-001", "partnership": "Northshire", "nation": "england",
        "incident_date": dt.date(2026, 1, 5), "aware_on": dt.date(2026, 1, 6),
        "outcome": "death", "age_group": "under_1", "owner": "bm",
    }  # fmt: skip
    with open_session(url) as session:
        create_case(session, parse_input(CaseCreate, data), recorded_by="bm",
                    today=dt.date(2026, 3, 31))  # fmt: skip
    get_engine(url).dispose()
    return url


def test_a_backup_holds_its_heads_and_exports_them(store: str, data_dir: Path) -> None:
    from cspr.backup import backup

    heads_dir = data_dir / "audit-heads"
    backup(store, data_dir / "index", data_dir / "backup", now=NOW, heads_dir=heads_dir)
    inside = json.loads((data_dir / "backup" / BACKUP_HEADS).read_text())
    assert (inside["intact"], inside["scheme"], inside["lengths"]) == (
        True, 2, {"Northshire/NSH-2026-001": 1},
    )  # fmt: skip
    latest = latest_heads(heads_dir)
    assert latest is not None and latest.path.name == "heads-2026-12-07T070000Z.json"
    assert latest.saved.heads == inside["heads"]
    assert latest.path.stat().st_mode & 0o777 == 0o600


def test_cli_backup_exports_heads_that_verify_then_uses_by_default(
    store: str, data_dir: Path
) -> None:
    from cspr.cli.main import _register_areas, app

    _register_areas()
    runner = CliRunner()
    made = runner.invoke(app, ["backup", str(data_dir / "backup")])
    assert made.exit_code == 0, made.output
    (exported,) = (data_dir / "audit-heads").iterdir()
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert f"compared with the chain heads in {exported}" in verified.output


def test_the_sweep_exports_the_heads_as_its_last_step(store: str, data_dir: Path) -> None:
    from review_flows.flows.sweep import export_audit_heads

    path = Path(export_audit_heads.fn())
    assert path.parent == data_dir / "audit-heads"
    assert json.loads(path.read_text())["heads"].keys() == {"Northshire/NSH-2026-001"}


def test_an_unreadable_latest_export_is_an_error_not_skipped(tmp_path: Path) -> None:
    from core.audit_chain import HeadsUnreadable

    folder = tmp_path / "heads"
    folder.mkdir()
    (folder / "heads-2026-12-06T070000Z.json").write_text(
        json.dumps({"scheme": 2, "heads": {}, "lengths": {}})
    )
    (folder / "heads-2026-12-07T070000Z.json").write_text("{not json")
    with pytest.raises(HeadsUnreadable, match="heads-2026-12-07T070000Z.json"):
        latest_heads(folder)


def test_exports_of_an_older_scheme_are_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / "heads"
    folder.mkdir()
    kept: dict[str, Any] = {"scheme": 2, "heads": {"N/R-01": "a"}, "lengths": {"N/R-01": 1}}
    (folder / "heads-2026-12-01T070000Z.json").write_text(json.dumps(kept))
    (folder / "heads-2026-12-02T070000Z.json").write_text(json.dumps({"heads": {"N/R-01": "b"}}))
    latest = latest_heads(folder)
    assert latest is not None and latest.path.name == "heads-2026-12-01T070000Z.json"
    assert (latest.saved.heads, latest.saved.lengths) == ({"N/R-01": "a"}, {"N/R-01": 1})
