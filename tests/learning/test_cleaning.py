"""Normalisation of laid-out text: running headers/footers, page numbers, contents, hyphens,
paragraphs and headings."""

from __future__ import annotations

import pytest

from learning.cleaning import (
    clean_layout_pages,
    is_contents_entry,
    mask_line,
    render_page,
    strip_contents,
    strip_page_numbers,
    strip_running_lines,
)
from learning.layout_headings import BodyStyle, detect_heading, measure_body, merge_heading_lines
from learning.layout_line import LayoutLine, lines_from_text

BODY = (
    "The health visitor saw the family at home on three occasions and recorded that the home",
    "conditions were adequate, although the mother said she was finding it hard to cope with",
    "the baby at night and the father was rarely at home when the visits took place.",
)


def _page(*lines: str) -> list[LayoutLine]:
    return [LayoutLine(text) for text in lines]


def _texts(page: list[LayoutLine]) -> list[str]:
    return [line.text for line in page]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Page 3 of 20", "Page 14 of 20", True),
        ("Child A SCR - 3", "Child A SCR - 17", True),
        ("Child A SCR - iii", "Child A SCR - xiv", True),
        ("OFFICIAL  -  SENSITIVE", "official - sensitive", True),
        ("Child A SCR - 3", "Child B SCR - 3", False),
    ],
)
def test_mask_line(a: str, b: str, same: bool) -> None:
    assert (mask_line(a) == mask_line(b)) is same


WORDS = ["alpha", "bravo", "charlie", "delta", "echo"] + [
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
]


def _body(n: int) -> list[str]:
    """Body lines that differ from page to page (digits would be masked, so words)."""
    return [f"{line} ({WORDS[n % 10]})" for line in BODY]


def test_running_header_and_footer_are_stripped_from_many_pages() -> None:
    mention = ["Child T CSPR - 5 is how the partnership refers to this review."]
    pages = [
        _page(f"Child T CSPR - {n}", "OFFICIAL", *_body(n), *(mention if n == 5 else []),
              f"Page {n} of 10")
        for n in range(1, 11)
    ]  # fmt: skip
    cleaned = strip_running_lines(pages)
    for n, page in enumerate(cleaned, start=1):
        assert _texts(page) == [*_body(n), *(mention if n == 5 else [])]


def test_alternating_headers_are_stripped_but_rare_lines_kept() -> None:
    pages = []
    for n in range(1, 11):
        header = "Northshire Partnership" if n % 2 else "Serious Case Review: Child A"
        top = "Appendix note" if n in (3, 7) else f"Body starts ({WORDS[n - 1]})."
        pages.append(_page(header, top, *_body(n)))
    cleaned = strip_running_lines(pages)
    assert _texts(cleaned[0]) == ["Body starts (alpha).", *_body(1)]
    assert _texts(cleaned[2])[0] == "Appendix note"  # on 2 of 10 pages: not a header


def test_position_limits_the_zone() -> None:
    # the same first line on every page, but in the body area: a repeated heading, not a header
    pages = [
        [LayoutLine("Practice episode", position=0.3), LayoutLine(BODY[0], position=0.32)]
        for _ in range(4)
    ]
    assert strip_running_lines(pages) == pages


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        ("12", True),
        ("Page 3", True),
        ("- 4 -", True),
        ("iv", True),
        ("Page 3 of 40", True),
        ("3/40", True),
        ("[7]", True),
        ("12 May 2019", False),
        ("Page 3 shows the chronology.", False),
    ],
)
def test_page_numbers(line: str, dropped: bool) -> None:
    page = _page(*BODY, line)
    assert (_texts(strip_page_numbers(page)) == list(BODY)) is dropped


def test_page_number_in_the_middle_of_a_page_is_kept() -> None:
    page = _page("Intro line", "Second line", "Third line", "12", *BODY)
    assert "12" in _texts(strip_page_numbers(page))


@pytest.mark.parametrize(
    ("line", "entry"),
    [
        ("1. Introduction .......... 3", True),
        ("3.2 The father . . . . . . . 14", True),
        ("Glossary 27", True),
        ("Foreword ………… iv", True),
        ("Contents", False),
        ("2019", False),
        ("The baby was admitted on 12", True),  # alone it looks like one; context decides
    ],
)
def test_is_contents_entry(line: str, entry: bool) -> None:
    assert is_contents_entry(line) is entry


def test_titled_contents_running_over_two_pages_is_removed() -> None:
    pages = [
        _page("Contents", "1. Introduction ....... 1", "2. The family ....... 2",
              "3. Practice episodes and what they tell", "us about the response ....... 4"),
        _page("4. Findings ....... 9", "5. Recommendations ....... 12", "1. Introduction",
              *BODY),
    ]  # fmt: skip
    cleaned = strip_contents(pages)
    assert cleaned[0] == []
    assert _texts(cleaned[1]) == ["1. Introduction", *BODY]


def test_untitled_dot_leader_block_is_removed_but_numbers_in_text_stay() -> None:
    entries = [f"{n}. Section {n} ........ {n * 3}" for n in range(1, 6)]
    table = ["Children seen in 2019 12", "Children seen in 2020 15", "Children seen in 2021 9"]
    cleaned = strip_contents([_page(*entries, *BODY), _page(*table)])
    assert _texts(cleaned[0]) == list(BODY)
    assert _texts(cleaned[1]) == table  # no leaders and no "Contents" title: data, not contents


STYLE = BodyStyle(line_chars=88)


