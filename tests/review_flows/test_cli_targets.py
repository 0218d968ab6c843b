"""``cspr rules target`` under CliRunner on a temp data folder: a partnership's own target set,
shown beside the settings' ones, read by ``cspr case show``, refused with one line, cleared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cspr.cli import cases as cli_cases
from cspr.cli import rules as cli_rules
from cspr.cli import targets as cli_targets
from tests.review_flows.case_cli import run

BOARD = "Cwm Tawel Regional Safeguarding Board"
NEW = [
    "case", "new", "--ref", "CWT-2025-001", "--partnership", BOARD, "--nation", "wales",
    "--incident", "2025-06-02", "--aware", "2025-06-03", "--outcome", "death",
    "--age-group", "under_1", "--by", "alice", "--today", "2026-03-31",
]  # fmt: skip
TODAY = ["--today", "2026-03-31"]


@pytest.fixture
def cli(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    from core.settings import get_settings

    monkeypatch.setenv("CSPR_LOCAL_TARGETS", '{"ni-cmr:cmr_completed": 100}')
    get_settings.cache_clear()
    return CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    cli_cases.register(app)
    cli_rules.register(app)
    cli_targets.register(app)
    return app


def _welsh_case(cli: CliRunner, app: typer.Typer) -> None:
    assert run(cli, app, *NEW)[0] == 0
    for kind, on in (("notified", "2025-06-10"), ("decision", "2025-07-01")):
        code, _, err = run(cli, app, "case", "event", "CWT-2025-001", kind, on, *TODAY)
        assert code == 0, err


def test_a_target_is_set_shown_read_by_the_case_and_cleared(
    cli: CliRunner, app: typer.Typer
) -> None:
    _welsh_case(cli, app)
    target = ["rules", "target", BOARD]

    assert run(cli, app, *target, "wales-susr:review_completed", "60", "--by", "ada") == (
        0,
        f"{BOARD}: local target for \u201cReview completed, report and action plan in the "
        "national repository\u201d (wales-susr) set to 60 working days\n",
        "",
    )
    code, out, _ = run(cli, app, *target)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{BOARD}: local targets (working days)"
    assert lines[1].startswith(
        "  wales-susr:review_completed  60 working days  \u201cReview completed, report and "
        "action plan in the national repository\u201d  (own, set by ada on "
    )
    assert lines[2:] == [
        "  ni-cmr:cmr_completed  100 working days  (CSPR_LOCAL_TARGETS, every partnership)"
    ]

    code, out, _ = run(cli, app, "case", "show", "CWT-2025-001", *TODAY)
    assert code == 0
    rule = "no statutory time limit \u00b7 local target 60 working days from decision"
    assert f"      rule: {rule}" in out.splitlines()
    code, out, _ = run(cli, app, "case", "show", "CWT-2025-001", *TODAY, "--json")
    completed = {m["milestone"]: m for m in json.loads(out)["milestones"]}["review_completed"]
    assert (completed["due"], completed["status"], completed["local_target"]) == (
        "2025-09-24", "overdue", True,
    )  # fmt: skip

    assert run(cli, app, *target, "wales-susr:review_completed", "--clear", "--by", "ada") == (
        0, f"{BOARD}: own local target for wales-susr:review_completed removed\n", "",
    )  # fmt: skip
    code, out, _ = run(cli, app, "case", "show", "CWT-2025-001", *TODAY, "--json")
    completed = {m["milestone"]: m for m in json.loads(out)["milestones"]}["review_completed"]
    assert (completed["due"], completed["status"]) == (None, "stalled")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["england-cspr-2023:notification", "10"],
            "error: \u201cSerious incident notification to the Panel\u201d has a statutory time "
            "limit in England CSPR (Working Together 2023): the guidance sets 5 working days from "
            "aware; a local target is only for a step without one (in this rulebook: "
            "review_decision, panel_decision)",
        ),
        (
            ["wales-susr:review_completed", "0"],
            "error: working days: 0 is out of range; give 1 to 500",
        ),
        (
            ["wales-susr", "60"],
            "error: 'wales-susr': write RULEBOOK:MILESTONE, e.g. wales-cpr:review_completed",
        ),
        (
            ["wales-susr:review_completed"],
            "error: give the target in working days after wales-susr:review_completed, or --clear",
        ),
        (["--clear"], "error: name the step: RULEBOOK:MILESTONE, then the days"),
    ],
    ids=["statutory", "zero", "no-milestone", "no-days", "clear-what"],
)
def test_a_refusal_is_one_line_and_writes_nothing(
    cli: CliRunner, app: typer.Typer, args: list[str], message: str
) -> None:
    _welsh_case(cli, app)
    code, out, err = run(cli, app, "rules", "target", BOARD, *args, "--by", "ada")
    assert (code, out, err) == (2, "", message + "\n")
    assert run(cli, app, "rules", "target", BOARD)[1].splitlines()[1:] == [
        "  ni-cmr:cmr_completed  100 working days  (CSPR_LOCAL_TARGETS, every partnership)"
    ]


def test_an_unknown_partnership_is_named(cli: CliRunner, app: typer.Typer) -> None:
    _welsh_case(cli, app)
    code, _, err = run(
        cli, app, "rules", "target", "Cwm Tawl Regional Safeguarding Board",
        "wales-susr:review_completed", "60",
    )  # fmt: skip
    assert (code, err) == (
        2,
        "error: no partnership \u201cCwm Tawl Regional Safeguarding Board\u201d is known (on a "
        f"case, a user or a contact); did you mean \u201c{BOARD}\u201d?\n",
    )
