import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from oncomix.markers import find_markers


def cohort(seed=0):
    """Continuous and mutation views; f0 is up in subtype A only, m0 mutated in B only."""
    rng = np.random.default_rng(seed)
    labels = pd.Series(["A"] * 30 + ["B"] * 20 + ["C"] * 25, index=[f"t{i}" for i in range(75)])
    x = rng.normal(size=(75, 5))
    x[:30, 0] += 2.0
    x[5, 3] = np.nan
    mut = (rng.random((75, 4)) < 0.05).astype(float)
    mut[30:50, 0] = rng.random(20) < 0.7
    views = {}
    for name, values, omic_type in (("expr", x, "expression"), ("mut", mut, "mutation")):
        adata = ad.AnnData(values, obs=pd.DataFrame(index=labels.index), var=pd.DataFrame(index=[f"{name[0]}{j}" for j in range(values.shape[1])]))
        adata.uns["omic_type"] = omic_type
        views[name] = adata
    return md.MuData(views), labels


def test_numbers_match_scipy_recomputed_directly():
    mdata, labels = cohort()
    table = find_markers(mdata, labels).set_index(["subtype", "omic", "feature"])
    x = mdata["expr"].X
    a, rest = x[(labels == "A").to_numpy()], x[(labels != "A").to_numpy()]
    welch = stats.ttest_ind(a[:, 0], rest[:, 0], equal_var=False)
    row = table.loc[("A", "expr", "e0")]
    assert np.isclose(row["statistic"], welch.statistic) and np.isclose(row["p"], welch.pvalue)
    assert np.isclose(row["effect"], a[:, 0].mean() - rest[:, 0].mean())
    pooled = np.sqrt(((len(a) - 1) * a[:, 0].var(ddof=1) + (len(rest) - 1) * rest[:, 0].var(ddof=1)) / (len(a) + len(rest) - 2))
    assert np.isclose(row["cohens_d"], (a[:, 0].mean() - rest[:, 0].mean()) / pooled)
    p_all = table.loc["A"].query("omic == 'expr'")["p"]
    np.testing.assert_allclose(table.loc["A"].query("omic == 'expr'")["q"], multipletests(p_all, method="fdr_bh")[1])
    # missing value omitted, not propagated
    b3 = table.loc[("A", "expr", "e3")]
    expected = stats.ttest_ind(a[:, 3], rest[:, 3], equal_var=False, nan_policy="omit")
    assert np.isclose(b3["p"], expected.pvalue) and b3["n_subtype"] == 29
    m = mdata["mut"].X[:, 0]
    in_b = (labels == "B").to_numpy()
    fisher = stats.fisher_exact([[m[in_b].sum(), (1 - m[in_b]).sum()], [m[~in_b].sum(), (1 - m[~in_b]).sum()]])
    row = table.loc[("B", "mut", "m0")]
    assert np.isclose(row["p"], fisher.pvalue) and row["test"] == "Fisher exact" and row["direction"] == "up"


def test_specificity_keeps_a_feature_to_the_subtype_it_marks():
    mdata, labels = cohort()
    table = find_markers(mdata, labels)
    e0 = table[(table["feature"] == "e0")].set_index("subtype")
    assert e0.loc["A", "is_marker"] and e0.loc["A", "rank"] == 1
    # e0 is lower in B than in the rest (A is in the rest) but B does not differ from C: not a marker of B
    assert e0.loc["B", "q"] < 0.05 and not e0.loc["B", "is_marker"]
    m0 = table[(table["feature"] == "m0")].set_index("subtype")
    assert m0.loc["B", "is_marker"] and not m0.loc["A", "is_marker"]
