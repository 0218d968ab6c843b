"""The ``monthly-digest`` deployment: its schedule from ``CSPR_DIGEST_CRON``, its entry point,
and its task run twice against a real SMTP server (the library side stood in for through
the seam), sending each address the month's digest once."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlmodel import Session

import core.learning_seam
from core.digest_model import Digest, DigestEdition, Month
from core.settings import Settings, get_settings
from cspr.deployments import ENTRYPOINTS, digest_schedule
from review_flows.contacts import list_contacts, set_digest_opt_in
from review_flows.flows.digest import monthly_digest, send_monthly_digest
from tests.review_flows.conftest import Mailbox


class _Library:
    """Stands in for learning's side of the seam: the month asked for, with no reviews."""

    def __init__(self) -> None:
        self.months: list[Month] = []

    def build_encoder(self) -> object:
        raise AssertionError("the digest's themes are read without an encoder here")

    def monthly_digest(
        self, month: Month, encoder_factory: Callable[[], Any], settings: Settings
    ) -> Digest:
        self.months.append(month)
        return Digest(month, DigestEdition(None, ()), ())


@pytest.fixture
def library(
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    smtp_server: tuple[str, int, Mailbox],
    session: Session,
    contacts: list[object],
) -> _Library:
    host, port, _ = smtp_server
    settings = {
        "CSPR_DATABASE_URL": db_url, "CSPR_SMTP_HOST": host, "CSPR_SMTP_PORT": str(port),
        "CSPR_SMTP_STARTTLS": "false",
    }  # fmt: skip
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    side = _Library()
    monkeypatch.setattr(core.learning_seam, "learning_side", lambda: side)
    first = list_contacts(session)[0]  # by partnership, role, address: the analyst
    set_digest_opt_in(session, first.id, True)
    yield side
    get_settings.cache_clear()


def test_the_task_sends_a_month_once_however_often_it_runs(
    library: _Library, smtp_server: tuple[str, int, Mailbox]
) -> None:
    first = send_monthly_digest.fn("2026-11")
    again = send_monthly_digest.fn("2026-11")

    assert first == {"sent": ["analyst@northshire.example.org"], "already_sent": 0, "failed": []}
    assert again == {"sent": [], "already_sent": 1, "failed": []}
    [message] = smtp_server[2].messages
    assert message["Subject"].startswith("New learning, November 2026: 0 reviews for Northshire")
    assert library.months == [Month(2026, 11), Month(2026, 11)]


def test_the_schedule_is_the_setting_in_the_sweeps_time_zone() -> None:
    schedule = digest_schedule(Settings(digest_cron="30 6 2 * *", sweep_timezone="Europe/London"))

    assert (schedule.cron, schedule.timezone) == ("30 6 2 * *", "Europe/London")
    assert Settings().digest_cron == "0 7 1 * *"  # 07:00 on the 1st


def test_the_entry_point_names_the_flow() -> None:
    path, name = ENTRYPOINTS["monthly-digest"].split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))

    assert getattr(module, name) is monthly_digest
    assert monthly_digest.name == "monthly-digest"


def test_the_deployment_is_served_on_its_schedule() -> None:
    from cspr.deployments import deployments

    chosen = Settings(digest_cron="0 6 1 * *", sweep_timezone="Europe/London")
    [deployment] = [d for d in deployments(chosen) if d.name == "monthly-digest"]

    [schedule] = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 6 1 * *", "Europe/London")


def test_cspr_contacts_digest_opts_a_contact_in_and_out(data_dir: Path) -> None:
    from typer.testing import CliRunner

    from cspr.cli import orchestration

    app = typer.Typer()
    orchestration.register(app)
    runner = CliRunner()
    added = runner.invoke(app, ["contacts", "add", "--partnership", "Northshire", "--role",
                                "chair", "--email", "chair@northshire.example.org"])  # fmt: skip
    assert added.exit_code == 0, added.output
    contact_id = added.stdout.split()[1].lstrip("#")

    on = runner.invoke(app, ["contacts", "digest", contact_id])
    listed = runner.invoke(app, ["contacts", "list"])
    off = runner.invoke(app, ["contacts", "digest", contact_id, "--off"])
    gone = runner.invoke(app, ["contacts", "digest", "999"])

    assert (
        on.stdout == f"#{contact_id} chair@northshire.example.org of Northshire gets the digest\n"
    )
    assert listed.stdout.rstrip().endswith("inbox,email · monthly digest")
    assert off.stdout.endswith("does not get the digest\n")
    assert (gone.exit_code, gone.stderr) == (
        2,
        "error: no contact #999 (it may have been removed)\n",
    )