@pytest.mark.parametrize(
    ("prev", "line", "nxt", "level"),
    [
        (None, "3. Findings", "The review found that agencies did not share.", 2),
        ("End of the previous paragraph.", "3.2 Analysis", "Text follows here.", 3),
        ("Text.", "Finding 4: Working with fathers", "The father was not seen.", 3),
        ("Text.", "KEY FINDINGS", "The review found.", 2),
        ("Text.", "Working with Fathers", "The father was not seen.", 2),
        ("Text.", "4.12 The health visitor visited the family three times in May and June",
         "and saw the baby.", None),
        ("The review found that the", "Health Visitor", "and the GP did not speak.", None),
        ("Text.", "12 May 2019 the police were called", "to the home.", None),
        ("Text.", "Agencies that took part were:", "Police.", None),
        ("Text.", "The mother declined.", "Text.", None),
        ("Text.", "working with fathers", "Text.", None),
        ("Text.", "Background", None, None),
    ],
)  # fmt: skip
def test_detect_heading_in_plain_text(
    prev: str | None, line: str, nxt: str | None, level: int | None
) -> None:
    as_line = LayoutLine(line)
    before = LayoutLine(prev) if prev else None
    after = LayoutLine(nxt) if nxt else None
    assert detect_heading(as_line, before, after, STYLE) == level


def _styled(text: str, size: float = 10.5, bold: bool = False, gap: bool = False) -> LayoutLine:
    return LayoutLine(text, size=size, bold=bold, gap_before=gap, position=0.5)


def test_font_sizes_set_heading_levels_and_plain_lines_stay_body() -> None:
    lines = [
        _styled("Child Safeguarding Practice Review", 24, True),
        _styled("3. Findings", 15, True, gap=True),
        _styled("Working With Fathers", 12.5, True, gap=True),
        *[_styled(text) for text in BODY],
        _styled("Short Title Case Line", gap=True),
        _styled(BODY[0]),
    ]
    style = measure_body(lines)
    assert style.size == 10.5 and style.emphasis
    levels = [
        detect_heading(line, lines[i - 1] if i else None, lines[i + 1], style)
        for i, line in enumerate(lines[:-1])
    ]
    assert levels == [1, 2, 3, None, None, None, None]


def test_wrapped_heading_lines_are_merged() -> None:
    lines = [
        _styled("Finding 2: Leaving mainstream school was a turning point, and", 12, True),
        _styled("alternative education was often not protective", 12, True),
        _styled(BODY[0], gap=True),
        _styled(BODY[1]),
    ]
    style = measure_body(lines)
    merged = merge_heading_lines(lines, style)
    assert [line.text for line in merged][0] == (
        "Finding 2: Leaving mainstream school was a turning point, and alternative education "
        "was often not protective"
    )
    assert len(merged) == 3


def test_render_joins_paragraphs_and_keeps_items_apart() -> None:
    text = "\n".join(
        [
            "2. What happened",
            *BODY,
            "2.1 The police were called to the home in March 2020 after a neighbour heard shouting",
            "and a baby crying for a long time.",
            "• The GP was not told.",
            "▪ Nor was the school.",
            "Although the father was known to the police, the social worker did not complete "
            "the assess-",
            "ment of the household before closing the case on the Friday before the move, on",
            "12 May 2020 when the family moved.",
            "3",
            "The partnership should audit closures.",
        ]
    )
    lines = lines_from_text(text)
    assert render_page(lines, measure_body(lines)).split("\n\n") == [
        "## 2. What happened",
        " ".join(BODY),
        "2.1 The police were called to the home in March 2020 after a neighbour heard shouting "
        "and a baby crying for a long time.",
        "- The GP was not told.",
        "- Nor was the school.",
        "Although the father was known to the police, the social worker did not complete the "
        "assessment of the household before closing the case on the Friday before the move, on "
        "12 May 2020 when the family moved.",
        "3. The partnership should audit closures.",
    ]


def test_clean_layout_pages_end_to_end() -> None:
    heads = ("FINDINGS", "RECOMMENDATIONS", "GLOSSARY")
    pages = [
        lines_from_text(
            f"Serious Case Review Family B\n\n{heads[n - 1]}\n\n{n}. The board should act on "
            f"{WORDS[n]}.\n\n{n}"
        )
        for n in range(1, 4)
    ]
    assert clean_layout_pages(pages) == [
        f"## {heads[n - 1]}\n\n{n}. The board should act on {WORDS[n]}." for n in range(1, 4)
    ]


def test_markdown_heading_lines_in_text_are_kept() -> None:
    lines = lines_from_text("## Findings\n\nThe review found three things.")
    assert render_page(lines, STYLE) == "## Findings\n\nThe review found three things."


def test_contents_with_wrapped_entries_and_stray_leaders_is_removed() -> None:
    # as pdfium reads a contents page whose long entries wrap: the leader and page number of a
    # wrapped entry can come before its text, and an overlong title pushes its number against it
    page = _page(
        "Contents",
        "1. Introduction . . . . . . . . . . . . 4",
        "3.5 Episode 5: Missing episodes and the arrest (September 2016 – March 2017)8",
        " . . . . . . . . . . . . . . . . . . . . 14",
        "Finding 1: Child N was seen as an offender making choices, rather than as a child being",
        "exploited",
        " . . . . . . . . . . 14",
        "Finding 2: Professional perceptions were shaped by racialised assumptions . . 15",
    )
    assert strip_contents([page, _page(*BODY)]) == [[], _page(*BODY)]
