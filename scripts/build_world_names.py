"""Build the worldwide name lists the personal-data guard ships beside the census ones
(``core/data/world_forenames.txt`` and ``world_surnames.txt``), from ``names-dataset``
(Philippe Remy, Apache-2.0; names gathered from a public social-network data set, 105 countries).

``names-dataset`` keeps its data as pickles (``v3/*.pkl.gz``), which the product never loads
(style.md: no pickle): this script is run by hand, once, in a scratch environment, and writes
plain text, one lower-case name a line, sorted. For each country many of the families of
England, Wales and Scotland come from, the ``TOP`` most common forenames and surnames.

    python3.11 -m venv /tmp/nd && /tmp/nd/bin/pip install names-dataset==3.3.1
    /tmp/nd/bin/python scripts/build_world_names.py
"""

from __future__ import annotations

import re
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "core" / "data"
TOP = 1000
COUNTRIES = (
    "GB", "IE", "US", "CA", "AU", "PL", "RO", "LT", "LV", "BG", "AL", "IT", "PT", "ES", "FR",
    "DE", "GR", "TR", "CY", "IN", "PK", "BD", "LK", "AF", "IQ", "IR", "SY", "EG", "MA", "DZ",
    "NG", "GH", "ZA", "ET", "SD", "JM", "CN", "HK", "MY", "SG", "PH", "BR",
)  # fmt: skip


def _top(dataset: object, country: str, first: bool) -> set[str]:
    found = dataset.get_top_names(  # type: ignore[attr-defined]
        n=TOP, use_first_names=first, country_alpha2=country
    )
    names: set[str] = set()
    for value in found.get(country, {}).values() if first else [found.get(country, [])]:
        names.update(value)
    return {n.lower() for n in names if re.fullmatch(r"[A-Za-z][A-Za-z'-]{1,29}", n)}


def main() -> None:
    from names_dataset import NameDataset

    dataset = NameDataset()
    known = {c for c in dataset.get_country_codes(alpha_2=True)}
    forenames: set[str] = set()
    surnames: set[str] = set()
    for country in COUNTRIES:
        if country not in known:
            print(f"not in names-dataset: {country}")
            continue
        forenames |= _top(dataset, country, True)
        surnames |= _top(dataset, country, False)
    (OUT / "world_forenames.txt").write_text("\n".join(sorted(forenames)) + "\n", "utf-8")
    (OUT / "world_surnames.txt").write_text("\n".join(sorted(surnames)) + "\n", "utf-8")
    print(f"{len(forenames)} forenames, {len(surnames)} surnames -> {OUT}")


if __name__ == "__main__":
    main()
