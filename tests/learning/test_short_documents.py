"""Short, single-heading documents (7-minute briefings, learning briefs, summaries) in every
format: their body is kept, a plain "Recommendations:" line opens recommendation units, and
the real model tags them with what they are about."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from learning.extract import extract_document
from learning.ingest import ingest_paths
from learning.models import UnitKind
from learning.structure import split_units
from tests.learning.conftest import build_pdf

pytest_plugins = ("tests.learning.factories",)

TITLE = "Child Safeguarding Practice Review: Child M"
PARAGRAPHS = (
    "Child M was two years old when she was admitted to hospital with a head injury. Her mother "
    "had told her health visitor that her partner shouted at her, checked her phone and kept "
    "her from seeing her family, and police had been called to the home twice after "
    "arguments.",
    "Professionals treated each police call as a separate incident. Nobody connected the "
    "partner's controlling behaviour towards the mother with the risk to Child M, and the "
    "partner was never spoken to or included in any assessment.",
)
LABEL = "Recommendations:"
ITEMS = (
    "1. Agencies should ask about coercive control at every contact where domestic abuse is known.",
    "2. Police and health should share every domestic abuse incident involving a household "
    "with a young child.",
    "3. Assessments must include the mother's partner and his history.",
)


def _write_md(path: Path) -> None:
    body = "\n\n".join((*PARAGRAPHS, LABEL, "\n".join(ITEMS)))
    path.write_text(f"---\noutcome: Serious harm\n---\n# {TITLE}\n\n{body}\n")


def _write_txt(path: Path) -> None:
    path.write_text("\n\n".join((TITLE, *PARAGRAPHS, LABEL, *ITEMS)) + "\n")


def _write_html(path: Path) -> None:
    paragraphs = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    items = "".join(f"<li>{text[3:]}</li>" for text in ITEMS)
    path.write_text(
        f"<html><body><h1>{TITLE}</h1>{paragraphs}<p><strong>{LABEL}</strong></p>"
        f"<ol>{items}</ol></body></html>"
    )


def _write_docx(path: Path) -> None:
    document = docx.Document()
    document.add_heading(TITLE, level=1)
    for text in (*PARAGRAPHS, LABEL, *ITEMS):
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())


def _write_pdf(path: Path) -> None:
    items = [("title", TITLE), *(("p", text) for text in PARAGRAPHS), ("line", LABEL)]
    build_pdf(path, [[*items, *(("p", text) for text in ITEMS)]], header=None, footer=None)


WRITERS: dict[str, Callable[[Path], None]] = {
    "md": _write_md,
    "txt": _write_txt,
    "html": _write_html,
    "docx": _write_docx,
    "pdf": _write_pdf,
}


@pytest.fixture(params=sorted(WRITERS))
def briefing(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / f"child-m.{request.param}"
    WRITERS[request.param](path)
    return path


def test_a_single_heading_briefing_keeps_its_body_and_its_recommendations(
    briefing: Path,
) -> None:
    units = split_units(extract_document(briefing))
    passages = " ".join(u.text for u in units if u.kind is UnitKind.PASSAGE)
    recommendations = [u for u in units if u.kind is UnitKind.RECOMMENDATION]
    assert "controlling behaviour" in passages and "head injury" in passages
    assert [u.number for u in recommendations] == ["1", "2", "3"]
    assert all(u.section == "Recommendations" for u in recommendations)
    assert "share every domestic abuse incident" in recommendations[1].text
    assert not any("Recommendations" in u.text for u in units if u.kind is UnitKind.PASSAGE)


@pytest.mark.parametrize(
    ("label", "opens"),
    [
        ("Recommendations:", "recommendation"),
        ("**Recommendations**", "recommendation"),
        ("RECOMMENDATIONS", "recommendation"),
        ("3. Recommendations", "recommendation"),
        ("Key learning", "finding"),
        ("Learning points:", "finding"),
        ("Findings", "finding"),
        ("What happened", "passage"),
        ("Summary", "passage"),
        ("Recommendations were made to every agency.", None),  # a sentence, not a label
    ],
)
def test_plain_labels_open_sections_without_markdown(
    tmp_path: Path, label: str, opens: str | None
) -> None:
    path = tmp_path / "brief.txt"
    path.write_text(
        f"{TITLE}\n\n{PARAGRAPHS[0]}\n\n{label}\n\n"
        "The health visitor should ask who lives in the home.\n\n"
        "Police should share every call to the home.\n"
    )
    units = split_units(extract_document(path))
    after = [u for u in units if "health visitor should ask" in u.text]
    if opens is None:
        assert {u.kind for u in units} == {UnitKind.PASSAGE}
        return
    assert after and after[0].kind == opens
    assert after[0].section == label.strip("*:3. ").capitalize() or after[0].section in label


def test_a_title_only_document_with_no_label_is_one_section_of_prose(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text(f"# {TITLE}\n\n" + "\n\n".join(PARAGRAPHS))
    units = split_units(extract_document(path))
    assert {(u.kind, u.section) for u in units} == {(UnitKind.PASSAGE, TITLE)}


@pytest.mark.slow
def test_the_real_model_tags_short_briefings_in_every_format(tmp_path: Path, real_encoder) -> None:
    from learning.index import open_index
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import load_taxonomy

    folder = tmp_path / "briefings"
    folder.mkdir()
    for fmt, write in WRITERS.items():
        write(folder / f"child-m-{fmt}.{fmt}")
    report = ingest_paths([folder], tmp_path / "index", real_encoder)
    assert (report.added, report.failed) == (5, ())
    index = open_index(tmp_path / "index")
    try:
        workspace = ThemeWorkspace(index, load_taxonomy(), lambda: real_encoder, decisions={})
        tags = workspace.tag_sets()
    finally:
        index.close()
    assert set(tags) == {f"child-m-{fmt}" for fmt in WRITERS}
    for review_id, themes in tags.items():
        assert "domestic_abuse" in themes, review_id
        assert "sudi_unsafe_sleep" not in themes and "online_harm" not in themes
