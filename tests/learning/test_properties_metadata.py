"""Properties of review metadata: a year or date in front matter or a sidecar is a plausible
year or unknown with a warning, and no value, however odd, stops a review being described."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.extract.text import split_front_matter
from learning.metadata import _BLANKS, read_metadata_with_warnings

year_values = st.one_of(
    st.dates(),
    st.datetimes(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=30),
    st.lists(st.integers(1980, 2099), max_size=2),
)


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reviews") / "child-t.md"
    path.write_text("# Review\n", encoding="utf-8")
    return path


@settings(max_examples=300, deadline=None)
@given(value=year_values, key=st.sampled_from(["year", "published", "date"]))
def test_a_front_matter_year_is_plausible_or_unknown_with_a_warning(
    review: Path, value: object, key: str
) -> None:
    reading = read_metadata_with_warnings(review, [""], {key: value})
    year = reading.metadata.year
    assert year is None or (type(year) is int and 1980 <= year <= 2099)
    if year is None and str(value).strip().lower() not in _BLANKS:  # blank: unknown, silently
        assert any(f"front matter: {key} " in warning for warning in reading.warnings)
    if isinstance(value, dt.date) and 1980 <= value.year <= 2099:
        assert year == value.year
    if type(value) is int and 1980 <= value <= 2099:
        assert year == value


@settings(max_examples=200, deadline=None)
@given(value=st.integers(min_value=-(10**400), max_value=10**400) | st.floats() | st.booleans())
def test_an_age_is_an_age_group_or_unknown_with_a_warning(review: Path, value: object) -> None:
    reading = read_metadata_with_warnings(review, [""], {"age": value})
    group = reading.metadata.age_group
    if isinstance(value, bool) or not 0 <= value < 18:  # type: ignore[operator]
        assert group is None and reading.warnings
    else:
        assert group in ("under_1", "1_4", "5_9", "10_14", "15_17")


# Front matter as people write it: a year or date line with any scalar after it.
scalars = st.one_of(
    st.builds(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}",
        st.integers(1000, 9999),
        st.integers(0, 99),
        st.integers(0, 99),
    ),
    st.integers(4000, 6000).map(lambda digits: "9" * digits),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(["year", "published", "date", "age"]), value=scalars)
def test_front_matter_and_sidecars_with_any_date_never_stop_a_review(
    review: Path, key: str, value: str
) -> None:
    text = f"{key}: {value}\ntitle: Child T\n"
    front = split_front_matter(f"---\n{text}---\nBody.\n")
    assert front.body == "Body.\n"
    sidecar = review.with_name("child-t.meta.yaml")
    sidecar.write_text(text, encoding="utf-8")
    try:
        reading = read_metadata_with_warnings(review, [""], front.values)
    finally:
        sidecar.unlink()
    year = reading.metadata.year
    assert year is None or 1980 <= year <= 2099
    assert reading.metadata.review_id == "child-t"


def test_an_impossible_date_is_read_as_text_and_keeps_its_year(review: Path) -> None:
    front = split_front_matter("---\npublished: 2021-02-30\ntitle: Child T\n---\nBody.\n")
    assert front.values == {"published": "2021-02-30", "title": "Child T"}
    assert read_metadata_with_warnings(review, [""], front.values).metadata.year == 2021
