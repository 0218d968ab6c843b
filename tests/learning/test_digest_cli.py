"""``cspr digest`` on a real small library (the tiny corpus, fake encoder): Markdown by default,
HTML, and an Atom feed that parses back; refusals on stderr with exit code 2."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import learning.runtime
from cspr.cli import digest as digest_cli
from learning.encoder import FakeEncoder
from learning.ingest import ingest_paths
from tests.learning.factories import write_corpus

ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def cspr(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The command over a library with two reviews added in November 2026, one in October."""
    monkeypatch.setattr(learning.runtime, "build_encoder", FakeEncoder)
    paths = write_corpus(tmp_path / "reviews")
    for ids, day in ((("r-infant-bruising", "r-neglect"), 10), (("r-safe-sleep",), -20)):
        when = dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(days=day)
        assert not ingest_paths([paths[i] for i in ids], data_dir / "index", FakeEncoder(),
                                now=when).failed  # fmt: skip
    app = typer.Typer()
    digest_cli.register(app)
    app.command("other")(lambda: None)  # two commands: `digest` stays a sub-command
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["digest", *args])


def test_markdown_by_default_with_the_national_edition_then_each_partnership(cspr) -> None:
    result = cspr("--month", "2026-11")

    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# New learning, November 2026: national\n\n2 reviews added")
    assert "# New learning, November 2026: Northshire Safeguarding Partnership" in text
    assert "## [Child A: a serious case of injury in infancy](" in text
    assert "Baby B" not in text  # added in October
    assert "Key learning:" in text and "(page " in text


def test_one_partnership_and_html(cspr) -> None:
    result = cspr("--month", "2026-11", "--partnership", "Northshire Safeguarding Partnership",
                  "--html")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "<h1>New learning, November 2026: Northshire Safeguarding Partnership</h1>" in (
        result.stdout
    )
    assert "national</h1>" not in result.stdout and "Child D" not in result.stdout


def test_an_atom_feed_of_the_months_to_the_one_asked(cspr) -> None:
    result = cspr("--month", "2026-11", "--atom", "--months", "3")

    assert result.exit_code == 0, result.output
    feed = ET.fromstring(result.stdout.encode())
    titles = [e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert titles == [
        "New learning, November 2026: national",
        "New learning, October 2026: national",
        "New learning, September 2026: national",
    ]
    summaries = [e.findtext("a:summary", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert summaries[:2] == [
        "2 reviews added to the library in November 2026.",
        "1 review added to the library in October 2026.",
    ]


def test_a_month_with_nothing_added(cspr) -> None:
    result = cspr("--month", "2025-06")

    assert result.exit_code == 0, result.output
    assert "0 reviews added to the library.\n\nNo reviews were added this month." in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "November"), "YYYY-MM"),
        (("--month", "2026-11", "--html", "--atom"), "choose one of"),
    ],
)
def test_refusals(cspr, args: tuple[str, ...], message: str) -> None:
    result = cspr(*args)

    assert result.exit_code == 2
    assert message in result.stderr


def test_no_library_is_refused(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learning.runtime, "build_encoder", FakeEncoder)
    app = typer.Typer()
    digest_cli.register(app)
    app.command("other")(lambda: None)

    result = CliRunner().invoke(app, ["digest", "--month", "2026-11"])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
