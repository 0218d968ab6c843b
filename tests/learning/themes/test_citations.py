"""Citations name the case, where and when, and the page a reader finds."""

from __future__ import annotations

import pytest

from learning.themes.citations import format_citation, short_partnership, short_title


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Serious Case Review: Child A", "Child A"),
        ("Child A: a serious case of injury in infancy", "Child A"),
        ("Child Safeguarding Practice Review: Baby DD", "Baby DD"),
        ("National Review: Out of Reach - Safeguarding Adolescents", "Out of Reach"),
        ("Learning from Baby H", "Learning from Baby H"),
        ("", "r-1"),
        (None, "r-1"),
    ],
)
def test_short_title(title: str | None, expected: str) -> None:
    assert short_title(title, "r-1") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Northshire Safeguarding Children Partnership", "Northshire"),
        ("Eastbridge LSCB", "Eastbridge"),
        ("Dyfnant Regional Safeguarding Children Board", "Dyfnant"),
        ("Glenmorven Child Protection Committee", "Glenmorven"),
        ("Safeguarding Partnership", ""),
        ("Child Safeguarding Practice Review Panel (fictional example)", ""),
        ("Safeguarding Board for Northern Ireland (fictional example)", "Northern Ireland"),
        (None, ""),
    ],
)
def test_short_partnership(name: str | None, expected: str) -> None:
    assert short_partnership(name) == expected


def test_citation_as_a_briefing_writes_it() -> None:
    assert (
        format_citation(
            review_id="r01",
            title="Serious Case Review: Child A",
            partnership="Northshire LSCB",
            review_type="scr",
            year=2012,
            page=16,
            page_label="14",
        )
        == "[Child A, Northshire SCR 2012, p. 14]"
    )
    assert (
        format_citation(
            review_id="r02", title=None, partnership=None, review_type=None, year=None, page=3
        )
        == "[r02, p. 3]"
    )
