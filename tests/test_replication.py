"""Replication of markers in half-cohorts: splits, the replication rule, and a real run with MOFA per half."""

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from oncomix.factors import FactorOptions
from oncomix.integrate import MofaOptions
from oncomix.markers import find_markers
from oncomix.preprocess import PreprocessOptions, preprocess
from oncomix.replication import (
    ReplicationOptions,
    candidate_features,
    half_splits,
    replicate,
    replicated_in,
)
from oncomix.replication_rates import Replication, add_replication


def test_halves_are_disjoint_cover_the_cohort_and_keep_subtype_proportions():
    subtypes = pd.Series(np.repeat(["A", "B", "C"], [40, 20, 10]), index=[f"t{i}" for i in range(70)])
    halves = half_splits(subtypes, ReplicationOptions(replication_splits=3, seed=1))
    assert [(split, half) for split, half, _ in halves] == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)]
    for first, second in zip(halves[::2], halves[1::2], strict=True):
        assert not set(first[2]) & set(second[2]) and set(first[2]) | set(second[2]) == set(subtypes.index)
        assert subtypes.loc[first[2]].value_counts().to_dict() == {"A": 20, "B": 10, "C": 5}
    assert list(halves[0][2]) != list(halves[2][2])  # splits differ
    assert [list(ids) for *_, ids in halves] == [
        list(ids) for *_, ids in half_splits(subtypes, ReplicationOptions(replication_splits=3, seed=1))
    ]


def test_halves_of_a_large_cohort_are_capped_and_keep_subtype_proportions():
    subtypes = pd.Series(np.repeat(["A", "B", "C"], [400, 200, 100]), index=[f"t{i}" for i in range(700)])
    halves = half_splits(subtypes, ReplicationOptions(replication_splits=2, max_tumours=70, seed=1))
    for first, second in zip(halves[::2], halves[1::2], strict=True):
        assert len(first[2]) == len(second[2]) == 70 and not set(first[2]) & set(second[2])
        assert subtypes.loc[first[2]].value_counts().to_dict() == {"A": 40, "B": 20, "C": 10}


def test_a_candidate_replicates_when_its_own_evidence_survives_correction_in_the_same_direction():
    candidates = pd.DataFrame(
        {
            "subtype": "A",
            "omic": "x",
            "feature": ["f1", "f2", "f3", "f4"],
            "direction": ["up", "up", "down", "up"],
            "evidence": ["p_specific", "p_specific", "p_specific", "p"],
        }
    )
    half = pd.DataFrame(
        {
            "subtype": "A",
            "omic": "x",
            "feature": ["f1", "f2", "f3", "f4", "f5"],
            "direction": ["up", "up", "up", "up", "up"],
            "p": [1e-6, 1e-6, 1e-6, 0.01, 1e-9],
            "p_specific": [0.001, 0.04, 1e-6, 0.9, 1e-9],
        }
    )
    found = replicated_in(half, candidates, alpha=0.05)
    # f1: q = 0.003 (BH among f1-f3); f2: q = 0.04 -> 0.04; f3 flipped direction; f4 judged on its one-vs-rest p
    q = multipletests([0.001, 0.04, 1e-6], method="fdr_bh")[1]
    assert q[1] < 0.05 and list(found["feature"]) == ["f1", "f2", "f4"]


def test_rates_and_flags_are_added_to_candidates_only():
    biomarkers = pd.DataFrame(
        {
            "subtype": "A",
            "omic": "x",
            "feature": ["f1", "f2", "f3"],
            "direction": "up",
            "is_marker": [True, False, False],
            "q": [0.001, 0.01, 0.5],
        }
    )
    replication = Replication(
        pd.DataFrame(
            {"subtype": "A", "omic": "x", "feature": ["f1", "f2"], "direction": "up", "halves_replicated": [3, 1]}
        ),
        pd.DataFrame({"split": [1, 1, 2, 2], "half": [1, 2, 1, 2]}),
    )
    out = add_replication(biomarkers, replication, alpha=0.05, min_rate=0.5).set_index("feature")
    assert out.loc["f1", "replication_rate"] == 0.75 and out.loc["f1", "replicated"]
    assert out.loc["f2", "replication_rate"] == 0.25 and not out.loc["f2", "replicated"]
    assert np.isnan(out.loc["f3", "replication_rate"]) and not out.loc["f3", "replicated"]
    off = add_replication(biomarkers, Replication(replication.markers.iloc[:0], replication.halves.iloc[:0]), 0.05, 0.5)
    assert off["replication_rate"].isna().all() and list(off["replicated"]) == [True, True, False]


def replicate_once(data, truth, evidence):
    """One split (two halves), each with its own 6-factor MOFA model."""
    options = ReplicationOptions(replication_splits=1)
    return replicate(data, truth, evidence, "kmeans", 0.05, MofaOptions(factors=6), FactorOptions(), options)


def test_planted_markers_replicate_in_halves_with_their_own_mofa_models(small_mdata, small_cohort):
    data = preprocess(small_mdata, {name: PreprocessOptions(n_features=300) for name in small_mdata.mod})
    truth = small_cohort.truth_subtypes.reindex(data.obs_names)
    evidence = find_markers(data, truth)
    result = replicate_once(data, truth, evidence)
    assert len(result.halves) == 2 and (result.halves["ari_with_full_cohort"] > 0.8).all()
    rates = add_replication(evidence, result, 0.05, 0.5)
    planted = small_cohort.truth_markers.rename(columns={"view": "omic"})
    rows = rates.merge(
        planted[["omic", "feature", "subtype", "direction"]], on=["omic", "feature", "subtype", "direction"]
    )
    assert rows["replicated"].mean() > 0.8
    noise = rates[rates["is_marker"]].merge(
        planted[["omic", "feature"]], on=["omic", "feature"], how="left", indicator=True
    )
    assert (noise.loc[noise["_merge"] == "left_only", "replication_rate"] < 1).all()


def test_halves_test_only_the_candidates_and_get_their_p_values_from_the_whole_view(small_mdata, small_cohort):
    data = preprocess(small_mdata, {name: PreprocessOptions(n_features=300) for name in small_mdata.mod})
    truth = small_cohort.truth_subtypes.reindex(data.obs_names)
    views = list(data.mod)
    chosen = pd.DataFrame({"omic": views[0], "feature": data[views[0]].var_names[:5]})
    subset = candidate_features(data, chosen)
    assert list(subset.mod) == [views[0]] and list(subset[views[0]].var_names) == list(chosen["feature"])
    keys = ["subtype", "omic", "feature"]
    whole = find_markers(data, truth).set_index(keys).sort_index()
    only = find_markers(subset, truth).set_index(keys).sort_index()
    pd.testing.assert_frame_equal(only[["p", "p_specific"]], whole.loc[only.index, ["p", "p_specific"]])


def test_a_cohort_without_candidates_replicates_nothing_and_still_reports_its_halves(small_mdata, small_cohort):
    data = preprocess(small_mdata, {name: PreprocessOptions(n_features=300) for name in small_mdata.mod})
    truth = small_cohort.truth_subtypes.reindex(data.obs_names)
    evidence = find_markers(data, truth).assign(is_marker=False, q=1.0)  # nothing to replicate
    result = replicate_once(data, truth, evidence)
    assert result.markers.empty and len(result.halves) == 2
