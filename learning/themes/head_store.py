"""The learned tagger's files: its head beside the index, and the tagger chosen for this data
folder; and the head applied to the zero-shot scores.

The head (``INDEX_DIR/theme-tagger.json``) is numbers in JSON, written atomically, checked on
every load (:func:`~learning.themes.head_format.head_from_json`). A head that cannot be used
is never a crash: the tags fall back to the zero-shot tagger with a logged warning, and the next
training replaces the file. The choice of tagger (``DATA_DIR/theme-tagger-choice.json``, written
by ``cspr themes tagger --use``) sits in the data folder, so rebuilding the index keeps it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from learning.errors import TaggerHeadInvalid
from learning.index import LearningIndex
from learning.index.manifest import write_atomic
from learning.themes.cache import CachedScores
from learning.themes.corpus import UnitTable, unit_vectors
from learning.themes.head_format import head_from_json, head_to_json
from learning.themes.learned_head import (
    TaggerChoice,
    TaggerHead,
    head_confidences,
    review_embeddings,
)

logger = logging.getLogger(__name__)

HEAD_FILE = "theme-tagger.json"
CHOICE_FILE = "theme-tagger-choice.json"


@dataclass(frozen=True)
class TaggerInUse:
    """Which tagger makes the tags, and what decided it (for people)."""

    choice: TaggerChoice
    reason: str


def head_path(index_dir: Path) -> Path:
    return index_dir / HEAD_FILE


def save_head(index_dir: Path, head: TaggerHead) -> Path:
    """Store ``head`` beside the index (temp file, fsync, rename: never half a file)."""
    path = head_path(index_dir)
    write_atomic(path, head_to_json(head))
    return path


def read_head(
    index_dir: Path,
    *,
    theme_ids: Sequence[str],
    dimension: int,
    model_name: str | None = None,
    scoring: str | None = None,
) -> TaggerHead | None:
    """The stored head, checked; None when there is none. Raises
    :class:`~learning.errors.TaggerHeadInvalid` for a file that cannot be used."""
    path = head_path(index_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as unreadable:
        raise TaggerHeadInvalid(f"{path} cannot be read ({unreadable})") from None
    return head_from_json(
        data, theme_ids=theme_ids, dimension=dimension, model_name=model_name, scoring=scoring
    )


def load_head_or_none(
    index_dir: Path,
    *,
    theme_ids: Sequence[str],
    dimension: int,
    model_name: str | None = None,
    scoring: str | None = None,
) -> TaggerHead | None:
    """As :func:`read_head`, but a head that cannot be used is logged and None: the tags are
    the zero-shot tagger's until the next training."""
    try:
        return read_head(
            index_dir, theme_ids=theme_ids, dimension=dimension, model_name=model_name,
            scoring=scoring,
        )  # fmt: skip
    except TaggerHeadInvalid as unusable:
        logger.warning("learned theme tagger not used, zero-shot instead: %s", unusable)
        return None


def embeddings_of(index: LearningIndex, table: UnitTable) -> np.ndarray:
    """(reviews x dimension): each review of ``table``'s eligible unit vectors, averaged and
    normalised (the head's features, with the zero-shot confidence)."""
    vectors = unit_vectors(index, table.unit_ids)
    return review_embeddings(vectors, table.review_of_unit, ~table.excluded, len(table.review_ids))


def apply_head(
    head: TaggerHead, scores: CachedScores, embeddings: np.ndarray
) -> tuple[CachedScores, np.ndarray]:
    """``scores`` with the review confidences blended from ``head`` (unit confidences, the
    evidence, stay the zero-shot ones), and each theme's blend weight."""
    blended, weights = head_confidences(head, embeddings, scores.review_conf, scores.theme_ids)
    return replace(scores, review_conf=blended), weights


# --- the choice of tagger ----------------------------------------------------------------------


def choice_path(data_dir: Path) -> Path:
    return data_dir / CHOICE_FILE


def read_choice(data_dir: Path) -> TaggerChoice | None:
    """The tagger chosen with ``cspr themes tagger --use``, or None (never chosen, or a file
    that cannot be read: logged, and the setting decides)."""
    path = choice_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return TaggerChoice(raw["use"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as unreadable:
        logger.warning("tagger choice in %s not read (%s); the setting decides", path, unreadable)
        return None


def write_choice(data_dir: Path, choice: TaggerChoice, by: str, at: datetime) -> Path:
    """Record the tagger chosen for this data folder, by whom and when."""
    path = choice_path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    record = {"use": str(choice), "by": by, "at": at.isoformat()}
    write_atomic(path, json.dumps(record).encode("utf-8"))
    return path


def tagger_in_use(setting: str, data_dir: Path) -> TaggerInUse:
    """The tagger that makes the tags: zero-shot if the setting (``CSPR_THEME_TAGGER``) or the
    recorded choice says so (either is a way back), else the learned one."""
    chosen = read_choice(data_dir)
    if TaggerChoice(setting) is TaggerChoice.ZERO_SHOT:
        return TaggerInUse(TaggerChoice.ZERO_SHOT, "set by CSPR_THEME_TAGGER")
    if chosen is TaggerChoice.ZERO_SHOT:
        return TaggerInUse(TaggerChoice.ZERO_SHOT, "chosen with `cspr themes tagger --use`")
    return TaggerInUse(TaggerChoice.LEARNED, "the default")
