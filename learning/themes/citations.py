"""Citations of a unit: ``[Child A, Northshire SCR 2012, p. 14]``. Pure.

Short title (the part before a colon), the partnership's short name, the review type and the
year, then the page: the printed page label where the document has one, else the page number.
"""

from __future__ import annotations

import re

_TYPE_LABELS = {
    "scr": "SCR",
    "cspr": "CSPR",
    "lcspr": "LCSPR",
    "national": "national review",
    "cpr": "CPR",
    "susr": "SUSR",
    "learning_review": "learning review",
    "cmr": "CMR",
}
_GENERIC_PARTNERSHIP_WORDS = {
    "safeguarding",
    "children",
    "childrens",
    "child",
    "protection",
    "partnership",
    "partnerships",
    "partners",
    "board",
    "lscb",
    "lscp",
    "scp",
    "committee",
    "regional",
    "local",
    "practice",
    "review",
    "panel",
    "national",
    "the",
    "of",
    "and",
    "for",
}


_GENERIC_TITLE = re.compile(
    r"\b(review|report|overview|serious case|practice|learning|briefing|summary)\b", re.IGNORECASE
)
_TITLE_PARTS = re.compile(r"\s*[:|]\s*|\s+[-–—]\s+")


def short_title(title: str | None, review_id: str) -> str:
    """The part of the title that names the case: ``"Serious Case Review: Child A"`` ->
    ``"Child A"``, ``"Child A: a review of ..."`` -> ``"Child A"``; at most 60 characters."""
    if not title or not title.strip():
        return review_id
    parts = [part for part in _TITLE_PARTS.split(title.strip()) if part]
    if not parts:
        return review_id
    chosen = parts[0]
    if len(parts) > 1 and _GENERIC_TITLE.search(parts[0]):
        chosen = parts[1]
    return chosen[:60].rstrip() or review_id


def short_partnership(partnership: str | None) -> str:
    """``"Northshire Safeguarding Children Partnership"`` -> ``"Northshire"``."""
    if not partnership:
        return ""
    # Parenthesised notes ("(fictional example)") are not part of the name.
    words = re.findall(r"[\w'’-]+", re.sub(r"\([^)]*\)", " ", partnership))
    kept = [w for w in words if w.lower().replace("'", "") not in _GENERIC_PARTNERSHIP_WORDS]
    return " ".join(kept)


def type_label(review_type: str | None) -> str:
    if not review_type:
        return ""
    key = re.sub(r"[\s\-]+", "_", review_type.strip().lower())
    return _TYPE_LABELS.get(key, review_type.strip())


def page_text(page: int | None, page_label: str | None) -> str:
    """The page as a reader finds it: the printed label if any, else the page number."""
    if page_label and page_label.strip():
        return page_label.strip()
    return str(page) if page else "?"


def format_citation(
    *,
    review_id: str,
    title: str | None,
    partnership: str | None,
    review_type: str | None,
    year: int | None,
    page: int | None,
    page_label: str | None = None,
) -> str:
    """``[Child A, Northshire SCR 2012, p. 14]`` (parts that are unknown are left out)."""
    where = " ".join(
        part
        for part in (short_partnership(partnership), type_label(review_type), str(year or ""))
        if part
    )
    parts = [short_title(title, review_id)]
    if where:
        parts.append(where)
    parts.append(f"p. {page_text(page, page_label)}")
    return "[" + ", ".join(parts) + "]"
