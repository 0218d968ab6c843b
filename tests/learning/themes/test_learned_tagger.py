"""The learned tagger in the product: over a hand-built index and a real SQLite app database,
analysts' decisions train a head that the tags then carry the version of; a bad head file falls
back to the zero-shot tagger; the retraining is due after the setting's number of decisions;
``cspr themes tagger --use zero-shot`` is the way back."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import learning.runtime
from core.settings import Settings
from cspr.cli import library as library_cli
from cspr.cli import themes as themes_cli
from learning.encoder import FakeEncoder
from learning.themes.decisions import load_decisions, save_decision
from learning.themes.head_store import head_path
from learning.themes.learned_head import TaggerChoice, zero_shot_version
from learning.themes.retraining import retrain_check, retrain_if_due, train_workspace
from learning.themes.scoring import ScoringParams
from tests.learning.themes.conftest import Doc, F, P, build_index

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ABUSE = (
    "Domestic abuse and coercive control by the father were known to the police.",
    "The mother's partner was violent; the domestic abuse notifications were not shared.",
    "Agencies did not assess the risk of domestic violence to the children in the home.",
    "A MARAC heard of the abuse between the parents but no one told the school.",
)
SLEEP = (
    "The baby died while co-sleeping with a parent on a sofa after alcohol was drunk.",
    "Safer sleep advice was not given to the family by the health visitor after the birth.",
    "The infant slept in an adult bed; the sudden unexpected death was not foreseen.",
    "The midwife did not discuss safe sleeping arrangements with the young parents.",
)
DOCS = [
    Doc(
        f"r-{kind}-{n}",
        ((P, "The family lived in a flat in town.", "Background", 1), (F, text, "Findings", 2)),
    )  # fmt: skip
    for kind, texts in (("abuse", ABUSE), ("sleep", SLEEP))
    for n, text in enumerate(texts)
]


def decide_all(database_url: str, theme: str = "domestic_abuse", start: datetime = AT) -> None:
    """An analyst confirms ``theme`` on the abuse reviews and rejects it on the sleep ones."""
    for n, doc in enumerate(DOCS):
        save_decision(
            database_url, review_id=doc.review_id, theme_id=theme,
            decision="confirm" if "abuse" in doc.review_id else "reject", by="analyst",
            at=start + timedelta(minutes=n),
        )  # fmt: skip


@pytest.fixture
def index_dir(tmp_path: Path, fake_encoder: FakeEncoder) -> Path:
    return build_index(tmp_path / "index", DOCS, fake_encoder)


@pytest.fixture
def settings(tmp_path: Path, index_dir: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path, index_dir=index_dir, database_url=database_url, tagger_retrain_after=8
    )


def test_every_tag_carries_the_version_of_the_tagger_that_made_it(
    open_workspace, index_dir: Path, database_url: str
) -> None:
    zero = open_workspace(index_dir)
    assert zero.tags() and {tag.tagger for tag in zero.tags()} == {zero_shot_version()}
    assert zero.tags()[0].to_dict()["tagger"] == zero_shot_version()
    untrained = open_workspace(index_dir, tagger="learned")
    assert untrained.head is None and untrained.tagger_version == zero_shot_version()

    decide_all(database_url)
    decisions = load_decisions(database_url)
    report = train_workspace(open_workspace(index_dir, decisions=decisions), now=AT)
    # the decided theme, and themes the eight reviews imply (their tags as they stood)
    assert "domestic_abuse" in report.learned and report.decisions == 8
    assert report.examples == 8 * 27
    learned = open_workspace(index_dir, decisions=decisions, tagger=TaggerChoice.LEARNED)
    assert learned.head is not None and learned.tagger_version == report.version
    assert learned.version["tagger"] == report.version
    versions = {tag.theme_id: tag.tagger for tag in learned.tags()}
    assert versions["domestic_abuse"] == report.version
    assert versions == {
        theme: report.version if theme in report.learned else zero_shot_version()
        for theme in versions
    }
    assert set(versions) - set(report.learned)  # some tags are still the zero-shot tagger's
    # a new head changes the key of the tags, not that of the zero-shot scores (no model run)
    plain = open_workspace(index_dir, decisions=decisions)
    assert learned.scores_key != plain.scores_key and learned.zero_shot_key == plain.zero_shot_key


def test_the_head_moves_the_confidences_and_thresholds_of_its_themes_only(
    open_workspace, index_dir: Path, database_url: str
) -> None:
    decide_all(database_url)
    decisions = load_decisions(database_url)
    train_workspace(open_workspace(index_dir, decisions=decisions), now=AT)
    plain = open_workspace(index_dir)
    learned = open_workspace(index_dir, tagger="learned")
    column = learned.taxonomy.ids.index("domestic_abuse")
    before, after = plain.scores.review_conf, learned.scores.review_conf
    abuse = [learned.scores.review_ids.index(doc.review_id) for doc in DOCS[:4]]
    sleep = [learned.scores.review_ids.index(doc.review_id) for doc in DOCS[4:]]
    assert after[abuse, column].min() > after[sleep, column].max()
    assert (after[:, column] != before[:, column]).any()
    learned_themes = {model.theme_id for model in learned.head.models}
    others = [c for c, theme in enumerate(learned.taxonomy.ids) if theme not in learned_themes]
    assert others and (after[:, others] == before[:, others]).all()
    theme = learned.taxonomy.ids[others[0]]
    assert learned.thresholds[theme] == plain.thresholds[theme]


def test_a_bad_head_file_falls_back_to_the_zero_shot_tagger_with_a_warning(
    open_workspace, index_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = [tag.to_dict() for tag in open_workspace(index_dir).tags()]
    head_path(index_dir).write_text('{"format": 1, "models": "lots"}', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="learning.themes.head_store"):
        learned = open_workspace(index_dir, tagger="learned")
        assert [tag.to_dict() for tag in learned.tags()] == expected
    assert learned.head is None
    assert "learned theme tagger not used, zero-shot instead" in caplog.text
    assert "models is not a list" in caplog.text


def test_a_head_for_other_scoring_is_not_used(
    open_workspace, index_dir: Path, database_url: str
) -> None:
    decide_all(database_url)
    train_workspace(open_workspace(index_dir, decisions=load_decisions(database_url)), now=AT)
    assert open_workspace(index_dir, tagger="learned").head is not None
    # the zero-shot confidences are a feature: a head trained on other ones is not used
    other = open_workspace(index_dir, tagger="learned", params=ScoringParams(center=0.3))
    assert other.head is None and other.tagger_version == zero_shot_version()


def test_retraining_is_due_after_the_settings_number_of_decisions(
    settings: Settings, database_url: str, index_dir: Path, fake_encoder: FakeEncoder
) -> None:
    assert retrain_check(settings).since == 0
    assert retrain_if_due(settings, lambda: fake_encoder, now=AT) is None
    decide_all(database_url)  # 8 decisions: the setting's number
    check = retrain_check(settings)
    assert (check.since, check.needed, check.due) == (8, 8, True)
    done = retrain_if_due(settings, lambda: fake_encoder, now=AT)
    assert done is not None and done.startswith("retrained (learned-")
    stored = json.loads(head_path(index_dir).read_text(encoding="utf-8"))
    assert stored["decisions"] == 8 and stored["last_decision"] == check.newest
    assert "domestic_abuse" in [model["theme_id"] for model in stored["models"]]
    assert retrain_check(settings).since == 0
    save_decision(
        database_url, review_id="r-sleep-0", theme_id="sudi_unsafe_sleep", decision="confirm",
        by="analyst", at=AT + timedelta(hours=1),
    )  # fmt: skip
    assert (retrain_check(settings).since, retrain_check(settings).due) == (1, False)
    head_path(index_dir).write_bytes(b"garbage")  # an unusable head: every decision counts
    assert retrain_check(settings).since == 9


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cspr(data_dir: Path, fake_encoder: FakeEncoder, monkeypatch: pytest.MonkeyPatch):
    build_index(data_dir / "index", DOCS, fake_encoder)
    monkeypatch.setattr(learning.runtime, "build_encoder", FakeEncoder)
    monkeypatch.setenv("CSPR_TAGGER_RETRAIN_AFTER", "100")
    app = typer.Typer()
    library_cli.register(app)
    themes_cli.register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(arg) for arg in args])


def tag_versions(cspr) -> set[str]:  # noqa: ANN001
    result = cspr("themes", "tag", "--review", "r-abuse-0", "--json")
    assert result.exit_code == 0, result.output
    return {tag["tagger"] for tag in json.loads(result.stdout)}


def test_the_cli_retrains_and_goes_back_to_the_zero_shot_tagger(cspr, data_dir: Path) -> None:
    for doc in DOCS:
        verdict = "confirm" if "abuse" in doc.review_id else "reject"
        assert cspr("themes", verdict, doc.review_id, "domestic_abuse").exit_code == 0
    assert tag_versions(cspr) == {zero_shot_version()}  # not trained yet
    trained = cspr("themes", "retrain")
    assert trained.exit_code == 0, trained.output
    version = trained.stdout.split()[1]
    assert "on 8 decisions (216 labelled review-theme pairs)" in trained.stdout
    assert version in tag_versions(cspr)
    back = cspr("themes", "tagger", "--use", "zero-shot")
    assert back.exit_code == 0, back.output
    assert "tags made by: zero-shot tagger" in back.stdout
    assert tag_versions(cspr) == {zero_shot_version()}
    assert json.loads((data_dir / "theme-tagger-choice.json").read_text())["use"] == "zero-shot"
    forward = cspr("themes", "tagger", "--use", "learned", "--json")
    assert json.loads(forward.stdout)["version"] == version
    assert version in tag_versions(cspr)
    refused = cspr("themes", "tagger", "--use", "sometimes")
    assert refused.exit_code == 2 and "sometimes" in refused.output


def test_the_setting_is_a_way_back_too(
    cspr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings

    trained = cspr("themes", "retrain", "--labels", write_labels(tmp_path / "labels.csv"))
    assert trained.exit_code == 0, trained.output
    # no decision; 8 labelled reviews x 27 themes
    assert "on 0 decisions (216 labelled review-theme pairs): 2 themes learned" in trained.stdout
    assert tag_versions(cspr) != {zero_shot_version()}
    monkeypatch.setenv("CSPR_THEME_TAGGER", "zero-shot")
    get_settings.cache_clear()
    status = cspr("themes", "tagger")
    assert "zero-shot tagger (set by CSPR_THEME_TAGGER)" in status.stdout
    assert tag_versions(cspr) == {zero_shot_version()}


def write_labels(path: Path) -> Path:
    """A labels file: the abuse reviews carry domestic abuse, the sleep ones safe sleep."""
    rows = ["review_id,theme_id,grade"]
    for doc in DOCS:
        theme = "domestic_abuse" if "abuse" in doc.review_id else "sudi_unsafe_sleep"
        rows.append(f"{doc.review_id},{theme},2")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path
