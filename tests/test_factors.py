import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from oncomix.cluster import ClusterOptions, find_subtypes
from oncomix.factors import (
    EVERY_INFORMATIVE,
    FactorOptions,
    candidate_spaces,
    cluster_factors,
    covariate_associations,
    factor_space,
    factor_table,
)

NO_ASSOCIATIONS = covariate_associations(pd.DataFrame({"Factor1": [0.0]}), pd.DataFrame(index=[0]), set())


def factors_with_gradients(noise_factors=2, seed=0):
    """Three clusters in two factors, plus continuous unimodal factors."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1, 2], (60, 40, 25))
    signal = np.array([[0, 0], [4, 0], [0, 4]])[labels] + rng.normal(scale=0.6, size=(len(labels), 2))
    noise = rng.normal(size=(len(labels), noise_factors))
    columns = [f"Factor{k + 1}" for k in range(2 + noise_factors)]
    factors = pd.DataFrame(np.hstack([signal, noise]), index=[f"t{i}" for i in range(len(labels))], columns=columns)
    r2 = pd.DataFrame([[20.0, 15.0] + [3.0] * noise_factors], index=["rna"], columns=columns)
    return factors, r2, labels


def test_unimodal_gradients_are_left_out_even_when_they_explain_more():
    factors, r2, truth = factors_with_gradients(noise_factors=3, seed=5)
    factors[["Factor3", "Factor4", "Factor5"]] *= 3.0  # strong continuous programmes
    r2[["Factor3", "Factor4", "Factor5"]] = 30.0
    table = factor_table(factors, r2, NO_ASSOCIATIONS, FactorOptions())
    assert list(table.index[table["used"]]) == ["Factor1", "Factor2"]
    assert set(table.loc[~table["used"], "status"]) == {"unimodal"}
    standardised = (factors["Factor1"] - factors["Factor1"].mean()) / factors["Factor1"].std()
    np.testing.assert_allclose(factor_space(factors, table).coords[:, 0], standardised)
    np.testing.assert_allclose(
        factor_space(factors, table, "variance").coords[:, 0], factors["Factor1"] * np.sqrt(0.20)
    )
    np.testing.assert_allclose(factor_space(factors, table, "none").coords[:, 1], factors["Factor2"])
    options = ClusterOptions(resamples=8, prediction_strength_splits=4)
    selected = find_subtypes(factor_space(factors, table), options)
    assert adjusted_rand_score(truth, selected.calls["subtype"]) > 0.95
    everything = factor_table(factors, r2, NO_ASSOCIATIONS, FactorOptions(factor_selection="all"))
    # weighted by the variance they explain, unselected programmes swamp the subtypes
    assert (
        adjusted_rand_score(
            truth, find_subtypes(factor_space(factors, everything, "variance"), options).calls["subtype"]
        )
        < 0.5
    )


def test_weak_factors_are_left_out():
    factors, r2, _ = factors_with_gradients()
    r2["Factor1"] = 0.5
    table = factor_table(factors, r2, NO_ASSOCIATIONS, FactorOptions())
    assert table.loc["Factor1", "status"] == "explains too little" and not table.loc["Factor1", "used"]


def test_a_factor_tracking_a_technical_covariate_is_left_out():
    factors, r2, labels = factors_with_gradients()
    rng = np.random.default_rng(2)
    sheet = pd.DataFrame(
        {
            "purity": factors["Factor2"] + rng.normal(scale=0.3, size=len(factors)),  # Factor2 tracks purity
            "batch": rng.choice(["a", "b"], size=len(factors)),  # unrelated
            "label": np.array(["x", "y", "z"])[labels],  # biology, not technical
        },
        index=factors.index,
    )
    associations = covariate_associations(factors, sheet, {"purity", "batch"})
    assert len(associations) == 3 * factors.shape[1]
    purity = associations.set_index(["factor", "covariate"]).loc[("Factor2", "purity")]
    assert purity["test"] == "spearman" and purity["effect"] > 0.8 and purity["q"] < 1e-10
    label = associations.set_index(["factor", "covariate"]).loc[("Factor1", "label")]
    assert label["test"] == "kruskal" and label["r2"] > 0.5 and not label["technical"]
    assert (associations["q"] >= associations["p"]).all()
    table = factor_table(factors, r2, associations, FactorOptions())
    assert table.loc["Factor2", "status"] == "tracks purity"
    assert table.loc["Factor1", "used"]  # associated with the label, which is not technical


def test_no_factor_left_is_an_error_that_says_why():
    factors, r2, _ = factors_with_gradients()
    table = factor_table(factors, r2, NO_ASSOCIATIONS, FactorOptions(min_factor_r2=99))
    with pytest.raises(ValueError, match="clustering_factors.tsv"):
        factor_space(factors, table)


def test_the_adaptive_space_keeps_the_predictable_space_standing_furthest_above_its_gaussian_null():
    factors, r2, truth = factors_with_gradients(noise_factors=3, seed=4)
    factors["Factor5"] = np.random.default_rng(1).exponential(size=len(factors))  # skewed, no groups
    options = ClusterOptions(resamples=5, prediction_strength_splits=3, null_draws=9)
    adaptive = cluster_factors(factors, r2, pd.DataFrame(index=factors.index), None, FactorOptions(), options)
    table = factor_table(factors, r2, NO_ASSOCIATIONS, FactorOptions())
    spaces = candidate_spaces(table, FactorOptions())
    every = list(factors.columns)
    assert [(list(t.index[t["used"]]), w) for t, w in spaces] == [
        (["Factor1", "Factor2", "Factor5"], "standardised"),
        (every, "standardised"),
        (every, "none"),
    ]
    found = [find_subtypes(factor_space(factors, t, w), options) for t, w in spaces]
    ranks = [(f.chosen["prediction_strength"] >= options.min_prediction_strength, f.structure_z) for f in found]
    assert len(set(ranks)) == 3
    best = ranks.index(max(ranks))
    pd.testing.assert_frame_equal(adaptive.subtypes.calls, found[best].calls)
    assert adaptive.factor_table["weighting"].eq(spaces[best][1]).all()
    assert adaptive.factor_table["status"].eq(EVERY_INFORMATIVE).any() == (best > 0)
    assert adjusted_rand_score(truth, adaptive.subtypes.calls["subtype"]) > 0.9


def test_candidate_spaces_are_not_clustered_twice():
    table = factor_table(*factors_with_gradients(noise_factors=3, seed=4)[:2], NO_ASSOCIATIONS, FactorOptions())
    assert [w for _, w in candidate_spaces(table, FactorOptions(factor_weighting="none"))] == [
        "none",
        "none",
    ]  # selected, every informative
    assert [w for _, w in candidate_spaces(table, FactorOptions(adaptive_space=False))] == ["standardised"]
    everything = table.assign(used=True)
    assert [w for _, w in candidate_spaces(everything, FactorOptions())] == [
        "standardised",
        "none",
    ]  # nothing left out by the selection
