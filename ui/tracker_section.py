"""The Admin page's Import and export section: bring a partnership's cases in from the tracker
it kept (a .xlsx or .csv upload, checked first with nothing saved, then imported), and write a
partnership's cases back out as a tracker to download.

The services do everything (:mod:`review_flows.tracker_import` reads and checks the bytes,
:mod:`review_flows.tracker_export` writes them); this draws the forms, the outcome in words and
the report as a table. The file arrives as bytes: no path from the user reaches the server.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from review_flows.errors import TrackerLayoutInvalid
from review_flows.tracker_export import ExportFormat, TrackerExport, export_tracker
from review_flows.tracker_import import ImportMode, ImportReport, import_tracker
from review_flows.tracker_layouts import TrackerLayout, bundled_layouts, parse_layout
from review_flows.tracker_read import MAX_FILE_BYTES
from review_flows.tracker_report import report_rows
from ui.admin_forms import NEW_NAME_LABEL, NEW_PARTNERSHIP, partnership_choice, report_done
from ui.resources import db_session
from ui.widgets import plain

#: The last import's report (kept across reruns, so the table stays under the form).
REPORT = "tracker_report"
#: The last export prepared, with the choices it was made for.
EXPORT = "tracker_export"
SKIP_LABEL = "Skip rows that are refused (import the rest)"
CHECK_LABEL = "Check the file (nothing is saved)"
IMPORT_LABEL = "Import"
#: Refusals listed in words above the table (all of them are in the table).
LISTED = 50
#: An upload is refused above the size the reader accepts (it would refuse it anyway).
MAX_UPLOAD_MB = MAX_FILE_BYTES // 1_048_576
_FORMATS = {ExportFormat.XLSX: "Excel workbook (.xlsx)", ExportFormat.CSV: "CSV (UTF-8)"}
_MIME = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv",
}


# --- words (pure: the tests call them directly) -------------------------------------------------


def _cases(count: int) -> str:
    return f"{count} case{'s' * (count != 1)}"


def outcome_words(report: ImportReport) -> str:
    """What the check or the import did, in words (Markdown: the file's name is escaped)."""
    name, total = plain(report.filename), len(report.cases)
    accepted, refused = len(report.accepted), len(report.refused)
    if report.dry_run:
        said = (
            f"Checked {name}: {_cases(total)}, {accepted} can be imported and {refused} "
            "refused. Nothing was saved."
        )
        if refused and report.mode is ImportMode.ALL_OR_NOTHING:
            said += (
                " Imported as it is, the file would save nothing: correct the refused rows, or "
                f"tick \u201c{SKIP_LABEL}\u201d."
            )
        return said
    if report.written:
        said = f"Imported {_cases(accepted)} from {name} into {plain(report.partnership)}."
        if refused:
            said += f" {_cases(refused)} refused and not imported (listed below)."
        return said
    return (
        f"Nothing was imported from {name}: {refused} of {_cases(total)} refused (listed "
        "below), and a file is imported whole unless some rows may be skipped. Correct those "
        f"rows and import the file again, or tick \u201c{SKIP_LABEL}\u201d to import the other "
        f"{accepted}."
    )


def refusal_lines(report: ImportReport, limit: int = LISTED) -> list[str]:
    """Each refusal as a line of Markdown: the row, the reference, the column and the reason,
    as the file writes them (escaped)."""
    references = {row: case.reference for case in report.refused for row in case.rows}
    lines = []
    for refusal in report.refusals[:limit]:
        where = f"Row {refusal.row}"
        if references.get(refusal.row):
            where += f" ({plain(references[refusal.row])})"
        if refusal.column:
            where += f", column \u201c{plain(refusal.column)}\u201d"
        lines.append(f"- {where}: {plain(refusal.reason)}")
    more = len(report.refusals) - limit
    if more > 0:
        lines.append(f"- and {more} more, in the table below")
    return lines


def export_file_name(partnership: str, layout: str, fmt: ExportFormat) -> str:
    """A file name for the download: the partnership's name as letters, digits and hyphens."""
    stem = re.sub(r"[^a-z0-9]+", "-", partnership.casefold()).strip("-") or "partnership"
    return f"{stem}-cases-{layout}.{fmt.value}"


def _layout_words(layout: TrackerLayout) -> str:
    return layout.description[:1].upper() + layout.description[1:]


# --- the section --------------------------------------------------------------------------------


def tracker_section(names: list[str], by: str, today: dt.date | None = None) -> None:
    """Import a tracker and export one (``by``: the admin; ``today``: the date the rows are
    checked against, the real date unless a test gives one)."""
    st.subheader("Import cases from a tracker")
    st.caption(
        "Bring in the cases a partnership kept in a spreadsheet: one row per case with a "
        "column for each step's date, or one row per event. Every row is checked as a case "
        "typed in would be (dates, their order, the rulebook for the incident's date and "
        "nation, and no names or personal details in the notes). Check the file first: the "
        "report names each refused row, its column and why."
    )
    _import_form(names, by, today or dt.date.today())
    report: ImportReport | None = st.session_state.get(REPORT)
    if report is not None:
        _show_report(report)
    st.subheader("Export a partnership's cases")
    st.caption(
        "The cases as the log now reads them (corrections applied, voided steps left out), in "
        "a layout the import reads back: a partnership can leave as easily as it came."
    )
    _export_form(names)


def _import_form(names: list[str], by: str, today: dt.date) -> None:
    with st.form("tracker_import", clear_on_submit=False):
        upload = st.file_uploader(
            "Tracker (.xlsx or .csv)", type=["xlsx", "csv"], max_upload_size=MAX_UPLOAD_MB,
            key="tracker_file",
        )  # fmt: skip
        chosen = st.selectbox(
            "Partnership the cases belong to", [*names, NEW_PARTNERSHIP], index=None,
            placeholder="Choose a partnership", key="tracker_partnership",
        )  # fmt: skip
        typed = st.text_input(NEW_NAME_LABEL, key="tracker_new_partnership")
        mapping = st.file_uploader(
            "Column-mapping file (.toml, optional: only for a layout not read on its own)",
            type=["toml"], max_upload_size=1, key="tracker_mapping",
        )  # fmt: skip
        skip_bad = st.checkbox(SKIP_LABEL, key="tracker_skip_bad")
        check_col, import_col = st.columns(2)
        check = check_col.form_submit_button(
            CHECK_LABEL, key="tracker_check", icon=":material/fact_check:"
        )
        save = import_col.form_submit_button(
            IMPORT_LABEL, key="tracker_import_now", type="primary", icon=":material/upload:"
        )
    _mapping_help()
    if not (check or save):
        return
    st.session_state.pop(REPORT, None)  # an earlier report is not this file's
    if upload is None:
        st.error("Choose the tracker file to check or import.", icon=":material/error:")
        return
    try:
        partnership = partnership_choice(chosen, typed, names)
    except WorkbenchError as refused:
        st.error(f"Partnership not accepted: {plain(refused)}", icon=":material/error:")
        return
    if not partnership:
        st.error("Choose the partnership the cases belong to.", icon=":material/error:")
        return
    try:
        layout = _read_mapping(mapping.name, mapping.getvalue()) if mapping else None
        with st.spinner("Checking every row of the tracker"), db_session() as session:
            report = import_tracker(
                session, upload.getvalue(), upload.name, partnership=partnership,
                mapping=layout, dry_run=bool(check), skip_bad=skip_bad, recorded_by=by,
                today=today,
            )  # fmt: skip
    except WorkbenchError as refused:
        what = "Not checked" if check else "Nothing was imported"
        st.error(f"{what}: {plain(refused)}", icon=":material/error:")
        return
    st.session_state[REPORT] = report
    if report.written:
        report_done(outcome_words(report))


def _read_mapping(name: str, content: bytes) -> TrackerLayout:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TrackerLayoutInvalid(
            f"{name} is not a text file in UTF-8; save the mapping file as UTF-8 text"
        ) from None
    return parse_layout(text, name)


def _mapping_help() -> None:
    """The bundled mapping files, to adapt for a tracker whose headers are unusual."""
    with st.expander("Column-mapping files: when a tracker's headers are unusual"):
        st.markdown(
            "A tracker laid out in one of these ways is read without one, whatever the order "
            "of its columns; the headers are matched without regard to case or punctuation. "
            "Otherwise download the nearer one, put your tracker's headers and words in it "
            "and upload it with the tracker."
        )
        folder = resources.files("review_flows").joinpath("tracker_layouts")
        for layout in bundled_layouts():
            text = folder.joinpath(f"{layout.name}.toml").read_text(encoding="utf-8")
            st.download_button(
                f"{_layout_words(layout)} ({layout.name}.toml)", text,
                file_name=f"{layout.name}.toml", mime="application/toml",
                key=f"tracker_mapping_{layout.name}", icon=":material/download:",
            )  # fmt: skip


def _show_report(report: ImportReport) -> None:
    words = outcome_words(report)
    if report.dry_run:
        st.info(words, icon=":material/fact_check:")
    elif report.written:
        st.success(words, icon=":material/check_circle:")
    else:
        st.error(words, icon=":material/error:")
    details = f"Read as: {report.layout} layout. Partnership: {plain(report.partnership)}."
    if report.unused_columns:
        details += " Columns not read: " + ", ".join(map(plain, report.unused_columns)) + "."
    st.caption(details)
    if report.refused:
        st.markdown("**Refused rows**")
        st.markdown("\n".join(refusal_lines(report)))
    rows = report_rows(report)
    if rows:
        st.dataframe(
            pd.DataFrame(rows, columns=["Row", "Reference", "Result", "Column", "Details"]),
            hide_index=True, key="tracker_report_table",
        )  # fmt: skip


def _export_form(names: list[str]) -> None:
    layouts = {layout.name: layout for layout in bundled_layouts()}
    partnership = st.selectbox(
        "Partnership", names, index=None, placeholder="Choose a partnership",
        key="tracker_export_partnership",
    )  # fmt: skip
    fmt = st.radio(
        "Format", list(_FORMATS), format_func=_FORMATS.__getitem__, horizontal=True,
        key="tracker_export_format",
    )  # fmt: skip
    layout = st.radio(
        "Layout", list(layouts), format_func=lambda name: _layout_words(layouts[name]),
        key="tracker_export_layout",
    )  # fmt: skip
    choice = (partnership, fmt, layout)
    if st.button("Prepare the file", key="tracker_export_prepare", icon=":material/table:"):
        if not partnership:
            st.error("Choose the partnership whose cases to export.", icon=":material/error:")
            return
        try:
            with db_session() as session:
                made = export_tracker(
                    session, partnership=partnership, layout=layouts[layout], fmt=fmt
                )
        except WorkbenchError as refused:
            st.error(f"Not exported: {plain(refused)}", icon=":material/error:")
            return
        st.session_state[EXPORT] = (choice, made)
    kept: tuple[tuple[str | None, str, str], TrackerExport] | None = st.session_state.get(EXPORT)
    if kept is None or kept[0] != choice or not partnership:
        return  # nothing prepared, or prepared for other choices
    _offer_download(partnership, ExportFormat(fmt), layout, kept[1])


def _offer_download(partnership: str, fmt: ExportFormat, layout: str, made: TrackerExport) -> None:
    said = f"{_cases(made.cases)} of {plain(partnership)}, ready to download."
    if not made.cases:
        said = f"{plain(partnership)} has no cases: the file holds only its header row."
    st.caption(said)
    if made.warnings:
        shown = [f"- {plain(warning)}" for warning in made.warnings[:LISTED]]
        if len(made.warnings) > LISTED:
            shown.append(f"- and {len(made.warnings) - LISTED} more")
        st.warning(
            "This layout cannot hold everything of these cases:\n" + "\n".join(shown),
            icon=":material/warning:",
        )
    st.download_button(
        f"Download the {_FORMATS[fmt].split(' (')[0]}", made.content,
        file_name=export_file_name(partnership, layout, fmt), mime=_MIME[fmt],
        key="tracker_export_download", icon=":material/download:",
    )  # fmt: skip
