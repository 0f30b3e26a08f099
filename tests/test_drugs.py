"""Drug response: columns by name or pattern, group associations, response markers; the known positive controls of
the shared CCLE cohort (lapatinib with HER2, erlotinib with EGFR, PLX4720 in melanoma lines)."""

from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from oncomix.drugs import drug_columns, group_associations, oriented, response_markers
from oncomix.errors import OncomixInputError
from oncomix.ingest import ingest
from oncomix.preprocess import PreprocessOptions, preprocess
from oncomix.readers import ViewSpec

CCLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "ccle_metabolomics"  # beside the checkout


def test_columns_by_name_or_pattern_and_clear_errors():
    sheet = pd.DataFrame({"actarea_a": np.arange(12.0), "actarea_b": 2.0, "ic50_a": np.arange(12.0) + 3, "site": "x"})
    assert drug_columns(sheet, ["actarea_*"]) == ["actarea_a", "actarea_b"]
    assert drug_columns(sheet, ["ic50_a", "actarea_a"]) == ["actarea_a", "ic50_a"]  # sheet order
    with pytest.raises(OncomixInputError, match=r"'auc_\*' match no sample-sheet column \(columns are actarea_a"):
        drug_columns(sheet, ["auc_*"])
    with pytest.raises(OncomixInputError, match=r"column\(s\) 'site' hold text, not responses"):
        drug_columns(sheet, ["site"])
    assert oriented(sheet, ["ic50_a"], "resistance")["ic50_a"].iloc[0] == -3.0  # a lower IC50 is more response


def cohort(seed=0):
    """100 tumours; group A (40) responds more to drug x; feature f0 tracks x's response, f1 does not."""
    rng = np.random.default_rng(seed)
    ids = [f"t{i}" for i in range(100)]
    groups = pd.Series(np.repeat(["A", "B"], [40, 60]), index=ids)
    response = pd.DataFrame({"x": rng.normal(0, 1, 100) + 1.5 * (groups == "A"), "y": rng.normal(0, 1, 100)}, index=ids)
    response.iloc[:3, 0] = np.nan
    values = np.column_stack([response["x"].fillna(0) + rng.normal(0, 0.5, 100), rng.normal(0, 1, 100)])
    values[5, 0] = np.nan
    view = ad.AnnData(values, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["f0", "f1"]))
    view.uns["omic_type"] = "protein"
    return md.MuData({"prot": view}), groups, response


def test_groups_are_compared_with_mann_whitney_and_the_responders_named():
    _, groups, response = cohort()
    table = group_associations(response, groups, "subtype").set_index(["drug", "group"])
    row = table.loc[("x", "A")]
    a, b = response["x"][groups == "A"].dropna(), response["x"][groups == "B"].dropna()
    u, p = stats.mannwhitneyu(a, b)
    assert (
        row["p"] == pytest.approx(p)
        and row["auc"] == pytest.approx(u / (len(a) * len(b)))
        and row["responds"] == "more"
    )
    assert row["n_group"] == 37 and row["q"] < 1e-6 and table.loc[("x", "B"), "responds"] == "less"
    assert table.loc[("y", "A"), "q"] > 0.05


def test_a_resistance_measure_is_turned_and_its_medians_stay_in_its_units(caplog):
    """IC50: a lower value is more response; a drug measured in too few tumours, or constant, is named and skipped."""
    _, groups, response = cohort()
    sheet = pd.DataFrame(
        {"ic50_x": np.exp(-response["x"]), "ic50_rare": np.nan, "ic50_flat": 8.0}, index=response.index
    )
    sheet.iloc[:5, 1] = 1.0
    with caplog.at_level("WARNING"):
        turned = oriented(sheet, ["ic50_x", "ic50_rare", "ic50_flat"], "resistance")
    assert list(turned.columns) == ["ic50_x"] and "ic50_rare, ic50_flat not tested" in caplog.text
    row = group_associations(turned, groups, "subtype", units=-1.0).set_index("group").loc["A"]
    assert row["responds"] == "more" and row["median_group"] == pytest.approx(
        sheet.loc[groups == "A", "ic50_x"].median()
    )
    assert row["median_group"] < row["median_rest"]  # responders have the lower IC50


