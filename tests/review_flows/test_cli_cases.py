"""``cspr case`` and ``cspr db`` end to end with CliRunner, on a temp data folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cspr.cli import cases as cli_cases

NEW = [
    "case", "new", "--ref", "NSH-2026-004", "--partnership", "Northshire", "--nation", "england",
    "--incident", "2026-01-05", "--aware", "2026-01-06", "--outcome", "death",
    "--age-group", "under_1", "--cp-plan", "--by", "alice", "--today", "2026-03-31",
]  # fmt: skip
TODAY = ["--today", "2026-03-31"]


@pytest.fixture
def cli(data_dir: Path) -> CliRunner:
    return CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    cli_cases.register(app)
    return app


def run(cli: CliRunner, app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["case", "event", "NSH-2026-004", "published", "2026-01-09"],
         "error: published needs notified then decision then reviewer_appointed first (the case "
         "is at stage incident_recorded)"),
        (["case", "event", "NSH-2026-004", "notified", "2026-04-01"],
         "error: notified on 2026-04-01 is in the future (today is 2026-03-31)"),
        (["case", "event", "NSH-2026-004", "delay_recorded", "2026-01-09"],
         "error: delay_recorded needs a note giving the reason"),
        (["case", "event", "NSH-2026-004", "correction", "2026-01-07", "--corrects", "7"],
         "error: event #7 is not an event of this case"),
        (["case", "event", "NSH-2026-004", "sacked", "2026-01-07"],
         "error: unknown event kind 'sacked'; use one of: aware, notified,"),
        (["case", "event", "NSH-2026-004", "notified", "8/1/2026"],
         "error: ON: '8/1/2026' is not a date; write YYYY-MM-DD"),
        (["case", "event", "NSH-2026-004", "notified", "2026-01-08", "--note", "Mrs Smith rang"],
         "error: note: note seems to hold personal data: a person's name (S****); use the "
         "pseudonym (e.g. Child A) or the role (mother, father, the GP)"),
        (["case", "event", "NSH-2026-004", "aware", "2026-01-07"],
         "error: aware is already recorded (#1 on 2026-01-06); to change its date: cspr case "
         "event NSH-2026-004 correction YYYY-MM-DD --corrects 1"),
        (["case", "event", "NSH-2026-999", "notified", "2026-01-08"],
         "error: no case NSH-2026-999 that you can see; `cspr case list` shows the cases"),
        ([*NEW], "error: Northshire already has a case NSH-2026-004; choose another reference"),
        ([*NEW[:3], "Baby Jones", *NEW[4:]],
         "error: reference: reference 'Baby Jones' is not a pseudonymous code"),
        ([*NEW[:7], "france", *NEW[8:]],
         "error: nation: unknown nation 'france'; use one of england, wales"),
        ([*NEW[:3], "NSH-2026-005", *NEW[4:], "--rules", "nope"],
         "error: no rulebook 'nope'; known rulebooks: england-cspr-2018, england-cspr-2023,"),
        (["case", "list", "--stage", "limbo"], "error: unknown stage 'limbo'; use one of:"),
        (["case", "show", "NSH-2026-004", "--today", "soon"],
         "error: --today: 'soon' is not a date; write YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_refusals_print_one_line_and_write_nothing(
    cli: CliRunner, app: typer.Typer, args: list[str], message: str
) -> None:
    run(cli, app, *NEW)
    before = run(cli, app, "case", "show", "NSH-2026-004", "--json", *TODAY)[1]
    extra = [] if "--today" in args else TODAY
    code, out, err = run(cli, app, *args, *extra)
    assert (code, out) == (2, "")
    assert err.startswith(message), err
    assert err.count("\n") == 1
    assert run(cli, app, "case", "show", "NSH-2026-004", "--json", *TODAY)[1] == before
    assert len(json.loads(run(cli, app, "case", "list", "--json", *TODAY)[1])) == 1


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


def test_today_never_lets_a_future_event_in(cli: CliRunner, app: typer.Typer) -> None:
    import datetime as dt

    run(cli, app, *NEW)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    code, _, err = run(
        cli, app, "case", "event", "NSH-2026-004", "notified", tomorrow, "--today", "2099-01-01"
    )
    assert code == 2
    assert f"notified on {tomorrow} is in the future (today is {dt.date.today()})" in err


def test_a_late_event_says_so_when_it_is_recorded(cli: CliRunner, app: typer.Typer) -> None:
    run(cli, app, *NEW)
    code, out, _ = run(cli, app, "case", "event", "NSH-2026-004", "notified", "2026-01-20", *TODAY)
    assert code == 0
    late = [line for line in out.splitlines() if line.startswith("late: ")]
    assert late == [
        "late: Serious incident notification to the Panel: done 5 working days late "
        "(due 2026-01-13)"
    ]
    on_time = run(cli, app, "case", "event", "NSH-2026-004", "rapid_review_started", "2026-01-21",
                  *TODAY)[1]  # fmt: skip
    assert "late:" not in on_time


def test_event_help_lists_every_kind_with_one_line(cli: CliRunner, app: typer.Typer) -> None:
    from review_flows.events import KIND_DESCRIPTIONS, EventKind

    assert set(KIND_DESCRIPTIONS) == set(EventKind)
    out = cli.invoke(app, ["case", "event", "--help"], env={"COLUMNS": "120"}).stdout
    for kind, text in KIND_DESCRIPTIONS.items():
        assert any(kind.value in line and text in line for line in out.splitlines()), kind


@pytest.mark.parametrize("written", ["England", "england", "ENG", " eng "])
def test_nations_are_accepted_as_people_write_them(
    cli: CliRunner, app: typer.Typer, written: str
) -> None:
    args = [*NEW]
    args[args.index("england")] = written
    code, out, err = run(cli, app, *args)
    assert code == 0, err
    assert "(Northshire, england)" in out


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


def test_a_wrong_event_is_voided_and_shown_beside_the_original(
    cli: CliRunner, app: typer.Typer
) -> None:
    run(cli, app, *NEW)
    run(cli, app, "case", "event", "NSH-2026-004", "notified", "2026-01-08", *TODAY)
    run(cli, app, "case", "event", "NSH-2026-004", "rapid_review_started", "2026-01-09", *TODAY)
    run(cli, app, "case", "event", "NSH-2026-004", "correction", "2026-01-07", "--corrects", "2",
        *TODAY)  # fmt: skip
    why = "recorded on the wrong case"
    code, out, err = run(cli, app, "case", "event", "NSH-2026-004", "void", "2026-01-12",
                         "--voids", "3", "--reason", why, *TODAY)  # fmt: skip
    assert code == 0, err
    assert "stage now notified" in out
    shown = run(cli, app, "case", "show", "NSH-2026-004", *TODAY)[1]
    events = [line for line in shown.splitlines() if line.startswith("  #")]
    assert events[1].endswith("[corrected to 2026-01-07 by #4]")
    assert events[2].endswith("[voided by #5]")
    assert '"recorded on the wrong case"' in events[4]
    code, out, _ = run(cli, app, "case", "event", "NSH-2026-004", "void", "2026-01-12",
                       "--voids", "4", "--reason", "x", *TODAY)  # fmt: skip
    assert code == 2  # a correction is not voided: correct the event again


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


def test_amend_shows_in_the_history_and_refusals_write_nothing(
    cli: CliRunner, app: typer.Typer
) -> None:
    run(cli, app, *NEW)
    code, out, err = run(
        cli, app, "case", "amend", "NSH-2026-004", "--incident-date", "2026-01-04",
        "--nation", "Wales", "--reason", "records corrected", "--by", "alice",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "recorded #2 amended: incident_date is now 2026-01-04",
        "recorded #3 amended: nation is now wales",
        "NSH-2026-004: incident 2026-01-04, wales",
    ]
    code, out, _ = run(cli, app, "case", "show", "NSH-2026-004", *TODAY)
    assert "wales · incident 2026-01-04" in out
    assert "amended incident_date to 2026-01-04" in out and '"records corrected"' in out
    code, _, err = run(
        cli, app, "case", "amend", "NSH-2026-004", "--incident-date", "2026-01-07",
        "--reason", "typo",
    )  # fmt: skip
    assert code == 2
    assert err == "error: aware on 2026-01-06 is before the incident (2026-01-07)\n"
    code, _, err = run(cli, app, "case", "event", "NSH-2026-004", "amended", "2026-01-07")
    assert code == 2 and "cspr case amend" in err


def test_the_operators_report_file_is_copied_into_the_publications_folder(
    cli: CliRunner, app: typer.Typer, data_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`--report FILE` stays for the server's operator (issue 22, finding 1): the file is
    copied like an upload, and the job reads only that copy."""
    from sqlmodel import select

    from core.db import open_session
    from review_flows.models import Job, JobKind
    from tests.review_flows.test_sweep import PUBLISHED_PATH, REPORT

    monkeypatch.setattr("review_flows.dispatch.dispatch_in_background", lambda *a, **k: None)
    report = tmp_path / "nsh-2026-004 final.md"
    report.write_text(REPORT)
    assert run(cli, app, *NEW)[0] == 0
    for kind, on in PUBLISHED_PATH:
        assert run(cli, app, "case", "event", "NSH-2026-004", kind, on.isoformat(), *TODAY)[0] == 0
    code, _, err = run(cli, app, "case", "event", "NSH-2026-004", "published", "2026-03-30",
                       "--report", str(tmp_path / "missing.md"), *TODAY)  # fmt: skip
    assert code != 0 and "no such file" in err
    code, out, _ = run(cli, app, "case", "event", "NSH-2026-004", "published", "2026-03-30",
                       "--report", str(report), *TODAY)  # fmt: skip
    assert code == 0 and "being ingested into the learning index" in out
    with open_session(f"sqlite:///{data_dir / 'cspr.db'}") as session:
        (job,) = session.exec(select(Job).where(Job.kind == JobKind.PUBLISH)).all()
    stored = Path(job.report_path or "")
    assert stored.parent == (data_dir / "publications") and stored.read_text() == REPORT
    assert report.exists() and stored.name.startswith("nsh-2026-004-published-")


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
