from importlib.resources import files

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import yaml
from scipy import stats
from statsmodels.stats.multitest import multipletests

from oncomix import markers
from oncomix.markers import find_markers
from oncomix.omics import OMIC_TYPES


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
        adata = ad.AnnData(
            values,
            obs=pd.DataFrame(index=labels.index),
            var=pd.DataFrame(index=[f"{name[0]}{j}" for j in range(values.shape[1])]),
        )
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
    pooled = np.sqrt(
        ((len(a) - 1) * a[:, 0].var(ddof=1) + (len(rest) - 1) * rest[:, 0].var(ddof=1)) / (len(a) + len(rest) - 2)
    )
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


def test_intervals_auc_fractions_and_separation_match_scipy_recomputed_directly():
    mdata, labels = cohort()
    table = find_markers(mdata, labels).set_index(["subtype", "omic", "feature"])
    x = mdata["expr"].X
    in_a = (labels == "A").to_numpy()
    row = table.loc[("A", "expr", "e0")]
    interval = stats.ttest_ind(x[in_a, 0], x[~in_a, 0], equal_var=False).confidence_interval(0.95)
    assert np.isclose(row["ci_low"], interval.low) and np.isclose(row["ci_high"], interval.high)
    u = stats.mannwhitneyu(x[in_a, 0], x[~in_a, 0]).statistic
    assert np.isclose(row["auc"], u / (in_a.sum() * (~in_a).sum()))
    upper = np.quantile(x[:, 0], 0.75)
    assert np.isclose(row["fraction_subtype"], (x[in_a, 0] > upper).mean()) and np.isclose(
        row["fraction_rest"], (x[~in_a, 0] > upper).mean()
    )
    deltas = [
        2
        * stats.mannwhitneyu(x[in_a, 0], x[(labels == other).to_numpy(), 0]).statistic
        / (in_a.sum() * (labels == other).sum())
        - 1
        for other in ("B", "C")
    ]
    assert np.isclose(row["separation"], min(deltas))
    # mutation: Haldane-corrected log2 odds ratio with Woolf's interval
    m = mdata["mut"].X[:, 0]
    in_b = (labels == "B").to_numpy()
    cells = np.array([m[in_b].sum(), (1 - m[in_b]).sum(), m[~in_b].sum(), (1 - m[~in_b]).sum()]) + 0.5
    log_or = np.log(cells[0] * cells[3] / (cells[1] * cells[2]))
    half = stats.norm.ppf(0.975) * np.sqrt((1 / cells).sum())
    row = table.loc[("B", "mut", "m0")]
    assert np.isclose(row["effect"], log_or / np.log(2))
    assert np.isclose(row["ci_low"], (log_or - half) / np.log(2)) and np.isclose(
        row["ci_high"], (log_or + half) / np.log(2)
    )
    assert np.isclose(row["fraction_subtype"], m[in_b].mean())


def scipy_auc(a, b):
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    return stats.mannwhitneyu(a, b).statistic / (len(a) * len(b))


def test_auc_and_separation_of_every_feature_match_scipy_across_rank_blocks(monkeypatch):
    monkeypatch.setattr(markers, "RANK_BLOCK", 2)  # features ranked two at a time
    mdata, labels = cohort()
    table = find_markers(mdata, labels)
    for row in table.itertuples():
        x = mdata[row.omic][:, row.feature].X.ravel()
        group = {name: x[(labels == name).to_numpy()] for name in labels.unique()}
        assert np.isclose(row.auc, scipy_auc(group[row.subtype], x[(labels != row.subtype).to_numpy()]))
        sign = 1 if row.direction == "up" else -1
        deltas = [
            sign * (2 * scipy_auc(group[row.subtype], group[other]) - 1) for other in group if other != row.subtype
        ]
        assert np.isclose(row.separation, max(min(deltas), 0.0)), (row.subtype, row.feature)


def test_ranking_puts_markers_first_by_separation_within_and_across_views():
    mdata, labels = cohort()
    table = find_markers(mdata, labels)
    for _, rows in table.groupby("subtype"):
        assert list(rows["combined_rank"]) == list(range(1, len(rows) + 1))
        markers = rows[rows["is_marker"]]
        if markers.empty:
            continue
        assert markers["combined_rank"].max() < rows.loc[~rows["is_marker"], "combined_rank"].min()
        assert markers["separation"].is_monotonic_decreasing
        for _, view_rows in rows.groupby("omic"):
            assert sorted(view_rows["rank"]) == list(range(1, len(view_rows) + 1))
    assert table["is_marker"].any()


