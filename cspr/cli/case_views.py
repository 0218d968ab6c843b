"""How ``cspr case`` shows cases: the text tables, and the dicts behind --json and --csv. Pure
rendering of values the services return; no session, no I/O."""

from __future__ import annotations

import datetime as dt
from typing import Any

from review_flows.events import EventKind, amendment_marks


def due_row_to_dict(row: Any) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "partnership": row.partnership,
        "stage": row.stage,
        "milestone": row.milestone,
        "label": row.label,
        "due": row.due.isoformat(),
        "working_days": row.working_days,
        "status": row.status.value,
        "responsible": row.responsible,
        "owner": row.owner,
        "statutory": row.statutory,
    }


def flat_overview(overview: Any) -> dict[str, Any]:
    item = overview_to_dict(overview)
    nxt = item.pop("next_due", None) or {}
    item.pop("milestones", None)
    return {**item, "next_milestone": nxt.get("milestone"), "next_due": nxt.get("due")}


def flat_milestone(item: dict[str, Any]) -> dict[str, Any]:
    """A milestone's dict with nested values (the alternative readings) as text."""
    alternatives = item.pop("alternatives", None) or []
    item["alternatives"] = "; ".join(
        f"{alt['milestone']} {alt['due'] or ''}".strip() for alt in alternatives
    )
    return item


def render_week(rows: list[Any], day: dt.date) -> str:
    if not rows:
        return f"nothing pending as of {day.isoformat()}"
    table = [("REFERENCE", "STAGE", "MILESTONE", "DUE", "WORKING DAYS", "STATUS", "OWNER")]
    for row in rows:
        name = row.milestone + ("" if row.statutory else " (local target)")
        table.append(
            (row.reference, row.stage, name, row.due.isoformat(), row.left_or_late,
             row.status.value, row.owner or "-")
        )  # fmt: skip
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    return "\n".join([*lines, f"{len(rows)} milestones pending as of {day.isoformat()}"])


def render_timeline(timeline: Any, day: dt.date) -> str:
    case = timeline.case
    flags = [
        label
        for flag, label in (
            (case.looked_after, "looked after"),
            (case.child_protection_plan, "CP plan"),
        )
        if flag
    ]
    head = [
        case.reference,
        case.partnership,
        case.nation.value,
        f"incident {case.incident_date.isoformat()}",
        case.outcome.value,
        f"age {case.age_group.value}",
        *flags,
    ]
    lines = [
        " · ".join(head),
        f"stage: {timeline.stage.value} · rules: {timeline.ruleset_id} · as of {day.isoformat()}",
        "",
        "events",
    ]
    amended = _amendments(timeline.events)
    for event in timeline.events:
        what = event.kind.value + (f" of #{event.corrects}" if event.corrects else "")
        if event.kind is EventKind.AMENDED:
            what = f"amended {event.amends} to {event.amended_to}"
        note = f'  "{event.note}"' if event.note else ""
        lines.append(
            f"  #{event.id:<4} {event.on.isoformat()}  {what:<28} by {event.recorded_by}{note}"
            + amended.get(event.id, "")
        )
    lines += ["", "milestones"]
    for m in timeline.milestones:
        due = m.due.isoformat() if m.due else "-"
        extra = f"done {m.done.isoformat()}" if m.done else _remaining(m.working_days_remaining)
        lines.append(f"  {m.milestone:<32} due {due:<10}  {m.status.value:<14} {extra}")
        lines.append(f"      rule: {m.rule}{'' if m.alert else ' (alerts on the earlier reading)'}")
        lines.append(f"      source: {m.source} ({m.confidence.value})")
    return "\n".join(lines)


def _amendments(events: Any) -> dict[int, str]:
    """What later corrections and voids did to each event, to show beside it."""
    return {target: f"  [{mark}]" for target, mark in amendment_marks(list(events)).items()}


def _remaining(days: int | None) -> str:
    if days is None:
        return ""
    return f"{days} working days left" if days >= 0 else f"{-days} working days late"


def overview_to_dict(overview: Any) -> dict[str, Any]:
    case, next_due = overview.case, overview.next_due
    return {
        "reference": case.reference,
        "partnership": case.partnership,
        "nation": case.nation.value,
        "incident_date": case.incident_date.isoformat(),
        "stage": overview.stage.value,
        "ruleset": overview.ruleset_id,
        "owner": case.owner,
        "next_due": None
        if next_due is None
        else {
            "milestone": next_due.milestone,
            "label": next_due.label,
            "due": next_due.due.isoformat() if next_due.due else None,
            "status": next_due.status.value,
            "working_days_remaining": next_due.working_days_remaining,
        },
        "worst_status": overview.worst_status.value if overview.worst_status else None,
    }


def render_overviews(overviews: list[Any], day: dt.date) -> str:
    if not overviews:
        return "no cases (open one with `cspr case new`)"
    rows = [("REFERENCE", "PARTNERSHIP", "STAGE", "NEXT DUE", "MILESTONE", "STATUS", "WORST")]
    for overview in overviews:
        item = overview_to_dict(overview)
        nxt = item["next_due"] or {}
        rows.append(
            (
                item["reference"],
                item["partnership"],
                item["stage"],
                nxt.get("due") or "-",
                nxt.get("milestone") or "-",
                nxt.get("status") or "-",
                item["worst_status"] or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join([*lines, f"{len(overviews)} cases as of {day.isoformat()}"])


def csv_text(records: list[dict[str, Any]]) -> str:
    """Records as CSV with a header row (empty text for no records)."""
    import csv
    import io

    if not records:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()
