"""Discovery: clusters of findings and recommendations that no taxonomy theme covers well.

A unit is uncovered when its best theme confidence is below ``coverage_threshold``. Uncovered
units are grouped by embedding similarity (deterministic linkage, no random seeds); groups big
enough and spread over enough reviews become clusters, labelled by their distinctive words
(c-TF-IDF), with examples and reviews. A cluster's id is a hash of its members and the
parameters, and every result carries the index manifest and taxonomy digest it came from, so
an analyst can cite a cluster and find it again. :func:`promote_cluster` turns one into a theme
in the analyst's taxonomy file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from learning.errors import ClusterNotFound
from learning.index.store import UnitRow
from learning.models import UnitKind
from learning.query import words_of
from learning.themes.corpus import unit_key, unit_vectors
from learning.themes.grouping import group_vectors
from learning.themes.recurring import central_row, group_id
from learning.themes.tagging import ThemeWorkspace, citation_for
from learning.themes.taxonomy import (
    Taxonomy,
    ThemeSpec,
    append_theme,
    ensure_analyst_copy,
    load_taxonomy,
    slug_id,
)
from learning.themes.terms import distinctive_terms

DISCOVERY_FORMAT = 1
_KINDS = (str(UnitKind.FINDING), str(UnitKind.RECOMMENDATION))


@dataclass(frozen=True)
class DiscoveryParams:
    coverage_threshold: float = 0.5
    similarity: float = 0.6
    linkage: str = "average"
    min_size: int = 3
    min_reviews: int = 2
    # Clusters from one partnership's reviews are often its own name and bodies: not a theme.
    min_partnerships: int = 2
    terms: int = 6
    examples: int = 3

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Example:
    review_id: str
    title: str | None
    year: int | None
    kind: str
    page: int
    page_label: str | None
    text: str
    citation: str


@dataclass(frozen=True)
class Cluster:
    cluster_id: str
    label: str
    terms: tuple[str, ...]
    size: int
    reviews: tuple[str, ...]
    best_theme: str | None
    best_confidence: float
    examples: tuple[Example, ...]
    members: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "examples": [asdict(example) for example in self.examples]}


@dataclass(frozen=True)
class DiscoveryResult:
    """Clusters plus what they were computed from (index, taxonomy, parameters)."""

    version: dict[str, Any]
    clusters: tuple[Cluster, ...]
    uncovered: int
    considered: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": DISCOVERY_FORMAT,
            "version": self.version,
            "considered": self.considered,
            "uncovered": self.uncovered,
            "clusters": [cluster.to_dict() for cluster in self.clusters],
        }

    def cluster(self, cluster_id: str) -> Cluster:
        for cluster in self.clusters:
            if cluster.cluster_id == cluster_id:
                return cluster
        raise ClusterNotFound(
            f"no cluster {cluster_id!r} in the current discovery (index generation "
            f"{self.version.get('index_generation')}); run `cspr themes discover` to list them"
        )


def discover_clusters(
    workspace: ThemeWorkspace, params: DiscoveryParams | None = None
) -> DiscoveryResult:
    """Clusters of uncovered findings and recommendations in the indexed reviews."""
    params = params or DiscoveryParams()
    table = workspace.table
    positions = table.positions(_KINDS)
    confidence = workspace.scores.unit_conf[positions]
    best = confidence.max(axis=1) if positions.size else np.zeros(0)
    uncovered = positions[best < params.coverage_threshold]
    rows = [table.rows[i] for i in uncovered]
    vectors = unit_vectors(workspace.index, [row.id for row in rows])
    groups = [
        members
        for members in group_vectors(vectors, params.similarity, method=params.linkage)
        if _spread_enough([rows[i] for i in members], params)
    ]
    in_groups = {int(i) for members in groups for i in members}
    covered = set(positions.tolist()) - set(uncovered.tolist())
    rest = [row.text for i, row in enumerate(rows) if i not in in_groups]
    rest += [table.rows[i].text for i in sorted(covered)]
    labels = distinctive_terms(
        [[rows[i].text for i in g] for g in groups],
        rest,
        params.terms,
        exclude=_metadata_words(workspace),
    )
    clusters = [
        _cluster(workspace, [rows[i] for i in g], vectors[g], uncovered[g], terms, params)
        for g, terms in zip(groups, labels, strict=True)
    ]
    clusters.sort(key=lambda c: (-c.size, -len(c.reviews), c.cluster_id))
    version = {**workspace.version, "discovery": params.digest}
    return DiscoveryResult(version, tuple(clusters), len(rows), int(positions.size))


def _spread_enough(rows: list[UnitRow], params: DiscoveryParams) -> bool:
    partnerships = {(row.partnership or row.review_id).strip().lower() for row in rows}
    return (
        len(rows) >= params.min_size
        and len({row.review_id for row in rows}) >= params.min_reviews
        and len(partnerships) >= params.min_partnerships
    )


def _metadata_words(workspace: ThemeWorkspace) -> frozenset[str]:
    """Words of partnership names: they say where a review comes from, not what it is about."""
    names = " ".join(doc.partnership or "" for doc in workspace.table.documents.values())
    return frozenset(words_of(names))


def _cluster(
    workspace: ThemeWorkspace,
    rows: list[UnitRow],
    vectors: np.ndarray,
    positions: np.ndarray,
    terms: list[str],
    params: DiscoveryParams,
) -> Cluster:
    confidence = workspace.scores.unit_conf[positions].mean(axis=0)
    column = int(np.argmax(confidence))
    centre = vectors.mean(axis=0)
    closeness = (vectors @ centre).round(6)
    order = sorted(range(len(rows)), key=lambda i: (-float(closeness[i]), i))
    examples: list[Example] = []
    for i in order:
        if len(examples) == params.examples:
            break
        if all(rows[i].review_id != e.review_id for e in examples) or len(rows) <= params.examples:
            examples.append(_example(rows[i]))
    keys = sorted(unit_key(row) for row in rows)
    return Cluster(
        cluster_id=group_id("c", keys, params.digest),
        label=" / ".join(terms[:3]) if terms else rows[central_row(vectors)].text[:60],
        terms=tuple(terms),
        size=len(rows),
        reviews=tuple(sorted({row.review_id for row in rows})),
        best_theme=workspace.scores.theme_ids[column] if workspace.scores.theme_ids else None,
        best_confidence=round(float(confidence[column]), 4),
        examples=tuple(examples),
        members=tuple(keys),
    )


def _example(row: UnitRow) -> Example:
    return Example(
        row.review_id,
        row.title,
        row.year,
        row.kind,
        row.page,
        row.page_label,
        row.text,
        citation_for(row),
    )


def draft_theme(cluster: Cluster, taxonomy: Taxonomy, label: str | None = None) -> ThemeSpec:
    """A theme drafted from a cluster: label, a definition from its examples, its terms as
    phrases. The analyst is expected to edit the definition."""
    terms = list(cluster.terms) or [cluster.label]
    title = label or _readable(terms[:3])
    quoted = "; ".join(f'"{_clip(ex.text)}" {ex.citation}' for ex in cluster.examples)
    definition = (
        f"Emerging theme promoted from discovery cluster {cluster.cluster_id}: {cluster.size} "
        f"findings and recommendations from {len(cluster.reviews)} reviews that no existing "
        f"theme covered, about {_readable(terms, capital=False)}. Examples: {quoted}"
    )
    return ThemeSpec(
        id=slug_id(title, taxonomy.ids),
        label=title[:120],
        group="discovered",
        definition=definition,
        phrases=tuple(terms),
    )


def _readable(terms: list[str], *, capital: bool = True) -> str:
    """``["dog", "bite", "home"]`` -> ``"Dog, bite and home"``."""
    text = terms[0] if len(terms) == 1 else ", ".join(terms[:-1]) + " and " + terms[-1]
    return text[:1].upper() + text[1:] if capital and text else text


def _clip(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def promote_cluster(
    result: DiscoveryResult, cluster_id: str, target: Path, label: str | None = None
) -> ThemeSpec:
    """Write cluster ``cluster_id`` as a new theme into the analyst's taxonomy file ``target``
    (created as a copy of the shipped taxonomy if missing); returns the new theme."""
    cluster = result.cluster(cluster_id)
    ensure_analyst_copy(target)
    theme = draft_theme(cluster, load_taxonomy(target), label)
    append_theme(target, theme)
    return theme
