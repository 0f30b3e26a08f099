"""Which MOFA factors define subtypes: variance explained, multimodality and technical covariates.

A factor is left out of clustering when

- it explains less than ``min_factor_r2`` percent of the variance (summed over views);
- it tracks a technical covariate named in ``technical_covariates`` (batch, purity...): the association
  has BH q < ``alpha`` and explains at least ``max_covariate_r2`` of the factor's rank variance;
- it is unimodal (``factor_selection: multimodal``): a one-dimensional Gaussian mixture with 2 or 3
  components does not beat a single Gaussian by more than ``min_bic_gain`` BIC units (10 is "very strong"
  evidence on the Kass-Raftery scale). Unimodal factors capture continuous programmes (immune infiltration,
  proliferation) that would split tumours along gradients. If no factor is multimodal, this rule is waived.
- it is Gaussian (``factor_selection: non_gaussian``): D'Agostino and Pearson's test of skewness and kurtosis
  (scipy's ``normaltest``), BH-adjusted over the factors, has q >= ``max_normality_q``. A mixture of subtypes
  makes a factor skewed or flat-topped even where its modes overlap too much for the mixture rule.
- ``factor_selection: either`` (the default): a factor is used when it is multimodal *or* not Gaussian. On the
  accuracy benchmark (``bench/accuracy.md``) it beats the multimodal rule where subtype modes overlap (the
  factor generator) and loses nowhere once the factors are standardised. (With variance weighting it had let
  slightly skewed programmes dominate at 10,000 tumours.)

With ``adaptive_space`` (the default), :func:`cluster_factors` also clusters every informative factor (all but
the weak and technical ones), standardised and as MOFA gives them, and keeps the space whose predictable
partition stands furthest above its Gaussian null (:func:`cluster_in_chosen_space`).

Associations (:func:`covariate_associations`): a numeric covariate is tested with Spearman's rank correlation
(effect: rho, and rho squared as the fraction of rank variance); a categorical one with the Kruskal-Wallis
test (effect: eta squared from H, (H - g + 1) / (n - g), Tomczak & Tomczak 2014). P-values are adjusted by
Benjamini-Hochberg over every factor x covariate pair tested. Tumours missing the covariate are left out of
that test.

Clustering runs in the space of the used factors, each standardised to unit variance
(``factor_weighting: standardised``), so a factor that separates subtypes counts as much as any other whatever
share of the variance it explains: subtype signal carried by small views (mutations, proteins, metabolites)
explains little of the total. ``variance`` scales each factor by the square root of its fraction of variance
explained instead (distances then approximate the denoised data's); on ``bench/accuracy.md`` it loses to
standardising on both simulators and on TCGA-BRCA. ``none`` takes the factors as MOFA gives them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.mixture import GaussianMixture

from oncomix.cluster import (
    ClusterOptions,
    Space,
    Subtypes,
    find_fine_subtypes,
    find_subtypes,
    held_warnings,
    repeat_warnings,
    support,
)
from oncomix.config import FromConfig
from oncomix.multitest import bh

log = logging.getLogger(__name__)
SELECTION_STATUSES = ("unimodal", "gaussian")  # statuses of factors left out by factor_selection alone
# status of a factor the selection left out but the adaptive space used
EVERY_INFORMATIVE = "used (every informative factor)"
ASSOCIATION_COLUMNS = ["factor", "covariate", "technical", "test", "n", "effect", "r2", "p", "q"]


@dataclass(frozen=True)
class FactorOptions(FromConfig):
    SECTION: ClassVar[str] = "clustering"
    # the section's other keys: ClusterOptions' fields but jobs (the cores, not a config key)
    READ_ELSEWHERE: ClassVar[frozenset[str]] = frozenset(ClusterOptions.config_keys()) - {"jobs"}
    min_factor_r2: float = 1.0  # percent of variance, summed over views
    factor_selection: str = "either"  # either (multimodal or not Gaussian), multimodal, non_gaussian or all
    # "standardised": unit variance; "variance": sqrt(variance explained); "none": as MOFA gives them
    factor_weighting: str = "standardised"
    min_bic_gain: float = 10.0
    max_normality_q: float = 0.001  # a factor is Gaussian when the normality test's q is at least this
    technical_covariates: tuple[str, ...] = field(default_factory=tuple)
    max_covariate_r2: float = 0.25
    alpha: float = 0.05  # a factor tracks a technical covariate when their association's q is below this
    adaptive_space: bool = True  # also cluster every informative factor; keep the more clearly clustered space
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
    table["q"] = bh(table["p"])
    return table[ASSOCIATION_COLUMNS]


def factor_table(
    factors: pd.DataFrame, r2: pd.DataFrame, associations: pd.DataFrame, options: FactorOptions
) -> pd.DataFrame:
    """Per factor: variance explained, multimodality, strongest technical association, used and why not."""
    table = pd.DataFrame({"total_r2": r2.sum(axis=0)}).rename_axis("factor")
    table["bic_gain"] = [bic_gain(factors[f].to_numpy(), options.seed) for f in table.index]
    table["normality_q"] = bh(stats.normaltest(factors[table.index].to_numpy()).pvalue)
    technical = (
        associations.loc[associations["technical"].astype(bool)]
        .sort_values("r2", ascending=False)
        .drop_duplicates("factor")
        .set_index("factor")
    )
    table["technical_covariate"] = technical["covariate"].reindex(table.index)
    table["technical_r2"] = technical["r2"].reindex(table.index)
    table["technical_q"] = technical["q"].reindex(table.index)
    tracks = (table["technical_q"] < options.alpha) & (table["technical_r2"] >= options.max_covariate_r2)
    weak = table["total_r2"] < options.min_factor_r2
    table["status"] = np.where(
        weak, "explains too little", np.where(tracks, "tracks " + table["technical_covariate"].fillna(""), "used")
    )
    unimodal = table["bic_gain"] <= options.min_bic_gain
    gaussian = table["normality_q"] >= options.max_normality_q
    for rule, plain, status in (
        ("multimodal", unimodal, "unimodal"),
        ("non_gaussian", gaussian, "gaussian"),
        ("either", unimodal & gaussian, "unimodal"),
    ):
        if options.factor_selection == rule and ((table["status"] == "used") & ~plain).any():
            table.loc[(table["status"] == "used") & plain, "status"] = status
    table["used"] = table["status"] == "used"
    return table


def factor_space(factors: pd.DataFrame, table: pd.DataFrame, weighting: str = "standardised") -> Space:
    """The used factors, each standardised (``weighting="standardised"``), scaled by the square root of its
    fraction of variance explained (``"variance"``) or as it is (``"none"``)."""
    used = table.index[table["used"]]
    if used.empty:
        raise ValueError("no MOFA factor is left for clustering; see clustering_factors.tsv for why each was left out")
    chosen = factors[used]
    if weighting == "standardised":
        chosen = (chosen - chosen.mean()) / chosen.std().replace(0, 1)
    elif weighting == "variance":
        chosen = chosen * np.sqrt(table.loc[used, "total_r2"].clip(lower=0) / 100.0)  # MOFA r2 can be just below 0
    return Space(factors.index, coords=chosen.to_numpy(dtype=float))


@dataclass
class FactorClustering:
    subtypes: Subtypes
    factor_table: pd.DataFrame  # per factor: variance explained, multimodality, technical association, status
    associations: pd.DataFrame  # every factor against every technical covariate and the reference column
    fine: pd.DataFrame  # per tumour: subtype_fine, confidence_fine (the finer level inside each subtype)


def cluster_factors(
    factors: pd.DataFrame,
    r2: pd.DataFrame,
    sheet: pd.DataFrame,
    reference: str | None,
    factor_options: FactorOptions,
    cluster_options: ClusterOptions,
) -> FactorClustering:
    """Screen the factors against the technical covariates (and the reference labels, for the report), then
    cluster the tumours on the factors that are kept, and each subtype again for the finer level."""
    technical = list(factor_options.technical_covariates)
    covariates = sheet.reindex(factors.index)[list(dict.fromkeys(technical + ([reference] if reference else [])))]
    associations = covariate_associations(factors, covariates, set(technical))
    table, space, subtypes = cluster_in_chosen_space(factors, r2, associations, factor_options, cluster_options)
    return FactorClustering(subtypes, table, associations, find_fine_subtypes(space, subtypes.calls, cluster_options))


def cluster_in_chosen_space(
    factors: pd.DataFrame,
    r2: pd.DataFrame,
    associations: pd.DataFrame,
    factor_options: FactorOptions,
    cluster_options: ClusterOptions,
) -> tuple[pd.DataFrame, Space, Subtypes]:
    """The factor table, the space clustered and its subtypes. With ``adaptive_space``, every informative factor
    is clustered too, weighted as configured and as MOFA gives them, and the candidate space kept is the one whose
    chosen partition is predictable (prediction strength at least ``min_prediction_strength``) and stands most
    Gaussian-null SDs above its null (``Subtypes.structure_z``); see :func:`candidate_spaces`. The table's ``used``,
    ``status`` and ``weighting`` say which space was kept."""
    table = factor_table(factors, r2, associations, factor_options)
    best = None
    for candidate, weighting in candidate_spaces(table, factor_options):
        space = factor_space(factors, candidate, weighting)
        about = f"candidate space of {candidate['used'].sum()} factors, {weighting}"
        with held_warnings(about) as held:  # warnings only for the space kept
            subtypes = find_subtypes(space, cluster_options)
        rank = (*support(subtypes.chosen, cluster_options), subtypes.structure_z)  # no outlier split, predictable, z
        log.info(
            "%s: structure z %.2f (prediction strength %.2f)",
            about,
            subtypes.structure_z,
            subtypes.chosen["prediction_strength"],
        )
        if best is None or rank > best[0]:  # NaN z (no structure test) never beats the first space
            best = (rank, candidate.assign(weighting=weighting), space, subtypes, held)
    repeat_warnings(best[4])
    return best[1:4]


def candidate_spaces(table: pd.DataFrame, options: FactorOptions) -> list[tuple[pd.DataFrame, str]]:
    """The spaces clustered, as (factor table, weighting): the selected factors weighted as configured, then with
    ``adaptive_space`` every informative factor weighted so and as MOFA gives them (``none``). Subtypes spread
    over many factors look Gaussian factor by factor and escape the selection; standardising many factors lets
    weak ones drown subtypes that MOFA's own scale shows (the factor generator of ``bench/accuracy.md``), while
    MOFA's scale hides subtypes carried by small views (its demo generator)."""
    spaces = [(table, options.factor_weighting)]
    if options.adaptive_space:
        informative = every_informative_factor(table)
        same_factors = informative["used"].equals(table["used"])
        spaces += [
            (informative, weighting)
            for weighting in dict.fromkeys([options.factor_weighting, "none"])
            if not (same_factors and weighting == options.factor_weighting)
        ]  # that one is the first space
    return spaces


def every_informative_factor(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every factor used that is neither weak nor technical; those the selection had left out get
    the status ``EVERY_INFORMATIVE``."""
    left_out_by_selection = table["status"].isin(SELECTION_STATUSES)
    return table.assign(
        status=table["status"].mask(left_out_by_selection, EVERY_INFORMATIVE),
        used=table["used"] | left_out_by_selection,
    )
