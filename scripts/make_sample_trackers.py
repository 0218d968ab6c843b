"""Write the two sample partnership trackers of ``corpus/trackers/`` (deterministic: the same
files byte for byte on every run).

- ``northshire-tracker.xlsx``: England, one row per case with a column per step's date, 40
  rows, incidents 2019-2026, some cases taken over mid-way (early dates blank), and six rows
  wrong on purpose;
- ``cymru-tracker.csv``: Dyfnant, a Welsh partnership, one row per event with UK dates (UTF-8
  with a byte-order mark, as Excel saves "CSV UTF-8"), 40 cases, five of them wrong on purpose.

Which rows are wrong and why: ``corpus/trackers/README.md`` (tests/review_flows/
test_tracker_samples.py checks both). Every reference is a pseudonymous code; the one name
(in a bad row's note) is invented, for the personal-data guard to refuse.

    .venv/bin/python scripts/make_sample_trackers.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "corpus" / "trackers"
LAST_DAY = dt.date(2026, 11, 30)  # no good date after this: the trackers were saved then
FUTURE = dt.date(2031, 3, 14)
_D = dt.timedelta

NORTHSHIRE_HEADER = [
    "Case ref", "Date of incident", "Nation", "Outcome", "Age band", "LAC", "CP plan",
    "Date LA aware", "Date notified to Panel", "RR started", "RR submitted", "Decision date",
    "Decided no LCSPR", "Panel response", "Reviewer appointed", "ToR agreed",
    "Draft report received", "Delay notified", "Reason for delay", "Report sent to Panel",
    "Date published", "Action plan agreed", "Date closed", "Migration note", "RAG",
]  # fmt: skip
CYMRU_HEADER = [
    "Cyfeirnod", "Gwlad", "Incident date", "Outcome", "Age band", "Looked after", "Event",
    "Dyddiad", "Nodyn",
]  # fmt: skip
_AGES = ["under 1", "1-4", "5-9", "10-14", "15-17"]
_WELSH_AGES = ["0-1", "1 to 4", "5 to 9", "10 to 14", "15 to 17"]


def england_steps(rng: random.Random, incident: dt.date) -> dict[str, dt.date]:
    """A plausible English case's dates, up to ``LAST_DAY``."""
    aware = incident + _D(rng.randint(0, 3))
    dates = {"aware": aware, "notified": aware + _D(rng.randint(1, 5))}
    dates["rr_started"] = dates["notified"] + _D(rng.randint(0, 3))
    dates["rr_submitted"] = aware + _D(rng.randint(14, 21))
    after = dates["rr_submitted"] + _D(rng.randint(3, 20))
    if rng.random() < 0.35:
        dates["no_review"] = after
        dates["panel"] = after + _D(rng.randint(10, 30))
        dates["closed"] = dates["panel"] + _D(rng.randint(20, 60))
    else:
        dates["decision"] = after
        dates["reviewer"] = after + _D(rng.randint(15, 40))
        dates["tor"] = dates["reviewer"] + _D(rng.randint(7, 21))
        dates["draft"] = dates["tor"] + _D(rng.randint(120, 220))
        if rng.random() < 0.3:
            dates["delay"] = dates["tor"] + _D(rng.randint(60, 110))
        dates["sent"] = dates["draft"] + _D(rng.randint(20, 60))
        dates["published"] = dates["sent"] + _D(rng.randint(15, 50))
        dates["action_plan"] = dates["published"] + _D(rng.randint(10, 30))
        dates["closed"] = dates["action_plan"] + _D(rng.randint(90, 240))
    return {step: on for step, on in dates.items() if on <= LAST_DAY}


def northshire_rows(rng: random.Random) -> list[list[object]]:
    columns = ["aware", "notified", "rr_started", "rr_submitted", "decision", "no_review",
               "panel", "reviewer", "tor", "draft", "delay"]  # fmt: skip
    later = ["sent", "published", "action_plan", "closed"]
    rows = []
    for number in range(1, 41):
        incident = _incident(rng)
        dates = england_steps(rng, incident)
        taken_over = number % 5 == 0  # early steps held by the previous system
        if taken_over:
            for step in ("aware", "notified", "rr_started"):
                dates.pop(step, None)
        reference = f"NSH-{incident.year}-{number:03d}"
        text_date = number % 7 == 0  # typed as text, not a date cell
        cells: list[object] = [
            reference, _uk(incident) if text_date else incident, "England",
            rng.choice(["Death", "Serious harm"]), rng.choice(_AGES),
            rng.choice(["Y", "N"]), rng.choice(["Y", "N"]),
        ]  # fmt: skip
        for step in columns:
            on = dates.get(step)
            cells.append(_uk(on) if on and text_date else on)
            if step == "delay":
                cells.append("criminal trial of a parent" if on else None)
        cells += [dates.get(step) for step in later]
        note = "held on the previous case system; early dates not transferred"
        cells += [note if taken_over else None, rng.choice(["Green", "Amber", "Red"])]
        rows.append(cells)
    _northshire_mistakes(rows)
    return rows


