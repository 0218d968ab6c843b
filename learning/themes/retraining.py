"""Training the learned tagger from analysts' decisions, and when to (a service: the app
database, the index, the head's file beside it).

:func:`retrain_tagger` loads the decisions in force and the index, trains every theme's head on
the zero-shot scores (:mod:`learning.themes.learned_head`), stores it atomically and logs one
line. :func:`retrain_check` says whether enough decisions followed the last training
(``CSPR_TAGGER_RETRAIN_AFTER``); :func:`retrain_if_due` is what runs after a decision is saved:
it hands the training to the ``retrain-theme-tagger`` flow when a Prefect server is set, else
trains here (a second or two), and never lets a failure of its own undo the decision.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from learning.encoder import Encoder
from learning.errors import LearningError, TaggerHeadInvalid
from learning.themes.head_store import TaggerInUse, read_head, save_head, tagger_in_use
from learning.themes.learned_head import (
    HeadParams,
    TaggerChoice,
    TaggerHead,
    implied_labels,
    train_head,
    zero_shot_version,
)
from learning.themes.scoring import ScoringParams
from learning.themes.values import Decision

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

    from core.settings import Settings
    from learning.themes.tagging import DecisionMap, ThemeWorkspace
    from learning.themes.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

RETRAIN_DEPLOYMENT = "retrain-theme-tagger/retrain-theme-tagger"


@dataclass(frozen=True)
class TrainingReport:
    """What a training made: the head's version, from how many decisions (and labelled pairs
    in all), which themes."""

    version: str
    trained_at: str
    decisions: int
    examples: int
    learned: tuple[str, ...]
    left_zero_shot: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "learned": list(self.learned)}


@dataclass(frozen=True)
class RetrainCheck:
    """Decisions recorded since the head in use was trained, against the setting."""

    since: int
    needed: int
    newest: int  # id of the newest decision record (0: none)

    @property
    def due(self) -> bool:
        return self.since >= self.needed


def decision_labels(
    decisions: DecisionMap, review_ids: Sequence[str], theme_ids: Sequence[str]
) -> dict[tuple[int, int], bool]:
    """(review row, theme column) -> verdict of each decision in force on an indexed review and
    a theme of the taxonomy (confirm: yes, reject: no)."""
    row_of = {review_id: row for row, review_id in enumerate(review_ids)}
    column_of = {theme_id: column for column, theme_id in enumerate(theme_ids)}
    return {
        (row_of[review_id], column_of[theme_id]): decision.decision is Decision.CONFIRM
        for (review_id, theme_id), decision in decisions.items()
        if review_id in row_of and theme_id in column_of
    }


def training_labels(
    decisions: DecisionMap,
    review_ids: Sequence[str],
    theme_ids: Sequence[str],
    tagged: np.ndarray,
    labelled: Mapping[str, frozenset[str]] | None = None,
) -> dict[tuple[int, int], bool]:
    """What the heads learn from: the decisions in force, each review decided on completed by
    its tags as they stood (``tagged``: the zero-shot tags, reviews x themes; see
    :func:`~learning.themes.learned_head.implied_labels`), over any ``labelled`` reviews'
    themes (listed: yes; every other theme: no)."""
    row_of = {review_id: row for row, review_id in enumerate(review_ids)}
    labels: dict[tuple[int, int], bool] = {}
    for review_id, themes in (labelled or {}).items():
        if review_id in row_of:
            for column, theme_id in enumerate(theme_ids):
                labels[(row_of[review_id], column)] = theme_id in themes
    labels.update(implied_labels(decision_labels(decisions, review_ids, theme_ids), tagged))
    return labels


def read_labels_file(path: Path) -> dict[str, frozenset[str]]:
    """Labelled reviews from a CSV of ``review_id, theme_id[, grade]`` (a theme counts at grade
    2, or with no grade): the cold start from labels an organisation already has."""
    labels: dict[str, set[str]] = {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                themes = labels.setdefault((row.get("review_id") or "").strip(), set())
                if int((row.get("grade") or "2").strip() or 2) >= 2:
                    themes.add((row.get("theme_id") or "").strip())
    except (OSError, ValueError, csv.Error) as unreadable:
        message = f"{path}: not a labels file of review_id, theme_id ({unreadable})"
        raise LearningError(message) from None
    return {
        review: frozenset(t for t in themes if t) for review, themes in labels.items() if review
    }


def train_workspace(
    workspace: ThemeWorkspace,
    *,
    now: datetime,
    newest_decision: int = 0,
    labelled: Mapping[str, frozenset[str]] | None = None,
    params: HeadParams | None = None,
) -> TrainingReport:
    """Train a head on ``workspace``'s zero-shot scores and decisions, and store it beside its
    index (the workspace's own tags are not changed: open a new one)."""
    from learning.themes.tagging import calibrate_thresholds

    scores = workspace.zero_shot_scores
    params_used = workspace.params
    thresholds = calibrate_thresholds(scores, workspace.decisions, params_used.review_threshold)
    tagged = scores.review_conf >= np.array([thresholds[theme] for theme in scores.theme_ids])
    labels = training_labels(
        workspace.decisions, scores.review_ids, scores.theme_ids, tagged, labelled
    )
    decided = len(decision_labels(workspace.decisions, scores.review_ids, scores.theme_ids))
    result = train_head(
        workspace.review_embeddings, scores.review_conf, scores.theme_ids, labels,
        model_name=workspace.index.model_name, scoring=params_used.digest, trained_at=now,
        last_decision=newest_decision, decisions=decided, params=params,
    )  # fmt: skip
    save_head(workspace.index.directory, result.head)
    learned = tuple(model.theme_id for model in result.head.models)
    logger.info(
        "theme tagger %s trained on %d decisions: %d themes learned, %d stay zero-shot",
        result.head.version, result.head.decisions, len(learned), len(result.left_zero_shot),
    )  # fmt: skip
    return TrainingReport(
        result.head.version, result.head.trained_at, result.head.decisions,
        result.head.examples, learned, result.left_zero_shot,
    )  # fmt: skip


def retrain_tagger(
    settings: Settings,
    encoder_factory: Callable[[], Encoder],
    *,
    now: datetime,
    labels_file: Path | None = None,
) -> TrainingReport:
    """Train the learned tagger of the index in use from the decisions in force (and a labels
    file, if given), and store it. The model is loaded only if the zero-shot scores are not
    cached. Raises ``IndexNotFound`` before anything has been ingested."""
    from learning.index import open_index
    from learning.themes.decisions import load_decisions
    from learning.themes.tagging import ThemeWorkspace

    labelled = read_labels_file(labels_file) if labels_file is not None else None
    newest = _newest_decision(settings.resolved_database_url)
    decisions = load_decisions(settings.resolved_database_url)
    index = open_index(settings.resolved_index_dir)
    try:
        workspace = ThemeWorkspace(index, _taxonomy(settings), encoder_factory, decisions=decisions)
        return train_workspace(workspace, now=now, newest_decision=newest, labelled=labelled)
    finally:
        index.close()


def retrain_check(settings: Settings) -> RetrainCheck | None:
    """Decisions since the head in use was trained (all of them when there is no usable
    head); None when there is no index yet."""
    from learning.index import MANIFEST_FILE
    from learning.index.manifest import load_manifest

    index_dir = settings.resolved_index_dir
    if not (index_dir / MANIFEST_FILE).exists():
        return None
    manifest = load_manifest(index_dir / MANIFEST_FILE)
    try:
        head = read_head(
            index_dir, theme_ids=_taxonomy(settings).ids, dimension=manifest.dimension,
            model_name=manifest.model_name, scoring=ScoringParams().digest,
        )  # fmt: skip
    except TaggerHeadInvalid:
        head = None  # unusable: retrain from every decision
    after = head.last_decision if head is not None else 0
    since, newest = _decisions_after(settings.resolved_database_url, after)
    return RetrainCheck(since, settings.tagger_retrain_after, newest)


@dataclass(frozen=True)
class TaggerStatus:
    """The tagger that makes the tags, the stored head (or why it cannot be used), and how
    many decisions have followed its training."""

    in_use: TaggerInUse
    head: TaggerHead | None
    problem: str | None
    check: RetrainCheck | None

    @property
    def version(self) -> str:
        """The version the tags carry (themes without a head carry zero-shot's)."""
        learned = self.in_use.choice is TaggerChoice.LEARNED and self.head is not None
        return self.head.version if learned and self.head else zero_shot_version()


def tagger_status(settings: Settings) -> TaggerStatus:
    """What ``cspr themes tagger`` reports."""
    from learning.index import MANIFEST_FILE
    from learning.index.manifest import load_manifest

    in_use = tagger_in_use(settings.theme_tagger, settings.data_dir)
    index_dir = settings.resolved_index_dir
    head, problem = None, None
    if (index_dir / MANIFEST_FILE).exists():
        manifest = load_manifest(index_dir / MANIFEST_FILE)
        try:
            head = read_head(
                index_dir, theme_ids=_taxonomy(settings).ids, dimension=manifest.dimension,
                model_name=manifest.model_name, scoring=ScoringParams().digest,
            )  # fmt: skip
        except TaggerHeadInvalid as unusable:
            problem = str(unusable)
    return TaggerStatus(in_use, head, problem, retrain_check(settings))


def retrain_if_due(
    settings: Settings, encoder_factory: Callable[[], Encoder], *, now: datetime
) -> str | None:
    """After a decision: retrain if enough decisions followed the last training (in the
    ``retrain-theme-tagger`` flow when a Prefect server is set, else here). What happened, or
    None if nothing was due. A failure is logged, never raised: the sweep tries again."""
    try:
        check = retrain_check(settings)
        if check is None or not check.due:
            return None
        if settings.prefect_api_url:
            return _submit(settings, check.newest)
        report = retrain_tagger(settings, encoder_factory, now=now)
        return f"retrained ({report.version})"
    except (LearningError, OSError) as failed:
        logger.warning("theme tagger not retrained now (the sweep will): %s", failed)
        return None


def _submit(settings: Settings, newest: int) -> str:
    import os

    os.environ.setdefault("PREFECT_API_URL", settings.prefect_api_url or "")
    from prefect.deployments import run_deployment

    # `_sync=True`: the synchronous call even where a running loop or a leftover run context
    # would make Prefect's async_dispatch hand back a coroutine (typed as a union, hence cast)
    run = cast("FlowRun", run_deployment(  # type: ignore[call-arg]  # `_sync`: untyped
        RETRAIN_DEPLOYMENT, flow_run_name=f"after decision {newest}",
        idempotency_key=f"cspr-retrain-tagger-{newest}", timeout=0, _sync=True,
    ))  # fmt: skip
    logger.info("theme tagger retraining submitted as flow run %s", run.id)
    return f"submitted ({run.id})"


def _taxonomy(settings: Settings) -> Taxonomy:
    from learning.themes.taxonomy import load_taxonomy, resolve_taxonomy_path

    return load_taxonomy(resolve_taxonomy_path(settings.taxonomy_file, settings.data_dir))


def _newest_decision(database_url: str) -> int:
    return _decisions_after(database_url, 0)[1]


def _decisions_after(database_url: str, after: int) -> tuple[int, int]:
    """How many decision records follow record ``after``, and the newest record's id."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from core.db import open_session
    from core.migrations import prepare_database
    from learning.themes.decisions import ThemeDecisionRecord

    prepare_database(database_url)
    record_id = col(ThemeDecisionRecord.id)
    with open_session(database_url) as session:
        since = session.exec(select(func.count(record_id)).where(record_id > after)).one()
        newest = session.exec(select(func.max(record_id))).one()
    return int(since), int(newest or 0)
