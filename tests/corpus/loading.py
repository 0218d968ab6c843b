"""Reading the demo corpus for its tests, the way a user's tools would (pypdfium2, python-docx,
BeautifulSoup, YAML, CSV), without the learning package: the tests check the corpus, not the
engine. Every metadata value is read as a string (YAML's base loader), as written.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdfium2 as pdfium
import yaml
from bs4 import BeautifulSoup, Tag

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
REVIEWS = CORPUS / "reviews"
REVIEW_SUFFIXES = (".pdf", ".docx", ".html", ".md", ".txt")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_FIRST_PAGE_CHARS = 2500


@dataclass(frozen=True)
class LoadedReview:
    """One review file: its metadata (strings) and its text, page by page where it has pages."""

    path: Path
    meta: dict[str, str]
    pages: tuple[str, ...]

    @property
    def format(self) -> str:
        return self.path.suffix.lstrip(".")

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def first_page(self) -> str:
        return self.pages[0][:_FIRST_PAGE_CHARS]


def review_files(folder: Path = REVIEWS) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in REVIEW_SUFFIXES)


def read_metadata_csv(folder: Path = REVIEWS) -> dict[str, dict[str, str]]:
    path = folder / "metadata.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row.pop("file"): row for row in csv.DictReader(handle)}


def read_yaml_strings(text: str) -> dict[str, str]:
    data = yaml.load(text, Loader=yaml.BaseLoader) or {}
    return {str(k): str(v) for k, v in data.items()}


def load_review(path: Path, listed: dict[str, dict[str, str]]) -> LoadedReview:
    """Metadata from front matter, sidecar or metadata.csv; text from the file."""
    if path.suffix in (".md", ".txt"):
        text = path.read_text(encoding="utf-8")
        match = _FRONT_MATTER.match(text)
        meta = read_yaml_strings(match.group(1)) if match else {}
        body = text[match.end() :] if match else text
        return LoadedReview(path, meta, tuple(body.split("\f")))
    if path.suffix == ".html":
        sidecar = path.with_name(f"{path.stem}.meta.yaml")
        meta = read_yaml_strings(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
        return LoadedReview(path, meta, (html_text(path),))
    meta = listed.get(path.name, {})
    pages = pdf_pages(path) if path.suffix == ".pdf" else docx_pages(path)
    return LoadedReview(path, meta, pages)


def pdf_pages(path: Path) -> tuple[str, ...]:
    pdf = pdfium.PdfDocument(path)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n").replace("\ufffe", "-"))
            textpage.close()
            page.close()
        return tuple(pages)
    finally:
        pdf.close()


def docx_pages(path: Path) -> tuple[str, ...]:
    """Paragraph texts split at page breaks; Word-numbered list items get their numbers."""
    document = docx.Document(str(path))
    pages: list[list[str]] = [[]]
    counters: dict[str, int] = {}
    for paragraph in document.paragraphs:
        text = paragraph.text
        num_id = _num_id(paragraph)
        if num_id is not None and paragraph.style.name.startswith("List Number"):
            counters[num_id] = counters.get(num_id, 0) + 1
            text = f"{counters[num_id]}. {text}"
        pages[-1].append(text)
        if 'w:type="page"' in paragraph._p.xml:
            pages.append([])
    return tuple("\n".join(lines) for lines in pages)


def _num_id(paragraph: docx.text.paragraph.Paragraph) -> str | None:
    ppr = paragraph._p.pPr
    if ppr is None or ppr.numPr is None or ppr.numPr.numId is None:
        return None
    return str(ppr.numPr.numId.val)


def docx_header_footer(path: Path) -> tuple[str, str]:
    section = docx.Document(str(path)).sections[0]
    return (
        "\n".join(p.text for p in section.header.paragraphs),
        "\n".join(p.text for p in section.footer.paragraphs),
    )


def html_text(path: Path) -> str:
    """The article's text, one block a line; items of ordered lists carry their numbers."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("main").find("article")
    lines = []
    for element in article.find_all(["h1", "h2", "h3", "h4", "p", "li", "th", "td"]):
        if element.name == "li":
            lines.append(_li_text(element))
        elif element.find_parent("li") is None:
            lines.append(element.get_text(" ", strip=True))
    return "\n".join(lines)


def _li_text(item: Tag) -> str:
    parent = item.parent
    own = "".join(s for s in item.strings if s.find_parent(["ol", "ul"]) is parent).strip()
    if parent.name != "ol":
        return own
    start = int(parent.get("start", 1))
    position = parent.find_all("li", recursive=False).index(item)
    return f"{start + position}. {own}"
