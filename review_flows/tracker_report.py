"""An import's report in words: as text for the CLI, and as rows for a table on a page.

Plain English with the app's labels (:mod:`core.labels`); the refusals first, each with the
row number as the spreadsheet shows it, the column's header and the reason.
"""

from __future__ import annotations

from core.labels import event_label, stage_label
from review_flows.tracker_import import CaseOutcome, ImportReport


def report_summary(report: ImportReport) -> str:
    """One sentence: how many cases, how many refused, and what was written."""
    cases, refused = len(report.cases), len(report.refused)
    accepted = len(report.accepted)
    head = (
        f"{report.filename} ({report.layout} layout, {report.mode.value}): {cases} case"
        f"{'s' * (cases != 1)}, {accepted} accepted, {refused} refused."
    )
    if report.dry_run:
        tail = "Dry run: nothing was written."
    elif report.written:
        skipped = f" The {refused} refused were skipped." if refused else ""
        tail = f"{accepted} case{'s' * (accepted != 1)} written to {report.partnership}.{skipped}"
    else:
        tail = "Nothing was written: correct the refused rows, or import the rest row by row."
    return f"{head} {tail}"


def render_report(report: ImportReport) -> str:
    """The whole report as text: summary, refusals by row, then each accepted case."""
    lines = [report_summary(report)]
    if report.unused_columns:
        lines.append("Columns not read: " + ", ".join(report.unused_columns) + ".")
    if report.targets:
        verb = "set" if report.written else "would be set"
        targets = ", ".join(f"{key} {days} working days" for key, days in report.targets)
        lines.append(f"Local targets {verb}: {targets}.")
    if report.refused:
        lines += ["", "Refused:"]
        lines += [
            f"  row {r.row}{f', column {r.column!r}' if r.column else ''}: {r.reason}"
            for r in report.refusals
        ]
    if report.accepted:
        verb = "Created" if report.written else "Would be created"
        lines += ["", f"{verb}:"]
        lines += [f"  {_case_line(case)}" for case in report.accepted]
    return "\n".join(lines)


def report_rows(report: ImportReport) -> list[dict[str, str]]:
    """One row per refusal and per accepted case, for a table: Row, Reference, Result,
    Column, Details."""
    rows = [
        {
            "Row": str(refusal.row),
            "Reference": _reference_of(report, refusal.row),
            "Result": "Refused",
            "Column": refusal.column,
            "Details": refusal.reason,
        }
        for refusal in report.refusals
    ]
    result = "Created" if report.written else "Would be created"
    if report.mode.value == "all or nothing" and report.refused and not report.dry_run:
        result = "Not written (another row was refused)"
    rows += [
        {
            "Row": _rows(case),
            "Reference": case.reference,
            "Result": result,
            "Column": "",
            "Details": _details(case),
        }
        for case in report.accepted
    ]
    return rows


def _case_line(case: CaseOutcome) -> str:
    return f"{case.reference} (row {_rows(case)}): {_details(case)}"


def _details(case: CaseOutcome) -> str:
    steps = ", ".join(f"{event_label(kind).lower()} {on.isoformat()}" for kind, on in case.events)
    text = f"stage {stage_label(case.stage).lower()}; {steps or 'no dated steps'}"
    if case.not_recorded:
        missing = ", ".join(event_label(kind).lower() for kind in case.not_recorded)
        text += f"; not recorded: {missing}"
    return text


def _rows(case: CaseOutcome) -> str:
    if len(case.rows) == 1:
        return str(case.rows[0])
    return (
        f"{case.rows[0]}-{case.rows[-1]}"
        if case.rows == tuple(range(case.rows[0], case.rows[-1] + 1))
        else ", ".join(map(str, case.rows))
    )


def _reference_of(report: ImportReport, row: int) -> str:
    for case in report.refused:
        if row in case.rows:
            return case.reference
    return ""
