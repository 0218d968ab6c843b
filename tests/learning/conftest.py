"""Fixture builders for the extraction and structuring tests: review files made the way real
published reviews look (running headers, "Page 3 of 40" footers, a contents page with dot
leaders, roman-numbered front matter, numbered paragraphs, "Finding 3:" headings, recommendation
tables), plus broken ones (encrypted, truncated, scanned, empty, misnamed)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

# (kind, text): title / h1 / h2 (bold, larger), p (wrapped paragraph), line (drawn as it is)
Item = tuple[str, str]

_FONTS = {
    "title": ("Helvetica-Bold", 22),
    "h1": ("Helvetica-Bold", 15),
    "h2": ("Helvetica-Bold", 12.5),
    "p": ("Helvetica", 10.5),
    "line": ("Helvetica", 10.5),
}
_WIDTH, _HEIGHT = A4
_LEFT, _TEXT_WIDTH = 72, _WIDTH - 144

HEADER = "Child Safeguarding Practice Review - Child T - OFFICIAL"
LOREM = (
    "The health visitor saw the family at home and recorded that the home conditions were "
    "adequate. The mother said that she was managing well and that the father helped with the "
    "care of the baby. Nobody asked who else lived in the household or who looked after the "
    "baby when the mother was at work."
)


def build_pdf(
    path: Path,
    pages: Sequence[Sequence[Item]],
    *,
    header: str | None = HEADER,
    footer: str | None = "Page {n} of {total}",
    bare_pages: int = 0,
    labels: bool = False,
) -> Path:
    """A review PDF. The first ``bare_pages`` pages (title, contents) have no running header
    or footer; with ``labels`` they are numbered i, ii ... and the rest 1, 2 ..."""
    out = canvas.Canvas(str(path), pagesize=A4)
    total = len(pages)
    for number, items in enumerate(pages, start=1):
        if number > bare_pages:
            out.setFont("Helvetica", 8.5)
            if header:
                out.drawString(_LEFT, _HEIGHT - 40, header)
            if footer:
                out.drawString(_WIDTH / 2 - 30, 30, footer.format(n=number, total=total))
        _draw_items(out, items)
        out.showPage()
    out.save()
    if labels:
        _add_labels(path, bare_pages, total)
    return path


def _draw_items(out: canvas.Canvas, items: Sequence[Item]) -> None:
    y = _HEIGHT - 80
    for kind, text in items:
        font, size = _FONTS[kind]
        out.setFont(font, size)
        lines = [text] if kind == "line" else simpleSplit(text, font, size, _TEXT_WIDTH)
        if kind in ("title", "h1", "h2"):
            y -= size * 0.8
        for line in lines:
            out.drawString(_LEFT, y, line)
            y -= size * 1.3
        y -= 7 if kind != "line" else 0


def _add_labels(path: Path, front: int, total: int) -> None:
    writer = PdfWriter(clone_from=PdfReader(path))
    if front:
        writer.set_page_label(0, front - 1, style="/r")
    writer.set_page_label(front, total - 1, style="/D", start=1)
    with path.open("wb") as handle:
        writer.write(handle)


def review_pages() -> list[list[Item]]:
    """Seven pages: title, contents, then a body whose finding 3 starts on page 5."""
    return [
        [
            ("title", "Child Safeguarding Practice Review"),
            ("title", "Child T"),
            ("line", "Northshire Safeguarding Children Partnership"),
            ("line", "Published: March 2023"),
        ],
        [
            ("h1", "Contents"),
            ("line", "1. Introduction . . . . . . . . . . . . . . . . . . . . 1"),
            ("line", "2. What happened . . . . . . . . . . . . . . . . . . . 1"),
            ("line", "3. Findings . . . . . . . . . . . . . . . . . . . . . . 2"),
            ("line", "4. Recommendations . . . . . . . . . . . . . . . . . . 4"),
            ("line", "5. Glossary . . . . . . . . . . . . . . . . . . . . . . 5"),
        ],
        [
            ("h1", "1. Introduction"),
            (
                "p",
                "1.1 This review was commissioned by the partnership after Child T, aged "
                "two, was admitted to hospital with serious injuries. " + LOREM,
            ),
            (
                "p",
                "1.2 We call this report the Child Safeguarding Practice Review - Child T - "
                "OFFICIAL version because it was agreed for publication by the partnership.",
            ),
            ("h1", "2. What happened"),
            ("line", "2.1 The social worker did not complete the assess-"),
            ("line", "ment of the family before the case was closed in May 2021."),
            ("p", "2.2 " + LOREM),
        ],
        [
            ("h1", "3. Findings"),
            ("h2", "Finding 1: The men in the household were not seen"),
            (
                "p",
                "Professionals focused on the mother. The father and her new partner were "
                "never seen or assessed. " + LOREM,
            ),
            ("h2", "Finding 2: Bruising was not recognised as a sign of abuse"),
            (
                "p",
                "A bruise on the cheek of a non-mobile baby was recorded but the bruising "
                "protocol was not followed.",
            ),
        ],
        [
            ("h2", "Finding 3: Information was not shared between health and police"),
            (
                "p",
                "The police held information about domestic abuse that was never shared with "
                "the health visitor or the GP.",
            ),
            ("p", LOREM),
        ],
        [
            ("h1", "4. Recommendations"),
            (
                "p",
                "Recommendation 1: The partnership should make sure that every agency asks "
                "about and records all adults in the household.",
            ),
            (
                "p",
                "Recommendation 2: The partnership should audit the use of the bruising "
                "protocol for non-mobile babies within six months.",
            ),
        ],
        [
            ("h1", "5. Glossary"),
            (
                "p",
                "MASH: Multi-Agency Safeguarding Hub, where agencies share information about "
                "referrals.",
            ),
            ("p", "GP: General Practitioner, the family doctor."),
        ],
    ]


@pytest.fixture(scope="session")
def pdf_with_headers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seven-page review: title and contents labelled i-ii, body pages labelled 1-5 with a
    running header and a "Page N of 7" footer."""
    path = tmp_path_factory.mktemp("pdf") / "child-t-cspr.pdf"
    return build_pdf(path, review_pages(), bare_pages=2, labels=True)


