"""Tagging over a hand-built index with the fake encoder: tags with evidence on the right page,
glossaries that earn nothing, determinism, the derived cache, analysts' decisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from learning.errors import IndexMismatch, ReviewNotIndexed
from learning.themes import cache
from learning.themes.decisions import load_decisions, save_decision
from learning.themes.scoring import ScoringParams
from learning.themes.taxonomy import load_taxonomy
from learning.themes.values import AnalystDecision, Decision, TagSource
from tests.learning.themes.conftest import FAKE_PARAMS, Doc, F, P, R, build_index

DA_REVIEW = Doc(
    "r-da",
    (
        (
            P,
            "Child E lived with her mother and her stepfather in a rented flat in town.",
            "Background",
            2,
        ),
        (
            F,
            "Domestic abuse and coercive control by the stepfather were not recognised "
            "by agencies.",
            "Findings",
            3,
        ),
        (
            F,
            "The MARAC did not consider the domestic abuse and its risk to the children.",
            "Findings",
            3,
        ),
        (
            R,
            "Agencies should respond to every domestic abuse notification with a risk "
            "assessment for the children.",
            "Recommendations",
            4,
        ),
        (P, "MARAC: multi-agency risk assessment conference.", "Glossary", 9),
    ),
    year=2020,
)
GLOSSARY_REVIEW = Doc(
    "r-glossary",
    (
        (P, "Child G was a toddler who lived with his grandmother on a farm.", "Background", 2),
        (F, "The nursery did not record the injuries to his legs.", "Findings", 3),
        (
            P,
            "Domestic abuse: coercive control, domestic violence and abuse between "
            "partners (MARAC).",
            "Glossary",
            8,
        ),
        (P, "DA - domestic abuse; coercive control", "Abbreviations", 8),
    ),
    year=2015,
    nation="wales",
)
REVIEWS = [DA_REVIEW, GLOSSARY_REVIEW]


@pytest.fixture
def index_dir(tmp_path: Path, fake_encoder) -> Path:
    return build_index(tmp_path / "index", REVIEWS, fake_encoder)


def tag_of(tags, review_id: str, theme_id: str):
    found = [t for t in tags if t.review_id == review_id and t.theme_id == theme_id]
    return found[0] if found else None


def test_domestic_abuse_found_with_evidence_on_page_3(index_dir: Path, open_workspace) -> None:
    tags = open_workspace(index_dir).tags("r-da")
    tag = tag_of(tags, "r-da", "domestic_abuse")
    assert tag is not None
    assert tag.source is TagSource.MODEL
    assert 0.5 <= tag.confidence <= 1.0
    assert tags[0].theme_id == "domestic_abuse"  # the strongest tag of the review
    first = tag.evidence[0]
    assert (first.page, first.section, first.kind) == (3, "Findings", "finding")
    assert "coercive control" in first.text
    assert first.citation == "[Child R-DA, Northshire CSPR 2020, p. 3]"
    assert all(item.section != "Glossary" for item in tag.evidence)


def test_glossary_mention_earns_no_tag(index_dir: Path, open_workspace) -> None:
    workspace = open_workspace(index_dir)
    assert tag_of(workspace.tags(), "r-glossary", "domestic_abuse") is None
    glossary_rows = [
        i
        for i, row in enumerate(workspace.table.rows)
        if row.section in ("Glossary", "Abbreviations")
    ]
    assert workspace.scores.unit_conf[glossary_rows].max() == 0.0


def test_unknown_review_is_named(index_dir: Path, open_workspace) -> None:
    with pytest.raises(ReviewNotIndexed, match="no review 'r-nope'"):
        open_workspace(index_dir).tags("r-nope")


def test_same_input_same_tags(index_dir: Path, open_workspace) -> None:
    first = [t.to_dict() for t in open_workspace(index_dir, use_cache=False).tags()]
    second = [t.to_dict() for t in open_workspace(index_dir, use_cache=False).tags()]
    assert first == second
    cached = [t.to_dict() for t in open_workspace(index_dir).tags()]
    again = [t.to_dict() for t in open_workspace(index_dir).tags()]
    assert cached == first == again


def test_cache_spares_the_encoder_and_is_safe_to_delete(
    index_dir: Path, open_workspace, fake_encoder
) -> None:
    open_workspace(index_dir).tags()
    calls = fake_encoder.calls
    assert (index_dir / cache.CACHE_DIR / "scores.json").exists()
    open_workspace(index_dir).tags()
    assert fake_encoder.calls == calls  # scores and tags came from the cache
    import shutil

    shutil.rmtree(index_dir / cache.CACHE_DIR)
    open_workspace(index_dir).tags()
    assert fake_encoder.calls > calls  # computed again: the model was needed


def test_cache_key_follows_index_taxonomy_and_params(
    index_dir: Path, open_workspace, tmp_path: Path, fake_encoder
) -> None:
    base = open_workspace(index_dir)
    key = base.scores_key
    assert open_workspace(index_dir, params=ScoringParams(center=0.3)).scores_key != key
    own = tmp_path / "own.yaml"
    own.write_text(load_taxonomy().source.read_text().replace("Neglect\n", "Neglect of children\n"))
    assert open_workspace(index_dir, taxonomy=load_taxonomy(own)).scores_key != key
    build_index(index_dir, [Doc("r-new", ((F, "Neglect.", "Findings", 1),))], fake_encoder)
    assert open_workspace(index_dir).scores_key != key


def test_encoder_of_another_model_is_refused(index_dir: Path, open_workspace) -> None:
    from learning.encoder import FakeEncoder

    workspace = open_workspace(index_dir, use_cache=False)
    workspace.encoder_factory = lambda: FakeEncoder(name="other")
    with pytest.raises(IndexMismatch, match="built with 'fake-hashing-bow-384'"):
        workspace.tags()


def decision(review_id: str, theme_id: str, verdict: Decision, minute: int = 0) -> AnalystDecision:
    return AnalystDecision(
        review_id, theme_id, verdict, "ana", datetime(2026, 1, 5, 9, minute, tzinfo=UTC)
    )


def test_analyst_decisions_win_over_the_model(index_dir: Path, open_workspace) -> None:
    decisions = {
        ("r-da", "domestic_abuse"): decision("r-da", "domestic_abuse", Decision.REJECT),
        ("r-glossary", "neglect"): decision("r-glossary", "neglect", Decision.CONFIRM),
    }
    tags = open_workspace(index_dir, decisions=decisions).tags()
    assert tag_of(tags, "r-da", "domestic_abuse") is None
    confirmed = tag_of(tags, "r-glossary", "neglect")
    assert confirmed.source is TagSource.ANALYST
    assert confirmed.confidence == 1.0
    assert confirmed.decided_by == "ana"
    assert confirmed.evidence  # the closest passages are still shown
    assert all(item.section != "Glossary" for item in confirmed.evidence)


def test_decisions_survive_reingest(
    index_dir: Path, open_workspace, fake_encoder, database_url: str
) -> None:
    at = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    save_decision(
        database_url,
        review_id="r-da",
        theme_id="domestic_abuse",
        decision="reject",
        by="ana",
        at=at,
    )
    save_decision(
        database_url,
        review_id="r-glossary",
        theme_id="neglect",
        decision="confirm",
        by="ana",
        at=at,
    )
    before = open_workspace(index_dir)
    old_ids = set(before.table.unit_ids)
    build_index(index_dir, REVIEWS, fake_encoder)  # both reviews removed and added again
    after = open_workspace(index_dir, decisions=load_decisions(database_url))
    assert not old_ids & set(after.table.unit_ids)  # every unit has a new id
    tags = after.tags()
    assert tag_of(tags, "r-da", "domestic_abuse") is None
    assert tag_of(tags, "r-glossary", "neglect").source is TagSource.ANALYST


def test_latest_decision_is_in_force(database_url: str) -> None:
    first = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    later = datetime(2026, 2, 2, 10, 0, tzinfo=UTC)
    save_decision(
        database_url, review_id="r1", theme_id="neglect", decision="confirm", by="ana", at=later
    )
    save_decision(
        database_url,
        review_id="r1",
        theme_id="neglect",
        decision="reject",
        by="bo",
        at=first,
        note="no",
    )
    (only,) = load_decisions(database_url).values()
    assert (only.decision, only.by, only.at) == (Decision.CONFIRM, "ana", later)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"decision": "maybe"}, "'maybe' is not 'confirm' or 'reject'"),
        ({"by": ""}, r"say who decides"),
        ({"at": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"note": "x" * 2001}, "longer than 2000"),
    ],
)
def test_bad_decisions_are_refused(database_url: str, fields: dict, message: str) -> None:
    from learning.errors import InvalidDecision

    values = {
        "review_id": "r1",
        "theme_id": "neglect",
        "decision": "confirm",
        "by": "ana",
        "at": datetime(2026, 1, 1, tzinfo=UTC),
        **fields,
    }
    with pytest.raises(InvalidDecision, match=message):
        save_decision(database_url, **values)
    assert load_decisions(database_url) == {}


def test_decisions_calibrate_the_theme_threshold(
    tmp_path: Path, open_workspace, fake_encoder
) -> None:
    reviews = [
        Doc(f"r{i}", ((F, text, "Findings", 2), (F, text, "Findings", 3), (F, text, "Findings", 4)))
        for i, text in enumerate(
            [
                "Domestic abuse and coercive control were missed.",
                "Domestic abuse by the father was known to police.",
                "The domestic abuse was not discussed at MARAC.",
                "Neighbours heard shouting from the flat at night.",
                "Police attended the home after a disturbance.",
            ]
        )
    ]
    index_dir = build_index(tmp_path / "index", reviews, fake_encoder)
    # the absolute scale, on which the fake encoder's scores tag a rejected review
    params = replace(FAKE_PARAMS, review_calibration="absolute")
    plain = open_workspace(index_dir, params=params)
    scores = {
        review: float(plain.scores.review_conf[row, plain.scores.theme_ids.index("domestic_abuse")])
        for row, review in enumerate(plain.scores.review_ids)
    }
    assert plain.thresholds["domestic_abuse"] == plain.params.review_threshold
    decisions = {
        (r, "domestic_abuse"): decision(r, "domestic_abuse", verdict)
        for r, verdict in [
            ("r0", Decision.CONFIRM),
            ("r1", Decision.CONFIRM),
            ("r2", Decision.CONFIRM),
            ("r3", Decision.REJECT),
            ("r4", Decision.REJECT),
        ]
    }
    calibrated = open_workspace(index_dir, decisions=decisions, params=params)
    moved = calibrated.thresholds["domestic_abuse"]
    assert moved != plain.params.review_threshold
    rejected = max(scores["r3"], scores["r4"])
    assert plain.params.review_threshold <= rejected  # the model alone tags a rejected review
    assert rejected < moved <= min(scores["r0"], scores["r1"], scores["r2"])
    assert {t.review_id for t in calibrated.tags() if t.theme_id == "domestic_abuse"} == {
        "r0",
        "r1",
        "r2",
    }
    assert calibrated.thresholds["neglect"] == plain.params.review_threshold  # no decisions
