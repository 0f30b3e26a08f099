"""Candidate biomarkers per subtype and view, with tests suited to each omic type.

For each subtype s and feature:

* **one-vs-rest**: s against all other tumours. Continuous views: Welch's t-test; copy number: Mann-Whitney U;
  mutations: Fisher's exact test. Gives ``statistic``, ``p`` and ``q`` (Benjamini-Hochberg within view and
  subtype), the effect (difference of means on the view's preprocessed scale, or log2 odds ratio with a 0.5
  Haldane-Anscombe correction for mutations) and, for continuous views, Cohen's d.
* **specificity**: the same test of s against each other subtype on its own. ``p_specific`` is the largest of
  these pairwise p-values (intersection-union test: small only if s differs from *every* other subtype), set
  to 1 when a pairwise difference points the other way than the one-vs-rest one. ``q_specific`` is its BH
  adjustment. A feature is a marker when ``q_specific < alpha``; markers are ranked by ``p_specific``, then
  by absolute effect. This is the ``pval.type="all"`` approach of scran's ``findMarkers``: a feature that is
  high in one subtype is not reported as a "down" marker of every other subtype.
"""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

EFFECT_TYPES = {
    "rna_counts": "log2 fold change (log2 CPM)",
    "mirna_counts": "log2 fold change (log2 CPM)",
    "metabolite": "log2 fold change",
    "methylation": "M-value difference",
    "mutation": "log2 odds ratio",
}
DEFAULT_EFFECT_TYPE = "difference of means"


def _fisher(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-feature Fisher's exact test of 0/1 columns; returns odds ratio, p, Haldane log2 odds ratio."""
    n_features = a.shape[1]
    odds, p = np.empty(n_features), np.empty(n_features)
    a1, a0 = np.nansum(a == 1, axis=0), np.nansum(a == 0, axis=0)
    b1, b0 = np.nansum(b == 1, axis=0), np.nansum(b == 0, axis=0)
    for j in range(n_features):
        result = stats.fisher_exact([[a1[j], a0[j]], [b1[j], b0[j]]])
        odds[j], p[j] = result.statistic, result.pvalue
    log2_or = np.log2(((a1 + 0.5) * (b0 + 0.5)) / ((a0 + 0.5) * (b1 + 0.5)))
    return odds, p, log2_or


def compare(a: np.ndarray, b: np.ndarray, omic_type: str) -> pd.DataFrame:
    """Test every feature (column) of group ``a`` against group ``b`` (rows = tumours; NaN = missing)."""
    policy = "omit" if np.isnan(a).any() or np.isnan(b).any() else "propagate"
    if omic_type == "mutation":
        statistic, p, effect = _fisher(a, b)
        return pd.DataFrame({"test": "Fisher exact", "statistic": statistic, "p": p, "effect": effect, "cohens_d": np.nan})
    mean_a, mean_b = np.nanmean(a, axis=0), np.nanmean(b, axis=0)
    n_a, n_b = np.isfinite(a).sum(axis=0), np.isfinite(b).sum(axis=0)
    pooled = np.sqrt(((n_a - 1) * np.nanvar(a, axis=0, ddof=1) + (n_b - 1) * np.nanvar(b, axis=0, ddof=1)) / (n_a + n_b - 2))
    if omic_type == "copy_number":
        result, test = stats.mannwhitneyu(a, b, axis=0, nan_policy=policy), "Mann-Whitney U"
    else:
        result, test = stats.ttest_ind(a, b, equal_var=False, axis=0, nan_policy=policy), "Welch t"
    with np.errstate(invalid="ignore", divide="ignore"):
        d = (mean_a - mean_b) / pooled
    return pd.DataFrame({"test": test, "statistic": np.asarray(result.statistic), "p": np.asarray(result.pvalue), "effect": mean_a - mean_b, "cohens_d": d})


def _bh(p: pd.Series) -> np.ndarray:
    q = np.full(len(p), np.nan)
    ok = p.notna().to_numpy()
    if ok.any():
        q[ok] = multipletests(p[ok], method="fdr_bh")[1]
    return q


def _summaries(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "mean_subtype": np.nanmean(a, axis=0),
        "mean_rest": np.nanmean(b, axis=0),
        "n_subtype": np.isfinite(a).sum(axis=0),
        "n_rest": np.isfinite(b).sum(axis=0),
        "missing_fraction": 1.0 - np.isfinite(np.vstack([a, b])).mean(axis=0),
    }


def view_markers(view: ad.AnnData, labels: pd.Series, alpha: float) -> pd.DataFrame:
    """All features of one view tested for every subtype; rows ranked within subtype."""
    omic_type = view.uns["omic_type"]
    labels = labels.reindex(view.obs_names)
    x = np.asarray(view.X, dtype=float)
    labelled = labels.notna().to_numpy()
    tables = []
    # constant or too-small groups give NaN p-values (counted as untestable), not errors
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for subtype in sorted(labels.dropna().unique()):
            in_s = (labels == subtype).to_numpy()
            rest = ~in_s & labelled
            table = compare(x[in_s], x[rest], omic_type).assign(**_summaries(x[in_s], x[rest]))
            table["p_specific"] = _specificity(x, labels, subtype, omic_type, np.sign(table["effect"].to_numpy()))
            table.insert(0, "feature", view.var_names.to_numpy())
            table.insert(0, "subtype", subtype)
            tables.append(_rank(table, alpha))
    out = pd.concat(tables, ignore_index=True)
    out["effect_type"] = EFFECT_TYPES.get(omic_type, DEFAULT_EFFECT_TYPE)
    return out


def _specificity(x: np.ndarray, labels: pd.Series, subtype: str, omic_type: str, direction: np.ndarray) -> np.ndarray:
    """Intersection-union p-value: the largest pairwise p against each other subtype, 1 if a direction flips."""
    worst = np.zeros(x.shape[1])
    in_s = (labels == subtype).to_numpy()
    for other in labels.dropna().unique():
        if other == subtype:
            continue
        pair = compare(x[in_s], x[(labels == other).to_numpy()], omic_type)
        p = pair["p"].to_numpy()
        p = np.where(np.sign(pair["effect"].to_numpy()) == direction, p, 1.0)
        worst = np.fmax(worst, np.nan_to_num(p, nan=1.0))
    return worst


def _rank(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    table["q"] = _bh(table["p"])
    table["q_specific"] = _bh(table["p_specific"])
    table["direction"] = np.where(table["effect"] >= 0, "up", "down")
    table["is_marker"] = table["q_specific"] < alpha
    order = np.lexsort((-table["effect"].abs().fillna(0).to_numpy(), table["p_specific"].to_numpy(), ~table["is_marker"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table


COLUMNS = [
    "subtype", "omic", "feature", "rank", "is_marker", "direction", "effect", "effect_type", "cohens_d",
    "test", "statistic", "p", "q", "p_specific", "q_specific", "mean_subtype", "mean_rest",
    "n_subtype", "n_rest", "missing_fraction",
]


def find_markers(mdata: md.MuData, subtypes: pd.Series, alpha: float = 0.05) -> pd.DataFrame:
    """Marker evidence for every view, subtype and feature, in the ``biomarkers.tsv`` layout."""
    tables = [view_markers(mdata[name], subtypes, alpha).assign(omic=name) for name in mdata.mod]
    return pd.concat(tables, ignore_index=True)[COLUMNS]
