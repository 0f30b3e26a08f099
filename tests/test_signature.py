"""The sparse multinomial signature: nested cross-validation that can tell signal from noise."""

import dataclasses

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from oncomix.signature import SignatureOptions, fit_signature, one_standard_error

FAST = SignatureOptions(screen_features=50, penalties=(0.03, 0.3), outer_folds=3, inner_folds=3)


def cohort(signal: float, seed: int = 0):
    """Two views; features 0-2 of the first shift with the subtype by ``signal`` SDs; a few values missing."""
    rng = np.random.default_rng(seed)
    labels = pd.Series(np.repeat(["A", "B", "C"], [40, 30, 30]), index=[f"t{i}" for i in range(100)])
    x = rng.normal(size=(100, 60))
    for j, subtype in enumerate(["A", "B", "C"]):
        x[(labels == subtype).to_numpy(), j] += signal
    x[rng.random(x.shape) < 0.02] = np.nan
    views = {
        "expr": ad.AnnData(
            x, obs=pd.DataFrame(index=labels.index), var=pd.DataFrame(index=[f"g{j}" for j in range(60)])
        ),
        "prot": ad.AnnData(
            rng.normal(size=(100, 20)),
            obs=pd.DataFrame(index=labels.index),
            var=pd.DataFrame(index=[f"p{j}" for j in range(20)]),
        ),
    }
    return md.MuData(views), labels


def test_signature_finds_the_informative_features_and_predicts_held_out_tumours():
    mdata, labels = cohort(signal=3.0)
    result = fit_signature(mdata, labels, FAST)
    overall = result.performance[result.performance["scope"] == "overall"].set_index("metric")["value"]
    assert overall["held_out_accuracy"] >= 0.9
    aucs = result.performance[result.performance["metric"] == "held_out_auc"]["value"]
    assert len(aucs) == 3 and (aucs >= 0.95).all()
    kept = result.features
    for subtype, feature in (("A", "g0"), ("B", "g1"), ("C", "g2")):
        row = kept[(kept["subtype"] == subtype) & (kept["feature"] == feature)]
        assert len(row) == 1 and row["coefficient"].iloc[0] > 0 and row["omic"].iloc[0] == "expr"
    assert overall["features_in_signature"] < 30  # sparse
    assert kept["selection_frequency"].between(0, 1).all()
    # held-out predictions come from models that never saw the tumour
    assert (result.predictions["predicted"] == labels.loc[result.predictions.index]).mean() == overall[
        "held_out_accuracy"
    ]


def test_without_signal_the_held_out_accuracy_stays_near_chance():
    mdata, labels = cohort(signal=0.0)
    result = fit_signature(mdata, labels, FAST)
    accuracy = result.performance.set_index("metric").loc["held_out_accuracy", "value"]
    assert accuracy < 0.6  # the largest class alone is 0.4


def test_one_standard_error_rule_prefers_the_sparser_model_when_it_is_about_as_good():
    results = {
        "param_model__C": [0.01, 0.1, 1.0],
        "mean_test_score": [0.80, 0.93, 0.95],
        "std_test_score": [0.02, 0.03, 0.06],
        "split0_test_score": [0, 0, 0],
        "split1_test_score": [0, 0, 0],
        "split2_test_score": [0, 0, 0],
    }
    assert one_standard_error(results) == 1  # 0.93 >= 0.95 - 0.06 / sqrt(3)
    results["std_test_score"] = [0.02, 0.03, 0.0]
    assert one_standard_error(results) == 2


def test_a_subtype_too_small_to_cross_validate_is_left_out_with_a_nan_auc():
    mdata, labels = cohort(signal=3.0)
    labels.iloc[:3] = "tiny"
    result = fit_signature(mdata, labels, FAST)
    performance = result.performance.set_index(["scope", "metric"])["value"]
    assert np.isnan(performance[("tiny", "held_out_auc")]) and performance[("tiny", "tumours")] == 3
    assert performance[("overall", "held_out_accuracy")] >= 0.9 and "tiny" not in set(result.features["subtype"])
    binary = fit_signature(mdata, labels.where(labels != "C", "B"), FAST)  # two subtypes: one coefficient per feature
    kept = binary.features.pivot(index="feature", columns="subtype", values="coefficient")
    assert (
        np.allclose(kept["A"], -kept["B"])
        and binary.performance.set_index("metric").loc["held_out_accuracy", "value"] >= 0.9
    )
    labels[3:] = "A"
    alone = fit_signature(mdata, labels, FAST)  # only one subtype large enough
    assert alone.features.empty and np.isnan(alone.performance.set_index("metric").loc["held_out_accuracy", "value"])


def test_a_cohort_above_max_tumours_is_fitted_on_a_stratified_subset_and_the_rest_is_held_out():
    mdata, labels = cohort(signal=3.0)
    result = fit_signature(mdata, labels, dataclasses.replace(FAST, max_tumours=50))
    overall = result.performance[result.performance["scope"] == "overall"].set_index("metric")["value"]
    by = result.predictions["held_out_by"]
    assert (
        overall["tumours_fitted"] == 50
        and (by == "outer_fold").sum() == 50
        and (by == "not_in_fitting_subset").sum() == 50
    )
    assert labels[by == "outer_fold"].value_counts().to_dict() == {"A": 20, "B": 15, "C": 15}  # stratified
    outside = result.predictions[by == "not_in_fitting_subset"]
    assert overall["accuracy_outside_fitting_subset"] == (outside["predicted"] == outside["subtype"]).mean() >= 0.9
    assert (
        list(result.predictions.index) == list(labels.index) and len(result.design) == 100
    )  # the classifier keeps every tumour
    every = fit_signature(mdata, labels, FAST).performance.set_index("metric")["value"]
    assert every["tumours_fitted"] == 100 and np.isnan(every["accuracy_outside_fitting_subset"])
