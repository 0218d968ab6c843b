"""``cspr themes ...`` end to end on ingested files (a PDF and Markdown reviews) with the fake
encoder: JSON shapes, decisions through the app database, the cache, exports, one-line errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import learning.runtime
from cspr.cli import library as library_cli
from cspr.cli import themes as themes_cli
from learning.encoder import FakeEncoder
from tests.learning.factories import write_corpus

pytest_plugins = ("tests.learning.factories",)


def write_pdf(path: Path) -> Path:
    """A four-page review: title page, introduction, findings and recommendations on page 3,
    glossary on page 4."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    body, heading = styles["Normal"], styles["Heading1"]
    story = [
        Paragraph("Child Safeguarding Practice Review: Child K", styles["Title"]),
        Paragraph("Westmere Safeguarding Children Partnership. Published May 2021.", body),
        PageBreak(),
        Paragraph("1. Introduction", heading),
        Paragraph("Child K was six when she was seriously harmed at home in 2020.", body),
        PageBreak(),
        Paragraph("2. Findings", heading),
        Paragraph(
            "1. Domestic abuse and coercive control by the stepfather were known to the police "
            "but were not shared with the school, and no agency assessed the domestic abuse "
            "risk to Child K.",
            body,
        ),
        Paragraph(
            "2. Practitioners did not see Child K alone or hear her wishes and feelings.", body
        ),
        Paragraph("3. Recommendations", heading),
        Paragraph(
            "1. Police should share every domestic abuse notification with the school, and "
            "agencies should assess the risk of domestic abuse and coercive control to children.",
            body,
        ),
        PageBreak(),
        Paragraph("4. Glossary", heading),
        Paragraph(
            "Neglect: persistent failure to meet a child's basic needs; chronic neglect.", body
        ),
    ]
    SimpleDocTemplate(str(path), pagesize=A4, title="Child K").build(story)
    return path


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[FakeEncoder]:
    built: list[FakeEncoder] = []

    def build() -> FakeEncoder:
        built.append(FakeEncoder())
        return built[-1]

    monkeypatch.setattr(learning.runtime, "build_encoder", build)
    monkeypatch.setattr(learning.runtime, "lower_priority", lambda niceness: None)
    return built


@pytest.fixture
def cspr(loads: list[FakeEncoder], data_dir: Path):
    app = typer.Typer()
    library_cli.register(app)
    themes_cli.register(app)
    runner = CliRunner()

    def invoke(*args: object):
        return runner.invoke(app, [str(arg) for arg in args])

    return invoke


@pytest.fixture
def reviews(cspr, tmp_path: Path) -> Path:
    folder = tmp_path / "reviews"
    write_corpus(folder)
    write_pdf(folder / "r-child-k.pdf")
    result = cspr("ingest", folder)
    assert result.exit_code == 0, result.output
    return folder


