"""Evidence packs as CSV, Markdown and a PDF briefing; every line that states something cites
its source (``[Child A, Northshire SCR 2012, p. 14]``)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from learning.themes.packs import EvidencePack, PackEntry, PackReview

FORMATS = ("csv", "md", "pdf")
CSV_COLUMNS = (
    "theme_id",
    "part",
    "review_id",
    "title",
    "year",
    "nation",
    "review_type",
    "kind",
    "number",
    "section",
    "page",
    "page_label",
    "confidence",
    "text",
    "citation",
)


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def _review_line(review: PackReview) -> str:
    facts = "; ".join(
        str(value)
        for value in (
            review.year,
            review.nation,
            review.review_type,
            review.outcome,
            review.age_group,
        )
        if value
    )
    title = _flat(review.title or review.review_id)
    detail = f" ({facts})" if facts else ""
    return (
        f"{title}{detail}: confidence {review.confidence:.2f} ({review.source}) {review.citation}"
    )


def _entry_line(entry: PackEntry) -> str:
    text = _flat(entry.text)
    # "4. ..." unless the text already starts with its number ("4. The police ...",
    # "Finding 4: ...").
    shown = entry.number and not re.match(rf"^\W*(?:\w+\s+)?{re.escape(entry.number)}\b", text)
    number = f"{entry.number}. " if shown else ""
    return f"{number}{text} {entry.citation}"


def _summary(pack: EvidencePack) -> str:
    return (
        f"{len(pack.reviews)} reviews, {len(pack.findings)} findings, "
        f"{len(pack.recommendations)} recommendations"
    )


def _provenance(pack: EvidencePack) -> str:
    filters = ", ".join(pack.filters) if pack.filters else "none"
    version = pack.version
    return (
        f"Filters: {filters}. Index generation {version.get('index_generation')}, model "
        f"{version.get('model')}, taxonomy {version.get('taxonomy_digest')}, scoring "
        f"{version.get('params')}, tagger {version.get('tagger', 'not recorded')}"
    )


def _review_row(theme_id: str, review: PackReview) -> dict[str, object]:
    return {
        "theme_id": theme_id,
        "part": "review",
        "review_id": review.review_id,
        "title": review.title,
        "year": review.year,
        "nation": review.nation,
        "review_type": review.review_type,
        "kind": "review",
        "page": review.page,
        "page_label": review.page_label,
        "confidence": review.confidence,
        "citation": review.citation,
    }


def _entry_row(theme_id: str, entry: PackEntry) -> dict[str, object]:
    return {
        "theme_id": theme_id,
        "part": entry.kind,
        "review_id": entry.review_id,
        "title": entry.title,
        "year": entry.year,
        "nation": entry.nation,
        "review_type": entry.review_type,
        "kind": entry.kind,
        "number": entry.number,
        "section": entry.section,
        "page": entry.page,
        "page_label": entry.page_label,
        "confidence": entry.confidence,
        "text": _flat(entry.text),
        "citation": entry.citation,
    }


def pack_csv(pack: EvidencePack) -> str:
    """One row per review, finding and recommendation; every row has a page and a citation."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(_review_row(pack.theme_id, review) for review in pack.reviews)
    entries = (*pack.findings, *pack.recommendations)
    writer.writerows(_entry_row(pack.theme_id, entry) for entry in entries)
    return buffer.getvalue()


def pack_markdown(pack: EvidencePack) -> str:
    """Headings and bullets only; each bullet ends with its citation."""
    lines = [
        f"# Evidence pack: {pack.label} ({pack.theme_id})",
        f"## {_summary(pack)}",
        f"#### {_provenance(pack)}",
    ]
    sections = (
        ("Reviews", [_review_line(review) for review in pack.reviews]),
        ("Findings", [_entry_line(entry) for entry in pack.findings]),
        ("Recommendations", [_entry_line(entry) for entry in pack.recommendations]),
    )
    for heading, bullets in sections:
        lines += ["", f"## {heading}" if bullets else f"## {heading}: none", ""]
        lines += [f"- {bullet}" for bullet in bullets]
    return "\n".join(lines) + "\n"


def write_pack_pdf(pack: EvidencePack, path: Path) -> None:
    """A briefing PDF: title, what it covers, then cited bullets (reportlab)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story = [
        Paragraph(escape(f"Evidence pack: {pack.label}"), styles["Title"]),
        Paragraph(escape(_summary(pack)), styles["Heading3"]),
        Paragraph(escape(_flat(pack.definition)), styles["Italic"]),
        Paragraph(escape(_provenance(pack)), styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    sections = (
        ("Reviews", [_review_line(review) for review in pack.reviews]),
        ("Findings", [_entry_line(entry) for entry in pack.findings]),
        ("Recommendations", [_entry_line(entry) for entry in pack.recommendations]),
    )
    for heading, bullets in sections:
        title = heading if bullets else f"{heading}: none"
        story.append(Paragraph(escape(title), styles["Heading2"]))
        story += [Paragraph(escape(b), styles["Normal"], bulletText="•") for b in bullets]
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        title=f"Evidence pack: {pack.label}",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    document.build(story)


def write_pack(pack: EvidencePack, fmt: str, path: Path) -> Path:
    """Write ``pack`` as ``fmt`` (csv, md, pdf) to ``path``; returns the path."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        write_pack_pdf(pack, path)
    else:
        text = pack_csv(pack) if fmt == "csv" else pack_markdown(pack)
        path.write_text(text, encoding="utf-8")
    return path
