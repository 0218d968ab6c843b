"""A partnership's own edition of the rules: kept, applied to its new cases where it can govern
the incident, and never to cases it cannot govern or of another nation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from review_flows.errors import RulebookNotFound
from review_flows.partnerships import (
    clear_partnership_rulebook,
    partnership_rulebooks,
    set_partnership_rulebook,
)

D = dt.date


def test_new_cases_take_the_partnerships_edition_where_it_can_govern_them(
    session: Session, case_factory
) -> None:  # type: ignore[no-untyped-def]
    set_partnership_rulebook(session, "Northshire", "england-cspr-2018", by="admin")
    kept = case_factory("NSH-2024-001", incident_date=D(2024, 3, 4), aware_on=D(2024, 3, 5))
    assert kept.case.ruleset_id == "england-cspr-2018"  # within a year of its end
    later = case_factory("NSH-2026-001")  # 2026: 2018 can no longer govern it
    assert later.case.ruleset_id is None
    other = case_factory(
        "WST-2024-001", partnership="Westmere", incident_date=D(2024, 3, 4), aware_on=D(2024, 3, 5)
    )
    assert other.case.ruleset_id is None
    welsh = case_factory(
        "NSH-2024-002", nation="wales", incident_date=D(2024, 3, 4), aware_on=D(2024, 3, 5)
    )
    assert welsh.case.ruleset_id is None  # an English edition never governs a Welsh case
    pinned = case_factory(
        "NSH-2024-003", incident_date=D(2024, 3, 4), aware_on=D(2024, 3, 5),
        ruleset_id="england-cspr-2023",
    )  # fmt: skip
    assert pinned.case.ruleset_id == "england-cspr-2023"  # an explicit --rules wins


def test_setting_clearing_and_refusing(session: Session) -> None:
    with pytest.raises(RulebookNotFound):
        set_partnership_rulebook(session, "Northshire", "england-cspr-1999", by="admin")
    with pytest.raises(ValueError, match="personal data"):
        set_partnership_rulebook(session, "Jane Smith 943 476 5919", "england-cspr-2018", by="a")
    set_partnership_rulebook(session, "Northshire", "england-cspr-2018", by="admin")
    set_partnership_rulebook(session, "Northshire", "england-cspr-2023", by="root")
    (row,) = partnership_rulebooks(session)
    assert (row.partnership, row.ruleset_id, row.set_by) == (
        "Northshire", "england-cspr-2023", "root"
    )  # fmt: skip
    assert clear_partnership_rulebook(session, "Northshire") is True
    assert clear_partnership_rulebook(session, "Northshire") is False
    assert partnership_rulebooks(session) == []


def test_cli_shows_sets_and_clears_a_partnerships_rulebook(data_dir) -> None:  # type: ignore[no-untyped-def]
    import typer
    from typer.testing import CliRunner

    from cspr.cli import rules

    app = typer.Typer()
    rules.register(app)
    cli = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = cli.invoke(app, ["rules", "partnership", *args])
        return result.exit_code, result.stdout

    assert run("Northshire") == (0, "Northshire: the edition in force\n")
    assert run("Northshire", "england-cspr-2018", "--by", "admin") == (
        0, "Northshire: new cases take england-cspr-2018 where it applies\n",
    )  # fmt: skip
    assert run("Northshire") == (0, "Northshire: england-cspr-2018\n")
    refused = cli.invoke(app, ["rules", "partnership", "Northshire", "england-cspr-1999"])
    assert refused.exit_code == 2 and refused.stderr.startswith("error: ")
    assert run("Northshire", "--clear") == (0, "Northshire: back to the edition in force\n")
