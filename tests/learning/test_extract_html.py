"""HTML extraction: the main content only, headings, list numbers, tables, one page."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.errors import EmptyDocument
from learning.extract import extract_document
from learning.extract.html import read_html
from learning.models import UnitKind
from learning.structure import split_units


@pytest.fixture
def child_g(review_html: Path):
    return extract_document(review_html)


def test_navigation_header_footer_and_scripts_are_dropped(child_g) -> None:
    text = child_g.pages[0].text
    for gone in ("Case reviews", "About us", "Cookie settings", "tracking", "font-family"):
        assert gone not in text
    assert "Riverton Safeguarding Children Partnership" not in text  # the site banner


def test_one_page_of_blocks_in_reading_order(child_g) -> None:
    assert child_g.paging == "none" and len(child_g.pages) == 1
    assert child_g.pages[0].text.split("\n\n") == [
        "# Serious Case Review: Child G",
        "Published June 2016 by Riverton LSCB.",
        "## 1. Introduction",
        "Child G was fourteen when she died. Nobody saw her on her own.",
        "A loose sentence inside a div.",
        "And a paragraph after it.",
        "## Findings",
        "Finding 1. Self-harm was treated as the problem, not as a sign of one.",
        "Finding 2. Partial disclosures were heard but not acted upon.",
        "## Recommendations",
        "3. CAMHS should see every child referred after self-harm within four weeks.",
        "4. Schools should share concerns with the GP.",
        "a. in writing",
        "b. within a week",
        "No. | Action",
        "5. Audit strategy meetings.",
        "### Glossary",
        "CAMHS: child and adolescent mental health services.",
    ]


def test_units_from_html(child_g) -> None:
    units = split_units(child_g)
    assert [(u.kind, u.number) for u in units if u.kind is not UnitKind.PASSAGE] == [
        (UnitKind.FINDING, "1"),
        (UnitKind.FINDING, "2"),
        (UnitKind.RECOMMENDATION, "3"),
        (UnitKind.RECOMMENDATION, "4"),
        (UnitKind.RECOMMENDATION, "5"),
    ]
    rec4 = next(u for u in units if u.number == "4")
    assert (
        rec4.text
        == "4. Schools should share concerns with the GP.\na. in writing\nb. within a week"
    )
    glossary = units[-1]
    assert (glossary.kind, glossary.section) == (UnitKind.PASSAGE, "Glossary")


def test_metadata_from_the_page(child_g) -> None:
    meta = child_g.metadata
    assert (meta.title, meta.year, meta.review_type) == (
        "Serious Case Review: Child G",
        2016,
        "scr",
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<article><h2>Key findings</h2><p>One.</p></article><aside>Related</aside>",
         "## Key findings\n\nOne."),
        ('<body><div role="main"><h3>Learning</h3></div><footer>x</footer></body>', "### Learning"),
        ("<body><header>Site</header><p>Only body text.</p><footer>Foot</footer></body>",
         "Only body text."),
        ("<ol><li value='7'>Seven</li><li>Eight</li></ol>", "7. Seven\n\n8. Eight"),
        ("<ol type='i'><li>one</li><li>two</li></ol>", "i. one\n\nii. two"),
        ("<ul><li>alpha</li><li>beta<ul><li>gamma</li></ul></li></ul>",
         "- alpha\n\n- beta\n\n- gamma"),
        ("<p><strong>Recommendation 2</strong></p><p>Text.</p>", "## Recommendation 2\n\nText."),
        ("<table><tr><td>R1</td><td>Do this.</td></tr></table>", "1. Do this."),
        ("<p>A<br>B</p><!-- a comment -->", "A B"),
    ],
)  # fmt: skip
def test_html_fragments(html: str, expected: str) -> None:
    assert read_html(html) == expected


def test_page_with_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><body><nav>Menu</nav><script>x()</script></body></html>")
    with pytest.raises(EmptyDocument, match="no text found"):
        extract_document(path)


def test_htm_with_plain_text_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "notes.htm"
    path.write_text("Just some text saved with an .htm name.")
    assert extract_document(path).pages[0].text == "Just some text saved with an .htm name."
