"""With the bundled MiniLM (slow): a theme is an idea, not a phrase; paraphrased
recommendations recur; demo-corpus reviews get their catalogued themes with page evidence."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from learning.index import open_index
from learning.themes.recurring import RecurringParams, recurring_recommendations
from learning.themes.tagging import ThemeWorkspace
from learning.themes.taxonomy import load_taxonomy
from tests.conftest import REPO_ROOT
from tests.learning.themes.conftest import Doc, F, R, build_index

pytest_plugins = ("tests.learning.factories",)
pytestmark = pytest.mark.slow

CURIOSITY = [
    "Practitioners did not show respectful uncertainty about the mother's explanations.",
    "There was a lack of professional curiosity about who was living in the home.",
    "Professionals were too ready to accept what they were told and did not challenge it.",
]
SAFER_SLEEP = [
    "Health visitors should give safer sleep advice to both parents at every visit.",
    "Safer sleep advice should be given to both parents, fathers included, at each health visit.",
    "The partnership should make sure both parents get safer sleep advice at every visit.",
]
ESCALATION = [
    "Practitioners should use the escalation policy when they disagree with a decision.",
    "All agencies should remind staff of the escalation policy for professional disagreement.",
]


def workspace_for(index_dir: Path, encoder, **options) -> ThemeWorkspace:  # noqa: ANN001
    return ThemeWorkspace(open_index(index_dir), load_taxonomy(), lambda: encoder, **options)


def test_respectful_uncertainty_and_curiosity_are_one_theme(tmp_path: Path, real_encoder) -> None:
    docs = [Doc(f"r{i}", ((F, text, "Findings", 5),)) for i, text in enumerate(CURIOSITY)]
    index_dir = build_index(tmp_path / "index", docs, real_encoder)
    workspace = workspace_for(index_dir, real_encoder, use_cache=False)
    try:
        best = workspace.scores.unit_conf.argmax(axis=1)
        themes = [workspace.scores.theme_ids[column] for column in best]
        # The third names neither phrase: only its meaning puts it with the other two.
        assert themes == ["professional_curiosity"] * 3
    finally:
        workspace.index.close()


def test_paraphrased_recommendations_recur(tmp_path: Path, real_encoder) -> None:
    other = "Schools should follow up every unexplained absence on the first day."
    texts = [*SAFER_SLEEP, *ESCALATION, other]
    docs = [
        Doc(f"r{i}", ((R, text, "Recommendations", 9),), year=2012 + 2 * i)
        for i, text in enumerate(texts)
    ]
    index_dir = build_index(tmp_path / "index", docs, real_encoder)
    workspace = workspace_for(index_dir, real_encoder)
    try:
        groups = recurring_recommendations(workspace, RecurringParams())
    finally:
        workspace.index.close()
    members = [sorted(m.text for m in group.members) for group in groups]
    assert members == [sorted(SAFER_SLEEP), sorted(ESCALATION)]
    assert (groups[0].first_year, groups[0].last_year, groups[0].reviews) == (2012, 2016, 3)
    assert groups[0].theme_id == "sudi_unsafe_sleep"


# Demo-corpus reviews in four formats, each with a clearly catalogued theme.
CORPUS_CASES = {
    "r17-child-t-kingsford-2020.md": "domestic_abuse",
    "r29-baby-dd-kingsford-2023.md": "sudi_unsafe_sleep",
    "r01-child-a-northshire-2012.pdf": "nai_infancy",
    "r03-child-c-eastbridge-2014.pdf": "exploitation_ehm",
}


def catalogue() -> dict[str, set[str]]:
    with open(REPO_ROOT / "corpus" / "catalogue.csv", newline="", encoding="utf-8") as handle:
        return {row["review_id"]: set(row["themes"].split(";")) for row in csv.DictReader(handle)}


def test_corpus_reviews_get_their_themes_with_evidence(tmp_path: Path, real_encoder) -> None:
    from learning.ingest import ingest_paths

    folder = REPO_ROOT / "corpus" / "reviews"
    files = [folder / name for name in CORPUS_CASES if (folder / name).exists()]
    if len(files) < 2:
        pytest.skip("the demo corpus is not built")
    report = ingest_paths(files, tmp_path / "index", real_encoder)
    assert not report.failed, report.failed
    workspace = workspace_for(tmp_path / "index", real_encoder)
    labels = catalogue()
    try:
        tags = workspace.tags()
        for path in files:
            review_id = path.stem
            found = {t.theme_id: t for t in tags if t.review_id == review_id}
            expected = CORPUS_CASES[path.name]
            assert expected in found, (review_id, sorted(found))
            assert all(item.page >= 1 and item.text for item in found[expected].evidence)
            catalogued = labels[review_id]
            assert len(catalogued & set(found)) / len(catalogued) >= 0.5, (
                catalogued,
                sorted(found),
            )
        assert np.all(workspace.scores.unit_conf[workspace.table.excluded] == 0)
    finally:
        workspace.index.close()
