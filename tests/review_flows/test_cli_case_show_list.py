"""``cspr case new``, ``show`` and ``list`` end to end with CliRunner: JSON, text and
CSV output, the manager's week, owners and the nations as people write them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.review_flows.case_cli import NEW, TODAY, run
from tests.review_flows.case_cli import app as app
from tests.review_flows.case_cli import cli as cli


def test_new_event_show_list(cli: CliRunner, app: typer.Typer, data_dir: Path) -> None:
    code, out, err = run(cli, app, *NEW)
    assert code == 0
    assert out == "opened NSH-2026-004 (Northshire, england); stage incident_recorded\n"
    assert err == f"created the case database at sqlite:///{(data_dir / 'cspr.db').resolve()}\n"
    code, out, _ = run(cli, app, "case", "event", "NSH-2026-004", "notified", "2026-01-08", *TODAY)
    assert code == 0
    assert out == "recorded #2 notified on 2026-01-08 for NSH-2026-004; stage now notified\n"
    code, out, _ = run(
        cli, app, "case", "event", "NSH-2026-004", "delay_recorded", "2026-01-09",
        "--note", "criminal trial", "--by", "bob", "--json", *TODAY,
    )  # fmt: skip
    event = json.loads(out)
    assert (code, event["stage"], event["event"]["note"]) == (0, "notified", "criminal trial")
    assert event["event"]["recorded_by"] == "bob"

    code, out, _ = run(cli, app, "case", "show", "NSH-2026-004", "--json", *TODAY)
    shown = json.loads(out)
    assert code == 0
    assert shown["case"]["reference"] == "NSH-2026-004"
    assert shown["case"]["child_protection_plan"] is True
    assert (shown["stage"], shown["ruleset"], shown["today"]) == (
        "notified", "england-cspr-2023", "2026-03-31"
    )  # fmt: skip
    assert [(e["id"], e["kind"], e["on"]) for e in shown["events"]] == [
        (1, "aware", "2026-01-06"),
        (2, "notified", "2026-01-08"),
        (3, "delay_recorded", "2026-01-09"),
    ]
    notification = shown["milestones"][0]
    assert {k: notification[k] for k in ("milestone", "due", "done", "status")} == {
        "milestone": "notification",
        "due": "2026-01-13",
        "done": "2026-01-08",
        "status": "done_on_time",
    }
    assert notification["rule"] == "5 working days from aware"
    assert "G1" in notification["source"]

    code, out, _ = run(cli, app, "case", "list", "--json", *TODAY)
    assert code == 0
    assert json.loads(out) == [
        {
            "reference": "NSH-2026-004",
            "partnership": "Northshire",
            "nation": "england",
            "incident_date": "2026-01-05",
            "stage": "notified",
            "ruleset": "england-cspr-2023",
            "owner": "alice",
            "next_due": {
                "milestone": "rapid_review",
                "label": shown["milestones"][1]["label"],
                "due": "2026-01-27",
                "status": "overdue",
                "working_days_remaining": -45,
            },
            "worst_status": "overdue",
        }
    ]


def test_the_managers_week(cli: CliRunner, app: typer.Typer) -> None:
    run(cli, app, *NEW)
    other = [*NEW]
    other[other.index("NSH-2026-004")] = "NSH-2026-005"
    other[other.index("2026-01-06")] = "2026-03-30"  # aware two days ago: nothing late yet
    run(cli, app, *other)
    run(cli, app, "case", "event", "NSH-2026-004", "notified", "2026-01-08", *TODAY)
    week = json.loads(run(cli, app, "case", "list", "--open", "--json", *TODAY)[1])
    assert week["as_of"] == "2026-03-31"
    rows = [(r["reference"], r["milestone"], r["status"]) for r in week["milestones"]]
    # every pending milestone, the most late first, not only each case's next one
    assert rows[0] == ("NSH-2026-004", "rapid_review", "overdue")
    assert ("NSH-2026-005", "notification", "due_soon") in rows
    days = [r["working_days"] for r in week["milestones"]]
    assert days == sorted(days)
    overdue = json.loads(run(cli, app, "case", "list", "--overdue", "--json", *TODAY)[1])
    assert {r["status"] for r in overdue["milestones"]} == {"overdue"}
    soon = json.loads(run(cli, app, "case", "list", "--due-within", "10", "--json", *TODAY)[1])
    assert all(r["working_days"] <= 10 for r in soon["milestones"])
    assert ("NSH-2026-005", "notification") in {(r["reference"], r["milestone"]) for r in
                                                soon["milestones"]}  # fmt: skip
    text = run(cli, app, "case", "list", "--open", *TODAY)[1].splitlines()
    assert text[0].split()[:4] == ["REFERENCE", "STAGE", "MILESTONE", "DUE"]
    assert text[0].split()[-1] == "OWNER" and text[1].split()[-1] == "alice"
    assert text[-1].endswith("milestones pending as of 2026-03-31")
    table = run(cli, app, "case", "list", "--open", "--csv", *TODAY)[1].splitlines()
    assert table[0] == (
        "reference,partnership,stage,milestone,label,due,working_days,status,responsible,owner,"
        "statutory"
    )
    assert len(table) == len(rows) + 1


def test_text_output(cli: CliRunner, app: typer.Typer) -> None:
    run(cli, app, *NEW)
    code, out, _ = run(cli, app, "case", "show", "NSH-2026-004", *TODAY)
    assert code == 0
    assert out.startswith(
        "NSH-2026-004 · Northshire · england · incident 2026-01-05 · death · age under_1"
        " · CP plan\n"
        "stage: incident_recorded · rules: england-cspr-2023 · as of 2026-03-31\n"
    )
    line = "  notification" + " " * 21 + "due 2026-01-13  overdue        55 working days late"
    assert line in out
    code, out, _ = run(cli, app, "case", "list", *TODAY)
    assert out.splitlines()[0].split() == [
        "REFERENCE", "PARTNERSHIP", "STAGE", "NEXT", "DUE", "MILESTONE", "STATUS", "WORST"
    ]  # fmt: skip
    assert out.splitlines()[-1] == "1 cases as of 2026-03-31"


@pytest.mark.parametrize("written", ["England", "england", "ENG", " eng "])
def test_nations_are_accepted_as_people_write_them(
    cli: CliRunner, app: typer.Typer, written: str
) -> None:
    args = [*NEW]
    args[args.index("england")] = written
    code, out, err = run(cli, app, *args)
    assert code == 0, err
    assert "(Northshire, england)" in out


def test_case_show_csv(cli: CliRunner, app: typer.Typer) -> None:
    import csv
    import io

    run(cli, app, *NEW)
    code, out, _ = run(cli, app, "case", "show", "NSH-2026-004", "--csv", *TODAY)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["reference"] for r in rows} == {"NSH-2026-004"}
    assert {r["as_of"] for r in rows} == {"2026-03-31"} and rows[0]["ruleset"]
    notification = next(r for r in rows if r["milestone"] == "notification")
    assert (notification["due"], notification["status"]) == ("2026-01-13", "overdue")
    paired = next(r for r in rows if r["milestone"] == "rapid_review")
    assert paired["alternatives"].startswith("rapid_review_from_notification")


def test_a_case_has_a_named_owner(cli: CliRunner, app: typer.Typer) -> None:
    code, out, _ = run(cli, app, *NEW, "--owner", "bm.northshire", "--json")
    assert code == 0
    listed = json.loads(run(cli, app, "case", "list", "--json", *TODAY)[1])
    assert listed[0]["owner"] == "bm.northshire"
    code, _, err = run(cli, app, *[a if a != "NSH-2026-004" else "NSH-2026-009" for a in NEW],
                       "--owner", "Jane Smith")  # fmt: skip
    assert code == 2 and "owner: username 'Jane Smith'" in err


def test_a_shared_reference_asks_for_the_partnership_and_reads_missing_elsewhere(
    cli: CliRunner, app: typer.Typer
) -> None:
    """Finding 5 on the command line (an operator's tool, which sees every partnership): the
    reference two partnerships use asks which; asked in a partnership that does not hold it,
    it reads exactly as a reference nobody uses."""
    run(cli, app, *NEW)
    west = [*NEW]
    west[west.index("Northshire")] = "Westmere"
    assert run(cli, app, *west)[0] == 0
    code, out, err = run(cli, app, "case", "show", "NSH-2026-004", *TODAY)
    assert (code, out) == (2, "")
    assert err == (
        "error: NSH-2026-004 is a case of several partnerships (Northshire, Westmere); "
        "name one with --partnership\n"
    )
    code, out, _ = run(cli, app, "case", "show", "NSH-2026-004", "-p", "Westmere", "--json", *TODAY)
    assert (code, json.loads(out)["case"]["partnership"]) == (0, "Westmere")
    elsewhere = run(cli, app, "case", "show", "NSH-2026-004", "-p", "Eastshire", *TODAY)
    nowhere = run(cli, app, "case", "show", "NSH-2099-999", "-p", "Eastshire", *TODAY)
    assert elsewhere[0] == nowhere[0] == 2
    assert elsewhere[2].replace("NSH-2026-004", "REF") == nowhere[2].replace("NSH-2099-999", "REF")
    assert elsewhere[2] == (
        "error: no case NSH-2026-004 that you can see; `cspr case list` shows the cases\n"
    )