@pytest.fixture(scope="session")
def long_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 120-page review whose page N says "marker page N" in its body."""
    pages = [
        [("h1", f"{n}. Chapter {n}"), ("p", f"This is marker page {n}. " + LOREM)]
        for n in range(1, 121)
    ]
    return build_pdf(tmp_path_factory.mktemp("pdf") / "long.pdf", pages)


def pdf_bytes(pages: Sequence[Sequence[Item]]) -> bytes:
    """The bytes of a PDF of these pages, without header, footer or labels."""
    buffer = io.BytesIO()
    out = canvas.Canvas(buffer, pagesize=A4)
    for items in pages:
        _draw_items(out, items)
        out.showPage()
    out.save()
    return buffer.getvalue()


@pytest.fixture
def encrypted_pdf(tmp_path: Path) -> Path:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(review_pages()[2:4]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return path


@pytest.fixture
def owner_locked_pdf(tmp_path: Path) -> Path:
    """Encrypted with an empty user password (printing/copying restricted): opens without one."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(review_pages()[2:4]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    path = tmp_path / "restricted.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return path


@pytest.fixture
def truncated_pdf(tmp_path: Path) -> Path:
    data = pdf_bytes(review_pages())
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 3])
    return path


def _scanned_page(out: canvas.Canvas) -> None:
    for row in range(30):
        out.rect(_LEFT, _HEIGHT - 100 - row * 20, _TEXT_WIDTH * (0.5 + (row % 3) / 6), 8, fill=1)


@pytest.fixture
def image_only_pdf(tmp_path: Path) -> Path:
    """Three pages of drawn shapes and no text, as a scan without OCR looks."""
    path = tmp_path / "scanned.pdf"
    out = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(3):
        _scanned_page(out)
        out.showPage()
    out.save()
    return path


@pytest.fixture
def partly_scanned_pdf(tmp_path: Path) -> Path:
    """Four text pages and one scanned appendix page."""
    path = tmp_path / "appendix-scanned.pdf"
    out = canvas.Canvas(str(path), pagesize=A4)
    for items in review_pages()[2:6]:
        _draw_items(out, items)
        out.showPage()
    _scanned_page(out)
    out.showPage()
    out.save()
    return path


