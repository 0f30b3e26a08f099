"""Candidate biomarkers per subtype and view, with tests suited to each omic type.

For each subtype s and feature:

* **one-vs-rest**: s against all other tumours. Continuous views: Welch's t-test; copy number: Mann-Whitney U;
  mutations: Fisher's exact test. Gives ``statistic``, ``p`` and ``q`` (Benjamini-Hochberg within view and
  subtype) and the effect with a 95% CI: the difference of means on the view's preprocessed scale (Welch CI),
  or for mutations the log2 odds ratio with a 0.5 Haldane-Anscombe correction (Woolf CI). Also Cohen's d,
  the AUC (probability that a tumour of s has a higher value than one of the rest, ties counting half; from the
  Mann-Whitney U statistic) and the fraction of each group *carrying* the feature: mutated, or beyond the
  cohort's upper quartile (up markers) / lower quartile (down markers).
* **specificity**: the same test of s against each other subtype on its own. ``p_specific`` is the largest of
  these pairwise p-values (intersection-union test: small only if s differs from *every* other subtype), set
  to 1 when a pairwise difference points the other way than the one-vs-rest one; ``q_specific`` is its BH
  adjustment (scran ``findMarkers`` with ``pval.type="all"``). A feature is a marker when ``q_specific < alpha``
  *and* its one-vs-rest effect reaches the view type's floor (``min_effect``: |log2 fold change|, |difference of
  means| or |log2 odds ratio|) and, for continuous views, its AUC is at least ``min_auc`` from the far side of 0.5
  (AUC >= min_auc up, <= 1 - min_auc down): in large cohorts tiny differences are "significant". ``separation``
  is the smallest pairwise Cliff's delta (2 AUC - 1) in the marker's direction, clipped at 0: how well s is
  separated from its closest other subtype, on a scale shared by every view and data type.
* **ranking**: within each subtype, markers first, then by ``separation`` (descending), then ``p_specific``.
  ``rank`` counts within the view, ``combined_rank`` across views.
* **MOFA** (when factors and weights are given): ``mofa_factor`` is the factor whose scores differ most between
  s and the rest (largest absolute difference of means in units of the factor's standard deviation) and
  ``mofa_weight`` the feature's weight on it, signed so that a positive weight means higher in s; NaN for features
  that were not passed to MOFA.
"""

from __future__ import annotations

import itertools
import logging
import warnings
from collections.abc import Mapping

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
from scipy import stats

from oncomix.multitest import bh
from oncomix.omics import OMIC_TYPES

log = logging.getLogger(__name__)
MIN_AUC = 0.6
Z_95 = stats.norm.ppf(0.975)
RANK_BLOCK = 256  # features ranked at a time: bounds the memory of the ranking


