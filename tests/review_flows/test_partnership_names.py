"""A new partnership's name is refused when it is too like a known one (issue 23, item 8:
typing "Northshire" in Admin silently started a second Northshire)."""

from __future__ import annotations

import pytest

from review_flows.errors import CaseDataInvalid, PartnershipNearDuplicate
from review_flows.partnership_names import distinctive_words, near_duplicate
from review_flows.partnerships import check_new_partnership

NORTHSHIRE = "Northshire Safeguarding Children Partnership"
KNOWN = (
    NORTHSHIRE,
    "Westmere Safeguarding Children Partnership",
    "Cwm Tawel Regional Safeguarding Board",
    "Glenmoor Child Protection Committee",
    "Loughside Safeguarding Panel (SBNI)",
)


@pytest.mark.parametrize(
    ("name", "existing"),
    [
        ("Northshire", NORTHSHIRE),
        ("northshire safeguarding children partnership", NORTHSHIRE),
        ("Northshire  Safeguarding Children's Partnership", NORTHSHIRE),
        ("Northshire SCP", NORTHSHIRE),
        ("Northshre Safeguarding Children Partnership", NORTHSHIRE),
        ("Cwm Tawel", "Cwm Tawel Regional Safeguarding Board"),
        ("Glenmoor Child Protection Committee", "Glenmoor Child Protection Committee"),
        ("Loughside Safeguarding Panel", "Loughside Safeguarding Panel (SBNI)"),
        ("Eastvale Safeguarding Children Partnership", None),
        ("Southshire Safeguarding Children Partnership", None),
        ("North Yorkshire Safeguarding Children Partnership", None),
        ("Northshire and Eastvale Safeguarding Children Partnership", None),
    ],
)
def test_a_name_is_too_like_a_known_one_or_new(name: str, existing: str | None) -> None:
    assert near_duplicate(name, KNOWN) == existing


def test_the_words_every_partnership_uses_tell_none_apart() -> None:
    assert distinctive_words("Loughside Safeguarding Panel (SBNI)") == ("loughside",)
    assert distinctive_words("Cwm Tawel Regional Safeguarding Board") == ("cwm", "tawel")


def test_a_new_name_is_cleaned_and_a_near_duplicate_names_the_existing_one() -> None:
    assert check_new_partnership("  Eastvale Safeguarding Children Partnership ", KNOWN) == (
        "Eastvale Safeguarding Children Partnership"
    )
    with pytest.raises(PartnershipNearDuplicate, match=f"existing partnership .{NORTHSHIRE}.") as e:
        check_new_partnership("Northshire", KNOWN)
    assert e.value.existing == NORTHSHIRE
    with pytest.raises(CaseDataInvalid, match="partnership"):
        check_new_partnership("N", KNOWN)
