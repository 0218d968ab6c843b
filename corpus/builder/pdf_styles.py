"""House styles for the generated PDFs: different partnerships lay their reports out differently.

Three styles, chosen by partnership, so the demo corpus has the variety a reader meets:
``board`` (an older LSCB report: serif, running title header, "Page N of M", hyphenated),
``partnership`` (a newer partnership report: sans serif, OFFICIAL marking, roman front matter),
``panel`` (the national panel: embedded TrueType font, wide margin, roman front matter, hyphenated).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from corpus.builder.hyphenate import split_pairs


@dataclass(frozen=True)
class HouseStyle:
    """How one family of PDFs looks. ``header``/``footer`` name the running text patterns."""

    name: str
    fonts: tuple[str, str, str, str]  # regular, bold, italic, bold italic
    accent: str
    body_size: float
    leading: float
    margins: tuple[float, float, float, float]  # left, right, top, bottom in cm
    header: str  # "title": partnership | title; "official": OFFICIAL; "panel": panel | title
    footer: str  # "page_of": Page N of M; "number": N
    roman_front: bool
    hyphenate: bool


HOUSE_STYLES = {
    "board": HouseStyle(
        "board",
        ("Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic"),
        "#1F3864",
        12.0,
        17.0,
        (2.6, 2.6, 2.6, 2.4),
        "title",
        "page_of",
        False,
        True,
    ),
    "partnership": HouseStyle(
        "partnership",
        ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique"),
        "#00646E",
        11.0,
        16.5,
        (2.5, 2.5, 2.8, 2.6),
        "official",
        "number",
        True,
        False,
    ),
    "panel": HouseStyle(
        "panel",
        ("Vera", "VeraBd", "VeraIt", "VeraBI"),
        "#4B2A6B",
        10.5,
        16.5,
        (3.4, 2.4, 2.8, 2.6),
        "panel",
        "number",
        True,
        True,
    ),
}
# Which partnership (by place name) uses which style; national reviews use "panel".
_STYLE_BY_PLACE = {
    "Northshire": "board",
    "Harlow Vale": "board",
    "Castlegate": "board",
    "Kingsford": "board",
    "Eastbridge": "partnership",
    "Ashdown": "partnership",
    "Lowfield": "partnership",
    "Westmere": "partnership",
    "Riverton": "partnership",
    "Millbrook": "board",
}


def choose_style(partnership: str, review_type: str) -> HouseStyle:
    """The house style of a partnership's reports (unknown partnerships get ``partnership``)."""
    if review_type == "national":
        return HOUSE_STYLES["panel"]
    for place, name in _STYLE_BY_PLACE.items():
        if partnership.startswith(place):
            return HOUSE_STYLES[name]
    return HOUSE_STYLES["partnership"]


@cache
def _register_vera() -> None:
    for name in ("Vera", "VeraBd", "VeraIt", "VeraBI"):
        pdfmetrics.registerFont(TTFont(name, f"{name}.ttf"))
    pdfmetrics.registerFontFamily(
        "Vera", normal="Vera", bold="VeraBd", italic="VeraIt", boldItalic="VeraBI"
    )


def paragraph_styles(house: HouseStyle) -> dict[str, ParagraphStyle]:
    """The named paragraph styles of a house style (body, h2-h4, list, table cells...)."""
    if house.fonts[0] == "Vera":
        _register_vera()
    regular, bold, italic, _ = house.fonts
    accent = colors.HexColor(house.accent)
    hyphen = {"hyphenationLang": split_pairs, "embeddedHyphenation": 1} if house.hyphenate else {}
    body = ParagraphStyle(
        "body",
        fontName=regular,
        fontSize=house.body_size,
        leading=house.leading,
        alignment=TA_JUSTIFY,
        spaceAfter=house.body_size * 0.6,
        uriWasteReduce=0,
        **hyphen,
    )
    size = house.body_size
    return {
        "body": body,
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=bold,
            fontSize=size + 5,
            leading=size + 9,
            textColor=accent,
            alignment=TA_LEFT,
            spaceBefore=14,
            spaceAfter=8,
            keepWithNext=1,
            hyphenationLang="",
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=body,
            fontName=bold,
            fontSize=size + 1.5,
            leading=size + 5,
            textColor=accent,
            alignment=TA_LEFT,
            spaceBefore=10,
            spaceAfter=5,
            keepWithNext=1,
            hyphenationLang="",
        ),
        "h4": ParagraphStyle(
            "h4",
            parent=body,
            fontName=house.fonts[3],
            fontSize=size,
            leading=size + 4,
            alignment=TA_LEFT,
            spaceBefore=6,
            spaceAfter=3,
            keepWithNext=1,
            hyphenationLang="",
        ),
        "item": ParagraphStyle("item", parent=body, spaceAfter=size * 0.35),
        "quote": ParagraphStyle(
            "quote", parent=body, fontName=italic, leftIndent=1 * cm, rightIndent=1 * cm
        ),
        "cell": ParagraphStyle(
            "cell",
            parent=body,
            fontSize=size - 1.5,
            leading=size + 1,
            alignment=TA_LEFT,
            spaceAfter=0,
            hyphenationLang="",
        ),
        "cover_partnership": ParagraphStyle(
            "cover_partnership",
            parent=body,
            fontName=bold,
            fontSize=size + 5,
            leading=size + 9,
            textColor=accent,
            alignment=TA_LEFT,
            hyphenationLang="",
        ),
        "cover_title": ParagraphStyle(
            "cover_title",
            parent=body,
            fontName=bold,
            fontSize=size + 15,
            leading=size + 21,
            alignment=TA_LEFT,
            spaceBefore=18,
            spaceAfter=12,
            hyphenationLang="",
        ),
        "cover_line": ParagraphStyle(
            "cover_line",
            parent=body,
            fontSize=size + 2,
            leading=size + 7,
            alignment=TA_LEFT,
            hyphenationLang="",
        ),
        "notice": ParagraphStyle(
            "notice", parent=body, fontName=bold, alignment=TA_LEFT, hyphenationLang=""
        ),
        "contents": ParagraphStyle(
            "contents",
            parent=body,
            fontName=bold,
            fontSize=size + 5,
            leading=size + 9,
            textColor=accent,
            alignment=TA_LEFT,
            spaceAfter=12,
        ),
        "toc0": ParagraphStyle(
            "toc0",
            parent=body,
            fontName=bold,
            alignment=TA_LEFT,
            leftIndent=0,
            firstLineIndent=0,
            spaceBefore=4,
            hyphenationLang="",
        ),
        "toc1": ParagraphStyle(
            "toc1",
            parent=body,
            alignment=TA_LEFT,
            leftIndent=0.8 * cm,
            firstLineIndent=0,
            fontSize=size - 0.5,
            hyphenationLang="",
        ),
        "running": ParagraphStyle("running", fontName=italic, fontSize=8.5, alignment=TA_CENTER),
    }
