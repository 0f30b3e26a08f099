import dataclasses
import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_score

from oncomix.cluster import (
    ClusterOptions,
    Space,
    choose_k,
    cluster_stability,
    consensus_matrix,
    find_fine_subtypes,
    find_subtypes,
    held_warnings,
    pac,
    prediction_strength,
    repeat_warnings,
    structure_p,
    subtype_tree,
)
from oncomix.cluster import log as cluster_log

FAST = {"resamples": 8, "prediction_strength_splits": 4}


def blobs(n_per=(60, 40, 25), dims=2, seed=0, spread=0.6):
    """Well-separated Gaussian clusters; returns a Space and the true labels."""
    rng = np.random.default_rng(seed)
    centres = 4.0 * np.eye(max(dims, len(n_per)))[: len(n_per), :dims]
    labels = np.repeat(np.arange(len(n_per)), n_per)
    coords = centres[labels] + rng.normal(scale=spread, size=(len(labels), dims))
    return Space(pd.Index([f"t{i}" for i in range(len(labels))]), coords=coords), labels


@pytest.mark.parametrize("method", ["kmeans", "gmm", "ward", "leiden"])
def test_every_algorithm_recovers_clusters_and_their_number(method):
    space, truth = blobs(dims=3)
    result = find_subtypes(space, ClusterOptions(method=method, k_max=6, **FAST))
    chosen = result.k_selection.loc[result.k_selection["chosen"]].iloc[0]
    assert chosen["k"] == 3 and chosen["prediction_strength"] > 0.9 and chosen["pac"] < 0.05
    assert adjusted_rand_score(truth, result.calls["subtype"]) > 0.95
    assert result.calls["confidence"].between(0, 1).all() and result.calls["confidence"].median() > 0.9
    assert list(result.calls["subtype"].value_counts().index) == ["ST1", "ST2", "ST3"]  # named by size


def test_an_affinity_is_clustered_spectrally():
    space, truth = blobs()
    distance = ((space.coords[:, None, :] - space.coords[None, :, :]) ** 2).sum(axis=-1)
    affinity = Space(space.samples, affinity=np.exp(-distance / 2.0))
    result = find_subtypes(affinity, ClusterOptions(k_max=5, **FAST))
    assert adjusted_rand_score(truth, result.calls["subtype"]) > 0.95
    assert result.k_selection.loc[result.k_selection["chosen"], "k"].item() == 3


def test_no_structure_is_neither_predictable_nor_crisp():
    rng = np.random.default_rng(1)
    space = Space(pd.Index(range(150)).astype(str), coords=rng.normal(size=(150, 3)))
    options = ClusterOptions(**FAST)
    assert prediction_strength(space, 5, options) < 0.7
    structured, _ = blobs()
    assert prediction_strength(structured, 3, options) > 0.95 > prediction_strength(structured, 5, options)


def test_consensus_and_pac_from_known_runs():
    runs = np.array([[0, 0, 1, 1], [0, 0, 1, -1], [1, 0, 0, 0]])
    consensus = consensus_matrix(runs)
    assert (
        consensus[0, 1] == pytest.approx(2 / 3)
        and consensus[2, 3] == pytest.approx(1.0)
        and consensus[0, 2] == pytest.approx(0.0)
    )
    assert consensus[1, 3] == pytest.approx(0.5)  # drawn together twice, together once
    # pairs (0,1)=2/3, (0,2)=0, (0,3)=0, (1,2)=1/3, (1,3)=1/2, (2,3)=1: three of six are ambiguous
    assert pac(consensus) == pytest.approx(0.5)


