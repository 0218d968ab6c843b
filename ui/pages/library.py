"""Library page: the published reviews in the index with their metadata and themes; admins,
reviewers and analysts add reviews by uploading them (panel members read the library)."""

from __future__ import annotations

import streamlit as st

import learning.cli as learning_cli
from learning.errors import IndexNotFound, LearningError
from learning.highlight import escape_markdown, value_label
from learning.library import LibraryRow, ThemeSource, library_rows
from learning.reader import shared_reader
from learning.uploads import (
    ALLOWED_SUFFIXES,
    IngestFlowNotSubmitted,
    SavedUploads,
    ingest_uploads,
    may_upload,
    progress_text,
    save_uploads,
    submit_ingest_flow,
    upload_problems,
)
from ui.auth import now, require_page
from ui.resources import search_engine, settings

viewer = require_page("library")
st.title("Library")


def _upload_panel() -> None:
    config = settings()
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            "Add published reviews",
            type=list(ALLOWED_SUFFIXES),
            accept_multiple_files=True,
            max_upload_size=config.max_document_mb,
            help="PDF, Word (.docx), HTML, Markdown or text; each up to "
            f"{config.max_document_mb} MB. A review already in the library is updated.",
        )
        submitted = st.form_submit_button("Add to the library", icon=":material/upload:")
    if submitted and files:
        _ingest([(file.name, file.getvalue()) for file in files])
    elif submitted:
        st.warning("Choose one or more files to add first.")


def _ingest(files: list[tuple[str, bytes]]) -> None:
    config = settings()
    max_bytes = config.max_document_mb * 1024 * 1024
    try:
        uploads = config.data_dir / "uploads"
        saved = save_uploads(viewer, files, uploads, now=now(), max_bytes=max_bytes)
    except (LearningError, OSError) as problem:
        st.error(f"The reviews were not saved: {problem}")
        return
    if config.prefect_api_url and saved.paths and _submit(saved, config.prefect_api_url):
        return
    _ingest_here(saved)


def _submit(saved: SavedUploads, api_url: str) -> bool:
    """Hand the batch to the ingest flow; False (said on the page) if the server did not take it."""
    try:
        url = submit_ingest_flow(saved.folder, settings().resolved_index_dir, api_url=api_url)
    except IngestFlowNotSubmitted as problem:
        st.warning(f"Ingestion could not run as a flow ({problem}); adding the reviews here.")
        return False
    st.success(
        f"Ingestion runs as a flow: [{url}]({url}); the library lists the files when it "
        "has finished."
    )
    for name, reason in saved.refused:
        st.error(f"**{escape_markdown(name)}** was not added: {escape_markdown(reason)}")
    return True


def _ingest_here(saved: SavedUploads) -> None:
    config = settings()
    max_bytes = config.max_document_mb * 1024 * 1024
    try:
        bar = st.progress(0.0, text="Reading the reviews ...")
        with st.spinner("Adding the reviews to the library (the first time loads the model) ..."):
            report = ingest_uploads(
                saved.paths, config.resolved_index_dir, learning_cli.build_encoder(),
                lambda step: bar.progress(*progress_text(step)),
                viewer=viewer, max_bytes=max_bytes, now=now(),
                reader=shared_reader(config.ingest_memory_mb, config.ingest_seconds_per_document),
            )  # fmt: skip
    except (LearningError, OSError) as problem:
        st.error(f"The reviews were not added: {problem}")
        return
    bar.progress(1.0, text="Done.")
    st.success(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged.")
    for name, reason in upload_problems(saved, report):
        st.error(f"**{escape_markdown(name)}** was not added: {escape_markdown(reason)}")
    for path, warning in report.warnings:
        st.warning(f"**{escape_markdown(path.name)}**: {escape_markdown(warning)}")


def _table(rows: list[LibraryRow]) -> list[dict[str, object]]:
    return [
        {
            "Title": row.title,
            "Year": row.year,
            "Nation": value_label(row.nation),
            "Outcome": value_label(row.outcome),
            "Age group": value_label(row.age_group),
            "Type": value_label(row.review_type),
            "Partnership": row.partnership,
            "Pages": row.pages,
            "Units": row.units,
            "Themes": ", ".join(row.themes),
            "Review id": row.review_id,
        }  # fmt: skip
        for row in rows
    ]


def _listing() -> None:
    try:
        engine = search_engine()
    except IndexNotFound:
        st.info("The library has no reviews yet.")
        return
    except LearningError as problem:
        st.error(f"The library index cannot be used: {problem}. Ask an admin to rebuild it.")
        return
    text = st.text_input("Filter the library", placeholder="words of a title, nation or theme")
    try:
        with st.spinner("Reading the library and its themes ..."):
            rows = library_rows(engine, ThemeSource.from_settings(settings()), text)
    except LearningError as problem:
        st.error(f"The library cannot be listed: {problem}")
        return
    st.caption(f"{len(rows)} review{'s' * (len(rows) != 1)}")
    if rows:
        st.dataframe(_table(rows), hide_index=True)


if may_upload(viewer):
    _upload_panel()
else:
    st.caption("The library is read-only for panel members; a reviewer or an admin adds reviews.")
_listing()
