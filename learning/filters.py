"""Metadata filters for search, parsed from ``FIELD=VALUE`` strings. Pure: no I/O.

``year=2019``, ``year=2018-2022``, ``year>=2019`` (also ``<=``, ``>``, ``<``); the other fields
take one value or several separated by commas (any of them matches): ``nation=england,wales``.
Values are compared case-insensitively, with spaces and hyphens read as underscores
(``outcome=serious harm`` is ``serious_harm``). ``partnership`` matches any part of the name.

Metadata keeps values outside the vocabulary (an outcome of "significant harm" is stored as
``significant_harm``), so a filter takes any such value too; ``unknown`` matches reviews where the
field is not known. Whether a free value matches any review is for the index to say (see
``SearchEngine``): a filter that no review can pass is an error there, not here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from learning.errors import InvalidFilter
from learning.models import UnitKind

ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "nation": ("england", "wales", "scotland", "northern_ireland"),
    "review_type": ("scr", "cspr", "national", "cpr", "susr", "learning_review", "cmr"),
    "outcome": ("death", "serious_harm", "other", "near_miss"),
    "age_group": ("under_1", "1_4", "5_9", "10_14", "15_17", "mixed"),
    "kind": tuple(kind.value for kind in UnitKind),
}
FIELDS = ("year", "partnership", *ALLOWED_VALUES)
#: The filter value that matches reviews whose field is not known.
UNKNOWN = "unknown"
_FREE_VALUE = re.compile(r"^[a-z0-9_]{1,40}$")
_ALIASES = {"type": "review_type", "age": "age_group"}
_YEAR_LOW, _YEAR_HIGH = 1900, 2100
_EXPRESSION = re.compile(r"^\s*([A-Za-z_]+)\s*(>=|<=|=|>|<)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Filters:
    """Conditions on a review's metadata and a unit's kind; empty tuples mean "any"."""

    year_min: int | None = None
    year_max: int | None = None
    nation: tuple[str, ...] = ()
    partnership: tuple[str, ...] = ()
    review_type: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    age_group: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self == Filters()


def normalise_value(value: str) -> str:
    """``"Northern Ireland"`` -> ``"northern_ireland"``, ``"1-4"`` -> ``"1_4"``: lower case,
    runs of other characters as one underscore (as metadata keeps free values)."""
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")


def parse_filters(expressions: Sequence[str]) -> Filters:
    """Parse ``FIELD=VALUE`` expressions into one :class:`Filters` (all must hold)."""
    filters = Filters()
    for expression in expressions:
        filters = _apply(filters, expression)
    return filters


def _apply(filters: Filters, expression: str) -> Filters:
    match = _EXPRESSION.match(expression)
    if match is None:
        raise InvalidFilter(
            f"filter {expression!r} is not FIELD=VALUE; fields: {', '.join(FIELDS)}"
        )
    raw_field, operator, value = match.groups()
    field = _ALIASES.get(raw_field.lower(), raw_field.lower())
    if field not in FIELDS:
        raise InvalidFilter(f"unknown filter field {raw_field!r}; fields: {', '.join(FIELDS)}")
    if field == "year":
        low, high = parse_year(operator, value)
        return _narrow_years(filters, low, high)
    if operator != "=":
        raise InvalidFilter(f"filter field {field!r} takes FIELD=VALUE, not {operator!r}")
    values = tuple(part for part in (p.strip() for p in value.split(",")) if part)
    if not values:
        raise InvalidFilter(f"filter field {field!r} needs a value")
    if field == "partnership":
        return replace(filters, partnership=filters.partnership + tuple(v.lower() for v in values))
    return replace(filters, **{field: getattr(filters, field) + _check_values(field, values)})


def _check_values(field: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """Known values, ``unknown``, and (for metadata fields) free values kept as slugs; a unit's
    kind must be one of the three kinds."""
    allowed = ALLOWED_VALUES[field]
    normalised = tuple(normalise_value(value) for value in values)
    for raw, value in zip(values, normalised, strict=True):
        if value in allowed or (field != "kind" and _FREE_VALUE.match(value)):
            continue
        raise InvalidFilter(
            f"{field}={raw!r} is not allowed; {field} is one of: {', '.join(allowed)}"
            + ("" if field == "kind" else f", {UNKNOWN} or a value the index holds")
        )
    return normalised


def free_values(filters: Filters) -> dict[str, tuple[str, ...]]:
    """The metadata values of ``filters`` outside the known vocabulary (``unknown`` excluded),
    by field: those the index must confirm it holds."""
    out: dict[str, tuple[str, ...]] = {}
    for field in ("nation", "review_type", "outcome", "age_group"):
        free = tuple(
            value
            for value in getattr(filters, field)
            if value not in ALLOWED_VALUES[field] and value != UNKNOWN
        )
        if free:
            out[field] = free
    return out


def parse_year(operator: str, value: str) -> tuple[int | None, int | None]:
    """The inclusive (low, high) years of one year condition; ``None`` is open-ended."""
    range_match = re.fullmatch(r"(\d{4})\s*(?:-|\.\.)\s*(\d{4})", value)
    if operator == "=" and range_match:
        low, high = (_check_year(v) for v in range_match.groups())
        if low > high:
            raise InvalidFilter(f"year range {value!r} runs backwards; write it as {high}-{low}")
        return low, high
    if not re.fullmatch(r"\d{4}", value):
        raise InvalidFilter(
            f"year {value!r} is not a year; use year=2019, year=2018-2022 or year>=2019"
        )
    year = _check_year(value)
    bounds = {
        "=": (year, year),
        ">=": (year, None),
        ">": (year + 1, None),
        "<=": (None, year),
        "<": (None, year - 1),
    }
    return bounds[operator]


def _check_year(value: str) -> int:
    year = int(value)
    if not _YEAR_LOW <= year <= _YEAR_HIGH:
        raise InvalidFilter(f"year {year} is out of range {_YEAR_LOW}-{_YEAR_HIGH}")
    return year


def _narrow_years(filters: Filters, low: int | None, high: int | None) -> Filters:
    year_min = low if filters.year_min is None else max(filters.year_min, low or filters.year_min)
    year_max = high if filters.year_max is None else min(filters.year_max, high or filters.year_max)
    if year_min is not None and year_max is not None and year_min > year_max:
        raise InvalidFilter(f"year filters leave no year: {year_min} > {year_max}")
    return replace(filters, year_min=year_min, year_max=year_max)
