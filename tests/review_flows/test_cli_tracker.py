"""``cspr case import`` and ``cspr case export`` end to end with CliRunner on a temp data folder:
dry run, the import, the cases listed, the export and its re-import, and the refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cspr.cli import cases as cli_cases
from cspr.cli import tracker as cli_tracker
from cspr.cli.main import _AREAS
from tests.review_flows.case_cli import cli as cli
from tests.review_flows.case_cli import run

pytestmark = pytest.mark.slow  # the personal-data guard loads its language model

TRACKERS = Path(__file__).resolve().parents[2] / "corpus" / "trackers"
TODAY = ["--today", "2026-12-01"]


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    cli_cases.register(app)
    cli_tracker.register(app)
    return app


def test_the_commands_are_mounted_on_the_case_commands(app: typer.Typer) -> None:
    assert _AREAS.index("cspr.cli.tracker") == _AREAS.index("cspr.cli.cases") + 1
    cli_tracker.register(app)  # registering twice adds nothing
    names = [command.name for command in cli_cases.case_app.registered_commands]
    assert (names.count("import"), names.count("export")) == (1, 1)


def test_dry_run_import_list_and_export(cli: CliRunner, app: typer.Typer, tmp_path: Path) -> None:
    tracker = tmp_path / "northshire tracker.xlsx"
    shutil.copyfile(TRACKERS / "northshire-tracker.xlsx", tracker)
    args = ["case", "import", str(tracker), "--partnership", "Northshire", "--by", "admin", *TODAY]

    code, out, _ = run(cli, app, *args, "--dry-run")
    assert code == 2  # a row was refused and --skip-bad not given
    assert out.startswith(
        "northshire tracker.xlsx (per-case layout, all or nothing): 40 cases, 34 accepted, "
        "6 refused. Dry run: nothing was written."
    )
    assert "  row 15, column 'Outcome': empty: every case needs its outcome" in out
    code, out, _ = run(cli, app, "case", "list", "--json", *TODAY)
    assert (code, json.loads(out)) == (0, [])

    code, out, _ = run(cli, app, *args)
    assert code == 2 and "Nothing was written" in out
    code, out, _ = run(cli, app, *args, "--skip-bad")
    assert code == 0
    assert "34 cases written to Northshire. The 6 refused were skipped." in out
    code, out, _ = run(cli, app, "case", "list", "--partnership", "Northshire", "--json", *TODAY)
    listed = json.loads(out)
    assert len(listed) == 34 and {case["owner"] for case in listed} == {"admin"}

    code, out, err = run(cli, app, "case", "export", "-p", "Northshire", "--csv")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Case reference,Nation,Incident date,Outcome,Age group")
    assert len(lines) == 35
    workbook = tmp_path / "out.xlsx"
    code, out, _ = run(cli, app, "case", "export", "-p", "Northshire", "--xlsx", "--out",
                       str(workbook), "--layout", "per-event")  # fmt: skip
    assert (code, out) == (0, f"wrote 34 cases of Northshire to {workbook}\n")

    again = tmp_path / "again"
    code, out, _ = run(
        cli, app, "case", "import", str(workbook), "-p", "Northshire", "--by", "admin",
        "--data-dir", str(again), *TODAY,
    )  # fmt: skip
    assert code == 0
    assert "(per-event layout, all or nothing): 34 cases, 34 accepted, 0 refused. 34 cases" in out


def test_a_mapping_file_is_used_when_given(
    cli: CliRunner, app: typer.Typer, tmp_path: Path
) -> None:
    mapping = tmp_path / "board.toml"
    mapping.write_text(
        'name = "board"\nkind = "per-case"\n[columns]\nreference = "ID"\n'
        'incident_date = "Incident"\noutcome = "Result"\nage_group = "Age"\n'
        '[dates]\nnotified = "Referred"\n[defaults]\nnation = "wales"\n'
    )
    tracker = tmp_path / "board.csv"
    tracker.write_text(
        "ID;Incident;Result;Age;Referred\nDYF-2026-050;02/03/2026;died;0-1;09/03/2026\n"
    )
    code, out, _ = run(cli, app, "case", "import", str(tracker), "-p", "Dyfnant", "--mapping",
                       str(mapping), "--by", "admin", *TODAY)  # fmt: skip
    assert code == 0, out
    assert "board.csv (board layout, all or nothing): 1 case, 1 accepted, 0 refused." in out
    code, out, _ = run(cli, app, "case", "show", "DYF-2026-050", "--json", *TODAY)
    shown = json.loads(out)
    assert (shown["case"]["nation"], shown["ruleset"]) == ("wales", "wales-susr")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "{dir}/absent.csv", "-p", "Northshire"], "error: cannot read"),
        (["import", "{dir}/t.xlsx", "-p", "Northshire"], "error: t.xlsx is not an .xlsx workbook"),
        (["import", "{dir}/t.csv", "-p", "Northshire"], "error: no known tracker layout fits"),
        (["import", "{dir}/t.csv", "-p", "Northshire", "--mapping", "{dir}/t.csv"],
         "error: t.csv: not a TOML mapping file"),
        (["import", "{dir}/t.csv", "-p", "x"], "error: partnership 'x'"),
        (["export", "-p", "Northshire"], "error: choose one of --csv or --xlsx"),
        (["export", "-p", "Northshire", "--csv", "--xlsx"], "error: choose one of --csv or"),
        (["export", "-p", "Northshire", "--xlsx"], "error: a workbook is written to a file"),
        (["export", "-p", "Northshire", "--csv", "--layout", "wide"],
         "error: no tracker layout 'wide'; the layouts known are: per-case, per-event"),
    ],
)  # fmt: skip
def test_refusals_say_what_is_wrong_and_exit_2(
    cli: CliRunner, app: typer.Typer, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "t.xlsx").write_text("Case ref,Nation\n")
    (tmp_path / "t.csv").write_text("Child,Social worker\nx,y\n")
    code, out, err = run(cli, app, "case", *[a.format(dir=tmp_path) for a in args])
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].startswith(message)


def test_local_targets_come_in_with_the_cases_and_only_with_them(
    cli: CliRunner, app: typer.Typer, tmp_path: Path
) -> None:
    from core.db import open_session
    from core.settings import get_settings
    from review_flows.partnership_targets import partnership_targets

    tracker = TRACKERS / "cymru-tracker.csv"
    args = ["case", "import", str(tracker), "-p", "Dyfnant", "--by", "admin", *TODAY]
    target = ["--target", "wales-susr:review_completed=120"]

    def stored() -> list[tuple[str, str, str, int]]:
        with open_session(get_settings().resolved_database_url) as session:
            return [
                (t.partnership, t.ruleset_id, t.milestone, t.working_days)
                for t in partnership_targets(session)
            ]

    code, out, _ = run(cli, app, *args, *target, "--dry-run", "--skip-bad")
    assert code == 0 and "Local targets would be set: wales-susr:review_completed 120" in out
    assert stored() == []
    code, out, err = run(cli, app, *args, "--target", "wales-susr:notification=10", "--skip-bad")
    assert (code, out) == (2, "") and "has no step 'notification'" in err
    assert stored() == []  # a refused target refuses the import: no case either
    assert json.loads(run(cli, app, "case", "list", "--json", *TODAY)[1]) == []
    code, out, _ = run(cli, app, *args, *target, "--skip-bad")
    assert code == 0 and "Local targets set: wales-susr:review_completed 120 working days." in out
    assert stored() == [("Dyfnant", "wales-susr", "review_completed", 120)]
    code, _, err = run(cli, app, *args, "--target", "nonsense", "--dry-run")
    assert code == 2 and "give RULEBOOK:STEP=DAYS" in err
