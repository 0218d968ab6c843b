"""Building the corpus: every catalogued source rendered, metadata files and README table written.

``build_corpus(corpus_dir)`` is what ``make corpus`` runs. Files are only rewritten when their
bytes change (ingest skips files whose size and mtime are unchanged). A source that cannot be
used is reported and the rest is still built; the report says what was missing or wrong.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.builder.catalogue import (
    GENERATED_FORMATS,
    CatalogueEntry,
    read_catalogue,
)
from corpus.builder.errors import CorpusError
from corpus.builder.outputs import (
    METADATA_CSV,
    TableRow,
    render_metadata_csv,
    render_sidecar,
    render_table,
    replace_table,
    sidecar_path,
    write_if_changed,
)
from corpus.builder.pdf import render_pdf
from corpus.builder.source import (
    ReviewMeta,
    ReviewSource,
    count_words,
    parse_meta,
    read_source,
    split_front_matter,
)
from corpus.builder.web import render_html
from corpus.builder.word import render_docx

logger = logging.getLogger(__name__)

_RENDERERS: dict[str, Callable[[ReviewSource], bytes]] = {
    "docx": render_docx,
    "html": render_html,
}


@dataclass
class BuildReport:
    """What a build did: files written or already current, reviews not yet written, problems."""

    written: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def build_corpus(
    corpus_dir: Path,
    out_dir: Path | None = None,
    readme: Path | None = None,
    update_readme: bool = True,
) -> BuildReport:
    """Render ``corpus_dir/src`` into ``out_dir`` (default ``corpus_dir/reviews``) and update
    the table in ``readme`` (default ``corpus_dir/README.md``)."""
    started = time.perf_counter()
    out_dir = out_dir or corpus_dir / "reviews"
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = read_catalogue(corpus_dir / "catalogue.csv")
    report = BuildReport()
    _check_sources_catalogued(corpus_dir / "src", entries, report)
    rows: list[TableRow] = []
    listed: list[tuple[str, ReviewMeta]] = []
    for entry in entries:
        row = _build_entry(corpus_dir, out_dir, entry, report)
        rows.append(row)
        if row.meta is not None and entry.format in ("pdf", "docx"):
            listed.append((entry.file_name, row.meta))
    _write(out_dir / METADATA_CSV, render_metadata_csv(listed).encode("utf-8"), report)
    _remove_stale(out_dir, entries, report)
    if update_readme:
        readme = readme or corpus_dir / "README.md"
        text = readme.read_text(encoding="utf-8") if readme.exists() else ""
        write_if_changed(readme, replace_table(text, render_table(rows)))
    report.seconds = time.perf_counter() - started
    return report


def _check_sources_catalogued(
    src_dir: Path, entries: list[CatalogueEntry], report: BuildReport
) -> None:
    generated = {e.review_id for e in entries if e.generated}
    for path in sorted(src_dir.glob("*.md")):
        if path.stem not in generated:
            report.problems.append(
                f"{path}: no catalogue row with a generated format (pdf, docx, html)"
            )


def _build_entry(
    corpus_dir: Path, out_dir: Path, entry: CatalogueEntry, report: BuildReport
) -> TableRow:
    if not entry.generated:
        return _direct_row(corpus_dir / "reviews" / entry.file_name, entry, report)
    path = corpus_dir / "src" / f"{entry.review_id}.md"
    if not path.exists():
        report.missing.append(entry.review_id)
        return TableRow(entry, None, None, None)
    try:
        source = read_source(path)
    except CorpusError as problem:
        report.problems.append(str(problem))
        return TableRow(entry, None, None, None)
    target = out_dir / entry.file_name
    pages = None
    if entry.format == "pdf":
        data, pages = render_pdf(source)
        report.pages[entry.review_id] = pages
    else:
        data = _RENDERERS[entry.format](source)
    _write(target, data, report)
    if entry.format == "html":
        sidecar = render_sidecar(source.meta, entry.file_name).encode("utf-8")
        _write(sidecar_path(target), sidecar, report)
    return TableRow(entry, source.meta, pages, count_words(source.text))


def _direct_row(path: Path, entry: CatalogueEntry, report: BuildReport) -> TableRow:
    """A Markdown or text review: checked, counted, never rewritten."""
    if not path.exists():
        report.missing.append(entry.review_id)
        return TableRow(entry, None, None, None)
    try:
        data, body = split_front_matter(path.read_text(encoding="utf-8"), path)
        meta = parse_meta(data, path)
    except CorpusError as problem:
        report.problems.append(str(problem))
        return TableRow(entry, None, None, None)
    return TableRow(entry, meta, None, count_words(body))


def _write(path: Path, data: bytes, report: BuildReport) -> None:
    if path.exists() and path.read_bytes() == data:
        report.current.append(path.name)
        return
    path.write_bytes(data)
    report.written.append(path.name)
    logger.info("wrote %s", path)


def _remove_stale(out_dir: Path, entries: list[CatalogueEntry], report: BuildReport) -> None:
    """Generated files whose review is no longer catalogued in that format."""
    expected = {e.file_name for e in entries if e.generated}
    expected |= {f"{e.review_id}.meta.yaml" for e in entries if e.format == "html"}
    for path in sorted(out_dir.iterdir()):
        is_generated = path.suffix.lstrip(".") in GENERATED_FORMATS or path.name.endswith(
            ".meta.yaml"
        )
        if is_generated and path.name not in expected:
            path.unlink()
            report.removed.append(path.name)