def test_choose_k_rules():
    scores = pd.DataFrame(
        {
            "k": [2, 3, 4, 5],
            "clusters_found": [2, 3, 4, 5],
            "silhouette": [0.7, 0.6, 0.65, 0.5],
            "pac": [0.0, 0.05, 0.004, 0.0],
            "prediction_strength": [0.95, 0.9, 0.85, 0.6],
            "smallest_subtype": [40, 30, 20, 10],
        }
    )
    assert choose_k(scores, "pac", 0.8) == 4  # the finest of the equally crisp, predictable k
    assert choose_k(scores, "silhouette", 0.8) == 2
    assert choose_k(scores, "prediction_strength", 0.8) == 4
    assert choose_k(scores, "pac", 0.99) == 2  # none predictable enough: the most predictable
    assert (
        choose_k(scores.assign(smallest_subtype=[40, 30, 1, 1]), "pac", 0.8, min_subtype_size=5) == 2
    )  # k=4 leaves one outlier
    assert (
        choose_k(scores.assign(smallest_subtype=1), "pac", 0.8, min_subtype_size=5) == 4
    )  # every k does: the rule is waived
    with_z = scores.assign(structure_z=[3.0, 5.0, 4.0, 9.0])  # silhouette SDs above the Gaussian null's at that k
    assert choose_k(with_z, "structure_z", 0.8) == 3  # furthest above the null among the predictable k (5 is not)
    assert choose_k(with_z, "structure_z", 0.99) == 5  # none predictable enough: the furthest above the null
    assert choose_k(with_z.assign(structure_z=np.nan), "structure_z", 0.8) == 2  # no structure test: by silhouette
    close = with_z.assign(structure_z=[4.8, 5.0, 4.0, 9.0])  # k = 2 and 3 stand out alike; 2 is more predictable
    assert choose_k(close, "structure_z", 0.8) == 3
    assert choose_k(close, "predictable_structure", 0.8) == 2  # 4.8 x 0.95 > 5.0 x 0.9
    assert choose_k(with_z, "predictable_structure", 0.8) == 3  # 5.0 x 0.9 > 3.0 x 0.95
    assert (
        choose_k(with_z.assign(structure_z=[-2.0, -1.0, -3.0, 9.0]), "predictable_structure", 0.8) == 2
    )  # none above: no z counts
    assert choose_k(with_z, "predictable_structure", 0.99) == 5  # none predictable enough: the furthest above the null
    assert (
        choose_k(with_z.assign(structure_z=np.nan), "predictable_structure", 0.8) == 2
    )  # no structure test: by silhouette
    assert (
        choose_k(with_z.assign(structure_z=np.nan), "predictable_structure", 0.99) == 2
    )  # ... and then the most predictable
    assert choose_k(with_z.assign(structure_z=np.nan), "structure_z", 0.99) == 2
    scores.loc[scores["k"] == 4, "clusters_found"] = 3  # Leiden could not make 4 communities
    assert choose_k(scores, "pac", 0.8) == 2


def test_same_seed_same_subtypes_in_one_process_or_two_and_fixed_k():
    space, _ = blobs(seed=3)
    first = find_subtypes(space, ClusterOptions(seed=11, null_draws=5, **FAST))
    second = find_subtypes(space, ClusterOptions(seed=11, null_draws=5, jobs=2, **FAST))
    for table in ("calls", "consensus", "k_selection"):
        pd.testing.assert_frame_equal(getattr(first, table), getattr(second, table), check_exact=True)
    fixed = find_subtypes(space, ClusterOptions(k=5, **FAST))
    assert fixed.calls["subtype"].nunique() == 5 and list(fixed.k_selection["k"]) == [5]


def test_consensus_is_bounded_and_ordered_by_subtype():
    space, _ = blobs()
    result = find_subtypes(space, ClusterOptions(consensus_max_tumours=50, **FAST))
    assert result.consensus.shape == (50, 50)
    order = result.calls.loc[result.consensus.index, "subtype"]
    assert order.is_monotonic_increasing
    assert np.nanmin(result.consensus.to_numpy()) >= 0 and np.nanmax(result.consensus.to_numpy()) <= 1


def test_silhouette_is_measured_on_the_consensus_tumours_only():
    space, _ = blobs(spread=1.5)
    whole = find_subtypes(space, ClusterOptions(k=3, **FAST))
    capped = find_subtypes(space, ClusterOptions(k=3, consensus_max_tumours=50, **FAST))
    labels = whole.calls["subtype"].to_numpy()
    assert whole.k_selection["silhouette"].iloc[0] == pytest.approx(silhouette_score(space.coords, labels))
    probed = space.samples.get_indexer(capped.consensus.index)
    expected = silhouette_score(space.coords[probed], capped.calls["subtype"].to_numpy()[probed])
    assert capped.k_selection["silhouette"].iloc[0] == pytest.approx(expected)
    assert capped.k_selection["silhouette"].iloc[0] != pytest.approx(whole.k_selection["silhouette"].iloc[0])


def test_the_structure_test_tells_one_gaussian_from_subtypes():
    rng = np.random.default_rng(4)
    elongated = Space(pd.Index(range(300)).astype(str), coords=rng.normal(size=(300, 4)) * [3.0, 1.5, 1.0, 0.5])
    gaussian = find_subtypes(elongated, ClusterOptions(k_max=5, **FAST))
    assert not gaussian.stable and gaussian.k_selection["structure_p"].iloc[0] >= 0.05
    structured = find_subtypes(blobs(dims=3)[0], ClusterOptions(k_max=5, **FAST))
    assert structured.stable and structured.k_selection["structure_p"].iloc[0] == pytest.approx(1 / 21)
    assert (structured.k_selection["silhouette"] > structured.k_selection["null_silhouette"]).all()


