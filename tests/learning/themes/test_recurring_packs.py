"""Recurring recommendations grouped across reviews and years; evidence packs that cite every
line in CSV, Markdown and PDF."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from learning.errors import InvalidFilter, ThemeNotFound
from learning.index.store import UnitRow
from learning.themes.pack_export import pack_csv, pack_markdown, write_pack
from learning.themes.packs import build_pack
from learning.themes.recurring import RecurringParams, find_recurring, recurring_recommendations
from tests.learning.themes.conftest import Doc, F, R, build_index

SAFER_SLEEP = [
    "Health visitors should give safer sleep advice to both parents at every visit.",
    "Safer sleep advice should be given to both parents, fathers included, at each health visit.",
    "The partnership should make sure both parents get safer sleep advice at every visit.",
]
ESCALATION = [
    "Practitioners should use the escalation policy when they disagree with a decision.",
    "All agencies should remind staff of the escalation policy for professional disagreement.",
]
CITATION = re.compile(r"\[[^\[\]]+, p\. [^\[\]]+\]$")


def row(review_id: str, ordinal: int, text: str, year: int) -> UnitRow:
    return UnitRow(
        id=ordinal,
        review_id=review_id,
        ordinal=ordinal,
        kind="recommendation",
        number=str(ordinal),
        section="Recommendations",
        page=7,
        page_label="7",
        text=text,
        title=f"Child {review_id}",
        source="x",
        year=year,
        nation="england",
        partnership="Northshire Safeguarding Partnership",
        review_type="scr",
        outcome="death",
        age_group="under_1",
    )


def test_find_recurring_on_hand_made_vectors() -> None:
    rows = [
        row("a", 1, "A1", 2014),
        row("b", 2, "B1", 2019),
        row("c", 3, "C1", 2016),
        row("a", 4, "A2", 2014),
        row("a", 5, "A3", 2014),
        row("d", 6, "D1", 2021),
    ]
    vectors = np.array(
        [[1, 0, 0], [0.96, 0.28, 0], [0.96, -0.28, 0], [0, 1, 0], [0, 0.96, 0.28], [0, 0, 1]],
        dtype=np.float32,
    )
    groups = find_recurring(rows, vectors, RecurringParams(threshold=0.8))
    assert len(groups) == 1  # A2+A3 are one review only; D1 stands alone
    (group,) = groups
    assert (group.count, group.reviews, group.first_year, group.last_year) == (3, 3, 2014, 2019)
    assert group.statement == "A1"  # the most central wording
    assert [m.review_id for m in group.members] == ["a", "c", "b"]  # by year
    assert group.members[0].citation == "[Child a, Northshire SCR 2014, p. 7]"
    assert (
        find_recurring(rows, vectors, RecurringParams(threshold=0.8))[0].group_id == group.group_id
    )
    assert (
        find_recurring(rows, vectors, RecurringParams(threshold=0.8, min_reviews=1))[0].count == 3
    )
    assert len(find_recurring(rows, vectors, RecurringParams(threshold=0.8, min_reviews=1))) == 2


def reviews() -> list[Doc]:
    docs = []
    texts = SAFER_SLEEP + ESCALATION
    years = [2012, 2016, 2021, 2015, 2019]
    for i, (text, year) in enumerate(zip(texts, years, strict=True)):
        docs.append(
            Doc(
                f"r{i}",
                (
                    (
                        F,
                        "Domestic abuse and coercive control by the father were not recognised.",
                        "Findings",
                        3,
                    ),
                    (
                        F,
                        "The MARAC did not share domestic abuse information with the health "
                        "visitor.",
                        "Findings",
                        4,
                    ),
                    (R, text, "Recommendations", 9),
                    (
                        R,
                        "Agencies should assess domestic abuse risk whenever police report "
                        "an incident.",
                        "Recommendations",
                        10,
                    ),
                ),
                year=year,
                nation="wales" if i == 4 else "england",
                title=f"Child {chr(65 + i)}: a review",
            )
        )
    return docs


@pytest.fixture
def index_dir(tmp_path: Path, fake_encoder) -> Path:
    return build_index(tmp_path / "index", reviews(), fake_encoder)


def test_recurring_recommendations_of_an_index(index_dir: Path, open_workspace) -> None:
    groups = recurring_recommendations(open_workspace(index_dir), RecurringParams(threshold=0.5))
    statements = {g.statement for g in groups}
    da = next(g for g in groups if "assess domestic abuse risk" in g.statement)
    assert (da.count, da.reviews, da.first_year, da.last_year) == (5, 5, 2012, 2021)
    sleep = next(g for g in groups if g.statement in SAFER_SLEEP)
    assert {m.review_id for m in sleep.members} == {"r0", "r1", "r2"}
    assert (sleep.first_year, sleep.last_year) == (2012, 2021)
    assert len(groups) == 2  # the two escalation wordings share too few words for the fake
    assert not statements & set(ESCALATION)
    assert [g.theme_id for g in groups] == ["domestic_abuse", "sudi_unsafe_sleep"]


def test_pack_selects_tagged_reviews_and_their_evidence(index_dir: Path, open_workspace) -> None:
    pack = build_pack(open_workspace(index_dir), "domestic_abuse")
    assert [r.review_id for r in pack.reviews] == ["r2", "r4", "r1", "r3", "r0"]  # newest first
    assert {e.review_id for e in pack.findings} == {f"r{i}" for i in range(5)}
    assert all(e.kind == "finding" for e in pack.findings)
    assert all(e.kind == "recommendation" for e in pack.recommendations)
    assert {e.page for e in pack.findings} <= {3, 4}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["nation=wales"], ["r4"]),
        (["year=2015-2019"], ["r4", "r1", "r3"]),
        (["year>=2020", "nation=england"], ["r2"]),
        (["review_type=scr"], []),
        (["partnership=northshire"], ["r2", "r4", "r1", "r3", "r0"]),
    ],
)
def test_pack_filters(
    index_dir: Path, open_workspace, filters: list[str], expected: list[str]
) -> None:
    pack = build_pack(open_workspace(index_dir), "domestic_abuse", filters)
    assert [r.review_id for r in pack.reviews] == expected
    assert {e.review_id for e in (*pack.findings, *pack.recommendations)} <= set(expected)


def test_pack_kind_filter_and_errors(index_dir: Path, open_workspace) -> None:
    workspace = open_workspace(index_dir)
    only = build_pack(workspace, "domestic_abuse", ["kind=recommendation"])
    assert only.findings == () and only.recommendations
    with pytest.raises(InvalidFilter, match="unknown filter field 'colour'"):
        build_pack(workspace, "domestic_abuse", ["colour=red"])
    with pytest.raises(ThemeNotFound, match="no theme 'ghosts'"):
        build_pack(workspace, "ghosts")


def test_markdown_cites_every_line(index_dir: Path, open_workspace) -> None:
    text = pack_markdown(build_pack(open_workspace(index_dir), "domestic_abuse"))
    lines = [line for line in text.splitlines() if line.strip()]
    body = [line for line in lines if not line.startswith("#")]
    assert len(body) == 5 + 10 + 5  # reviews, findings, recommendations
    assert all(line.startswith("- ") and CITATION.search(line) for line in body)
    assert (
        "- 1. Domestic abuse and coercive control by the father were not recognised. "
        "[Child E, Northshire CSPR 2019, p. 3]"
    ) in body


def test_csv_has_a_page_and_citation_on_every_row(index_dir: Path, open_workspace) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(pack_csv(build_pack(open_workspace(index_dir), "domestic_abuse")))
        )
    )
    assert len(rows) == 20
    assert all(r["page"] and CITATION.search(r["citation"]) for r in rows)
    assert {r["part"] for r in rows} == {"review", "finding", "recommendation"}
    assert all(r["text"] for r in rows if r["part"] != "review")


def test_pdf_briefing_opens_and_contains_the_citations(
    index_dir: Path, open_workspace, tmp_path: Path
) -> None:
    pack = build_pack(open_workspace(index_dir), "domestic_abuse")
    path = write_pack(pack, "pdf", tmp_path / "out" / "pack.pdf")
    reader = PdfReader(str(path))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Evidence pack: Domestic abuse and coercive control" in text
    for entry in (*pack.reviews, *pack.findings, *pack.recommendations):
        assert entry.citation in text
    assert text.count("[Child") == 20


def test_unknown_format_is_refused(index_dir: Path, open_workspace, tmp_path: Path) -> None:
    pack = build_pack(open_workspace(index_dir), "domestic_abuse")
    with pytest.raises(ValueError, match="format must be one of csv, md, pdf"):
        write_pack(pack, "docx", tmp_path / "x.docx")
