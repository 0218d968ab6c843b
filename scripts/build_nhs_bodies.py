"""Build the list of NHS bodies the personal-data guard ships (``core/data/
nhs_bodies.txt``): the names of the NHS trusts, Welsh local health boards, integrated care boards
and children's hospitals and units of the UK, from the NHS Organisation Data Service (ODS,
Open Government Licence v3.0) as collected by the Royal College of Paediatrics and Child
Health's ``rcpch-nhs-organisations`` (MIT; its ``hospitals/constants`` tables).

A health body named after a person or in Welsh ("Aneurin Bevan University Health Board", "Betsi
Cadwaladr", "Hywel Dda", "Alder Hey") is read as the body, not a person's name
(``personal_evidence``). The product does not depend on the repository: this script is run by
hand, once, on a checkout of it, and writes plain text, one lower-case name a line, sorted.

    git clone https://github.com/rcpch/rcpch-nhs-organisations /tmp/rcpch
    .venv/bin/python scripts/build_nhs_bodies.py /tmp/rcpch
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "core" / "data" / "nhs_bodies.txt"
TABLES = ("rcpch_organisations", "trust", "local_health_boards", "integrated_care_boards")
_NAME = re.compile(
    r'"(?:OrganisationName|ParentName|trust_name|health_board|name)":\s*"(?P<name>[^"]+)"'
)
HEADER = (
    "# NHS bodies, ODS (Open Government Licence v3.0) via rcpch-nhs-organisations (MIT); "
    "scripts/build_nhs_bodies.py"
)


def main(checkout: Path) -> None:
    constants = checkout / "rcpch_nhs_organisations" / "hospitals" / "constants"
    names: set[str] = set()
    for table in TABLES:
        text = (constants / f"{table}.py").read_text(encoding="utf-8")
        names |= {" ".join(m.group("name").lower().split()) for m in _NAME.finditer(text)}
    lines = sorted(n.replace("’", "'") for n in names if re.search(r"[a-z]{3}", n))
    OUT.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    print(f"{len(lines)} names -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
