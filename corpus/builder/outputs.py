"""Metadata files next to the generated reviews, and the table in ``corpus/README.md``.

PDF and DOCX reviews get a row in ``metadata.csv``; HTML reviews get a ``<id>.meta.yaml``
sidecar; Markdown and text reviews carry their own front matter. Themes appear in none of them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus.builder.catalogue import CatalogueEntry
from corpus.builder.source import METADATA_FIELDS, ReviewMeta

METADATA_CSV = "metadata.csv"
TABLE_START, TABLE_END = "<!-- table:start -->", "<!-- table:end -->"


@dataclass(frozen=True)
class TableRow:
    """What the README says about one review (``meta`` is None until the review is written)."""

    entry: CatalogueEntry
    meta: ReviewMeta | None
    pages: int | None
    words: int | None


def sidecar_path(review_file: Path) -> Path:
    """``r07-x.html`` -> ``r07-x.meta.yaml``."""
    return review_file.with_name(f"{review_file.stem}.meta.yaml")


def render_sidecar(meta: ReviewMeta, file_name: str) -> str:
    """The YAML sidecar of a generated HTML review."""
    body = yaml.safe_dump(
        {name: getattr(meta, name) for name in METADATA_FIELDS},
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
    )
    return f"# Metadata for {file_name} (written by corpus/build.py)\n{body}"


def render_metadata_csv(rows: list[tuple[str, ReviewMeta]]) -> str:
    """``metadata.csv``: one row per (file name, metadata), sorted by file name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("file", *METADATA_FIELDS))
    for file_name, meta in sorted(rows, key=lambda row: row[0]):
        writer.writerow((file_name, *meta.as_row().values()))
    return buffer.getvalue()


def render_table(rows: list[TableRow]) -> str:
    """The Markdown table of the corpus, one row per catalogue entry."""
    lines = [
        "| id | year | type | nation | outcome | age group | main themes | format | size |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        meta = row.meta
        facts = (
            [str(meta.year), meta.review_type, meta.nation, meta.outcome, meta.age_group]
            if meta
            else ["–"] * 5
        )
        if row.pages is not None:
            size = f"{row.pages} pages"
        elif row.words is not None:
            size = f"{row.words:,} words"
        else:
            size = "not yet written"
        themes = ", ".join(row.entry.themes)
        lines.append(
            f"| {row.entry.review_id} | {' | '.join(facts)} | {themes} | "
            f"{row.entry.format} | {size} |"
        )
    return "\n".join(lines)


def replace_table(readme: str, table: str) -> str:
    """``readme`` with the text between the table markers replaced by ``table``."""
    pattern = re.compile(re.escape(TABLE_START) + r".*?" + re.escape(TABLE_END), re.DOTALL)
    if not pattern.search(readme):
        return readme.rstrip("\n") + f"\n\n{TABLE_START}\n{table}\n{TABLE_END}\n"
    return pattern.sub(lambda _: f"{TABLE_START}\n{table}\n{TABLE_END}", readme)


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it (keeps mtimes for ingest's skip)."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