# -- DOCX ---------------------------------------------------------------------------------------


def build_docx(path: Path) -> Path:
    """A review in Word: Title, Heading 1/2, an automatic numbered list of findings, a bold
    paragraph used as a heading, a recommendations table and one explicit page break."""
    document = docx.Document()
    document.add_paragraph("Serious Case Review: Baby D", style="Title")
    document.add_paragraph("Kingsford Safeguarding Children Board")
    document.add_heading("1. Introduction", level=1)
    document.add_paragraph("Baby D was seven weeks old when she was admitted to hospital.")
    document.add_heading("2. Findings", level=1)
    document.add_paragraph("The review identified these findings:")
    for text in (
        "Bruising in a non-mobile baby was not acted upon.",
        "Safer sleep advice was given only to the mother.",
        "The father's history of violence was not known to the health visitor.",
    ):
        document.add_paragraph(text, style="List Number")
    breaker = document.add_paragraph("The findings are explained below.")
    breaker.add_run().add_break(WD_BREAK.PAGE)
    bold = document.add_paragraph()
    bold.add_run("What the practitioners told us").bold = True
    document.add_paragraph("Practitioners said that caseloads were very high in 2014.")
    document.add_heading("3. Recommendations", level=1)
    table = document.add_table(rows=3, cols=3)
    rows = (
        ("No.", "Recommendation", "Lead agency"),
        ("1", "The board should audit the use of the bruising protocol.", "KSCB"),
        ("R2", "Health visitors should give safer sleep advice to both parents.", "Health"),
    )
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_heading("3.1 Monitoring", level=2)
    document.add_paragraph("The board will report progress every six months.")
    document.save(str(path))
    return path


@pytest.fixture
def review_docx(tmp_path: Path) -> Path:
    return build_docx(tmp_path / "baby-d.docx")


# -- HTML ---------------------------------------------------------------------------------------

REVIEW_HTML = """<!DOCTYPE html>
<html lang="en"><head><title>Child G review</title>
<style>body { font-family: sans-serif; }</style>
<script>var tracking = "do not index me";</script></head>
<body>
<header class="site-header"><a href="/">Riverton Safeguarding Children Partnership</a>
  <nav><ul><li><a href="/reviews">Case reviews</a></li>
    <li><a href="/about">About us</a></li></ul></nav>
</header>
<main>
  <h1>Serious Case Review: Child G</h1>
  <p>Published <time>June 2016</time> by Riverton LSCB.</p>
  <ul class="toc">
    <li><a href="#intro">Introduction</a></li>
    <li><a href="#findings">Findings</a></li>
    <li><a href="#recs">Recommendations</a></li>
  </ul>
  <h2 id="intro">1. Introduction</h2>
  <p>Child G was fourteen when she died. <em>Nobody</em> saw her on her own.</p>
  <div class="note">A loose sentence inside a div.<p>And a paragraph after it.</p></div>
  <h2 id="findings">Findings</h2>
  <p><strong>Finding 1.</strong> Self-harm was treated as the problem, not as a sign of one.</p>
  <p><strong>Finding 2.</strong> Partial disclosures were heard but not acted upon.</p>
  <h2 id="recs">Recommendations</h2>
  <ol start="3">
    <li>CAMHS should see every child referred after self-harm within four weeks.</li>
    <li>Schools should share concerns with the GP.
      <ol type="a"><li>in writing</li><li>within a week</li></ol>
    </li>
  </ol>
  <table><tr><th>No.</th><th>Action</th></tr>
    <tr><td>5</td><td>Audit strategy meetings.</td></tr></table>
  <p><b>Glossary</b></p>
  <p>CAMHS: child and adolescent mental health services.</p>
</main>
<footer><p>Copyright Riverton Council. Cookie settings.</p></footer>
</body></html>
"""


@pytest.fixture
def review_html(tmp_path: Path) -> Path:
    path = tmp_path / "child-g.html"
    path.write_text(REVIEW_HTML, encoding="utf-8")
    return path
