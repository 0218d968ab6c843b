"""Build the name lists the personal-data guard ships (``core/data/forenames.txt`` and
``surnames.txt``). Run by hand when the sources change; the product never reads the sources.

Forenames: the US 1990 census first names (package ``names``, public domain) and, from
Jörg Michael's international name dictionary (package ``gender-guesser``, GNU FDL), every name
known in Britain or Ireland, or common (``COUNTRIES``) in one of the countries many of England's,
Wales's and Scotland's families come from. Surnames: the census's most common
``SURNAMES`` surnames. Both lower case, one a line, sorted.

    .venv/bin/pip install names==0.3.0 gender-guesser==0.4.0
    .venv/bin/python scripts/build_name_lists.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "core" / "data"
# country -> the least frequency (1 rare .. 13 extremely common) that counts there: every name
# known in Britain and Ireland, the common ones elsewhere
COUNTRIES = {
    "Great Britain": 1, "Ireland": 1, "U.S.A.": 3, "India/Sri Lanka": 3, "Arabia/Persia": 3,
    "Poland": 3, "Turkey": 3, "Romania": 3, "Portugal": 3, "Italy": 3, "Spain": 3,
    "Albania": 3, "Lithuania": 3, "Latvia": 3, "Czech Republic": 3, "Slovakia": 3,
    "Bulgaria": 3, "Kosovo": 3, "Germany": 3, "France": 3, "Greece": 3, "China": 3,
    "Vietnam": 3, "Russia": 3, "Ukraine": 3, "other countries": 2,
}  # fmt: skip
SURNAMES = 2000


def _census(name: str) -> list[str]:
    import names

    path = Path(os.path.dirname(names.__file__)) / name
    return [line.split()[0].lower() for line in path.read_text().splitlines() if line.strip()]


def _dictionary_names() -> set[str]:
    import gender_guesser

    path = Path(os.path.dirname(gender_guesser.__file__)) / "data" / "nam_dict.txt"
    lines = path.read_text(encoding="iso-8859-1").splitlines()
    columns = _country_columns(lines)
    wanted = [(columns[c], least) for c, least in COUNTRIES.items() if c in columns]
    found: set[str] = set()
    for line in lines:
        if line.startswith("#") or len(line) < 30:
            continue
        name = line[3:29].strip()
        if "+" in name or not re.fullmatch(r"[A-Za-z' -]+", name):
            continue
        if any(_frequency(line, column) >= least for column, least in wanted):
            found.add(name.lower())
    return found


def _country_columns(lines: list[str]) -> dict[str, int]:
    """Country -> column of its frequency digit, from the header's label-and-bar pairs."""
    columns: dict[str, int] = {}
    for label, bar in zip(lines, lines[1:], strict=False):
        if label.startswith("#") and bar.startswith("#") and "|" in bar:
            columns[label.strip("# $\r").strip()] = bar.index("|")
    return columns


def _frequency(line: str, column: int) -> int:
    digit = line[column] if column < len(line) else " "
    return int(digit, 16) if digit.strip() and digit in "0123456789ABCDEFabcdef" else 0


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    forenames = sorted({*_census("dist.male.first"), *_census("dist.female.first"),
                        *_dictionary_names()})  # fmt: skip
    surnames = sorted(set(_census("dist.all.last")[:SURNAMES]))
    (OUT / "forenames.txt").write_text("\n".join(forenames) + "\n", encoding="utf-8")
    (OUT / "surnames.txt").write_text("\n".join(surnames) + "\n", encoding="utf-8")
    print(f"{len(forenames)} forenames, {len(surnames)} surnames -> {OUT}")


if __name__ == "__main__":
    main()