def _fisher(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Per-feature Fisher's exact test of 0/1 columns with the Haldane log2 odds ratio and its Woolf 95% CI."""
    a1, a0 = np.nansum(a == 1, axis=0), np.nansum(a == 0, axis=0)
    b1, b0 = np.nansum(b == 1, axis=0), np.nansum(b == 0, axis=0)
    results = [stats.fisher_exact([[a1[j], a0[j]], [b1[j], b0[j]]]) for j in range(a.shape[1])]
    cells = np.array([a1, a0, b1, b0], dtype=float) + 0.5
    log_or = np.log((cells[0] * cells[3]) / (cells[1] * cells[2]))
    half_width = Z_95 * np.sqrt((1.0 / cells).sum(axis=0))
    return {
        "test": "Fisher exact",
        "statistic": np.array([r.statistic for r in results]),
        "p": np.array([r.pvalue for r in results]),
        "effect": log_or / np.log(2),
        "ci_low": (log_or - half_width) / np.log(2),
        "ci_high": (log_or + half_width) / np.log(2),
        "cohens_d": np.nan,
    }


def _continuous(a: np.ndarray, b: np.ndarray, marker_test: str, policy: str) -> dict[str, np.ndarray]:
    """Welch's t-test or Mann-Whitney U (the type's ``marker_test``), difference of means with its Welch 95% CI,
    Cohen's d."""
    welch = stats.ttest_ind(a, b, equal_var=False, axis=0, nan_policy=policy)
    interval = welch.confidence_interval(0.95)
    mean_a, mean_b = np.nanmean(a, axis=0), np.nanmean(b, axis=0)
    n_a, n_b = np.isfinite(a).sum(axis=0), np.isfinite(b).sum(axis=0)
    pooled = np.sqrt(
        ((n_a - 1) * np.nanvar(a, axis=0, ddof=1) + (n_b - 1) * np.nanvar(b, axis=0, ddof=1)) / (n_a + n_b - 2)
    )
    result, test = (
        (stats.mannwhitneyu(a, b, axis=0, nan_policy=policy), "Mann-Whitney U")
        if marker_test == "mann-whitney"
        else (welch, "Welch t")
    )
    return {
        "test": test,
        "statistic": np.asarray(result.statistic),
        "p": np.asarray(result.pvalue),
        "effect": mean_a - mean_b,
        "ci_low": np.asarray(interval.low),
        "ci_high": np.asarray(interval.high),
        "cohens_d": (mean_a - mean_b) / pooled,
    }


def midranks(x: np.ndarray) -> np.ndarray:
    """Per feature (column), the ranks of its values, ties sharing their mean rank; NaN stays NaN."""
    ranks = np.empty(x.shape)
    for i in range(0, x.shape[1], RANK_BLOCK):
        ranks[:, i : i + RANK_BLOCK] = stats.rankdata(x[:, i : i + RANK_BLOCK], axis=0, nan_policy="omit")
    return ranks


def auc_from_ranks(ranks: np.ndarray, in_a: np.ndarray) -> np.ndarray:
    """Per feature, P(a > b) + P(a = b) / 2 for the rows ``in_a`` against the others, from mid-ranks over
    both: the Mann-Whitney U of a, sum of a's ranks - n_a (n_a + 1) / 2, over n_a n_b."""
    n_a, n_b = np.isfinite(ranks[in_a]).sum(axis=0), np.isfinite(ranks[~in_a]).sum(axis=0)
    return (np.nansum(ranks[in_a], axis=0) - n_a * (n_a + 1) / 2) / (n_a * n_b)


def auc(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per feature, P(a > b) + P(a = b) / 2 (NaN values omitted)."""
    return auc_from_ranks(midranks(np.vstack([a, b])), np.arange(len(a) + len(b)) < len(a))


def compare(a: np.ndarray, b: np.ndarray, omic_type: str) -> pd.DataFrame:
    """Test every feature (column) of group ``a`` against group ``b`` (rows = tumours; NaN = missing)."""
    policy = "omit" if np.isnan(a).any() or np.isnan(b).any() else "propagate"
    marker_test = OMIC_TYPES[omic_type].marker_test
    return pd.DataFrame(_fisher(a, b) if marker_test == "fisher" else _continuous(a, b, marker_test, policy))


def _carrying(x: np.ndarray, quartiles: np.ndarray, up: np.ndarray, omic_type: str) -> np.ndarray:
    """Per tumour and feature, whether the tumour carries the feature (see the module docstring);
    ``quartiles`` holds each feature's lower and upper quartile over the cohort."""
    if OMIC_TYPES[omic_type].binary:
        return x == 1
    return np.where(up, x > quartiles[1], x < quartiles[0])


def _summaries(
    x: np.ndarray, quartiles: np.ndarray, in_s: np.ndarray, rest: np.ndarray, up: np.ndarray, omic_type: str
) -> dict[str, np.ndarray]:
    a, b = x[in_s], x[rest]
    carrying = _carrying(x, quartiles, up, omic_type)
    return {
        "mean_subtype": np.nanmean(a, axis=0),
        "mean_rest": np.nanmean(b, axis=0),
        "fraction_subtype": carrying[in_s].sum(axis=0) / np.isfinite(a).sum(axis=0),
        "fraction_rest": carrying[rest].sum(axis=0) / np.isfinite(b).sum(axis=0),
        "n_subtype": np.isfinite(a).sum(axis=0),
        "n_rest": np.isfinite(b).sum(axis=0),
        "missing_fraction": 1.0 - np.isfinite(np.vstack([a, b])).mean(axis=0),
    }


def pairwise_tests(x: np.ndarray, labels: pd.Series, omic_type: str) -> dict[tuple[str, str], pd.DataFrame]:
    """Per ordered pair of subtypes (s, o), every feature's effect, p-value and AUC of s against o. Each
    unordered pair is tested once: o against s has the opposite effect, the same (two-sided) p-value and
    1 minus the AUC."""
    pairs = {}
    for s, o in itertools.combinations(sorted(labels.dropna().unique()), 2):
        a, b = x[(labels == s).to_numpy()], x[(labels == o).to_numpy()]
        pairs[s, o] = compare(a, b, omic_type)[["effect", "p"]].assign(auc=auc(a, b))
        pairs[o, s] = pairs[s, o].assign(effect=-pairs[s, o]["effect"], auc=1.0 - pairs[s, o]["auc"])
    return pairs


def _specificity(
    pairs: dict[tuple[str, str], pd.DataFrame], subtype: str, direction: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Intersection-union p-value (largest pairwise p, 1 if a direction flips) and the smallest pairwise
    Cliff's delta in the marker's direction (clipped at 0); ``pairs`` from :func:`pairwise_tests`."""
    worst_p, separation = np.zeros(len(direction)), np.ones(len(direction))
    for (s, _), pair in pairs.items():
        if s != subtype:
            continue
        agrees = np.sign(pair["effect"].to_numpy()) == direction
        worst_p = np.fmax(worst_p, np.nan_to_num(np.where(agrees, pair["p"].to_numpy(), 1.0), nan=1.0))
        delta = direction * (2 * pair["auc"].to_numpy() - 1)
        separation = np.fmin(separation, np.nan_to_num(np.clip(delta, 0, None), nan=0.0))
    return worst_p, separation


def view_markers(
    view: ad.AnnData, labels: pd.Series, alpha: float, min_effect: float = 0.0, min_auc: float = 0.5
) -> pd.DataFrame:
    """All features of one view tested for every subtype; markers pass ``alpha`` and the floors."""
    omic_type = view.uns["omic_type"]
    labels = labels.reindex(view.obs_names)
    x = np.asarray(view.X, dtype=float)
    labelled = labels.notna().to_numpy()
    quartiles = np.nanquantile(x, [0.25, 0.75], axis=0)
    tables = []
    # constant or too-small groups give NaN p-values (counted as untestable), not errors
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ranks = midranks(x[labelled])  # one ranking serves every subtype against the rest
        pairs = pairwise_tests(x, labels, omic_type)
        for subtype in sorted(labels.dropna().unique()):
            in_s = (labels == subtype).to_numpy()
            rest = ~in_s & labelled
            table = compare(x[in_s], x[rest], omic_type).assign(auc=auc_from_ranks(ranks, in_s[labelled]))
            direction = np.where(table["effect"].to_numpy() >= 0, 1, -1)
            table = table.assign(**_summaries(x, quartiles, in_s, rest, direction > 0, omic_type))
            table["p_specific"], table["separation"] = _specificity(pairs, subtype, direction)
            table.insert(0, "feature", view.var_names.to_numpy())
            table.insert(0, "subtype", subtype)
            tables.append(table)
    out = pd.concat(tables, ignore_index=True)
    out["q"] = out.groupby("subtype")["p"].transform(bh)
    out["q_specific"] = out.groupby("subtype")["p_specific"].transform(bh)
    out["direction"] = np.where(out["effect"] >= 0, "up", "down")
    out["passes_floor"] = out["effect"].abs() >= min_effect
    if not OMIC_TYPES[omic_type].binary:  # a mutation's AUC is bounded by how common it is; its floor is the odds ratio
        out["passes_floor"] &= np.where(out["direction"] == "up", out["auc"] >= min_auc, out["auc"] <= 1 - min_auc)
    out["is_marker"] = (out["q_specific"] < alpha) & out["passes_floor"]
    out["effect_type"] = OMIC_TYPES[omic_type].effect_label
    return out


def rank_markers(table: pd.DataFrame) -> pd.DataFrame:
    """Order each subtype's rows (markers first, then separation, then p_specific); number them within view
    (``rank``) and across views (``combined_rank``)."""
    table = table.sort_values(
        ["subtype", "is_marker", "separation", "p_specific"], ascending=[True, False, False, True], kind="stable"
    )
    table["combined_rank"] = table.groupby("subtype").cumcount() + 1
    table["rank"] = table.groupby(["subtype", "omic"]).cumcount() + 1
    return table.reset_index(drop=True)


def mofa_evidence(factors: pd.DataFrame, weights: pd.DataFrame, subtypes: pd.Series) -> pd.DataFrame:
    """Per subtype, view and feature: the factor separating the subtype best and the feature's signed weight
    on it (``weights`` in the long layout of ``weights.tsv``: view, feature, factor, weight)."""
    labels = subtypes.reindex(factors.index)
    rows = []
    for subtype in sorted(labels.dropna().unique()):
        in_s = (labels == subtype).to_numpy()
        a, b = factors[in_s], factors[~in_s & labels.notna().to_numpy()]
        d = ((a.mean() - b.mean()) / factors.std()).fillna(0.0)  # standardised by the factor's SD over all tumours
        best = d.abs().idxmax()
        on_best = weights[weights["factor"] == best]
        rows.append(
            pd.DataFrame(
                {
                    "subtype": subtype,
                    "omic": on_best["view"].to_numpy(),
                    "feature": on_best["feature"].to_numpy(),
                    "mofa_factor": best,
                    "mofa_weight": np.sign(d[best]) * on_best["weight"].to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


COLUMNS = [
    "subtype",
    "omic",
    "feature",
    "rank",
    "combined_rank",
    "is_marker",
    "passes_floor",
    "direction",
    "effect",
    "ci_low",
    "ci_high",
    "effect_type",
    "cohens_d",
    "auc",
    "separation",
    "test",
    "statistic",
    "p",
    "q",
    "p_specific",
    "q_specific",
    "mean_subtype",
    "mean_rest",
    "fraction_subtype",
    "fraction_rest",
    "n_subtype",
    "n_rest",
    "missing_fraction",
    "mofa_factor",
    "mofa_weight",
]


def find_markers(
    mdata: md.MuData,
    subtypes: pd.Series,
    alpha: float = 0.05,
    factors: pd.DataFrame | None = None,
    weights: pd.DataFrame | None = None,
    min_effect: Mapping[str, float] | None = None,
    min_auc: float = MIN_AUC,
) -> pd.DataFrame:
    """Marker evidence for every view, subtype and feature, ranked, in the ``biomarkers.tsv`` layout;
    ``min_effect`` overrides the types' default floors (``OmicType.min_effect``) per view type."""
    floors = {name: omic.min_effect for name, omic in OMIC_TYPES.items()} | dict(min_effect or {})
    tables = []
    for name in mdata.mod:
        tables.append(
            view_markers(mdata[name], subtypes, alpha, floors[mdata[name].uns["omic_type"]], min_auc).assign(omic=name)
        )
        log.info("view %s: %d features tested in %d subtypes", name, mdata[name].n_vars, subtypes.nunique())
    table = pd.concat(tables, ignore_index=True)
    if factors is not None and weights is not None:
        table = table.merge(mofa_evidence(factors, weights, subtypes), on=["subtype", "omic", "feature"], how="left")
    else:
        table = table.assign(mofa_factor=pd.NA, mofa_weight=np.nan)
    return rank_markers(table)[COLUMNS]
