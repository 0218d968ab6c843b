"""Splitting a review into findings, recommendations and passages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.models import ExtractedDocument, Page, ReviewMetadata, Unit, UnitKind
from learning.structure import is_reference_section, split_units
from learning.structure.sections import Role, heading_role, lead_in

F, R, P = UnitKind.FINDING, UnitKind.RECOMMENDATION, UnitKind.PASSAGE


def make_doc(*pages: str, labels: tuple[str | None, ...] = ()) -> ExtractedDocument:
    return ExtractedDocument(
        source=Path("/reviews/r.pdf"),
        format="pdf",
        content_hash="x",
        pages=tuple(
            Page(i + 1, text, labels[i] if i < len(labels) else None)
            for i, text in enumerate(pages)
        ),
        metadata=ReviewMetadata("r1"),
    )


def items(units: list[Unit]) -> list[tuple[UnitKind, str | None, int]]:
    return [(u.kind, u.number, u.page) for u in units if u.kind is not P]


def sentence(n: int, words: int = 12) -> str:
    return " ".join(f"W{n}x{i}" for i in range(words - 1)) + f" end{n}."


def test_numbered_findings_and_recommendations() -> None:
    doc = make_doc(
        "# Child A\n\n## 5. Findings\n\nThe review makes three findings.\n\n"
        "1. Bruising was not acted upon.\n\nThe protocol was not used by the GP.\n\n"
        "2. The father was not seen.",
        "3. Safer sleep advice was not repeated.\n\n## 6. Recommendations\n\n"
        "R1 The partnership should audit the protocol.\n\nR2 Agencies should record all adults.",
        labels=("4", "5"),
    )
    units = split_units(doc)
    assert items(units) == [(F, "1", 1), (F, "2", 1), (F, "3", 2), (R, "1", 2), (R, "2", 2)]
    first = next(u for u in units if u.number == "1" and u.kind is F)
    assert first.text == "1. Bruising was not acted upon.\nThe protocol was not used by the GP."
    assert (first.section, first.headings, first.page_label) == (
        "5. Findings",
        ("Child A", "5. Findings"),
        "4",
    )
    assert units[0].kind is P and units[0].text == "The review makes three findings."
    assert [u.ordinal for u in units] == list(range(len(units)))
    assert {u.review_id for u in units} == {"r1"}


def test_numbered_paragraphs_keep_their_numbers() -> None:
    doc = make_doc(
        "## 7. Key findings\n\n7.1 Exploitation was recognised late.\n\n"
        "7.2 Moves did not reduce risk.\n\n(a) records did not travel.\n\n"
        "## 8. Glossary\n\n1. CSE means child sexual exploitation."
    )
    units = split_units(doc)
    assert items(units) == [(F, "7.1", 1), (F, "7.2", 1)]
    assert units[1].text == "7.2 Moves did not reduce risk.\n(a) records did not travel."
    assert (units[-1].kind, units[-1].section) == (P, "8. Glossary")


def test_lead_in_findings_carry_their_explanation() -> None:
    doc = make_doc(
        "## Themes and findings\n\nThis section sets out six findings.\n\n"
        "Finding 1: Exploitation was recognised late.\n\n7.1.1 Indicators were recorded.\n\n"
        "7.1.2 Plans targeted the child.\n\n"
        "Finding 2 - Leaving school was a turning point.\n\nExclusions rose."
    )
    units = split_units(doc)
    assert [(u.kind, u.number) for u in units] == [(P, None), (F, "1"), (F, "2")]
    assert units[1].text.endswith("7.1.2 Plans targeted the child.")
    assert units[2].text == "Finding 2 - Leaving school was a turning point.\nExclusions rose."


def test_finding_headings_own_the_text_under_them() -> None:
    doc = make_doc(
        "## 4. Analysis\n\n### Finding 3: Information was not shared\n\n"
        "Police held information.\n\nRecommendation 3: The partnership should agree a protocol.\n\n"
        "Health did not ask.",
        "#### More detail\n\nStill about sharing.",
    )
    units = split_units(doc)
    assert [(u.kind, u.number, u.page, u.section) for u in units] == [
        (F, "3", 1, "Finding 3: Information was not shared"),
        (R, "3", 1, "Finding 3: Information was not shared"),
        (F, "3", 1, "Finding 3: Information was not shared"),
        (P, None, 2, "More detail"),
    ]
    assert units[0].text == "Finding 3: Information was not shared\nPolice held information."
    assert units[2].text == "Health did not ask."
    assert units[3].headings == (
        "4. Analysis",
        "Finding 3: Information was not shared",
        "More detail",
    )


def test_lead_ins_outside_a_findings_section() -> None:
    doc = make_doc(
        "## Practice episode 2\n\nThe GP saw the baby.\n\n"
        "Learning point: fathers must be seen.\n\n- at every visit\n\n"
        "The next visit was in May.\n\nRecommendation 4. The ICB should remind GPs."
    )
    units = split_units(doc)
    assert [(u.kind, u.number) for u in units] == [(P, None), (F, None), (P, None), (R, "4")]
    assert units[1].text == "Learning point: fathers must be seen.\n- at every visit"


def test_bullets_and_plain_paragraphs() -> None:
    doc = make_doc(
        "## Recommendations for the partnership\n\nWe recommend that:\n\n"
        "- audits are repeated;\n\n- fathers are invited.\n\n"
        "## What we learned\n\nFirst lesson in a paragraph.\n\nSecond lesson in another."
    )
    units = split_units(doc)
    assert [(u.kind, u.number, u.text) for u in units] == [
        (P, None, "We recommend that:"),
        (R, None, "- audits are repeated;"),
        (R, None, "- fathers are invited."),
        (F, None, "First lesson in a paragraph."),
        (F, None, "Second lesson in another."),
    ]


def test_mixed_heading_decides_by_wording() -> None:
    doc = make_doc(
        "## Findings and recommendations\n\n1. Fathers were invisible.\n\n"
        "2. The partnership should write a fathers strategy."
    )
    assert items(split_units(doc)) == [(F, "1", 1), (R, "2", 1)]


def test_long_finding_is_split_with_the_same_number() -> None:
    long_text = " ".join(sentence(n) for n in range(40))  # 480 words
    doc = make_doc(f"## Findings\n\nFinding 2: {long_text}", labels=("17",))
    units = split_units(doc, max_words=100, overlap_words=20)
    assert len(units) >= 5
    assert all((u.kind, u.number, u.page_label) == (F, "2", "17") for u in units)
    assert all(len(u.text.split()) <= 100 for u in units)
    # each unit after the first starts with the last sentence of the one before
    for before, after in zip(units, units[1:], strict=False):
        assert after.text.split()[:12] == before.text.split()[-12:]


def test_passages_are_bounded_overlap_and_stay_in_their_section() -> None:
    intro = "\n\n".join(sentence(n) for n in range(30))  # 360 words
    context = "\n\n".join(sentence(n) for n in range(100, 103))
    doc = make_doc(f"## Introduction\n\n{intro}", f"## Context\n\n{context}")
    units = split_units(doc, max_words=60, overlap_words=15)
    assert all(u.kind is P and len(u.text.split()) <= 60 for u in units)
    sections = [u.section for u in units]
    assert sections == sorted(sections, key=["Introduction", "Context"].index)
    assert sections.count("Context") == 1 and units[-1].page == 2
    text = " ".join(u.text for u in units)
    assert all(f"end{n}." in text for n in (*range(30), *range(100, 103)))
    first, second = units[0].text.split(), units[1].text.split()
    assert second[:12] == first[-12:]  # one 12-word sentence of overlap (<= 15)


def test_a_sentence_longer_than_a_unit_is_cut_into_windows() -> None:
    doc = make_doc("## Notes\n\n" + " ".join(f"word{i}" for i in range(250)))
    units = split_units(doc, max_words=100, overlap_words=10)
    assert [len(u.text.split()) for u in units] == [100, 100, 70]
    assert units[1].text.split()[0] == "word90"


def test_paragraph_cut_by_a_page_break_is_one_and_cites_its_first_page() -> None:
    doc = make_doc(
        "## Findings\n\n1. The health visitor did not ask who",
        "lived in the household.\n\n2. The GP was not told.",
        labels=("12", "13"),
    )
    units = split_units(doc)
    assert [(u.number, u.page, u.page_label, u.text) for u in units] == [
        ("1", 1, "12", "1. The health visitor did not ask who lived in the household."),
        ("2", 2, "13", "2. The GP was not told."),
    ]


def test_glossary_is_kept_and_marked() -> None:
    doc = make_doc(
        "## Recommendations\n\n1. Audit the protocol.\n\n### Glossary\n\nMASH: hub.\n\nGP: doctor."
    )
    units = split_units(doc)
    assert [(u.kind, u.section) for u in units] == [(R, "Recommendations"), (P, "Glossary")]
    assert units[1].text == "MASH: hub.\nGP: doctor."
    assert is_reference_section(units[1].section) and not is_reference_section("Findings")


def test_empty_document_has_no_units() -> None:
    assert split_units(make_doc("", "")) == []


@pytest.mark.parametrize(("max_words", "overlap"), [(5, 0), (100, 50), (100, -1)])
def test_bad_sizes(max_words: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="max_words"):
        split_units(make_doc("x"), max_words=max_words, overlap_words=overlap)


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("Findings", Role.FINDINGS),
        ("5. Key findings", Role.FINDINGS),
        ("Learning points", Role.FINDINGS),
        ("Learning", Role.FINDINGS),
        ("What we learned", Role.FINDINGS),
        ("7. Themes and findings", Role.FINDINGS),
        ("5. Key learning (findings)", Role.FINDINGS),
        ("Recommendations", Role.RECOMMENDATIONS),
        ("6.1 Recommendations for the partnership", Role.RECOMMENDATIONS),
        ("Improving systems and practice: recommendations", Role.RECOMMENDATIONS),
        ("Summary of recommendations", Role.RECOMMENDATIONS),
        ("Findings and recommendations", Role.MIXED),
        ("Conclusions and recommendations", Role.MIXED),
        ("4. Analysis: what we learned", None),
        ("Learning from the life and death of a fourteen-year-old girl", None),
        ("Introduction", None),
        ("The Learning and Improvement Framework", None),
    ],
)
def test_heading_roles(heading: str, role: Role | None) -> None:
    assert heading_role(heading) is role


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Finding 1: Nobody asked.", (F, "1")),
        ("Finding 1 The father was not seen.", (F, "1")),
        ("**Finding 2.** Text", (F, "2")),
        ("Key finding 3 - text", (F, "3")),
        ("Learning point 4: text", (F, "4")),
        ("Learning point: text", (F, None)),
        ("Recommendation 2.1: text", (R, "2.1")),
        ("Recommendation A: text", (R, "A")),
        ("Recommendation 2", (R, "2")),
        ("Recommendations were made to all agencies.", None),
        ("Findings", None),
        ("Learning from this case shows", None),
        ("Finding the father was hard.", None),
        ("Lesson 3: text", (F, "3")),
    ],
)
def test_lead_ins(text: str, found: tuple | None) -> None:
    assert lead_in(text) == found


_word = st.text(alphabet="abcdefghij", min_size=1, max_size=8)
_sentence = st.lists(_word, min_size=1, max_size=40).map(lambda ws: " ".join(ws) + ".")
_paragraph = st.lists(_sentence, min_size=1, max_size=6).map(" ".join)
_block = st.one_of(
    _paragraph,
    _paragraph.map(lambda p: f"1. {p}"),
    _paragraph.map(lambda p: f"- {p}"),
    st.sampled_from(["## Findings", "## Recommendations", "## Background", "### Finding 2: X"]),
)


@settings(max_examples=60, deadline=None)
@given(
    pages=st.lists(st.lists(_block, max_size=8).map("\n\n".join), min_size=1, max_size=4),
    max_words=st.integers(min_value=20, max_value=120),
)
def test_units_are_bounded_and_lose_no_words(pages: list[str], max_words: int) -> None:
    doc = make_doc(*pages)
    units = split_units(doc, max_words=max_words, overlap_words=max_words // 5)
    assert all(len(u.text.split()) <= max_words for u in units)
    assert [u.ordinal for u in units] == list(range(len(units)))
    assert all(1 <= u.page <= len(pages) for u in units)
    unit_words: set[str] = {w for u in units for w in u.text.split()}
    headings = {b.lstrip("# ") for p in pages for b in p.split("\n\n") if b.startswith("#")}
    for page in pages:
        for block in page.split("\n\n"):
            if block and not block.startswith("#"):
                assert set(block.split()) <= unit_words, block
    assert all(u.section in headings | {""} for u in units)


def test_numbered_points_under_a_placing_subheading_are_their_own_items() -> None:
    doc = make_doc(
        "## Findings\n\n### Working with fathers\n\n1. Fathers were not invited.\n\n"
        "2. Fathers were not assessed.\n\n### Finding 3: Records\n\n1. Records were late."
    )
    units = split_units(doc)
    assert [(u.kind, u.number, u.section) for u in units] == [
        (P, None, "Working with fathers"),
        (F, "1", "Working with fathers"),
        (F, "2", "Working with fathers"),
        (F, "3", "Finding 3: Records"),
    ]
    assert units[3].text == "Finding 3: Records\n1. Records were late."