def test_structure_p_counts_null_cohorts_at_least_as_clustered():
    null = np.array([[0.3, 0.2], [0.5, 0.1], [0.2, 0.6], [0.1, 0.1]])  # draws x k; best per draw 0.3, 0.5, 0.6, 0.1
    assert structure_p(np.array([0.4, 0.55]), null) == pytest.approx((1 + 1) / 5)  # only 0.6 >= 0.55
    assert structure_p(np.array([0.9, 0.1]), null) == pytest.approx(1 / 5)


def test_clusterwise_stability_is_the_mean_best_jaccard():
    labels = np.array([0, 0, 0, 1, 1, 1])
    runs = np.array([[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, -1]])
    # run 2: cluster 0 drawn {0,1,2} best matches {0,1} (2/3); cluster 1 drawn {3,4} best matches {2,3,4} (2/3)
    np.testing.assert_allclose(cluster_stability(labels, runs), [(1 + 2 / 3) / 2, (1 + 2 / 3) / 2])


def test_the_tree_links_every_subtype_to_its_parent():
    space, _ = blobs(n_per=(60, 40, 25), dims=3)
    result = find_subtypes(space, ClusterOptions(k_max=4, **FAST))
    tree = subtype_tree(result)
    assert list(tree.columns) == ["k", "subtype", "parent", "size", "stability", "chosen"]
    assert (tree.groupby("k")["size"].sum() == len(space)).all()
    assert (tree.loc[tree["k"] == 2, "parent"] == "").all()
    at_3 = tree[tree["k"] == 3].set_index("subtype")
    assert set(at_3["parent"]) <= set(tree.loc[tree["k"] == 2, "subtype"]) and at_3["stability"].min() > 0.9
    assert tree.loc[tree["chosen"], "k"].unique().tolist() == [3]


def test_the_finer_level_splits_only_subtypes_with_structure_inside(caplog):
    rng = np.random.default_rng(5)
    centres = np.array([[0, 0, 0], [0.0, 5, 0], [12, 0, 0]])  # two close groups inside one distant subtype
    labels = np.repeat([0, 1, 2], [60, 60, 80])
    space = Space(
        pd.Index([f"t{i}" for i in range(200)]), coords=centres[labels] + rng.normal(scale=0.7, size=(200, 3))
    )
    options = ClusterOptions(k=2, **FAST)
    calls = find_subtypes(space, options).calls
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="oncomix.cluster"):
        fine = find_fine_subtypes(space, calls, dataclasses.replace(options, k=None))
    parent_of_pair = calls["subtype"].iloc[0]
    other = calls["subtype"].drop_duplicates().pipe(lambda names: names[names != parent_of_pair].iloc[0])
    # the whole subtype's "no stable subtypes" is about a split, not the cohort: information that names it
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(r.getMessage().startswith(f"finer level inside {other}: no stable") for r in caplog.records)
    inside = fine.loc[calls["subtype"] == parent_of_pair, "subtype_fine"]
    assert inside.nunique() == 2 and inside.str.startswith(parent_of_pair + ".").all()
    assert adjusted_rand_score(labels[:120], inside.loc[space.samples[:120]]) > 0.95
    whole = fine.loc[calls["subtype"] != parent_of_pair, "subtype_fine"]
    assert whole.nunique() == 1 and (whole == calls.loc[whole.index, "subtype"]).all()
    assert fine["confidence_fine"].between(0, 1).all()


def test_warnings_about_a_candidate_are_held_and_repeated_only_for_the_answer(caplog):
    with caplog.at_level(logging.INFO, logger="oncomix.cluster"):
        with held_warnings("candidate space of 3 factors, none") as held:
            cluster_log.warning("no stable subtypes: %s (%d%%)", "a continuum", 5)
            cluster_log.info("k = %d", 2)
        assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
            ("INFO", "candidate space of 3 factors, none: no stable subtypes: a continuum (5%)"),
            ("INFO", "candidate space of 3 factors, none: k = 2"),
        ]
        caplog.clear()
        repeat_warnings(held)
        cluster_log.warning("after: %s", "not held")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "no stable subtypes: a continuum (5%)"),
        ("WARNING", "after: not held"),
    ]
