"""Mutational and copy-number landscape: burden, fraction altered, tests between subtypes, oncoprint genes."""

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncomix.landscape import is_gistic, landscape_tests, tumour_landscape
from oncomix.plots import oncoprint_genes


def view(values: np.ndarray, ids: list[str], omic_type: str, prefix: str) -> ad.AnnData:
    adata = ad.AnnData(
        values, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=[f"{prefix}{j}" for j in range(values.shape[1])])
    )
    adata.uns["omic_type"] = omic_type
    return adata


def cohort():
    """60 tumours: A (first 30) carry more mutations and more GISTIC alterations; t0 was not sequenced."""
    rng = np.random.default_rng(0)
    ids = [f"t{i}" for i in range(60)]
    in_a = np.arange(60) < 30
    mutations = (rng.random((60, 20)) < np.where(in_a, 0.4, 0.05)[:, None]).astype(float)
    mutations[0] = np.nan
    gistic = np.where(
        rng.random((60, 50)) < np.where(in_a, 0.5, 0.1)[:, None], rng.choice([-2, -1, 1, 2], (60, 50)), 0
    ).astype(float)
    ratios = rng.normal(0, 0.1, (60, 40))
    ratios[:, :10] += 0.6  # 10 of 40 features gained everywhere
    mdata = md.MuData(
        {
            "mut": view(mutations, ids, "mutation", "g"),
            "cn": view(gistic, ids, "copy_number", "c"),
            "seg": view(ratios, ids, "copy_number", "s"),
        }
    )
    return mdata, pd.Series(np.where(in_a, "A", "B"), index=ids), mutations, gistic


def test_burden_and_fraction_altered_per_tumour():
    mdata, _, mutations, gistic = cohort()
    table = tumour_landscape(mdata)
    assert list(table.columns) == ["mutated_genes_mut", "fraction_altered_cn", "fraction_altered_seg"]
    assert np.isnan(table.loc["t0", "mutated_genes_mut"]) and table.loc["t5", "mutated_genes_mut"] == mutations[5].sum()
    assert table.loc["t7", "fraction_altered_cn"] == pytest.approx((gistic[7] != 0).mean())
    assert table["fraction_altered_seg"].between(0.2, 0.3).all()  # the 10 gained of 40, seldom another beyond 0.3
    assert is_gistic(gistic) and not is_gistic(np.array([0.1, -0.4]))


def test_subtypes_are_compared_with_kruskal_wallis_and_medians():
    mdata, subtypes, _, _ = cohort()
    tests = landscape_tests(tumour_landscape(mdata), subtypes).set_index("measure")
    row = tests.loc["mutated_genes_mut"]
    assert row["test"] == "Kruskal-Wallis" and row["q"] < 1e-6 and row["median_A"] > row["median_B"] and row["n"] == 59
    assert tests.loc["fraction_altered_cn", "median_A"] > tests.loc["fraction_altered_cn", "median_B"]


def test_oncoprint_genes_are_the_frequent_then_the_specific_ones():
    mdata, _, mutations, _ = cohort()
    markers = pd.DataFrame(
        {
            "omic": "mut",
            "feature": ["g3", "g19", "g7"],
            "is_marker": [True, True, False],
            "direction": ["up", "up", "up"],
            "combined_rank": [2, 1, 3],
        }
    )
    genes = oncoprint_genes(mdata, "mut", markers, top=2)
    frequent = list(
        pd.Series(np.nanmean(mutations, axis=0), index=[f"g{j}" for j in range(20)])
        .sort_values(ascending=False, kind="stable")
        .index[:2]
    )
    assert genes[:2] == frequent and genes[2:] == [g for g in ["g19", "g3"] if g not in frequent][:2]