def as_json(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_and_show(cspr, data_dir: Path) -> None:
    themes = as_json(cspr("themes", "list", "--json"))
    assert len(themes) == 27
    assert set(themes[0]) == {"id", "label", "group", "definition", "phrases"}
    shown = as_json(cspr("themes", "show", "neglect", "--json"))
    assert shown["label"] == "Neglect" and shown["tags"] == []  # no index yet
    assert not (data_dir / "cspr.db").exists()  # nothing created for a read
    text = cspr("themes", "list")
    assert "domestic_abuse" in text.stdout and "27 themes" in text.stdout


def test_tag_json_has_evidence_with_page(cspr, reviews: Path) -> None:
    tags = as_json(cspr("themes", "tag", "--review", "r-child-k", "--json"))
    assert tags and all(tag["review_id"] == "r-child-k" for tag in tags)
    for tag in tags:
        assert {"review_id", "theme_id", "label", "confidence", "source", "evidence"} <= set(tag)
        assert tag["source"] == "model"
        assert 0 <= tag["confidence"] <= 1
        for item in tag["evidence"]:
            assert {"page", "section", "text", "page_label", "citation"} <= set(item)
            assert "Glossary" not in item["section"]
    da = next(tag for tag in tags if tag["theme_id"] == "domestic_abuse")
    assert {item["page"] for item in da["evidence"]} == {3}
    finding = next(item for item in da["evidence"] if item["section"] == "2. Findings")
    assert "coercive control" in finding["text"]
    assert finding["citation"] == "[Child K, CSPR 2021, p. 3]"
    assert not any(tag["theme_id"] == "neglect" for tag in tags)  # only in its glossary
    every = as_json(cspr("themes", "tag", "--json"))
    assert {tag["review_id"] for tag in every} >= {"r-child-k", "r-domestic-abuse"}


def test_tags_are_cached(cspr, reviews: Path, loads: list[FakeEncoder], data_dir: Path) -> None:
    first = as_json(cspr("themes", "tag", "--json"))
    built = len(loads)
    assert as_json(cspr("themes", "tag", "--json")) == first
    assert as_json(cspr("themes", "trends", "--json"))["total_reviews"] == 6
    assert len(loads) == built  # nothing re-encoded
    assert (data_dir / "index" / "themes-cache" / "scores.json").exists()


def test_decisions_win_and_survive_reingest(cspr, reviews: Path, data_dir: Path) -> None:
    result = cspr("themes", "reject", "r-child-k", "domestic_abuse", "--by", "ana", "--note", "x")
    assert result.exit_code == 0, result.output
    assert "rejected domestic_abuse on r-child-k by ana" in result.stdout
    assert cspr("themes", "confirm", "r-neglect", "online_harm", "--by", "ana").exit_code == 0
    assert (data_dir / "cspr.db").exists()
    rebuilt = cspr("ingest", reviews, "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    tags = as_json(cspr("themes", "tag", "--json"))
    assert not any(
        t["review_id"] == "r-child-k" and t["theme_id"] == "domestic_abuse" for t in tags
    )
    confirmed = [t for t in tags if (t["review_id"], t["theme_id"]) == ("r-neglect", "online_harm")]
    assert confirmed[0]["source"] == "analyst" and confirmed[0]["decided_by"] == "ana"


def test_trends_add_up_and_cooccurrence(cspr, reviews: Path) -> None:
    for by in ("year", "nation", "partnership", "age_group", "outcome", "review_type"):
        report = as_json(cspr("themes", "trends", "--by", by, "--json"))
        assert sum(group["reviews"] for group in report["groups"]) == 6
        sizes = {group["group"]: group["reviews"] for group in report["groups"]}
        assert all(row["reviews"] == sizes[row["group"]] for row in report["rows"])
        assert all(row["count"] <= row["reviews"] for row in report["rows"])
    report = as_json(cspr("themes", "cooccurrence", "--min-count", "1", "--json"))
    assert report["total_reviews"] == 6
    for item in report["items"]:
        assert len(item["themes"]) in (2, 3)
        assert item["lift"] == pytest.approx(item["observed"] / item["expected"], rel=1e-3)
    assert "by year" in cspr("themes", "trends").stdout


def test_discover_promote_recurring(cspr, reviews: Path, data_dir: Path) -> None:
    found = as_json(cspr("themes", "discover", "--coverage", "1", "--similarity", "0.2", "--json"))
    assert found["version"]["index_generation"] >= 1
    again = as_json(cspr("themes", "discover", "--coverage", "1", "--similarity", "0.2", "--json"))
    assert found == again
    assert found["clusters"], found
    cluster = found["clusters"][0]["cluster_id"]
    promoted = cspr(
        "themes",
        "promote",
        cluster,
        "--coverage",
        "1",
        "--similarity",
        "0.2",
        "--label",
        "Emerging",
    )
    assert promoted.exit_code == 0, promoted.output
    assert (data_dir / "taxonomy.yaml").exists()
    assert len(as_json(cspr("themes", "list", "--json"))) == 28
    recurring = as_json(cspr("themes", "recurring", "--threshold", "0.3", "--json"))
    for group in recurring:
        assert group["reviews"] >= 2 and group["count"] == len(group["members"])
        assert all(member["citation"].startswith("[") for member in group["members"])


@pytest.mark.parametrize("fmt", ["csv", "md", "pdf"])
def test_pack_exports(cspr, reviews: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"pack.{fmt}"
    result = cspr(
        "themes", "pack", "domestic_abuse", "--format", fmt, "--out", out, "--filter", "year>=2019"
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and out.stat().st_size > 0
    if fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert rows and all(row["page"] for row in rows)
        assert all(int(row["year"]) >= 2019 for row in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("themes", "show", "ghosts"), "no theme 'ghosts'"),
        (("themes", "tag", "--review", "nope"), "no review 'nope'"),
        (("themes", "confirm", "nope", "neglect"), "no review 'nope'"),
        (("themes", "reject", "r-neglect", "ghosts"), "no theme 'ghosts'"),
        (("themes", "trends", "--by", "colour"), "--by 'colour' is not one of"),
        (("themes", "pack", "neglect", "--format", "docx", "--out", "x"), "--format 'docx'"),
        (("themes", "pack", "neglect", "--out", "x", "--filter", "colour=red"), "unknown filter"),
        (("themes", "promote", "c-0000000000"), "no cluster 'c-0000000000'"),
    ],
)
def test_errors_are_one_line(cspr, reviews: Path, args: tuple[str, ...], message: str) -> None:
    result = cspr(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_index_and_bad_taxonomy(cspr, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = cspr("themes", "tag")
    assert result.exit_code == 2 and "run `cspr ingest PATH` first" in result.stderr
    bad = data_dir / "bad.yaml"
    bad.write_text("themes:\n  - id: Bad Id\n")
    monkeypatch.setenv("CSPR_TAXONOMY_FILE", str(bad))
    from core.settings import get_settings

    get_settings.cache_clear()
    result = cspr("themes", "list")
    assert result.exit_code == 2
    assert f"{bad}: themes[0]" in result.stderr
