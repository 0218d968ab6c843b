"""The learned theme tagger retrained from analysts' decisions: on demand, after a decision that
brings the count since its last training to ``CSPR_TAGGER_RETRAIN_AFTER``, and from the sweep."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from core.settings import get_settings


@task(name="train-theme-tagger", cache_policy=NO_CACHE)
def train_theme_tagger() -> dict[str, Any]:
    from learning import runtime
    from learning.themes.retraining import retrain_tagger

    report = retrain_tagger(get_settings(), runtime.build_encoder, now=datetime.now(UTC))
    return report.to_dict()


@task(name="decisions-since-training", cache_policy=NO_CACHE)
def decisions_since_training() -> dict[str, Any] | None:
    from learning.themes.retraining import retrain_check

    check = retrain_check(get_settings())
    return None if check is None else {"since": check.since, "needed": check.needed}


@flow(name="retrain-theme-tagger")
def retrain_theme_tagger(only_if_due: bool = False) -> dict[str, Any] | None:
    """Train the learned tagger from the decisions in force and store it beside the index;
    with ``only_if_due``, only when enough decisions followed its last training. The report,
    or None when nothing was trained."""
    logger = get_run_logger()
    if only_if_due:
        check = decisions_since_training()
        if check is None or check["since"] < check["needed"]:
            logger.info("theme tagger not due: %s", check or "no index yet")
            return None
    report = train_theme_tagger()
    logger.info(
        "theme tagger %s trained on %d decisions: %d themes learned, %d stay zero-shot",
        report["version"], report["decisions"], len(report["learned"]),
        len(report["left_zero_shot"]),
    )  # fmt: skip
    return report
