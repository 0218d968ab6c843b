"""``cspr case new --taken-over``: a case opened at a later stage from the command line, its
refusals in one line, and ``case show`` saying which steps were not recorded."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from tests.review_flows.case_cli import TODAY, run
from tests.review_flows.case_cli import app as app
from tests.review_flows.case_cli import cli as cli

TAKEN_OVER = [
    "case", "new", "--ref", "NSH-2025-090", "--partnership", "Northshire", "--nation", "england",
    "--incident", "2025-09-01", "--outcome", "death", "--age-group", "under_1", "--by", "alice",
    "--taken-over", "2026-01-05", "--known", "notified=2025-09-05",
    "--known", "decision=2025-11-03", "--reason", "taken over from the county tracker", *TODAY,
]  # fmt: skip


def test_a_case_taken_over_at_its_review_opens_at_that_stage(
    cli: CliRunner, app: typer.Typer
) -> None:
    code, out, _ = run(cli, app, *TAKEN_OVER)
    assert code == 0
    assert "stage local_review" in out
    code, out, _ = run(cli, app, "case", "show", "NSH-2025-090", "--json", *TODAY)
    shown = json.loads(out)
    assert [e["kind"] for e in shown["events"]] == ["history_imported", "notified", "decision"]
    assert "steps not recorded: became aware of the incident" in shown["events"][0]["note"]
    statuses = {m["milestone"]: m["status"] for m in shown["milestones"]}
    assert statuses["notification"] == "not_recorded"
    assert statuses["rapid_review_from_notification"] == "not_recorded"
    assert statuses["review_published"] in {"due", "due_soon"}
    # later steps follow the usual rules
    later = ["case", "event", "NSH-2025-090", "reviewer_appointed", "2026-02-02", "--by", "alice"]
    code, _, err = run(cli, app, *later, *TODAY)
    assert (code, err) == (0, ""), err


def test_refusals_name_what_to_do_and_open_nothing(cli: CliRunner, app: typer.Typer) -> None:
    reason = {"--reason", "taken over from the county tracker"}
    without_reason = [arg for arg in TAKEN_OVER if arg not in reason]
    code, _, err = run(cli, app, *without_reason)
    assert code == 2 and "--taken-over needs --reason" in err
    wrong_order = [*TAKEN_OVER, "--known", "notified=2025-12-01"]
    code, _, err = run(cli, app, *wrong_order)
    assert code == 2 and "notified" in err
    no_aware = [arg for arg in TAKEN_OVER[:14]] + ["--by", "alice", *TODAY]
    code, _, err = run(cli, app, *no_aware)
    assert code == 2 and "give --aware DATE, or --taken-over DATE" in err
    code, out, _ = run(cli, app, "case", "list", "--json", *TODAY)
    assert "NSH-2025-090" not in out
