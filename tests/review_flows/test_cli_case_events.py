"""``cspr case event`` and ``amend`` end to end with CliRunner: one-line refusals that
write nothing, dates in the future, late events, voids, amendments and the
operator's report file."""

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
