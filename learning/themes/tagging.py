"""Theme tagging service: every review and unit of the index scored against every theme.

:class:`ThemeWorkspace` ties an open index, a taxonomy, the scoring parameters, the analysts'
decisions and (only when scores must be computed) an encoder. Scores are cached in the index
folder; tags are the model's where its confidence clears the theme's threshold, overridden by
analysts' decisions (keyed by review id and theme id, so they survive re-ingest), which also
calibrate each theme's threshold once it has enough of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

import numpy as np

from learning.encoder import Encoder
from learning.errors import IndexMismatch, ReviewNotIndexed
from learning.index import LearningIndex
from learning.index.store import UnitRow
from learning.themes import cache
from learning.themes.citations import format_citation
from learning.themes.corpus import UnitTable, load_unit_table, unit_vectors
from learning.themes.head_store import apply_head, embeddings_of, load_head_or_none
from learning.themes.learned_head import (
    TaggerChoice,
    TaggerHead,
    blend_thresholds,
    zero_shot_version,
)
from learning.themes.scoring import (
    ScoringParams,
    choose_threshold,
)
from learning.themes.taxonomy import Taxonomy
from learning.themes.values import AnalystDecision, Decision, Evidence, TagSource, ThemeTag
from learning.themes.zero_shot import compute_scores
from learning.themes.zero_shot import theme_prototypes as theme_prototypes  # re-exported

logger = logging.getLogger(__name__)

DecisionMap = Mapping[tuple[str, str], AnalystDecision]
MAX_EVIDENCE = 3
MIN_CALIBRATION_DECISIONS = 4


def calibrate_thresholds(
    scores: cache.CachedScores, decisions: DecisionMap, default: float
) -> dict[str, float]:
    """Each theme's threshold: fitted to its analysts' decisions when it has enough."""
    row_of = {review_id: row for row, review_id in enumerate(scores.review_ids)}
    thresholds: dict[str, float] = {}
    for column, theme_id in enumerate(scores.theme_ids):
        confirmed: list[float] = []
        rejected: list[float] = []
        for (review_id, decided_theme), decision in sorted(decisions.items()):
            if decided_theme != theme_id or review_id not in row_of:
                continue
            score = float(scores.review_conf[row_of[review_id], column])
            (confirmed if decision.decision is Decision.CONFIRM else rejected).append(score)
        thresholds[theme_id] = choose_threshold(
            confirmed, rejected, default, min_decisions=MIN_CALIBRATION_DECISIONS
        )
    return thresholds


def citation_for(row: UnitRow) -> str:
    return format_citation(
        review_id=row.review_id,
        title=row.title,
        partnership=row.partnership,
        review_type=row.review_type,
        year=row.year,
        page=row.page,
        page_label=row.page_label,
    )


def evidence_for(row: UnitRow, confidence: float) -> Evidence:
    return Evidence(
        unit_id=row.id,
        kind=row.kind,
        number=row.number,
        section=row.section,
        page=row.page,
        page_label=row.page_label,
        text=row.text,
        confidence=round(float(confidence), 4),
        citation=citation_for(row),
    )


class ThemeWorkspace:
    """The themes of one index: scores (cached), thresholds, tags with evidence."""

    def __init__(
        self,
        index: LearningIndex,
        taxonomy: Taxonomy,
        encoder_factory: Callable[[], Encoder],
        *,
        decisions: DecisionMap | None = None,
        params: ScoringParams | None = None,
        use_cache: bool = True,
        tagger: TaggerChoice | str = TaggerChoice.ZERO_SHOT,
    ) -> None:
        self.index = index
        self.tagger = TaggerChoice(tagger)
        self.taxonomy = taxonomy
        self.encoder_factory = encoder_factory
        self.decisions: DecisionMap = dict(decisions or {})
        self.params = params or ScoringParams()
        self.use_cache = use_cache

    @property
    def version(self) -> dict[str, Any]:
        """What every output was computed from (cite it with a cluster or a pack)."""
        manifest = self.index.manifest
        return {
            "index_generation": manifest.generation,
            "vectors_sha256": manifest.vectors_sha256,
            "model": manifest.model_name,
            "units": manifest.count,
            "taxonomy_digest": self.taxonomy.digest[:16],
            "taxonomy_file": str(self.taxonomy.source),
            "params": self.params.digest,
            "tagger": self.tagger_version,
        }

    @property
    def scores_key(self) -> str:
        """What the scores and tags come from, the tagger's version included."""
        return cache.digest_of({**self.version, "taxonomy_digest": self.taxonomy.digest})

    @property
    def zero_shot_key(self) -> str:
        """Key of the cached zero-shot scores: a new head does not make the model run again."""
        version = {name: value for name, value in self.version.items() if name != "tagger"}
        return cache.digest_of({**version, "taxonomy_digest": self.taxonomy.digest})

    @cached_property
    def head(self) -> TaggerHead | None:
        """The learned head in use: None for the zero-shot tagger, or when none can be used."""
        if self.tagger is not TaggerChoice.LEARNED:
            return None
        return load_head_or_none(
            self.index.directory, theme_ids=self.taxonomy.ids, dimension=self.index.dimension,
            model_name=self.index.model_name, scoring=self.params.digest,
        )  # fmt: skip

    @property
    def tagger_version(self) -> str:
        """The version of the tagger that makes the tags (the head's id, or zero-shot's)."""
        return self.head.version if self.head is not None else zero_shot_version()

    def theme_tagger(self, theme_id: str) -> str:
        """The version that made a theme's tags: a theme with no head is zero-shot's."""
        head = self.head
        return head.version if head and head.model_of(theme_id) else zero_shot_version()

    @cached_property
    def review_embeddings(self) -> np.ndarray:
        """(reviews x dimension): each review's eligible unit vectors, averaged, normalised."""
        return embeddings_of(self.index, self.table)

    @property
    def decisions_digest(self) -> str:
        return cache.digest_of([d.to_dict() for _, d in sorted(self.decisions.items())])

    @cached_property
    def table(self) -> UnitTable:
        return load_unit_table(self.index)

    @cached_property
    def scores(self) -> cache.CachedScores:
        """The zero-shot scores, the review confidences blended with the head's if in use."""
        return self._learned[0] if self.head is not None else self.zero_shot_scores

    @cached_property
    def _learned(self) -> tuple[cache.CachedScores, np.ndarray]:
        assert self.head is not None
        return apply_head(self.head, self.zero_shot_scores, self.review_embeddings)

    @cached_property
    def zero_shot_scores(self) -> cache.CachedScores:
        key = self.zero_shot_key
        if self.use_cache:
            cached = cache.read_scores(self.index.directory, key)
            if cached is not None and self._matches(cached):
                return cached
        scores = self._compute()
        if self.use_cache:
            cache.write_scores(self.index.directory, key, scores)
        return scores

    def _matches(self, cached: cache.CachedScores) -> bool:
        return (
            cached.theme_ids == self.taxonomy.ids
            and cached.review_ids == self.table.review_ids
            and cached.unit_ids.tolist() == self.table.unit_ids
        )

    def _compute(self) -> cache.CachedScores:
        encoder = self.encoder_factory()
        if encoder.name != self.index.model_name or encoder.dimension != self.index.dimension:
            raise IndexMismatch(
                f"the index was built with {self.index.model_name!r} but the encoder is "
                f"{encoder.name!r}; run `cspr ingest --rebuild`"
            )
        vectors = unit_vectors(self.index, self.table.unit_ids)
        logger.info("scoring %d units against %d themes", len(vectors), len(self.taxonomy.ids))
        return compute_scores(self.table, vectors, self.taxonomy, encoder, self.params)

    @cached_property
    def thresholds(self) -> dict[str, float]:
        zero_shot = calibrate_thresholds(
            self.zero_shot_scores, self.decisions, self.params.review_threshold
        )
        if self.head is None:
            return zero_shot
        return blend_thresholds(zero_shot, self._learned[1], self.taxonomy.ids, self.head.threshold)

    def check_review(self, review_id: str) -> None:
        if review_id not in self.table.documents:
            raise ReviewNotIndexed(f"no review {review_id!r} in the index {self.index.directory}")

    def tags(self, review_id: str | None = None) -> list[ThemeTag]:
        """Review-level tags (all reviews, or one), ordered by review then confidence."""
        if review_id is not None:
            self.check_review(review_id)
        every = self._all_tags()
        return [tag for tag in every if review_id is None or tag.review_id == review_id]

    def _all_tags(self) -> list[ThemeTag]:
        key = cache.digest_of([self.scores_key, self.decisions_digest])
        if self.use_cache:
            cached = cache.read_tags(self.index.directory, key)
            if cached is not None:
                return [ThemeTag.from_dict(raw) for raw in cached]
        tags = [
            tag
            for row, review_id in enumerate(self.scores.review_ids)
            for tag in self._review_tags(row, review_id)
        ]
        if self.use_cache:
            cache.write_tags(self.index.directory, key, [tag.to_dict() for tag in tags])
        return tags

    def tag_sets(self) -> dict[str, frozenset[str]]:
        """Theme ids per review (every indexed review present, possibly with none)."""
        found: dict[str, set[str]] = {review_id: set() for review_id in self.scores.review_ids}
        for tag in self._all_tags():
            found[tag.review_id].add(tag.theme_id)
        return {review_id: frozenset(themes) for review_id, themes in found.items()}

    def _review_tags(self, row: int, review_id: str) -> list[ThemeTag]:
        tags: list[ThemeTag] = []
        for column, theme in enumerate(self.taxonomy.themes):
            model = round(float(self.scores.review_conf[row, column]), 4)
            threshold = self.thresholds[theme.id]
            decision = self.decisions.get((review_id, theme.id))
            if decision is not None and decision.decision is Decision.REJECT:
                continue
            if decision is None and model < threshold:
                continue
            tags.append(self._tag(row, column, review_id, model, threshold, decision))
        tags.sort(key=lambda tag: (-tag.confidence, tag.theme_id))
        return tags

    def _tag(
        self,
        row: int,
        column: int,
        review_id: str,
        model: float,
        threshold: float,
        decision: AnalystDecision | None,
    ) -> ThemeTag:
        analyst = decision is not None
        return ThemeTag(
            review_id=review_id,
            theme_id=self.taxonomy.themes[column].id,
            label=self.taxonomy.themes[column].label,
            confidence=1.0 if analyst else model,
            model_confidence=model,
            threshold=threshold,
            source=TagSource.ANALYST if analyst else TagSource.MODEL,
            evidence=self.evidence(row, column, any_score=analyst)
            or self.evidence(row, column, any_score=True),
            decided_by=decision.by if decision else None,
            decided_at=decision.at.isoformat() if decision else None,
            note=decision.note if decision else None,
            tagger=self.theme_tagger(self.taxonomy.themes[column].id),
        )

    def evidence(self, row: int, column: int, *, any_score: bool = False) -> tuple[Evidence, ...]:
        """The review's best units for a theme (above the evidence threshold unless asked; a tag
        of a short document, whose paragraphs each carry several themes, may have none above
        it and shows its best units instead)."""
        positions = self.table.positions_of_review(row)
        if positions.size == 0:
            return ()
        scores = self.scores.unit_conf[positions, column]
        floor = 0.0 if any_score else self.params.evidence_threshold
        # Best first; ties by position in the review, so the order is the same every run.
        order = sorted(range(positions.size), key=lambda i: (-float(scores[i]), int(positions[i])))
        chosen = [i for i in order if scores[i] > 0.0 and scores[i] >= floor]
        return tuple(
            evidence_for(self.table.rows[positions[i]], float(scores[i]))
            for i in chosen[:MAX_EVIDENCE]
        )
