"""A learned tagger's head as stored: JSON numbers (never pickle), checked before use. Pure.

A file beside the index is data that anyone with access to the folder could have changed, so
:func:`head_from_json` checks the format, every shape, that every number is finite, that the
themes are the taxonomy's and the vectors the index's, and that the version matches the
contents; anything else raises :class:`~learning.errors.TaggerHeadInvalid`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from learning.errors import TaggerHeadInvalid
from learning.themes.learned_head import HEAD_FORMAT, TaggerHead, ThemeModel, content_of


def head_to_json(head: TaggerHead) -> bytes:
    """The head as JSON numbers, with its version (checked again on load)."""
    return json.dumps({**content_of(head), "version": head.version}, sort_keys=True).encode("utf-8")


def head_from_json(
    data: bytes,
    *,
    theme_ids: Sequence[str],
    dimension: int,
    model_name: str | None = None,
    scoring: str | None = None,
) -> TaggerHead:
    """A stored head, checked: format, shapes, finite numbers, known themes, the index's model
    and dimension, the zero-shot scoring it was trained on, and its version against its
    contents. Raises :class:`~learning.errors.TaggerHeadInvalid` saying what is wrong."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as bad:
        raise TaggerHeadInvalid(f"the stored tagger is not JSON ({bad})") from None
    if not isinstance(raw, dict) or raw.get("format") != HEAD_FORMAT:
        raise TaggerHeadInvalid(f"the stored tagger is not of format {HEAD_FORMAT}")
    head = TaggerHead(
        models=tuple(_model(item, dimension, theme_ids) for item in _list(raw, "models")),
        dimension=_integer(raw, "dimension"),
        model_name=_text(raw, "model_name"),
        scoring=_text(raw, "scoring"),
        trained_at=_timestamp(raw, "trained_at"),
        decisions=_integer(raw, "decisions"),
        examples=_integer(raw, "examples"),
        last_decision=_integer(raw, "last_decision"),
        embedding_scale=_finite(raw, "embedding_scale"),
        zero_shot_weight=_finite(raw, "zero_shot_weight"),
        blend_k=_finite(raw, "blend_k", positive=True),
        threshold=_finite(raw, "threshold", positive=True),
    )
    _check_fits(head, dimension, model_name, scoring)
    ids = [model.theme_id for model in head.models]
    if len(set(ids)) != len(ids):
        raise TaggerHeadInvalid("the stored tagger has a theme twice")
    if raw.get("version") != head.version:
        raise TaggerHeadInvalid("the stored tagger's version does not match its contents")
    return head


def _check_fits(
    head: TaggerHead, dimension: int, model_name: str | None, scoring: str | None
) -> None:
    if head.dimension != dimension:
        raise TaggerHeadInvalid(
            f"the stored tagger is for vectors of {head.dimension} numbers, the index's have "
            f"{dimension}"
        )
    if model_name is not None and head.model_name != model_name:
        raise TaggerHeadInvalid(
            f"the stored tagger was trained on {head.model_name!r}, the index uses {model_name!r}"
        )
    if scoring is not None and head.scoring != scoring:
        raise TaggerHeadInvalid("the stored tagger was trained on another zero-shot scoring")


def _model(raw: Any, dimension: int, theme_ids: Sequence[str]) -> ThemeModel:
    if not isinstance(raw, dict):
        raise TaggerHeadInvalid("a theme of the stored tagger is not an object")
    theme_id = _text(raw, "theme_id")
    if theme_id not in theme_ids:
        raise TaggerHeadInvalid(f"the stored tagger has a theme {theme_id!r} not in the taxonomy")
    weights = _list(raw, "weights")
    if len(weights) != dimension + 1:
        raise TaggerHeadInvalid(
            f"theme {theme_id!r} of the stored tagger has {len(weights)} weights, not "
            f"{dimension + 1}"
        )
    return ThemeModel(
        theme_id=theme_id,
        weights=tuple(_finite({"weight": value}, "weight") for value in weights),
        intercept=_finite(raw, "intercept"),
        platt_a=_finite(raw, "platt_a", positive=True),
        platt_b=_finite(raw, "platt_b"),
        positives=_integer(raw, "positives"),
        negatives=_integer(raw, "negatives"),
    )


def _list(raw: dict[str, Any], name: str) -> list[Any]:
    value = raw.get(name)
    if not isinstance(value, list):
        raise TaggerHeadInvalid(f"the stored tagger's {name} is not a list")
    return value


def _text(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value:
        raise TaggerHeadInvalid(f"the stored tagger's {name} is not a text")
    return value


def _integer(raw: dict[str, Any], name: str) -> int:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TaggerHeadInvalid(f"the stored tagger's {name} is not a whole number")
    return value


def _finite(raw: dict[str, Any], name: str, *, positive: bool = False) -> float:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TaggerHeadInvalid(f"the stored tagger's {name} is not a finite number")
    if positive and value <= 0:
        raise TaggerHeadInvalid(f"the stored tagger's {name} is not above zero")
    return float(value)


def _timestamp(raw: dict[str, Any], name: str) -> str:
    value = _text(raw, name)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise TaggerHeadInvalid(f"the stored tagger's {name} is not a time") from None
    return value
