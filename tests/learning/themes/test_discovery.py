"""Discovery: clusters of uncovered findings that are stable across runs and re-ingest, labelled
by their distinctive words, and promoted into the analyst's taxonomy file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from learning.errors import ClusterNotFound
from learning.themes.discovery import DiscoveryParams, discover_clusters, promote_cluster
from learning.themes.grouping import components, group_vectors
from learning.themes.taxonomy import SHIPPED_TAXONOMY, load_taxonomy
from learning.themes.terms import distinctive_terms
from tests.learning.themes.conftest import Doc, F, R, build_index

DOG = [
    "The family dog had bitten the child before and nobody assessed the dog.",
    "Risks from the dog in the home were not assessed after an earlier bite.",
    "A large dog lived in the home; the dog bite risk was never discussed.",
]
WATER = [
    "The toddler was left alone in the bath water for several minutes.",
    "Bath water safety advice was not given when the toddler was left in the bath.",
    "The bath water was deep and the toddler was unsupervised in the bath.",
]
OTHER = [
    "Domestic abuse by the stepfather was not recognised.",
    "The school did not follow up repeated absences.",
    "Safer sleep advice was not given to the father.",
]


AREAS = ("Northshire Safeguarding Partnership", "Dyfnant Regional Board", "Kingsford LSCB")


def corpus(areas: tuple[str, ...] = AREAS) -> list[Doc]:
    return [
        Doc(
            f"r{i}",
            (
                (F, DOG[i], "Findings", 3),
                (F, WATER[i], "Findings", 4),
                (R, OTHER[i], "Recommendations", 5),
            ),
            year=2015 + i,
            partnership=areas[i],
        )
        for i in range(3)
    ]


PARAMS = DiscoveryParams(coverage_threshold=1.01, similarity=0.35, min_size=3, min_reviews=2)


@pytest.fixture
def index_dir(tmp_path: Path, fake_encoder) -> Path:
    return build_index(tmp_path / "index", corpus(), fake_encoder)


def test_clusters_found_with_labels_examples_and_reviews(index_dir: Path, open_workspace) -> None:
    result = discover_clusters(open_workspace(index_dir), PARAMS)
    by_label = {cluster.terms[0]: cluster for cluster in result.clusters}
    assert set(by_label) == {"dog", "bath water"}
    assert by_label["dog"].label == "dog / assessed / bite"
    dog = next(c for c in result.clusters if "dog" in c.terms)
    assert dog.size == 3
    assert dog.reviews == ("r0", "r1", "r2")
    assert len(dog.examples) == 3
    assert all(example.citation.endswith("p. 3]") for example in dog.examples)
    assert dog.cluster_id.startswith("c-")
    assert result.version["index_generation"] >= 1
    assert result.version["taxonomy_digest"] == load_taxonomy().digest[:16]
    assert result.version["discovery"] == PARAMS.digest


def test_discovery_is_stable_across_runs_and_reingest(
    index_dir: Path, open_workspace, fake_encoder
) -> None:
    first = discover_clusters(open_workspace(index_dir, use_cache=False), PARAMS)
    second = discover_clusters(open_workspace(index_dir, use_cache=False), PARAMS)
    assert first.to_dict() == second.to_dict()
    build_index(index_dir, corpus(), fake_encoder)  # new unit ids, same reviews
    third = discover_clusters(open_workspace(index_dir), PARAMS)
    assert [c.cluster_id for c in third.clusters] == [c.cluster_id for c in first.clusters]
    assert third.version["index_generation"] > first.version["index_generation"]


def test_parameters_are_part_of_the_id(index_dir: Path, open_workspace) -> None:
    workspace = open_workspace(index_dir)
    one = {c.cluster_id for c in discover_clusters(workspace, PARAMS).clusters}
    other = DiscoveryParams(coverage_threshold=1.01, similarity=0.34, min_size=3)
    assert one.isdisjoint(c.cluster_id for c in discover_clusters(workspace, other).clusters)


def test_one_partnership_is_not_a_theme(tmp_path: Path, open_workspace, fake_encoder) -> None:
    one_area = ("Northshire Safeguarding Partnership",) * 3
    index_dir = build_index(tmp_path / "one", corpus(one_area), fake_encoder)
    assert discover_clusters(open_workspace(index_dir), PARAMS).clusters == ()
    relaxed = DiscoveryParams(coverage_threshold=1.01, similarity=0.35, min_partnerships=1)
    assert discover_clusters(open_workspace(index_dir), relaxed).clusters


def test_labels_leave_out_partnership_names(tmp_path: Path, open_workspace, fake_encoder) -> None:
    named = [
        Doc(
            f"n{i}",
            (
                (
                    F,
                    f"{area.split()[0]} dog wardens did not assess the dog bite risk.",
                    "Findings",
                    2,
                ),
            ),
            partnership=area,
        )
        for i, area in enumerate(AREAS)
    ]
    index_dir = build_index(tmp_path / "named", named, fake_encoder)
    params = DiscoveryParams(coverage_threshold=1.01, similarity=0.2)
    (cluster,) = discover_clusters(open_workspace(index_dir), params).clusters
    assert "dog" in " ".join(cluster.terms)
    assert not {"northshire", "dyfnant", "kingsford"} & set(" ".join(cluster.terms).split())


def test_covered_units_are_not_clustered(index_dir: Path, open_workspace) -> None:
    result = discover_clusters(open_workspace(index_dir), DiscoveryParams(coverage_threshold=0.0))
    assert result.clusters == ()
    assert result.uncovered == 0
    assert result.considered == 9


def test_promote_writes_the_analyst_file(index_dir: Path, open_workspace, tmp_path: Path) -> None:
    result = discover_clusters(open_workspace(index_dir), PARAMS)
    dog = next(c for c in result.clusters if "dog" in c.terms)
    shipped = SHIPPED_TAXONOMY.read_text()
    target = tmp_path / "data" / "taxonomy.yaml"
    theme = promote_cluster(result, dog.cluster_id, target, label="Dogs in the home")
    assert SHIPPED_TAXONOMY.read_text() == shipped
    promoted = load_taxonomy(target)
    assert promoted.ids[-1] == theme.id == "dogs_in_the_home"
    assert len(promoted.themes) == 28
    assert theme.group == "discovered"
    assert "dog" in theme.phrases
    assert dog.cluster_id in theme.definition and "p. 3]" in theme.definition
    with pytest.raises(ClusterNotFound, match="no cluster 'c-0000000000'"):
        promote_cluster(result, "c-0000000000", target)


def test_distinctive_terms_prefer_words_of_the_group() -> None:
    labels = distinctive_terms([DOG, WATER], OTHER, count=3)
    assert labels[0][0] == "dog"
    assert "bath" in " ".join(labels[1])
    assert all("should" not in term for terms in labels for term in terms)


def test_grouping_is_exact_on_separated_vectors() -> None:
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 32))
    rows = np.repeat(centres, 5, axis=0) + 0.05 * rng.normal(size=(20, 32))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    order = rng.permutation(20)
    groups = group_vectors(rows[order].astype(np.float32), 0.9)
    assert sorted(sorted(int(order[i]) // 5 for i in g) for g in groups) == [
        [k] * 5 for k in range(4)
    ]
    assert [int(g[0]) for g in groups] == sorted(int(g[0]) for g in groups)
    assert len(components(rows.astype(np.float32), 0.9)) == 4


@pytest.mark.parametrize("method", ["average", "complete"])
def test_grouping_splits_large_components_deterministically(method: str) -> None:
    rng = np.random.default_rng(5)
    rows = rng.normal(size=(60, 8)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    first = group_vectors(rows, 0.2, method=method, max_component=10)
    second = group_vectors(rows, 0.2, method=method, max_component=10)
    assert [g.tolist() for g in first] == [g.tolist() for g in second]
    assert sorted(i for g in first for i in g.tolist()) == list(range(60))
    assert max(g.size for g in first) <= 10


def test_unknown_linkage_is_refused() -> None:
    with pytest.raises(ValueError, match="linkage must be one of"):
        group_vectors(np.eye(2, dtype=np.float32), 0.5, method="single")
