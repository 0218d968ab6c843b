"""``cspr rules`` and ``cspr timeline`` through Typer's CliRunner: JSON shape, errors, settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from core.settings import get_settings
from cspr.cli.rules import register
from review_flows.rulebook import Rulebook, list_rulebooks

REQUIRED_KEYS = {"milestone", "due", "done", "status", "rule", "source"}


@pytest.fixture
def app(data_dir: Path) -> typer.Typer:
    """A fresh app with only this area's commands, settings isolated in a temp data folder."""
    fresh = typer.Typer(pretty_exceptions_enable=False)
    register(fresh)
    return fresh


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200"})


def _json(runner: CliRunner, app: typer.Typer, args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _timeline(runner: CliRunner, app: typer.Typer, *args: str) -> dict[str, dict]:
    rows = _json(runner, app, ["timeline", *args, "--json"])
    assert isinstance(rows, list)
    for row in rows:
        assert set(row) >= REQUIRED_KEYS
    return {row["milestone"]: row for row in rows}


def test_timeline_json_shows_both_rapid_review_readings(
    runner: CliRunner, app: typer.Typer
) -> None:
    rows = _timeline(
        runner,
        app,
        "--event",
        "aware=2022-12-20",
        "-e",
        "notified=2022-12-22",
        "--today",
        "2023-01-16",
    )
    notification = rows["notification"]
    assert [notification[key] for key in ("due", "done", "status", "rule")] == [
        "2022-12-29",
        "2022-12-22",
        "done_on_time",
        "5 working days from aware",
    ]
    assert rows["rapid_review"]["due"] == "2023-01-13"
    assert rows["rapid_review"]["status"] == "overdue"
    assert rows["rapid_review"]["alert"] is True
    assert rows["rapid_review_from_notification"]["due"] == "2023-01-17"
    assert rows["rapid_review_from_notification"]["status"] == "due_soon"
    assert rows["rapid_review"]["alternatives"] == [
        {"milestone": "rapid_review_from_notification", "due": "2023-01-17"}
    ]
    assert rows["panel_decision"]["due"] is None
    assert rows["panel_decision"]["status"] == "not_started"
    assert "Working Together 2018" in rows["notification"]["source"]


@pytest.mark.parametrize(
    ("args", "first_milestone"),
    [
        (["--event", "aware=2018-06-28"], "scr_decision"),
        (["--event", "aware=2018-06-29"], "rapid_review"),
        (["--event", "aware=2018-06-29", "--incident", "2018-06-28"], "scr_decision"),
        (["--event", "aware=2017-01-09", "--rules", "england-cspr-2023"], "rapid_review"),
        (["--event", "aware=2023-11-27", "--nation", "scotland"], "learning_review_decision"),
        (["--event", "aware=2024-09-30", "--nation", "wales"], "review_decision"),
        (["--event", "aware=2024-10-01", "--nation", "Wales"], "referral"),
        (["--event", "aware=2024-01-02", "--nation", "northern-ireland"], "cmr_decision"),
    ],
)
def test_timeline_chooses_the_rulebook(
    runner: CliRunner, app: typer.Typer, args: list[str], first_milestone: str
) -> None:
    rows = _timeline(runner, app, *args, "--today", "2025-01-01")
    assert first_milestone in rows


def test_timeline_uses_settings_local_targets_and_overrides(
    runner: CliRunner, app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = tmp_path / "holidays.yaml"
    overrides.write_text("england:\n  - 2030-06-12\n", encoding="utf-8")
    monkeypatch.setenv("CSPR_HOLIDAY_OVERRIDES_FILE", str(overrides))
    monkeypatch.setenv("CSPR_LOCAL_TARGETS", '{"wales-cpr:review_completed": 10}')
    get_settings.cache_clear()
    # 11, 13, 14, 17, 18 June 2030 with the announced day on the 12th.
    england = _timeline(runner, app, "-e", "aware=2030-06-10", "--today", "2030-06-11")
    assert england["notification"]["due"] == "2030-06-18"
    # Wales shares the England calendar: 11, 13, 14, 17-21, 24, 25 June.
    wales = _timeline(
        runner, app, "--rules", "wales-cpr", "-e", "aware=2030-06-03", "-e", "notified=2030-06-05",
        "-e", "decision=2030-06-10", "--today", "2030-06-11",
    )  # fmt: skip
    completed = wales["review_completed"]
    assert (completed["due"], completed["local_target"]) == ("2030-06-25", True)
    assert completed["source"].startswith("local target")
    assert completed["rule"] == (
        "no statutory time limit \u00b7 local target 10 working days from decision"
    )


def test_timeline_table(runner: CliRunner, app: typer.Typer) -> None:
    result = runner.invoke(app, ["timeline", "-e", "aware=2022-12-20", "--today", "2023-01-16"])
    assert result.exit_code == 0, result.output
    assert "milestones as of 2023-01-16" in result.stdout
    assert "rapid_review_from_notification" in result.stdout
    assert "2022-12-29" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["timeline", "-e", "awre=2022-12-20"], "unknown event kind 'awre'; use one of aware,"),
        (["timeline", "-e", "aware=2022-13-20"], "--event aware: '2022-13-20' is not a date"),
        (["timeline", "-e", "aware"], "write KIND=YYYY-MM-DD"),
        (["timeline", "-e", "correction=2022-12-20"], "give the corrected date of the event"),
        (["timeline", "-e", "void=2022-12-20"], "--event void: leave the event out instead"),
        (["timeline", "-e", "amended=2022-12-20"], "give --incident or --nation instead"),
        (["timeline"], "give at least one --event KIND=YYYY-MM-DD"),
        (["timeline", "-e", "aware=2022-12-20", "--rules", "nope"], "no rulebook 'nope'"),
        (["timeline", "-e", "aware=2022-12-20", "--nation", "mars"], "--nation 'mars': unknown"),
        (
            ["timeline", "-e", "aware=2022-12-20", "--today", "soon"],
            "--today: 'soon' is not a date",
        ),
        (
            ["timeline", "-e", "aware=2022-12-20", "--incident", "x"],
            "--incident: 'x' is not a date",
        ),
        (
            ["timeline", "-e", "aware=1900-01-01"],
            "1900-01-01 is outside the years the working-day calendars cover",
        ),
        (
            ["timeline", "-e", "aware=2024-01-02", "-e", "published=2101-01-03"],
            "“Report published” on 2101-01-03 is outside the years the working-day calendars",
        ),
        (["rules", "show", "nope"], "no rulebook 'nope'; known rulebooks: england-cspr-2018"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    runner: CliRunner, app: typer.Typer, args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_rules_list_json(runner: CliRunner, app: typer.Typer) -> None:
    rows = _json(runner, app, ["rules", "list", "--json"])
    assert [row["id"] for row in rows] == [
        "england-cspr-2018",
        "england-cspr-2023",
        "england-scr-2015",
        "ni-cmr",
        "scotland-learning-review",
        "wales-cpr",
        "wales-susr",
    ]
    assert rows[0] == {
        "id": "england-cspr-2018",
        "title": "England CSPR (Working Together 2018)",
        "nation": "england",
        "review_type": "cspr",
        "in_force_from": "2018-06-29",
        "in_force_to": "2023-12-31",
        "rules": 9,
    }


def test_rules_show_json_has_sources_and_confidence(runner: CliRunner, app: typer.Typer) -> None:
    book = _json(runner, app, ["rules", "show", "england-cspr-2018", "--json"])
    assert book["id"] == "england-cspr-2018"
    rules = {rule["milestone"]: rule for rule in book["rules"]}
    assert rules["notification"]["confidence"] == "confirmed"
    assert rules["notification"]["sources"] == ["G1", "G2", "E3"]
    assert rules["notification"]["rule"] == "5 working days from aware"
    assert rules["panel_decision"]["rule"].startswith("no statutory time limit")
    assert rules["review_published"]["confidence"] == "unconfirmed"
    assert book["sources"]["G1"]["url"].startswith("https://")
    assert any("COVID-19" in note for note in book["notes"])


def test_rules_show_and_list_tables(runner: CliRunner, app: typer.Typer) -> None:
    shown = runner.invoke(app, ["rules", "show", "wales-susr"])
    assert shown.exit_code == 0, shown.output
    assert "no statutory time limit" in shown.stdout
    listed = runner.invoke(app, ["rules", "list"])
    assert listed.exit_code == 0, listed.output
    assert "scotland-learning-review" in listed.stdout


# --- the what-if calculator: any dates, gaps and disorder as warnings ------------------------


def test_a_future_awareness_is_computed_not_refused(runner: CliRunner, app: typer.Typer) -> None:
    # "if we become aware on Christmas Eve, when is notification due?" (two weeks ahead)
    rows = _timeline(runner, app, "--event", "aware=2026-12-24", "--today", "2026-12-08")
    # 29, 30, 31 December, 4 and 5 January: Christmas, Boxing Day (moved to the 28th) and New
    # Year's Day are bank holidays
    assert (rows["notification"]["due"], rows["notification"]["status"]) == ("2027-01-05", "due")
    assert rows["rapid_review"]["due"] == "2027-01-19"


def test_the_quoted_future_command_succeeds_on_the_real_clock(
    runner: CliRunner, app: typer.Typer
) -> None:
    # no --today: whatever the date when this runs, the what-if is computed, not refused
    result = runner.invoke(app, ["timeline", "--event", "aware=2026-12-24"])
    assert result.exit_code == 0, result.output
    assert "notification" in result.stdout and "Warnings" not in result.stdout


def test_a_decision_without_notification_is_computed_with_warnings(
    runner: CliRunner, app: typer.Typer
) -> None:
    # "we decided on the 31st: when is the review due?"
    args = ["timeline", "--event", "aware=2023-08-02", "--event", "decision=2023-08-31"]
    result = runner.invoke(app, [*args, "--today", "2023-09-15"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    table, _, notes = result.stdout.partition("Warnings (the milestones above are computed")
    assert "2024-02-29" in table  # the review: 6 calendar months from the decision
    lines = notes.splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == [
        "- No date given for “Incident notified”",
        "- No date given for “Rapid review submitted”",
    ]
    assert "“Serious incident notification to the Panel” is computed from “Became aware" in lines[0]


def test_json_keeps_the_list_and_sends_warnings_to_stderr(
    runner: CliRunner, app: typer.Typer
) -> None:
    args = ["timeline", "-e", "aware=2023-08-02", "-e", "decision=2023-08-31", "--json"]
    result = runner.invoke(app, [*args, "--today", "2023-09-15"])
    assert result.exit_code == 0, result.output
    rows = {row["milestone"]: row for row in json.loads(result.stdout)}
    assert (rows["review_published"]["start"], rows["review_published"]["due"]) == (
        "2023-08-31",
        "2024-02-29",
    )
    assert rows["notification"]["status"] == "overdue"
    warnings = result.stderr.splitlines()
    assert len(warnings) == 2
    assert all(line.startswith("Warning: No date given for “") for line in warnings)


@pytest.mark.parametrize(
    ("events", "warning"),
    [
        (["notified=2022-12-20"], "No date given for “Became aware of the incident”"),
        (
            ["aware=2022-12-20", "notified=2022-12-22", "notified=2022-12-21"],
            "“Incident notified” is given more than once (2022-12-21, 2022-12-22): the earliest",
        ),
        (
            ["aware=2022-12-20", "notified=2022-12-19"],
            "“Incident notified” (2022-12-19) is before the incident (2022-12-20)",
        ),
        (
            ["aware=2022-12-20", "decision=2022-12-23", "notified=2022-12-28"],
            "“Decided to hold a local review” (2022-12-23) is dated before “Incident notified”",
        ),
    ],
)
def test_gaps_and_disorder_are_warnings_not_refusals(
    runner: CliRunner, app: typer.Typer, events: list[str], warning: str
) -> None:
    args = [part for event in events for part in ("-e", event)]
    result = runner.invoke(app, ["timeline", *args, "--today", "2023-01-16", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) > 0
    assert warning in result.stderr


@pytest.mark.parametrize("book", list_rulebooks(), ids=lambda book: book.id)
def test_every_rulebook_takes_future_and_partial_what_ifs(
    runner: CliRunner, app: typer.Typer, book: Rulebook
) -> None:
    future = ["timeline", "--rules", book.id, "-e", "aware=2026-12-24", "--today", "2026-12-08"]
    rows = _json(runner, app, [*future, "--json"])
    assert isinstance(rows, list) and rows
    assert all(row["status"] != "overdue" for row in rows)
    partial = [
        "timeline",
        "--rules",
        book.id,
        "-e",
        "aware=2026-11-02",
        "-e",
        "decision=2026-12-01",
    ]
    result = runner.invoke(app, [*partial, "--today", "2026-12-08"])
    assert result.exit_code == 0, result.output
    assert (
        "- No date given for “Incident notified”, a step before “Decided to hold" in result.stdout
    )
    decided = [rule.milestone for rule in book.rules if rule.start_event.value == "decision"]
    review = _timeline(runner, app, *partial[1:], "--today", "2026-12-08")
    assert decided and all(review[m]["start"] == "2026-12-01" for m in decided)
