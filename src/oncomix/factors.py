"""Which MOFA factors define subtypes: variance explained, multimodality and technical covariates.

A factor is left out of clustering when

- it explains less than ``min_factor_r2`` percent of the variance (summed over views);
- it tracks a technical covariate named in ``technical_covariates`` (batch, purity...): the association
  has BH q < ``alpha`` and explains at least ``max_covariate_r2`` of the factor's rank variance;
- it is unimodal (``factor_selection: multimodal``): a one-dimensional Gaussian mixture with 2 or 3
  components does not beat a single Gaussian by more than ``min_bic_gain`` BIC units (10 is "very strong"
  evidence on the Kass-Raftery scale). Unimodal factors capture continuous programmes (immune infiltration,
  proliferation) that would split tumours along gradients. If no factor is multimodal, this rule is waived.

Associations (:func:`covariate_associations`): a numeric covariate is tested with Spearman's rank correlation
(effect: rho, and rho squared as the fraction of rank variance); a categorical one with the Kruskal-Wallis
test (effect: eta squared from H, (H - g + 1) / (n - g), Tomczak & Tomczak 2014). P-values are adjusted by
Benjamini-Hochberg over every factor x covariate pair tested. Tumours missing the covariate are left out of
that test.

Clustering runs in a weighted factor space: each used factor is scaled by the square root of its fraction
of variance explained, so Euclidean distances approximate distances in the denoised, view-scaled data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.mixture import GaussianMixture
from statsmodels.stats.multitest import multipletests

from oncomix.cluster import ClusterOptions, Space, Subtypes, find_subtypes

ASSOCIATION_COLUMNS = ["factor", "covariate", "technical", "test", "n", "effect", "r2", "p", "q"]


@dataclass(frozen=True)
class FactorOptions:
    min_factor_r2: float = 1.0  # percent of variance, summed over views
    factor_selection: str = "multimodal"  # or "all"
    min_bic_gain: float = 10.0
    technical_covariates: tuple[str, ...] = field(default_factory=tuple)
    max_covariate_r2: float = 0.25
    alpha: float = 0.05
    seed: int = 42


def bic_gain(values: np.ndarray, seed: int) -> float:
    """BIC of one Gaussian minus the best BIC of a 2- or 3-component Gaussian mixture (1-D)."""
    x = values.reshape(-1, 1)
    single = GaussianMixture(1, random_state=seed).fit(x).bic(x)
    return float(single - min(GaussianMixture(k, n_init=3, random_state=seed).fit(x).bic(x) for k in (2, 3)))


def _association(factor: pd.Series, covariate: pd.Series) -> dict | None:
    both = pd.concat([factor, covariate], axis=1).dropna()
    if len(both) < 3 or both.iloc[:, 1].nunique() < 2:
        return None
    x, y = both.iloc[:, 0], both.iloc[:, 1]
    if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        rho, p = stats.spearmanr(x, y)
        return {"test": "spearman", "n": len(both), "effect": rho, "r2": rho**2, "p": p}
    h, p, eta2 = kruskal_eta2([x[y == level].to_numpy() for level in y.unique()])
    return {"test": "kruskal", "n": len(both), "effect": eta2, "r2": eta2, "p": p}


def kruskal_eta2(groups: list[np.ndarray]) -> tuple[float, float, float]:
    """Kruskal-Wallis H, its p-value and the effect size eta^2 = (H - k + 1) / (n - k), floored at 0."""
    h, p = stats.kruskal(*groups)
    n = sum(len(g) for g in groups)
    return h, p, max(0.0, (h - len(groups) + 1) / (n - len(groups)))


def covariate_associations(factors: pd.DataFrame, covariates: pd.DataFrame, technical: set[str]) -> pd.DataFrame:
    """Every factor against every sample-sheet column given; BH-adjusted over all tests."""
    rows = []
    for name in covariates.columns:
        for factor in factors.columns:
            result = _association(factors[factor], covariates[name].reindex(factors.index))
            if result is not None:
                rows.append({"factor": factor, "covariate": name, "technical": name in technical, **result})
    table = pd.DataFrame(rows, columns=ASSOCIATION_COLUMNS[:-1])
    table["q"] = multipletests(table["p"], method="fdr_bh")[1] if len(table) else []
    return table[ASSOCIATION_COLUMNS]


def factor_table(factors: pd.DataFrame, r2: pd.DataFrame, associations: pd.DataFrame, options: FactorOptions) -> pd.DataFrame:
    """Per factor: variance explained, multimodality, strongest technical association, used and why not."""
    table = pd.DataFrame({"total_r2": r2.sum(axis=0)}).rename_axis("factor")
    table["bic_gain"] = [bic_gain(factors[f].to_numpy(), options.seed) for f in table.index]
    technical = associations.loc[associations["technical"].astype(bool)].sort_values("r2", ascending=False).drop_duplicates("factor").set_index("factor")
    table["technical_covariate"] = technical["covariate"].reindex(table.index)
    table["technical_r2"] = technical["r2"].reindex(table.index)
    table["technical_q"] = technical["q"].reindex(table.index)
    tracks = (table["technical_q"] < options.alpha) & (table["technical_r2"] >= options.max_covariate_r2)
    weak = table["total_r2"] < options.min_factor_r2
    table["status"] = np.where(weak, "explains too little", np.where(tracks, "tracks " + table["technical_covariate"].fillna(""), "used"))
    unimodal = table["bic_gain"] <= options.min_bic_gain
    if options.factor_selection == "multimodal" and ((table["status"] == "used") & ~unimodal).any():
        table.loc[(table["status"] == "used") & unimodal, "status"] = "unimodal"
    table["used"] = table["status"] == "used"
    return table


def factor_space(factors: pd.DataFrame, table: pd.DataFrame) -> Space:
    """The used factors, each scaled by the square root of its fraction of variance explained."""
    used = table.index[table["used"]]
    if used.empty:
        raise ValueError("no MOFA factor is left for clustering; see clustering_factors.tsv for why each was left out")
    weighted = factors[used] * np.sqrt(table.loc[used, "total_r2"] / 100.0)
    return Space(factors.index, coords=weighted.to_numpy(dtype=float))


@dataclass
class FactorClustering:
    subtypes: Subtypes
    factor_table: pd.DataFrame  # per factor: variance explained, multimodality, technical association, status
    associations: pd.DataFrame  # every factor against every technical covariate and the reference column


def cluster_factors(
    factors: pd.DataFrame, r2: pd.DataFrame, sheet: pd.DataFrame, reference: str | None,
    factor_options: FactorOptions, cluster_options: ClusterOptions,
) -> FactorClustering:
    """Screen the factors against the technical covariates (and the reference labels, for the report), then
    cluster the tumours on the factors that are kept."""
    technical = list(factor_options.technical_covariates)
    covariates = sheet.reindex(factors.index)[list(dict.fromkeys(technical + ([reference] if reference else [])))]
    associations = covariate_associations(factors, covariates, set(technical))
    table = factor_table(factors, r2, associations, factor_options)
    return FactorClustering(find_subtypes(factor_space(factors, table), cluster_options), table, associations)