def test_mofa_evidence_takes_the_factor_that_separates_the_subtype():
    mdata, labels = cohort()
    rng = np.random.default_rng(1)
    factors = pd.DataFrame(rng.normal(size=(75, 2)), index=labels.index, columns=["Factor1", "Factor2"])
    factors.loc[labels == "A", "Factor2"] -= 3.0  # A is low on Factor2
    weights = pd.DataFrame(
        {
            "view": "expr",
            "feature": ["e0", "e0", "e1", "e1"],
            "factor": ["Factor1", "Factor2"] * 2,
            "weight": [0.1, -0.8, 0.5, 0.05],
        }
    )
    table = find_markers(mdata, labels, factors=factors, weights=weights).set_index(["subtype", "omic", "feature"])
    row = table.loc[("A", "expr", "e0")]
    assert row["mofa_factor"] == "Factor2" and np.isclose(
        row["mofa_weight"], 0.8
    )  # low factor x negative weight = higher in A
    assert np.isnan(table.loc[("A", "mut", "m0"), "mofa_weight"])  # not passed to MOFA


def test_a_significant_difference_below_the_effect_floor_is_not_a_marker():
    """With 2,000 tumours a shift of 0.1 log2 units is significant, but is no marker; the floors can be changed."""
    rng = np.random.default_rng(3)
    labels = pd.Series(np.repeat(["A", "B"], 1000), index=[f"t{i}" for i in range(2000)])
    x = rng.normal(size=(2000, 2))
    x[:1000, 0] += 0.2  # tiny, but significant at this size
    x[:1000, 1] += 1.5  # large
    rna = ad.AnnData(x, obs=pd.DataFrame(index=labels.index), var=pd.DataFrame(index=["small", "large"]))
    rna.uns["omic_type"] = "expression"
    table = find_markers(md.MuData({"rna": rna}), labels).set_index(["subtype", "feature"])
    assert table.loc[("A", "small"), "q_specific"] < 1e-3 and not table.loc[("A", "small"), "is_marker"]
    assert table.loc[("A", "large"), "is_marker"] and OMIC_TYPES["expression"].min_effect == 0.5
    no_floor = find_markers(md.MuData({"rna": rna}), labels, min_effect={"expression": 0.0}, min_auc=0.5).set_index(
        ["subtype", "feature"]
    )
    assert no_floor.loc[("A", "small"), "is_marker"]


def test_the_schema_holds_the_same_floors_as_the_code():
    schema = yaml.safe_load((files("oncomix") / "schemas" / "config.schema.yaml").read_text())["properties"]["markers"][
        "properties"
    ]
    assert schema["min_auc"]["default"] == markers.MIN_AUC  # the effect floors: tests/test_omics.py


def test_each_floor_counts_and_the_auc_floor_follows_the_direction():
    """A shift past the effect floor with an AUC near 0.5 is no marker, nor a mean raised by a few outliers while
    most tumours of the subtype are lower (AUC below 0.5 for an "up" difference)."""
    rng = np.random.default_rng(5)
    labels = pd.Series(np.repeat(["A", "B"], 1000), index=[f"t{i}" for i in range(2000)])
    wide = rng.normal(0, 5, 2000) + np.where(labels == "A", 0.8, 0.0)
    skewed = np.where(labels == "A", np.where(rng.random(2000) < 0.1, 10.0, -0.3), 0.0) + rng.normal(0, 0.3, 2000)
    view = ad.AnnData(
        np.column_stack([wide, skewed]),
        obs=pd.DataFrame(index=labels.index),
        var=pd.DataFrame(index=["wide", "skewed"]),
    )
    view.uns["omic_type"] = "expression"
    table = find_markers(md.MuData({"rna": view}), labels).set_index(["subtype", "feature"])
    wide_row, skewed_row = table.loc[("A", "wide")], table.loc[("A", "skewed")]
    assert (
        wide_row["effect"] >= 0.5
        and wide_row["auc"] < 0.6
        and wide_row["q_specific"] < 0.05
        and not wide_row["is_marker"]
    )
    assert skewed_row["direction"] == "up" and skewed_row["auc"] < 0.5 and skewed_row["q_specific"] < 0.05
    assert not skewed_row["passes_floor"] and not skewed_row["is_marker"]