def _northshire_mistakes(rows: list[list[object]]) -> None:
    """Six rows wrong on purpose (the spreadsheet's rows 5, 10, 15, 20, 25 and 30)."""
    col = NORTHSHIRE_HEADER.index
    rows[3][col("Migration note")] = "early dates kept by Jayden Smith-Parkes's old school"
    _blank(rows[8], "Decision date")  # a date in the future
    rows[8][col("Decision date")] = FUTURE
    rows[13][col("Outcome")] = None  # a required cell left empty
    incident = rows[18][col("Date of incident")]  # the decision before the notification
    assert isinstance(incident, dt.date)
    _blank(rows[18], "Date LA aware")
    rows[18][col("Date LA aware")] = incident + _D(1)
    rows[18][col("Decision date")] = incident + _D(6)
    rows[18][col("Date notified to Panel")] = incident + _D(10)
    rows[23][col("Date LA aware")] = "31/02/2024"  # no such day
    rows[28][col("Case ref")] = rows[27][col("Case ref")]  # the same case twice


def _blank(row: list[object], first: str) -> None:
    """Clear every step's date (and the delay's reason) from column ``first`` on."""
    for place in range(NORTHSHIRE_HEADER.index(first), NORTHSHIRE_HEADER.index("Migration note")):
        row[place] = None


def wales_events(rng: random.Random, incident: dt.date) -> list[tuple[str, dt.date, str]]:
    aware = incident + _D(rng.randint(0, 4))
    notified = aware + _D(rng.randint(3, 20))
    events = [("Referral received", aware, ""), ("CPR notification", notified, "")]
    decided = notified + _D(rng.randint(20, 60))
    if rng.random() < 0.4:
        events += [("Criteria not met", decided, ""),
                   ("Closed", decided + _D(rng.randint(14, 60)), "")]  # fmt: skip
    else:
        reviewers = decided + _D(rng.randint(20, 50))
        sent = reviewers + _D(rng.randint(150, 300))
        published = sent + _D(rng.randint(30, 90))
        events += [
            ("Review commissioned", decided, ""),
            ("Reviewers appointed", reviewers, ""),
            ("Report to Welsh Government", sent, ""),
            ("Published", published, ""),
            ("Closed", published + _D(rng.randint(60, 200)), ""),
        ]
    return [event for event in events if event[1] <= LAST_DAY]


def cymru_rows(rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    for number in range(1, 41):
        incident = _incident(rng)
        reference = f"DYF-{incident.year}-{number:03d}"
        facts = [reference, rng.choice(["Cymru", "Wales"]), _uk(incident),
                 rng.choice(["died", "serious harm"]), rng.choice(_WELSH_AGES),
                 rng.choice(["Y", "N"])]  # fmt: skip
        events = wales_events(rng, incident)
        if number % 6 == 0 and len(events) > 2:  # taken over from the regional tracker
            handed = events[-1][1]
            events = [("Taken over", handed, "moved from the regional tracker; the referral "
                       "and notification dates stayed there"), *events[2:]]  # fmt: skip
        events = _cymru_mistake(number, events, incident)
        rows += [[*facts, kind, _uk(on), note] for kind, on, note in events]
    return rows


def _cymru_mistake(
    number: int, events: list[tuple[str, dt.date, str]], incident: dt.date
) -> list[tuple[str, dt.date, str]]:
    """Five cases wrong on purpose: DYF-*-007, -014, -021, -028 and -035."""
    if number == 7:  # a Welsh case with England's rapid review
        return [*events[:2], ("RR submitted", events[1][1] + _D(10), ""), *events[2:3]]
    if number == 14:  # a date in the future
        return [*events[:2], ("Review commissioned", FUTURE, "")]
    if number == 21:  # a note naming a child
        aware, on, _ = events[0]
        return [(aware, on, "Tallulah Quarmby's school raised the concern"), *events[1:2]]
    if number == 28:  # the decision before the notification
        return [("Review commissioned", incident + _D(3), ""),
                ("CPR notification", incident + _D(9), "")]  # fmt: skip
    if number == 35:  # a step no layout knows
        return [*events[:2], ("Strategy meeting", events[1][1] + _D(2), "")]
    return events


def _incident(rng: random.Random) -> dt.date:
    """An incident date from 2019 to October 2026, more of them recent (cases still open)."""
    return dt.date(2026, 10, 20) - _D(int(2800 * rng.random() ** 1.6))


def _uk(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    stamp = dt.datetime(2026, 11, 30, 9, 0)
    book.properties.created = book.properties.modified = stamp
    raw = io.BytesIO()
    book.save(raw)
    path.write_bytes(_fixed_zip(raw.getvalue()))


def _fixed_zip(content: bytes) -> bytes:
    """The workbook's zip again with fixed entry times, so the file is the same each run."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-11-30T09:00:00Z", data
                )
            target.writestr(zipfile.ZipInfo(entry.filename, (2026, 11, 30, 9, 0, 0)), data,
                            zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_xlsx(out / "northshire-tracker.xlsx", NORTHSHIRE_HEADER,
               northshire_rows(random.Random(2019)))  # fmt: skip
    write_csv(out / "cymru-tracker.csv", CYMRU_HEADER, cymru_rows(random.Random(2024)))
    print(f"wrote {out / 'northshire-tracker.xlsx'} and {out / 'cymru-tracker.csv'}")


if __name__ == "__main__":
    main()
