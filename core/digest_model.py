"""The monthly digest of new learning as values that cross the seam: learning composes it
(``learning.digest``), the workflow renders and sends it (``review_flows.digest_text``,
``review_flows.digest_sends``). Pure: frozen dataclasses and the month arithmetic only.

A digest holds the reviews added to the library in one calendar month, each with its themes,
up to three key learning points quoted from its findings (with the printed page) and a link.
It has one edition per partnership that published in the month and the national edition
(every review of the month).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class MonthInvalid(ValueError):
    """A month that is not written YYYY-MM (e.g. 2026-11)."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month: the span a digest covers."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-11`` -> Month(2026, 11); anything else raises :class:`MonthInvalid`."""
        found = _MONTH.match(text.strip())
        if found is None:
            raise MonthInvalid(f"{text!r} is not a month: write it as YYYY-MM, e.g. 2026-11")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def before(cls, day: dt.date) -> Month:
        """The month before the one ``day`` falls in: what the digest sent on the 1st covers."""
        first = day.replace(day=1) - dt.timedelta(days=1)
        return cls(first.year, first.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> dt.date:
        return (self.first_day + dt.timedelta(days=32)).replace(day=1)

    @property
    def label(self) -> str:
        """``November 2026``: how people name the month."""
        return self.first_day.strftime("%B %Y")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def back(self, count: int) -> list[Month]:
        """``count`` months ending with this one, oldest first: the months a feed carries."""
        months = [self]
        while len(months) < count:
            months.append(Month.before(months[-1].first_day))
        return months[::-1]


@dataclass(frozen=True)
class KeyPoint:
    """A sentence or two quoted from a review's finding, and the page it is printed on."""

    text: str
    page: str | None  # the printed page label, else the physical page number; None if unknown


@dataclass(frozen=True)
class DigestReview:
    """One review added in the month."""

    review_id: str
    title: str
    partnership: str | None
    nation: str | None
    year: int | None
    added: dt.date
    themes: tuple[str, ...]
    key_points: tuple[KeyPoint, ...]
    link: str


@dataclass(frozen=True)
class DigestEdition:
    """The reviews of the month for one partnership, or nationally (``partnership`` None)."""

    partnership: str | None
    reviews: tuple[DigestReview, ...]

    @property
    def name(self) -> str:
        return self.partnership or "National"


@dataclass(frozen=True)
class Digest:
    """The digest of one month: the national edition and one per partnership."""

    month: Month
    national: DigestEdition
    partnerships: tuple[DigestEdition, ...]

    def edition(self, partnership: str | None) -> DigestEdition:
        """The edition of ``partnership`` (matched ignoring case and spacing), empty if it
        published nothing that month; the national one for None."""
        if partnership is None:
            return self.national
        wanted = same_partnership_key(partnership)
        for edition in self.partnerships:
            if edition.partnership and same_partnership_key(edition.partnership) == wanted:
                return edition
        return DigestEdition(partnership, ())


def same_partnership_key(name: str) -> str:
    """A partnership's name folded for matching: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()
