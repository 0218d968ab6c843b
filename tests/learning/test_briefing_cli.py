"""``cspr brief``: Markdown on screen, a Word document, a PDF of two pages at most, refusals."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest
import typer
from pypdf import PdfReader
from typer.testing import CliRunner

import learning.runtime
from cspr.cli import brief as brief_cli
from cspr.cli import library as library_cli
from learning.briefing import HEADINGS, draft_briefing
from learning.briefing_writers import render_pdf
from learning.encoder import FakeEncoder
from learning.index import open_index

pytest_plugins = ("tests.learning.factories",)

REVIEWS = Path(__file__).resolve().parents[2] / "corpus" / "reviews"
REVIEW = "r03-child-c-eastbridge-2014"


@pytest.fixture
def cspr(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path):
    monkeypatch.setattr(learning.runtime, "build_encoder", FakeEncoder)
    monkeypatch.setattr(learning.runtime, "lower_priority", lambda niceness: None)
    app = typer.Typer()
    library_cli.register(app)
    brief_cli.register(app)
    runner = CliRunner()

    def invoke(*args: object):
        return runner.invoke(app, [str(arg) for arg in args])

    folder = tmp_path / "reviews"
    folder.mkdir()
    shutil.copy(REVIEWS / f"{REVIEW}.pdf", folder)
    result = invoke("ingest", folder)
    assert result.exit_code == 0, result.output
    return invoke


def test_markdown_goes_to_the_screen_with_each_part(cspr) -> None:
    result = cspr("brief", REVIEW, "--md", "--no-themes")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Child C: 7-minute briefing (draft)")
    for heading in HEADINGS.values():
        assert f"## {heading}" in result.stdout
    assert "(p. " in result.stdout


def test_word_document_opens_with_its_headings_and_points(cspr, tmp_path: Path) -> None:
    out = tmp_path / "brief.docx"
    result = cspr("brief", REVIEW, "--docx", "--out", out)
    assert result.exit_code == 0, result.output
    assert f"wrote the briefing draft of {REVIEW} to {out}" in result.stdout
    document = docx.Document(str(out))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == "Child C: 7-minute briefing (draft)"
    assert set(HEADINGS.values()) <= set(texts)
    bullets = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "List Bullet"
    ]
    assert bullets and all(text.endswith(")") for text in bullets if "(p. " in text)


def test_pdf_is_two_pages_at_most(cspr, tmp_path: Path) -> None:
    out = tmp_path / "brief.pdf"
    result = cspr("brief", REVIEW, "--pdf", "--out", out)
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(out))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Key learning points" in " ".join(text.split())


def test_a_draft_too_long_for_two_pages_loses_points_until_it_fits(cspr, data_dir: Path) -> None:
    index = open_index(data_dir / "index")
    try:
        document = index.store.document_by_review(REVIEW)
        assert document is not None
        units = index.store.units_of_review(REVIEW)
    finally:
        index.close()
    sizes = dict.fromkeys(("background", "story", "learning", "good_practice", "recs"), 40)
    long_draft = draft_briefing(document, units, (), (), FakeEncoder().encode, sizes)
    reader = PdfReader(io.BytesIO(render_pdf(long_draft)))
    assert len(reader.pages) == 2
    shown = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert sum(point.text[:30] in shown for point in long_draft.points) < len(long_draft.points)


def test_an_unknown_review_is_refused_in_words(cspr) -> None:
    result = cspr("brief", "r99-nobody", "--pdf")
    assert result.exit_code == 2
    assert "there is no review 'r99-nobody' in the library" in result.output
    assert not Path("r99-nobody-briefing.pdf").exists()


def test_two_formats_at_once_are_refused(cspr) -> None:
    result = cspr("brief", REVIEW, "--md", "--pdf")
    assert result.exit_code == 2
    assert "choose one of --md, --docx and --pdf" in result.output


def test_the_themes_give_the_questions(cspr) -> None:
    result = cspr("brief", REVIEW)
    assert result.exit_code == 0, result.output
    assert "Questions drawn from the themes" in result.stdout
    assert "\n- Theme: " in result.stdout
