"""Library page: the published reviews in the index with their metadata and themes; admins,
reviewers and analysts add reviews by uploading them (panel members read the library). An
upload is saved and handed to a worker (a flow run, or a job the sweep does): the app's process
never reads or embeds a review. Reviews on their way in (the demo library at first start, an
upload) show with their progress, as the flow records it, redrawn every few seconds."""

from __future__ import annotations

import streamlit as st

from learning.errors import IndexNotFound, LearningError
from learning.highlight import escape_markdown, value_label
from learning.ingest_runs import IngestView, library_ingests
from learning.library import LibraryListing, ThemeSource, library_listing
from learning.uploads import ALLOWED_SUFFIXES, may_upload, save_uploads
from review_flows.upload_jobs import UploadHandover, hand_over_uploads, waiting_uploads
from ui.auth import now, require_page
from ui.digest_feed_section import digest_feed_section
from ui.resources import db_session, search_engine, settings
from ui.widgets import plain

PROGRESS_SECONDS = 5  # how often reviews on their way in are looked at again

viewer = require_page("library")
st.title("Library")


def _ingests() -> IngestView:
    return library_ingests(settings().prefect_api_url, now=now())


def _draw_progress(view: IngestView) -> None:
    """Each batch on its way in: what it is, how far it has got, its state, in words."""
    if view.note:
        st.caption(view.note)
    for run in view.runs:
        fraction = run.fraction
        if fraction is not None and not run.ended:
            st.progress(fraction, text=run.describe())
        else:
            st.caption(run.describe())
    with db_session() as session:
        waiting = waiting_uploads(session)
    if waiting:
        st.caption(
            f"{waiting} upload batch{'es' * (waiting != 1)} wait{'s' * (waiting == 1)} for the "
            "workflow service to add them to the library (at the latest at its next daily sweep)."
        )


@st.fragment(run_every=PROGRESS_SECONDS)
def _live_progress() -> None:
    """Redrawn every few seconds while reviews are being added; once none is, the whole page
    runs again so that the listing below shows them."""
    view = _ingests()
    _draw_progress(view)
    if not view.under_way:
        st.rerun()


def _progress_panel() -> bool:
    """Reviews on their way into the library, if any; whether some are being added now."""
    view = _ingests()
    if view.under_way:
        _live_progress()
    else:
        _draw_progress(view)
    return view.under_way


def _upload_panel() -> None:
    config = settings()
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            "Add published reviews",
            type=list(ALLOWED_SUFFIXES),
            accept_multiple_files=True,
            max_upload_size=config.max_document_mb,
            help="PDF or Word (.docx), each up to "
            f"{config.max_document_mb} MB; HTML, Markdown or text up to "
            f"{config.max_text_document_mb} MB. A review already in the library is updated.",
        )
        submitted = st.form_submit_button("Add to the library", icon=":material/upload:")
    if submitted and files:
        _hand_over([(file.name, file.getvalue()) for file in files])
    elif submitted:
        st.warning("Choose one or more files to add first.")


def _hand_over(files: list[tuple[str, bytes]]) -> None:
    """Save the uploads and hand them to a worker; say where they went."""
    config = settings()
    try:
        saved = save_uploads(
            viewer, files, config.uploads_dir, now=now(),
            max_bytes=config.max_document_mb * 1024 * 1024,
            max_text_bytes=config.max_text_document_mb * 1024 * 1024,
        )  # fmt: skip
        handover = None
        if saved.paths:
            with db_session() as session:
                handover = hand_over_uploads(session, viewer, saved.folder, config)
    except (LearningError, OSError) as problem:
        st.error(f"The reviews were not saved: {escape_markdown(str(problem))}")
        return
    if handover is not None:
        _say_where(handover, len(saved.paths))
    for name, reason in saved.refused:
        st.error(f"**{escape_markdown(name)}** was not added: {escape_markdown(reason)}")


def _say_where(handover: UploadHandover, count: int) -> None:
    files = f"{count} file{'s' * (count != 1)}"
    if handover.flow_url:
        st.success(
            f"{files} saved. The workflow service is adding them to the library now: how far "
            "it has got shows below, and the reviews are listed as soon as they are in."
        )
        return
    if handover.not_submitted:
        # the technical reason is in the app's log (review_flows.upload_jobs), not for users
        st.warning("The workflow service did not take the upload just now, so it waits for it.")
    st.success(
        f"{files} saved. They will be added to the library when the workflow service runs "
        "(at the latest at its next daily sweep, which takes waiting uploads)."
    )


def _table(listing: LibraryListing) -> list[dict[str, object]]:
    themes_unknown = "" if listing.themes_ready else "worked out when the library is complete"
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
            "Themes": ", ".join(row.themes) or themes_unknown,
            "Review id": row.review_id,
        }  # fmt: skip
        for row in listing.rows
    ]


def _listing(building: bool) -> None:
    try:
        engine = search_engine()
    except IndexNotFound:
        st.info(
            "The library is being built: its reviews are listed here as they are added."
            if building
            else "The library has no reviews yet."
        )
        return
    except LearningError as problem:
        st.error(f"The library index cannot be used: {plain(problem)}. Ask an admin to rebuild it.")
        return
    # a digest's link names its review (?review=ID): the listing opens filtered to it
    text = st.text_input(
        "Filter the library", value=st.query_params.get("review", ""),
        placeholder="words of a title, nation or theme",
    )  # fmt: skip
    try:
        with st.spinner("Working out the reviews' themes (once after the library changes) ..."):
            listing = library_listing(
                engine, ThemeSource.from_settings(settings()), text, work_out_themes=not building
            )
    except LearningError as problem:
        st.error(f"The library cannot be listed: {plain(problem)}")
        return
    rows = listing.rows
    st.caption(f"{len(rows)} review{'s' * (len(rows) != 1)}")
    if not listing.themes_ready:
        st.caption(
            "Themes are worked out once every review being added is in; they then show here "
            "and on the Themes page."
        )
    if rows:
        st.dataframe(_table(listing), hide_index=True)


if may_upload(viewer):
    _upload_panel()
else:
    st.caption("The library is read-only for panel members; a reviewer or an admin adds reviews.")
_listing(_progress_panel())
digest_feed_section(viewer)
