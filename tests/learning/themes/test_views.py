"""What the Themes page shows (learning.themes.views): prevalence grids and their words, a tag
with its evidence, decisions, pack files. Rates, changes and themes found together are tested in
test_analyst_views and test_cooccurrence."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from core.settings import Settings
from learning.encoder import FakeEncoder
from learning.errors import IndexNotFound, InvalidDecision, ReviewNotIndexed, ThemeNotFound
from learning.themes.decisions import load_decisions
from learning.themes.report import trends_report
from learning.themes.tagging import ThemeWorkspace
from learning.themes.values import Decision
from learning.themes.views import (
    ReviewChoice,
    ThemeChoice,
    decide_tag,
    group_label,
    open_theme_workspace,
    pack_file,
    prevalence_grid,
    prevalence_text,
    review_choices,
    tag_review,
    theme_choices,
)
from tests.learning.themes.conftest import Doc, F, R, build_index

DA = "Domestic abuse and coercive control by the father were not recognised."
DA_RISK = "Agencies should assess domestic abuse risk whenever police report an incident."
SLEEP = (
    "Health visitors should give safer sleep advice to both parents at every visit, including "
    "about co-sleeping."
)
NEGLECT = (
    "Chronic neglect of the children, poor home conditions and missed health appointments were "
    "not seen."
)
DOCS = (
    Doc("r0", ((F, DA, "Findings", 3), (R, SLEEP, "Recommendations", 9)), year=2012),
    Doc("r1", ((F, DA, "Findings", 3), (R, SLEEP, "Recommendations", 9)), year=2016),
    Doc("r2", ((F, NEGLECT, "Findings", 4), (R, DA_RISK, "Recommendations", 10)), year=2021),
    Doc("r3", ((F, NEGLECT, "Findings", 4), (R, SLEEP, "Recommendations", 9)), year=2022),
)
DA_LABEL = "Domestic abuse and coercive control"
SLEEP_LABEL = "Sudden unexpected death in infancy and unsafe sleep"
AT = dt.datetime(2026, 3, 31, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def index_dir(tmp_path: Path, fake_encoder: FakeEncoder) -> Path:
    return build_index(tmp_path / "index", DOCS, fake_encoder)


@pytest.fixture
def workspace(index_dir: Path, open_workspace: Callable[..., ThemeWorkspace]) -> ThemeWorkspace:
    return open_workspace(index_dir)


# --- prevalence ----------------------------------------------------------------------------------


def test_the_prevalence_grid_puts_the_commonest_themes_first(workspace: ThemeWorkspace) -> None:
    grid = prevalence_grid(trends_report(workspace, "year"))

    assert grid.total_reviews == 4
    assert grid.groups == (("2012", 1), ("2016", 1), ("2021", 1), ("2022", 1))
    assert len(grid.lines) == len(workspace.taxonomy.ids)  # every theme, carried or not
    top = {line.theme_id: (line.total, line.counts) for line in grid.carried[:3]}
    assert top == {
        "domestic_abuse": (3, (1, 1, 1, 0)),
        "sudi_unsafe_sleep": (3, (1, 1, 0, 1)),
        "health_practice": (3, (1, 1, 0, 1)),
    }
    assert all(line.total == sum(line.counts) for line in grid.lines)
    assert [line.total for line in grid.lines] == sorted(
        (line.total for line in grid.lines), reverse=True
    )


def test_the_prevalence_text_names_the_commonest_themes(workspace: ThemeWorkspace) -> None:
    text = prevalence_text(prevalence_grid(trends_report(workspace, "year")))

    assert text.startswith("Reviews carrying each theme, by year of publication, over 4 reviews.")
    assert f"{DA_LABEL} in 3 of 4" in text
    assert f"2012: {DA_LABEL} (1 of 1)" in text


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("under_1", "Under 1 year"),
        ("15_17", "15\u201317 years"),
        ("serious_harm", "Serious harm"),
        ("northern_ireland", "Northern Ireland"),
        ("england", "England"),
        ("cspr", "CSPR"),
        ("learning_review", "Learning review"),
        ("2021", "2021"),
        ("unknown", "Unknown"),
    ],
)
def test_group_labels(group: str, expected: str) -> None:
    assert group_label(group) == expected


# --- confirming and rejecting --------------------------------------------------------------------


def test_reviews_newest_first_and_their_tags_first(workspace: ThemeWorkspace) -> None:
    reviews = review_choices(workspace)
    choices = theme_choices(workspace, "r0")

    assert [choice.review_id for choice in reviews] == ["r3", "r2", "r1", "r0"]
    assert reviews[0] == ReviewChoice("r3", "Child R3: a review", 2022)
    assert reviews[0].label == "Child R3: a review (2022) [r3]"
    assert [c.theme_id for c in choices[:3]] == [
        "domestic_abuse",
        "sudi_unsafe_sleep",
        "health_practice",
    ]
    assert all(c.tagged for c in choices[:3]) and not any(c.tagged for c in choices[3:])
    assert len(choices) == len(workspace.taxonomy.ids)
    assert choices[0].caption == f"{DA_LABEL}: tagged, 0.98 (model)"  # 0.99 before issue 24
    assert ThemeChoice("neglect", "Neglect").caption == "Neglect: not tagged"


def test_a_tag_is_shown_with_its_evidence_and_page(workspace: ThemeWorkspace) -> None:
    view = tag_review(workspace, "r0", "domestic_abuse")

    assert view.tagged and view.decision is None
    assert view.label == DA_LABEL and view.definition
    assert view.model_confidence > view.threshold
    assert [(item.page, item.text) for item in view.evidence][0] == (3, DA)


def test_an_untagged_theme_shows_the_best_passages_anyway(workspace: ThemeWorkspace) -> None:
    view = tag_review(workspace, "r2", "sudi_unsafe_sleep")

    assert not view.tagged
    assert view.model_confidence < view.threshold
    assert all(item.page in (4, 10) for item in view.evidence)


def test_decisions_are_saved_and_win(
    workspace: ThemeWorkspace,
    database_url: str,
    index_dir: Path,
    open_workspace: Callable[..., ThemeWorkspace],
) -> None:
    rejected = decide_tag(
        workspace, database_url, review_id="r0", theme_id="domestic_abuse",
        decision=Decision.REJECT, by="analyst", at=AT, note="  only the father's history  ",
    )  # fmt: skip
    confirmed = decide_tag(
        workspace, database_url, review_id="r2", theme_id="sudi_unsafe_sleep",
        decision=Decision.CONFIRM, by="analyst", at=AT, note="   ",
    )  # fmt: skip

    assert rejected.note == "only the father's history" and confirmed.note is None
    assert len(load_decisions(database_url)) == 2
    after = open_workspace(index_dir, decisions=load_decisions(database_url))
    assert "domestic_abuse" not in {tag.theme_id for tag in after.tags("r0")}
    view = tag_review(after, "r2", "sudi_unsafe_sleep")
    assert view.tagged and view.decision is not None and view.decision.by == "analyst"


@pytest.mark.parametrize(
    ("review_id", "theme_id", "by", "error", "match"),
    [
        ("r0", "ghosts", "analyst", ThemeNotFound, "no theme 'ghosts'"),
        ("r9", "neglect", "analyst", ReviewNotIndexed, "no review 'r9'"),
        ("r0", "neglect", " ", InvalidDecision, "say who decides"),
    ],
)
def test_a_decision_is_refused_with_the_reason(
    workspace: ThemeWorkspace,
    database_url: str,
    review_id: str,
    theme_id: str,
    by: str,
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        decide_tag(
            workspace, database_url, review_id=review_id, theme_id=theme_id,
            decision=Decision.CONFIRM, by=by, at=AT,
        )  # fmt: skip
    assert load_decisions(database_url) == {}


# --- packs and the workspace ---------------------------------------------------------------------


def test_pack_files_in_each_format(workspace: ThemeWorkspace) -> None:
    as_csv = pack_file(workspace, "domestic_abuse", "csv")
    as_md = pack_file(workspace, "domestic_abuse", "md")
    as_pdf = pack_file(workspace, "domestic_abuse", "pdf")

    assert (as_csv.name, as_csv.mime) == ("evidence-pack-domestic_abuse.csv", "text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.data.decode("utf-8"))))
    assert {row["review_id"] for row in rows if row["part"] == "review"} == {"r0", "r1", "r2"}
    assert as_csv.reviews == 3 and as_csv.findings >= 2
    assert as_md.data.startswith(f"# Evidence pack: {DA_LABEL} (domestic_abuse)".encode())
    assert as_md.mime == "text/markdown"
    assert as_pdf.data.startswith(b"%PDF") and as_pdf.mime == "application/pdf"
    with pytest.raises(ValueError, match="format must be one of csv, md, pdf"):
        pack_file(workspace, "domestic_abuse", "docx")


def test_the_workspace_of_the_settings(
    index_dir: Path, database_url: str, tmp_path: Path, fake_encoder: FakeEncoder
) -> None:
    decide = Settings(data_dir=tmp_path, index_dir=index_dir, database_url=database_url)
    with open_theme_workspace(decide, lambda: fake_encoder) as workspace:
        decide_tag(
            workspace, database_url, review_id="r1", theme_id="neglect",
            decision=Decision.CONFIRM, by="analyst", at=AT,
        )  # fmt: skip
    with open_theme_workspace(decide, lambda: fake_encoder) as workspace:
        assert ("r1", "neglect") in workspace.decisions
        assert [choice.review_id for choice in review_choices(workspace)][-1] == "r0"
    missing = Settings(data_dir=tmp_path, index_dir=tmp_path / "none", database_url=database_url)
    with pytest.raises(IndexNotFound), open_theme_workspace(missing, lambda: fake_encoder):
        pass
