"""The monthly digest of new learning composed from a real small library: the tiny corpus
ingested with the fake encoder in three batches on different days, read back per month."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.digest_model import Digest, KeyPoint, Month, MonthInvalid
from core.settings import Settings
from learning.digest import key_points, opening, read_digests, read_monthly_digest
from learning.encoder import FakeEncoder
from learning.index.store import UnitRow
from learning.ingest import ingest_paths
from tests.learning.factories import CORPUS, write_corpus

NORTHSHIRE = "Northshire Safeguarding Partnership"
KINGSFORD = "Kingsford Safeguarding Children Partnership"
#: review -> when it was ingested (UTC): two in November 2026; one at 23:30 UTC on 30 September,
#: which is 00:30 on 1 October in London (summer time): an October review there
BATCHES = {
    ("r-infant-bruising", "r-domestic-abuse"): dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC),
    ("r-safe-sleep",): dt.datetime(2026, 9, 30, 23, 30, tzinfo=dt.UTC),
    ("r-exploitation", "r-neglect"): dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC),
}


@pytest.fixture
def settings(data_dir: Path, tmp_path: Path) -> Settings:
    """Settings of a data folder whose library holds the corpus, ingested in batches."""
    paths = write_corpus(tmp_path / "reviews")
    for ids, when in BATCHES.items():
        report = ingest_paths([paths[i] for i in ids], data_dir / "index", FakeEncoder(), now=when)
        assert not report.failed
    return Settings(app_url="https://cspr.example.org/")


def _digest(settings: Settings, month: str) -> Digest:
    return read_monthly_digest(Month.parse(month), FakeEncoder, settings)


def test_a_month_holds_the_reviews_added_in_it_per_partnership_and_nationally(
    settings: Settings,
) -> None:
    digest = _digest(settings, "2026-11")

    assert digest.month == Month(2026, 11)
    national = digest.national
    assert national.partnership is None
    assert [r.review_id for r in national.reviews] == ["r-infant-bruising", "r-domestic-abuse"]
    assert [(e.partnership, [r.review_id for r in e.reviews]) for e in digest.partnerships] == [
        (KINGSFORD, ["r-domestic-abuse"]),
        (NORTHSHIRE, ["r-infant-bruising"]),
    ]
    bruising = national.reviews[0]
    assert bruising.title == CORPUS["r-infant-bruising"]["meta"]["title"]
    assert bruising.added == dt.date(2026, 11, 10)
    assert "Non-accidental injury in infancy" in bruising.themes  # its tags, best first
    assert bruising.link == "https://cspr.example.org/library?review=r-infant-bruising"
    # three points: the two findings word for word, then the first recommendation
    meta = CORPUS["r-infant-bruising"]
    assert [p.text for p in bruising.key_points] == [*meta["findings"], meta["recommendations"][0]]
    assert all(p.page for p in bruising.key_points)


def test_an_edition_is_found_by_partnership_name_ignoring_case_and_spacing(
    settings: Settings,
) -> None:
    digest = _digest(settings, "2026-11")

    edition = digest.edition("  northshire   SAFEGUARDING partnership ")
    assert [r.review_id for r in edition.reviews] == ["r-infant-bruising"]
    assert digest.edition("Eastbridge LSCB").reviews == ()  # published nothing in November


def test_the_month_is_read_in_london_time(settings: Settings) -> None:
    october = _digest(settings, "2026-10")
    september = _digest(settings, "2026-09")

    assert [r.review_id for r in october.national.reviews] == ["r-safe-sleep"]
    assert october.national.reviews[0].added == dt.date(2026, 10, 1)
    assert september.national.reviews == ()


def test_a_month_with_nothing_added_is_an_empty_digest(settings: Settings) -> None:
    digest = _digest(settings, "2025-01")

    assert digest.national.reviews == ()
    assert digest.partnerships == ()


def test_several_months_are_read_in_one_pass(settings: Settings) -> None:
    months = Month(2026, 12).back(3)

    digests = read_digests(months, FakeEncoder, settings)

    assert [str(d.month) for d in digests] == ["2026-10", "2026-11", "2026-12"]
    assert [len(d.national.reviews) for d in digests] == [1, 2, 2]


def test_no_library_is_a_named_failure(data_dir: Path) -> None:
    from core.learning_seam import LearningFailed

    with pytest.raises(LearningFailed, match="index"):
        read_monthly_digest(Month(2026, 11), FakeEncoder, Settings())


def _unit(ordinal: int, kind: str, text: str, page: int = 4, label: str | None = None) -> UnitRow:
    return UnitRow(ordinal, "r", ordinal, kind, None, "Findings", page, label, text, None, "s",
                   None, None, None, None, None, None)  # fmt: skip


def test_key_points_quote_findings_then_recommendations_without_repeats() -> None:
    units = [
        _unit(0, "finding", "Bruising was missed.", label="12"),
        _unit(1, "finding", "  Bruising   was missed. "),
        _unit(2, "recommendation", "Follow the protocol.", page=9),
        _unit(3, "recommendation", "Record every adult."),
        _unit(4, "recommendation", "A fourth point."),
    ]

    assert key_points(units) == (
        KeyPoint("Bruising was missed.", "12"),
        KeyPoint("Follow the protocol.", "9"),
        KeyPoint("Record every adult.", "4"),
    )


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("One. Two.", 100, "One. Two."),
        ("First sentence here. Second one is longer.", 25, "First sentence here."),
        ("a long opening sentence without an end", 20, "a long opening…"),
        ("1. Listed first.", 100, "Listed first."),
        ("(4) Listed fourth.", 100, "Listed fourth."),
        ("2.3 A sub-finding.", 100, "A sub-finding."),
        ("2019 was the year it began.", 100, "2019 was the year it began."),
    ],
)
def test_a_point_is_whole_sentences_that_fit(text: str, limit: int, expected: str) -> None:
    assert opening(text, limit) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-11", Month(2026, 11)), (" 2024-01 ", Month(2024, 1))],
)
def test_a_month_is_written_year_dash_month(text: str, expected: Month) -> None:
    assert Month.parse(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "Nov 2026", ""])
def test_anything_else_is_not_a_month(text: str) -> None:
    with pytest.raises(MonthInvalid, match="YYYY-MM"):
        Month.parse(text)


def test_the_month_before() -> None:
    assert Month.before(dt.date(2026, 1, 1)) == Month(2025, 12)
    assert Month.before(dt.date(2026, 12, 8)) == Month(2026, 11)
    assert Month(2026, 12).next_first_day == dt.date(2027, 1, 1)