def test_response_markers_are_spearman_over_the_tumours_with_both():
    mdata, _, response = cohort()
    markers = response_markers(mdata, response)
    top = markers[markers["drug"] == "x"].iloc[0]
    both = pd.DataFrame({"f": mdata["prot"].X[:, 0], "r": response["x"].to_numpy()}).dropna()
    rho, p = stats.spearmanr(both["f"], both["r"])
    assert top["feature"] == "f0" and top["rank"] == 1 and top["n"] == 96
    assert top["rho"] == pytest.approx(rho) and top["p"] == pytest.approx(p, rel=1e-6) and top["q"] < 1e-10
    assert markers.set_index(["drug", "feature"]).loc[("x", "f1"), "q"] > 0.05


def test_adjusted_response_markers_are_the_rank_regression_given_the_lineage():
    rng = np.random.default_rng(0)
    lineage = pd.Series(np.repeat(["a", "b", "c"], 40), index=[f"t{i}" for i in range(120)], name="lineage")
    effect = lineage.map({"a": 0.0, "b": 2.0, "c": 4.0}).to_numpy()
    within = rng.normal(size=120)
    response = pd.DataFrame({"x": effect + within + rng.normal(scale=0.5, size=120)}, index=lineage.index)
    values = np.column_stack([effect + rng.normal(size=120), within, within + rng.normal(scale=0.5, size=120)])
    values[:15, 2] = np.nan  # a feature measured in 105 tumours
    values = np.column_stack([values, np.ones(120), effect])  # constant; the lineage itself
    view = ad.AnnData(
        values,
        obs=pd.DataFrame(index=lineage.index),
        var=pd.DataFrame(index=["lineage_only", "f1", "f2", "constant", "lineage"]),
    )
    mdata = md.MuData({"prot": view})
    plain = response_markers(mdata, response).set_index("feature")
    adjusted = response_markers(mdata, response, lineage.to_frame()).set_index("feature")
    assert plain.loc["lineage_only", "q"] < 1e-6 and adjusted.loc["lineage_only", "p"] > 0.01  # marks the lineage only
    assert adjusted.loc["f1", "q"] < 1e-6 and set(adjusted["adjusted_for"]) == {"lineage"}
    assert "lineage" in plain.index and not {"constant", "lineage"} & set(adjusted.index)  # nothing left to correlate
    for feature in ("f1", "f2"):  # the p of the feature's coefficient in the rank regression on feature and lineage
        measured = ~np.isnan(view[:, feature].X.ravel())
        ranks = pd.DataFrame(
            {
                "y": stats.rankdata(response["x"][measured]),
                "f": stats.rankdata(view[measured, feature].X.ravel()),
                "lineage": lineage[measured].to_numpy(),
            }
        )
        fit = smf.ols("y ~ f + C(lineage)", data=ranks).fit()
        assert adjusted.loc[feature, "p"] == pytest.approx(fit.pvalues["f"], rel=1e-8)
        assert adjusted.loc[feature, "n"] == measured.sum()


def test_the_known_drug_responses_of_the_shared_ccle_lines_come_out():
    assert CCLE.is_dir(), f"{CCLE} is missing: the test reads the shared CCLE cohort beside the checkout"
    views = [ViewSpec("rppa", CCLE / "rppa.tsv.gz", "protein")]
    mdata, _ = ingest(CCLE / "samples.tsv", views)
    mdata = preprocess(mdata, {"rppa": PreprocessOptions()})
    response = oriented(mdata.obs, drug_columns(mdata.obs, ["actarea_*"]), "response")
    markers = response_markers(mdata, response)
    top = {drug: rows.head(10) for drug, rows in markers.groupby("drug")}
    assert any(top["actarea_lapatinib"]["feature"].str.startswith("HER2") & (top["actarea_lapatinib"]["q"] < 0.05))
    assert "EGFR_pY1068_Caution" in set(top["actarea_erlotinib"].query("q < 0.05")["feature"])
    within = response_markers(mdata, response[["actarea_lapatinib"]], mdata.obs[["site_primary"]]).head(10)
    assert any(within["feature"].str.startswith("HER2") & (within["q"] < 0.05))  # within lineages too
    lineage = group_associations(
        response[["actarea_plx4720"]], mdata.obs["site_primary"].astype(object), "site_primary"
    )
    best = lineage.sort_values("p").iloc[0]
    assert best["group"] == "skin" and best["responds"] == "more" and best["auc"] > 0.8 and best["p"] < 1e-10
