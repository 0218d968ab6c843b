"""Small pieces shared by the structured formats (DOCX, HTML, Markdown): list numbers and
table rows rendered as normalised blocks."""

from __future__ import annotations

import re
from collections.abc import Sequence

_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip
_ROW_NUMBER = re.compile(
    r"^(?:R|Rec(?:ommendation)?\.?\s*|Finding\s*)?(\d{1,2}(?:\.\d{1,2})*)\s*[.:)]?$", re.I
)


def _roman(value: int) -> str:
    out = []
    for amount, numeral in _ROMAN:
        count, value = divmod(value, amount)
        out.append(numeral * count)
    return "".join(out)


def _letters(value: int) -> str:
    # after z come aa, bb, ... as in Word and HTML
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def format_number(value: int, fmt: str) -> str:
    """A list counter in a Word-style number format (decimal, lowerLetter, upperRoman ...)."""
    if fmt == "lowerLetter":
        return _letters(value)
    if fmt == "upperLetter":
        return _letters(value).upper()
    if fmt == "lowerRoman":
        return _roman(value)
    if fmt == "upperRoman":
        return _roman(value).upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def table_row_block(cells: Sequence[str]) -> str:
    """A table row as one block: cells joined by " | "; a row whose first cell is a number
    ("3", "R2", "Recommendation 4") becomes a numbered item ("3. ...", "2. ...",
    "Recommendation 4. ...")."""
    cells = [" ".join(cell.split()) for cell in cells]
    cells = [cell for cell in cells if cell]
    if not cells:
        return ""
    number = _ROW_NUMBER.match(cells[0])
    if number and len(cells) > 1:
        first = cells[0].lower()
        kind = next((w for w in ("Recommendation ", "Finding ") if first.startswith(w.lower())), "")
        return f"{kind}{number.group(1)}. " + " | ".join(cells[1:])
    return " | ".join(cells)
