import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from oncomix.baselines import baseline_space, standardised
from oncomix.cluster import ClusterOptions, find_subtypes
from oncomix.compare import comparison_table, method_row
from oncomix.preprocess import PreprocessOptions, preprocess


@pytest.fixture(scope="module")
def data(small_mdata):
    return preprocess(small_mdata, {name: PreprocessOptions(n_features=300) for name in small_mdata.mod})


def test_views_are_standardised_on_the_features_mofa_gets(data):
    block = standardised(data, "protein")
    assert list(block.columns) == list(data["protein"].var_names[data["protein"].var["highly_variable"]])
    assert not block.isna().any().any()  # missing values sit at the mean
    assert np.allclose(block.mean(), 0, atol=1e-9)


@pytest.mark.parametrize("method", ["concat_pca", "snf", "view_rna"])
def test_each_baseline_finds_the_simulated_subtypes(data, small_cohort, method):
    space = baseline_space(method, data, components=10, seed=1, snf_max_tumours=1000)
    result = find_subtypes(space, ClusterOptions(k=4, resamples=5, prediction_strength_splits=3))
    truth = small_cohort.truth_subtypes.loc[result.calls.index]
    assert adjusted_rand_score(truth, result.calls["subtype"]) > 0.8
    every_view = np.logical_and.reduce([np.asarray(data.obsm[v]).ravel() for v in data.mod])
    expected = {"concat_pca": data.n_obs, "snf": int(every_view.sum()), "view_rna": data["rna"].n_obs}[method]
    assert len(space) == expected


def test_a_view_dropped_by_preprocessing_has_no_baseline(data):
    assert baseline_space("view_methylation", data, components=5, seed=1, snf_max_tumours=1000) is None


def test_snf_above_its_cap_runs_on_a_random_subset_and_says_so(data, caplog):
    space = baseline_space("snf", data, components=5, seed=1, snf_max_tumours=50)
    assert len(space) == 50 and space.affinity.shape == (50, 50)
    assert "snf_max_tumours" in caplog.text
    assert list(space.samples) == list(baseline_space("snf", data, components=5, seed=1, snf_max_tumours=50).samples)


def test_method_row_scores_agreement_and_survival():
    index = pd.Index([f"t{i}" for i in range(40)])
    calls = pd.DataFrame({"subtype": ["ST1"] * 20 + ["ST2"] * 20, "confidence": 1.0}, index=index)
    k_selection = pd.DataFrame(
        {
            "k": [2, 3],
            "silhouette": [0.5, 0.4],
            "stability": [1.0, 0.9],
            "pac": [0.0, 0.1],
            "prediction_strength": [1.0, 0.7],
            "chosen": [True, False],
        }
    )
    reference = pd.Series(["a"] * 20 + ["b"] * 19 + [None], index=index)
    time = pd.Series(np.r_[np.arange(1, 21), np.arange(100, 120)], index=index, dtype=float)
    survival = pd.DataFrame({"time": time, "event": 1})
    row = method_row("mofa", "MOFA+ factors", "kmeans", calls, k_selection, reference, survival)
    assert (
        row["k"] == 2
        and row["n_labelled"] == 39
        and row["ari"] == pytest.approx(1.0)
        and row["ami"] == pytest.approx(1.0)
    )
    assert row["n_survival"] == 40 and row["logrank_p"] < 1e-6
    empty = method_row("view_x", "PCA of view x", "kmeans", calls.iloc[:0], k_selection.iloc[:0])
    table = comparison_table([row, empty])
    assert list(table["method"]) == ["mofa", "view_x"] and np.isnan(table.loc[1, "ari"])
    assert "logrank_p" not in comparison_table([empty]).columns
