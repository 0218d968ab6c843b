"""Deterministic grouping of unit vectors by cosine similarity (average or complete linkage).

Two rows can only end in one group if some chain of pairs at or above the threshold joins
them, for both linkages; so the rows are first split into connected components of the
threshold graph (computed in blocks, never an n x n matrix in memory), then each component is
clustered hierarchically with SciPy. No randomness: the same rows in the same order give the
same groups. Components larger than ``max_component`` are first split in two along their
principal direction (a sign-fixed SVD), recursively.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

LINKAGES = ("average", "complete")
_BLOCK = 256


def _merge(labels: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Join the groups of ``left[i]`` and ``right[i]``; a row's label is its group's least row."""
    count = labels.size
    edges = np.ones(left.size, dtype=np.int8)
    graph = coo_matrix((edges, (labels[left], labels[right])), shape=(count, count))
    _, component = connected_components(graph, directed=False)
    least = np.full(component.max() + 1, count, dtype=np.int64)
    np.minimum.at(least, component[labels], labels)
    return least[component[labels]]


def components(vectors: np.ndarray, threshold: float) -> list[np.ndarray]:
    """Connected components of the graph "cosine >= threshold", each as sorted row indices,
    ordered by their first row. Similarities are computed a block of rows at a time."""
    count = vectors.shape[0]
    labels = np.arange(count, dtype=np.int64)
    for start in range(0, count, _BLOCK):
        sims = vectors[start : start + _BLOCK] @ vectors.T
        rows, cols = np.nonzero(sims >= threshold)
        rows = rows + start
        later = cols > rows
        if later.any():
            labels = _merge(labels, rows[later], cols[later])
    order = np.argsort(labels, kind="stable")
    splits = np.flatnonzero(np.diff(labels[order])) + 1
    return [np.sort(part) for part in np.split(order, splits)] if count else []


def _bisect(members: np.ndarray, vectors: np.ndarray) -> list[np.ndarray]:
    block = vectors[members] - vectors[members].mean(axis=0)
    _, _, vt = np.linalg.svd(block.astype(np.float64), full_matrices=False)
    direction = vt[0] * (1.0 if vt[0][np.argmax(np.abs(vt[0]))] >= 0 else -1.0)
    projection = block @ direction
    cut = np.median(projection)
    left, right = members[projection <= cut], members[projection > cut]
    if left.size == 0 or right.size == 0:
        half = members.size // 2
        return [members[:half], members[half:]]
    return [left, right]


def _split_large(members: np.ndarray, vectors: np.ndarray, cap: int) -> list[np.ndarray]:
    if members.size <= cap:
        return [members]
    return [
        piece
        for half in _bisect(members, vectors)
        for piece in _split_large(np.sort(half), vectors, cap)
    ]


def _cluster_component(
    members: np.ndarray, vectors: np.ndarray, threshold: float, method: str
) -> list[np.ndarray]:
    if members.size == 1:
        return [members]
    block = vectors[members].astype(np.float64)
    distances = np.clip(1.0 - block @ block.T, 0.0, 2.0)
    condensed = distances[np.triu_indices(members.size, k=1)]
    tree = linkage(condensed, method=method)
    labels = fcluster(tree, t=1.0 - threshold + 1e-9, criterion="distance")
    return [members[labels == label] for label in np.unique(labels)]


def group_vectors(
    vectors: np.ndarray, threshold: float, *, method: str = "average", max_component: int = 4000
) -> list[np.ndarray]:
    """Groups of rows whose (average or complete) linkage similarity is at least ``threshold``.

    Returns sorted row-index arrays (singletons included), ordered by their first row.
    """
    if method not in LINKAGES:
        raise ValueError(f"linkage must be one of {LINKAGES}, not {method!r}")
    if vectors.shape[0] == 0:
        return []
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    groups: list[np.ndarray] = []
    for component in components(vectors, threshold):
        for piece in _split_large(component, vectors, max_component):
            groups.extend(_cluster_component(piece, vectors, threshold, method))
    groups = [np.sort(group) for group in groups]
    groups.sort(key=lambda group: int(group[0]))
    return groups
