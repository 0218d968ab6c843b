"""The national figures others publish (the Panel's annual reports, the DfE's statistics of
serious incident notifications), read from a CSV kept as data with its sources. Pure.

Why data, not code: each figure was copied by hand from a page someone could read, and a
maintainer corrects or adds one from the next annual report without touching the program.
Why so strict: the file is shown to analysts beside our own rates and exported into their
reports, so a figure with no source, a share over 100% or a cell that a spreadsheet would run
as a formula is refused on load, naming the line and the column, rather than shown.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from learning.errors import PublishedFiguresInvalid

#: The file shipped with the workbench (``corpus/national/`` of the repository).
DEFAULT_FIGURES = Path(__file__).resolve().parents[2] / "corpus" / "national" / "panel_figures.csv"
COLUMNS = (
    "figure_id", "period", "nation", "first_year", "last_year", "population", "outcome", "measure",
    "theme_id", "qualifier", "value", "unit", "source", "source_url", "where", "confidence",
    "note",
)  # fmt: skip
#: Who a figure counts, as a reader says it.
POPULATIONS = {
    "notifications": "Serious incident notifications",
    "children_notified": "Children notified",
    "rapid_reviews": "Rapid reviews",
    "lcsprs": "Local child safeguarding practice reviews",
}
#: The nation a figure counts (the Panel and the DfE count England only).
NATIONS = ("england", "wales", "scotland", "northern_ireland")
OUTCOMES = {"": "", "death": "Death", "serious_harm": "Serious harm"}
UNITS = ("count", "percent", "change")
QUALIFIERS = {"exact": "", "more_than": "more than ", "about": "about "}
#: stated: read in the publisher's own page; secondhand: reported by another page.
CONFIDENCE = {"stated": "Stated by the publisher", "secondhand": "Reported secondhand"}
#: Larger files are refused: this is a hand-kept table of a few dozen figures.
MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_URL = re.compile(r"^https?://[^\s<>\"'`]+$")
#: A cell a spreadsheet would run as a formula when the export is opened.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT_LIMIT = 500
#: A row's error factory: (column, reason) -> the error naming its line.
_Bad = Callable[[str, str], PublishedFiguresInvalid]
_REQUIRED = (
    "figure_id",
    "period",
    "nation",
    "population",
    "measure",
    "source",
    "source_url",
    "where",
)


@dataclass(frozen=True)
class PublishedFigure:
    """One figure as its publisher gave it, with where it was read and how sure we are."""

    figure_id: str
    period: str
    nation: str
    first_year: int
    last_year: int
    population: str
    outcome: str
    measure: str
    theme_id: str
    qualifier: str
    value: float
    unit: str
    source: str
    source_url: str
    where: str
    confidence: str
    note: str

    @property
    def is_share(self) -> bool:
        return self.unit == "percent"

    def value_text(self) -> str:
        """The figure as written: "42.6%", "more than 50%", "482", "-51"."""
        number = f"{self.value:g}"
        if self.unit == "change" and self.value > 0:
            number = f"+{number}"
        suffix = "%" if self.unit == "percent" else ""
        return f"{QUALIFIERS[self.qualifier]}{number}{suffix}"


def load_published_figures(
    path: Path = DEFAULT_FIGURES, known_themes: frozenset[str] | None = None
) -> tuple[PublishedFigure, ...]:
    """The figures of ``path`` in file order, every row checked.

    Raises :class:`~learning.errors.PublishedFiguresInvalid` naming the line (the header is
    line 1) and the column of the first bad cell; a theme not in ``known_themes`` (when
    given) is refused as well, so a renamed theme cannot silently drop out of the comparison.
    """
    try:
        raw = path.read_bytes()
    except OSError as problem:
        raise PublishedFiguresInvalid(path, f"cannot be read ({problem.strerror})") from None
    return parse_published_figures(raw, path, known_themes)


def parse_published_figures(
    raw: bytes, name: Path | str = "figures", known_themes: frozenset[str] | None = None
) -> tuple[PublishedFigure, ...]:
    """:func:`load_published_figures` over the bytes of a file (an upload, a test)."""
    if len(raw) > MAX_BYTES:
        raise PublishedFiguresInvalid(name, f"larger than {MAX_BYTES} bytes")
    if b"\x00" in raw:
        raise PublishedFiguresInvalid(name, "holds a NUL byte: not a text CSV")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise PublishedFiguresInvalid(name, f"not UTF-8 (byte {problem.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as problem:
        raise PublishedFiguresInvalid(name, f"not a CSV: {problem}", reader.line_num) from None
    if not rows or tuple(cell.strip() for cell in rows[0]) != COLUMNS:
        raise PublishedFiguresInvalid(name, f"the header must be: {','.join(COLUMNS)}", 1)
    if len(rows) - 1 > MAX_ROWS:
        raise PublishedFiguresInvalid(name, f"more than {MAX_ROWS} figures")
    figures: list[PublishedFigure] = []
    seen: set[str] = set()
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        figure = _figure(name, line, cells, known_themes)
        if figure.figure_id in seen:
            raise PublishedFiguresInvalid(name, "the same figure_id twice", line, "figure_id")
        seen.add(figure.figure_id)
        figures.append(figure)
    return tuple(figures)


def _figure(
    name: Path | str, line: int, cells: list[str], known: frozenset[str] | None
) -> PublishedFigure:
    if len(cells) != len(COLUMNS):
        reason = f"{len(cells)} cells where the header has {len(COLUMNS)}"
        raise PublishedFiguresInvalid(name, reason, line)
    row = {column: cell.strip() for column, cell in zip(COLUMNS, cells, strict=True)}

    def bad(column: str, reason: str) -> PublishedFiguresInvalid:
        return PublishedFiguresInvalid(name, reason, line, column)

    for column, cell in row.items():
        if len(cell) > _TEXT_LIMIT:
            raise bad(column, f"longer than {_TEXT_LIMIT} characters")
        if column != "value" and cell.startswith(_FORMULA_START):
            raise bad(column, "starts like a spreadsheet formula (=, +, -, @)")
        if any(ord(char) < 32 for char in cell):
            raise bad(column, "holds a control character")
    for column in _REQUIRED:
        if not row[column]:
            raise bad(column, "is empty")
    _check(row, bad, known)
    first = _year(row["first_year"], "first_year", bad)
    last = _year(row["last_year"], "last_year", bad)
    if first > last:
        raise bad("last_year", f"{last} is before first_year {first}")
    value = _value(row, bad)
    return PublishedFigure(
        row["figure_id"], row["period"], row["nation"], first, last, row["population"],
        row["outcome"], row["measure"], row["theme_id"], row["qualifier"] or "exact", value,
        row["unit"], row["source"], row["source_url"], row["where"], row["confidence"], row["note"],
    )  # fmt: skip


def _check(row: dict[str, str], bad: _Bad, known: frozenset[str] | None) -> None:
    if not _ID.match(row["figure_id"]):
        raise bad("figure_id", "use lower-case letters, digits, - and _ only")
    vocabularies = (
        ("nation", NATIONS), ("population", POPULATIONS), ("outcome", OUTCOMES), ("unit", UNITS),
        ("confidence", CONFIDENCE),
    )  # fmt: skip
    for column, allowed in vocabularies:
        if row[column] not in allowed:
            raise bad(
                column, f"{row[column]!r} is not one of: {', '.join(a for a in allowed if a)}"
            )
    if row["qualifier"] and row["qualifier"] not in QUALIFIERS:
        raise bad("qualifier", f"{row['qualifier']!r} is not one of: {', '.join(QUALIFIERS)}")
    if not _URL.match(row["source_url"]):
        raise bad("source_url", "must be one http(s) address")
    theme = row["theme_id"]
    if theme and (not _ID.match(theme) or (known is not None and theme not in known)):
        raise bad("theme_id", f"{theme!r} is not a theme of the taxonomy")
    if theme and row["unit"] != "percent":
        raise bad("theme_id", "a theme is compared only as a share (unit percent)")


def _year(cell: str, column: str, bad: _Bad) -> int:
    if not re.fullmatch(r"\d{4}", cell) or not 1900 <= int(cell) <= 2100:
        raise bad(column, f"{cell!r} is not a year")
    return int(cell)


def _value(row: dict[str, str], bad: _Bad) -> float:
    cell = row["value"]
    if not re.fullmatch(r"-?\d{1,9}(\.\d{1,6})?", cell):
        raise bad("value", f"{cell!r} is not a plain number")
    value = float(cell)
    if row["unit"] == "percent" and not 0 <= value <= 100:
        raise bad("value", f"{cell}% is not between 0 and 100")
    if row["unit"] == "count" and (value < 0 or not value.is_integer()):
        raise bad("value", f"{cell} is not a whole count")
    return value
