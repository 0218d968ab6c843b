"""Where the command line finds its database and settings: ``cspr db`` from any folder,
an older schema never upgraded silently, the installed command, ``--data-dir`` on
every case command, and a bad setting as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.review_flows.case_cli import NEW, TODAY, run
from tests.review_flows.case_cli import app as app
from tests.review_flows.case_cli import cli as cli

# slow: runs the real `cspr` command in new processes
# (`make test-fast` leaves it to `make test`)
pytestmark = pytest.mark.slow


def test_db_upgrade_from_any_folder(
    cli: CliRunner,
    app: typer.Typer,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.migrations import head_revision

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    url = f"sqlite:///{(data_dir / 'cspr.db').resolve()}"
    code, out, _ = run(cli, app, "db", "current")
    assert (code, out) == (0, f"database {url}: revision none (empty); code {head_revision()}\n")
    code, out, _ = run(cli, app, "db", "upgrade")
    assert (code, out) == (0, f"database {url} is at revision {head_revision()}\n")
    code, _, err = run(cli, app, *NEW)
    assert (code, err) == (0, "")  # already migrated: nothing to create
    assert list(elsewhere.iterdir()) == []


def test_an_older_schema_is_not_upgraded_silently(
    cli: CliRunner, app: typer.Typer, data_dir: Path
) -> None:
    from sqlalchemy import text

    from core.db import build_engine

    run(cli, app, "db", "upgrade")
    engine = build_engine(f"sqlite:///{(data_dir / 'cspr.db').resolve()}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    engine.dispose()
    code, out, err = run(cli, app, "case", "list", *TODAY)
    assert (code, out) == (2, "")
    assert "is at schema revision 0000" in err and "run `cspr db upgrade`" in err


def test_installed_command_migrates_from_any_folder(tmp_path: Path) -> None:
    """The real ``cspr`` entry point (``python -m cspr``), run outside the repository."""
    import os
    import subprocess
    import sys

    from core.migrations import head_revision

    env = {**os.environ, "CSPR_DATA_DIR": str(tmp_path / "data")}
    env.pop("CSPR_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "cspr", "db", "upgrade"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"is at revision {head_revision()}\n")
    assert (tmp_path / "data" / "cspr.db").is_file()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{bad", "error: CSPR_LOCAL_TARGETS cannot be read (Expecting property name"),
        ('{"wales-cpr:nope": 10}',
         "error: CSPR_LOCAL_TARGETS: 'wales-cpr:nope': wales-cpr has no milestone 'nope'; its "
         "milestones: review_decision, review_completed"),
        ('{"walse-cpr:review_completed": 10}',
         "error: CSPR_LOCAL_TARGETS: 'walse-cpr:review_completed': no rulebook 'walse-cpr'; "
         "rulebooks: england-cspr-2018"),
    ],
)  # fmt: skip
def test_a_bad_setting_is_one_line_not_a_traceback(
    data_dir: Path, value: str, message: str
) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "CSPR_LOCAL_TARGETS": value, "CSPR_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "cspr", "case", "list"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr


def test_every_case_command_takes_a_data_dir(
    cli: CliRunner, app: typer.Typer, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere"
    code, _, err = run(cli, app, *NEW, "--data-dir", str(other))
    assert code == 0, err
    assert (other / "cspr.db").exists()
    listed = run(cli, app, "case", "list", "--json", *TODAY, "--data-dir", str(other))[1]
    assert [c["reference"] for c in json.loads(listed)] == ["NSH-2026-004"]
    assert json.loads(run(cli, app, "case", "list", "--json", *TODAY)[1]) == []  # the default
    for args in (["case", "show", "NSH-2026-004"], ["case", "event", "NSH-2026-004",
                 "notified", "2026-01-08"], ["db", "current"], ["db", "upgrade"]):  # fmt: skip
        code, _, err = run(cli, app, *args, "--data-dir", str(other))
        assert code == 0, (args, err)
