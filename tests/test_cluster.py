import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from oncomix.cluster import ClusterOptions, choose_k, factor_space, factor_table, find_subtypes


def blobs(n_per=(60, 40, 25), noise_factors=2, seed=0):
    """Three clusters in two factors, plus continuous unimodal factors that explain less variance."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [4, 0], [0, 4]])
    labels = np.repeat(np.arange(len(n_per)), n_per)
    signal = centres[labels] + rng.normal(scale=0.6, size=(len(labels), 2))
    noise = rng.normal(scale=1.0, size=(len(labels), noise_factors))
    factors = pd.DataFrame(np.hstack([signal, noise]), index=[f"t{i}" for i in range(len(labels))], columns=[f"Factor{k + 1}" for k in range(2 + noise_factors)])
    r2 = pd.DataFrame([[20.0, 15.0] + [3.0] * noise_factors], index=["rna"], columns=factors.columns)
    return factors, r2, labels


def test_recovers_clusters_and_their_number():
    factors, r2, truth = blobs()
    subtypes, scores, _ = find_subtypes(factors, r2, ClusterOptions(resamples=10))
    assert scores.loc[scores["chosen"], "k"].item() == 3
    assert adjusted_rand_score(truth, subtypes["subtype"]) > 0.95
    assert subtypes["confidence"].between(0, 1).all() and subtypes["confidence"].median() > 0.9
    assert list(subtypes["subtype"].value_counts().index) == ["ST1", "ST2", "ST3"]  # named by size


def test_same_seed_same_subtypes_and_fixed_k():
    factors, r2, _ = blobs(seed=3)
    first, _, _ = find_subtypes(factors, r2, ClusterOptions(resamples=5, seed=11))
    second, _, _ = find_subtypes(factors, r2, ClusterOptions(resamples=5, seed=11))
    pd.testing.assert_frame_equal(first, second)
    fixed, scores, _ = find_subtypes(factors, r2, ClusterOptions(resamples=5, k=5))
    assert fixed["subtype"].nunique() == 5 and list(scores["k"]) == [5]


def test_unimodal_gradients_are_left_out_even_when_they_explain_more():
    factors, r2, truth = blobs(noise_factors=3, seed=5)
    factors[["Factor3", "Factor4", "Factor5"]] *= 3.0  # strong continuous programmes
    r2[["Factor3", "Factor4", "Factor5"]] = 30.0
    table = factor_table(factors, r2, ClusterOptions())
    assert list(table.index[table["used"]]) == ["Factor1", "Factor2"]
    np.testing.assert_allclose(factor_space(factors, table)["Factor1"], factors["Factor1"] * np.sqrt(0.20))
    subtypes, _, _ = find_subtypes(factors, r2, ClusterOptions(resamples=10))
    assert adjusted_rand_score(truth, subtypes["subtype"]) > 0.95
    everything, _, _ = find_subtypes(factors, r2, ClusterOptions(resamples=10, factor_selection="all"))
    assert adjusted_rand_score(truth, everything["subtype"]) < 0.5  # what the selection protects against


def test_weak_factors_are_left_out():
    factors, r2, _ = blobs()
    r2["Factor1"] = 0.5
    assert not factor_table(factors, r2, ClusterOptions()).loc["Factor1", "used"]


def test_choose_k_prefers_silhouette_among_stable():
    scores = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.5, 0.6, 0.7], "stability": [0.9, 0.85, 0.4]})
    assert choose_k(scores, 0.8) == 3
    assert choose_k(scores, 0.95) == 2  # none stable enough: the most stable
