"""Review metadata: explicit sources in order of precedence, inference only where the text is
unambiguous, vocabularies, and errors that say which value to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.metadata import read_metadata, read_metadata_with_warnings
from learning.metadata_vocabulary import normalise_value
from learning.models import ReviewMetadata
from learning.safe_yaml import load_yaml
from learning.title_page import infer_from_text

TITLE_PAGE = (
    "# Child Safeguarding Practice Review\n\n## Child T\n\n"
    "Northshire Safeguarding Children Partnership\n\nPublished: March 2023"
)


@pytest.fixture
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "reviews" / "2023"
    folder.mkdir(parents=True)
    path = folder / "child-t.pdf"
    path.write_bytes(b"%PDF-1.4")
    return path


def test_nothing_known_means_none_and_the_stem_as_id(review: Path) -> None:
    assert read_metadata(review, ["Some text with no clues."], {}) == ReviewMetadata("child-t")


def test_inferred_from_the_title_page(review: Path) -> None:
    assert read_metadata(review, [TITLE_PAGE, "Later pages mention Wales."], None) == (
        ReviewMetadata(
            review_id="child-t",
            title="Child Safeguarding Practice Review: Child T",
            year=2023,
            partnership="Northshire Safeguarding Children Partnership",
            nation="england",  # a CSPR is an English review
            review_type="cspr",
        )
    )


def test_front_matter_beats_sidecar_beats_csv_beats_text(review: Path) -> None:
    review.with_name("child-t.meta.yaml").write_text(
        "title: From sidecar\nyear: 2022\noutcome: serious harm\n"
    )
    (review.parent / "metadata.csv").write_text(
        "file,review_id,title,year,nation,age_group,partnership\n"
        "child-t.pdf,cspr-t,From CSV,2021,Wales,1-4,Northshire SCP\n"
    )
    front = {"title": "From front matter", "review_id": None}
    meta = read_metadata(review, [TITLE_PAGE], front)
    assert meta == ReviewMetadata(
        review_id="cspr-t",
        title="From front matter",
        year=2022,
        partnership="Northshire SCP",
        nation="wales",  # explicit metadata wins over what a CSPR implies
        review_type="cspr",
        outcome="serious_harm",
        age_group="1_4",
    )


@pytest.mark.parametrize("sidecar", ["child-t.pdf.meta.yaml", "child-t.meta.yaml", "child-t.yaml"])
def test_sidecar_names(review: Path, sidecar: str) -> None:
    review.with_name(sidecar).write_text("review_id: scr-2019-4\nage_group: 1_4\n")
    meta = read_metadata(review, [""], {})
    assert (meta.review_id, meta.age_group) == ("scr-2019-4", "1_4")


def test_csv_in_the_parent_folder_matched_by_review_id(review: Path) -> None:
    (review.parent.parent / "metadata.csv").write_text(
        "review_id,outcome,age\nother,death,3\nchild-t,death,0\n"
    )
    meta = read_metadata(review, [""], {})
    assert (meta.outcome, meta.age_group) == ("death", "under_1")


def test_csv_row_for_another_file_is_not_used(review: Path) -> None:
    (review.parent / "metadata.csv").write_text("file,year\nchild-s.pdf,2019\n")
    assert read_metadata(review, [""], {}).year is None


def test_outcome_and_age_group_are_never_inferred(review: Path) -> None:
    text = "# Serious Case Review: Baby D\n\nBaby D, aged seven weeks, died in hospital in 2014."
    meta = read_metadata(review, [text], {})
    assert (meta.outcome, meta.age_group) == (None, None)
    assert meta.review_type == "scr" and meta.nation is None  # SCRs were English and Welsh


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("# Serious Case Review\n\n## Family B", {"title": "Serious Case Review: Family B"}),
        ("# Contents\n\n## Learning Review: Child HH", {"title": "Learning Review: Child HH"}),
        ("## March 2021\n\n# Child W", {"title": "Child W", "year": 2021}),
        ("Date of publication: 12 May 2022", {"year": 2022}),
        ("Report completed: 2019\n\nPublished: 2020", {"year": 2020}),  # publication first
        ("Date: 2019\n\nDate of report: 2020", {"year": None}),  # two years: unknown
        ("The case began in 2017 and ended in 2018.", {"year": None}),  # not a date line
        ("# Concise Child Practice Review: Child F", {"review_type": "cpr", "nation": "wales"}),
        ("Single Unified Safeguarding Review", {"review_type": "susr", "nation": "wales"}),
        ("# Case Management Review", {"review_type": "cmr", "nation": "northern_ireland"}),
        ("National Child Safeguarding Practice Review", {"review_type": "national"}),
        ("A Child Safeguarding Practice Review reported to the national Child Safeguarding "
         "Practice Review Panel", {"review_type": "cspr"}),
        ("# Significant Case Review: Child K\n\nGlenmorven, Scotland",
         {"review_type": None, "nation": "scotland"}),
        ("This serious case review and this child safeguarding practice review",
         {"review_type": None}),  # two types, neither in a heading: not guessed
        ("# Serious Case Review\n\nIt became a child safeguarding practice review later.",
         {"review_type": "scr"}),  # the title decides
        ("Wales and England", {"nation": None}),
        ("Dyfnant Regional Safeguarding Children Board", {
            "partnership": "Dyfnant Regional Safeguarding Children Board"}),
    ],
)  # fmt: skip
def test_inference_table(page: str, expected: dict) -> None:
    inferred = infer_from_text([page])
    assert {key: inferred[key] for key in expected} == expected


def test_only_the_first_page_with_text_is_read() -> None:
    inferred = infer_from_text(["", "# Serious Case Review", "Published 2020"])
    assert (inferred["review_type"], inferred["year"]) == ("scr", None)


@pytest.mark.parametrize(
    ("field", "value", "normalised"),
    [
        ("nation", "Northern Ireland", "northern_ireland"),
        ("nation", "NI", "northern_ireland"),
        ("nation", "england", "england"),
        ("review_type", "SCR", "scr"),
        ("review_type", "LCSPR", "cspr"),
        ("review_type", "Child Practice Review", "cpr"),
        ("review_type", "learning-review", "learning_review"),
        ("outcome", "Serious harm", "serious_harm"),
        ("outcome", "died", "death"),
        ("age_group", "15-17", "15_17"),
        ("age_group", "under 1", "under_1"),
        ("age_group", "siblings", "mixed"),
        ("outcome", "serious-harm", "serious_harm"),
        ("outcome", "Death", "death"),
        ("outcome", "Other", "other"),
        ("outcome", "Near miss", "near_miss"),
        ("outcome", "Significant harm", None),
        ("nation", "France", None),
    ],
)
def test_vocabulary(field: str, value: str, normalised: str | None) -> None:
    assert normalise_value(field, value) == normalised


@pytest.mark.parametrize(
    ("front", "field", "value", "warning"),
    [
        ({"outcome": "Significant harm"}, "outcome", "significant_harm",
         "front matter: outcome 'Significant harm' is not one of death, serious_harm, other, "
         "near_miss; kept as 'significant_harm'"),
        ({"nation": "France"}, "nation", "france", "nation 'France' is not one of england"),
        ({"age_group": "teen"}, "age_group", "teen", "age_group 'teen' is not one of under_1"),
        ({"review_type": "7-minute briefing"}, "review_type", "7_minute_briefing",
         "kept as '7_minute_briefing'"),
        ({"year": "abc"}, "year", None, "front matter: year 'abc' has no year; left unknown"),
        ({"year": "last spring"}, "year", None, "year 'last spring' has no year"),
        ({"age": 19}, "age_group", None, "age 19 is outside 0-17; left unknown"),
        ({"age": "two"}, "age_group", None, "age 'two' is not a number of years"),
        ({"outcome": ["death", "harm"]}, "outcome", None, "outcome (not a single value)"),
        ({"outcome": "!" * 5}, "outcome", None, "cannot be used; left unknown"),
        ({"partnership": {"a": 1}}, "partnership", None, "partnership is not a single value"),
    ],
)  # fmt: skip
def test_unusable_values_are_kept_or_left_unknown_with_a_warning(
    review: Path, front: dict, field: str, value: str | None, warning: str
) -> None:
    reading = read_metadata_with_warnings(review, ["Some text."], front)
    assert getattr(reading.metadata, field) == value
    assert reading.metadata.review_id == "child-t"  # the document is still described
    assert len(reading.warnings) == 1 and warning in reading.warnings[0]


def test_recognised_values_give_no_warning(review: Path) -> None:
    front = {"outcome": "Other", "nation": "Wales", "review_type": "Serious Case Review"}
    reading = read_metadata_with_warnings(review, [""], front)
    assert reading.warnings == ()
    assert (reading.metadata.outcome, reading.metadata.review_type) == ("other", "scr")


def test_bad_sidecar_yaml_is_ignored_with_a_warning_naming_the_sidecar(review: Path) -> None:
    review.with_name("child-t.meta.yaml").write_text("title: [broken\n")
    reading = read_metadata_with_warnings(review, [TITLE_PAGE], {})
    assert reading.metadata.title == "Child Safeguarding Practice Review: Child T"  # from text
    assert reading.warnings == (
        "child-t.meta.yaml: not valid YAML at line 2; its metadata was ignored (fix it)",
    )


def test_unreadable_csv_is_ignored_with_a_warning(review: Path) -> None:
    (review.parent / "metadata.csv").write_bytes(b"file,title\n\xff\xfe\x00bad")
    reading = read_metadata_with_warnings(review, [""], {})
    assert reading.metadata.title is None
    assert "metadata.csv: cannot be read as CSV" in reading.warnings[0]


def test_yaml_keeps_age_groups_as_text() -> None:
    assert load_yaml("age_group: 1_4\nyear: 2020\nn: 0") == {
        "age_group": "1_4",
        "year": 2020,
        "n": 0,
    }


def test_dates_and_blank_values(review: Path) -> None:
    import datetime as dt

    front = {"published": dt.date(2013, 10, 3), "partnership": "", "outcome": "unknown"}
    meta = read_metadata(review, [""], front)
    assert (meta.year, meta.partnership, meta.outcome) == (2013, None, None)


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("# Northshire Safeguarding Children Partnership\n\n# Child Safeguarding Practice "
         "Review: Child T\n\nPublished March 2023", "Child Safeguarding Practice Review: Child T"),
        ("# Westmere LSCB\n\nThe review of the services offered to the family.", None),
        ("# Learning Review of the Safeguarding Children Partnership's Front Door", 
         "Learning Review of the Safeguarding Children Partnership's Front Door"),
    ],
)  # fmt: skip
def test_a_partnership_name_is_never_a_title(page: str, title: str | None) -> None:
    assert infer_from_text([page])["title"] == title
