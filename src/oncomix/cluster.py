"""Tumour subtypes from MOFA factors, with the number of subtypes chosen from the data.

Clustering uses the factors whose distribution is multimodal: a one-dimensional Gaussian mixture with 2 or
3 components fits the factor better than a single Gaussian by more than ``min_bic_gain`` BIC units (10 is
"very strong" evidence on the Kass-Raftery scale). Unimodal factors capture continuous variation (e.g.
immune infiltration or proliferation programmes) that does not define discrete groups; they stay in
``factors.tsv`` but would otherwise split tumours along gradients. If no factor is multimodal, all are used.

Clustering runs in a weighted factor space: each factor is scaled by the square root of the fraction of
variance it explains (summed over views), so that Euclidean distances approximate distances between tumours
in the denoised, view-scaled data, and factors that explain little weigh little.

For each candidate k, k-means is fitted on the weighted factors of all tumours and on repeated random subsamples.
*Stability* is the mean adjusted Rand index between each subsample fit (labels predicted for every tumour)
and the full fit; *silhouette* is the mean silhouette width of the full fit. The chosen k has the highest
silhouette among the k whose stability reaches ``min_stability`` (highest stability if none does). A
tumour's *confidence* is the fraction of subsample fits that give it its final subtype (after matching
cluster labels), so it needs no N x N consensus matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture


@dataclass(frozen=True)
class ClusterOptions:
    k_min: int = 2
    k_max: int = 8
    k: int | None = None  # fix the number of subtypes instead of choosing it
    resamples: int = 30
    resample_fraction: float = 0.8
    min_stability: float = 0.8
    min_factor_r2: float = 1.0  # factors explaining less total variance (percent, summed over views) are left out
    factor_selection: str = "multimodal"  # or "all"
    min_bic_gain: float = 10.0
    seed: int = 42


def bic_gain(values: np.ndarray, seed: int) -> float:
    """BIC of one Gaussian minus the best BIC of a 2- or 3-component Gaussian mixture (1-D)."""
    x = values.reshape(-1, 1)
    single = GaussianMixture(1, random_state=seed).fit(x).bic(x)
    return float(single - min(GaussianMixture(k, n_init=3, random_state=seed).fit(x).bic(x) for k in (2, 3)))


def factor_table(factors: pd.DataFrame, r2: pd.DataFrame, options: ClusterOptions) -> pd.DataFrame:
    """Per factor: variance explained, multimodality (BIC gain) and whether clustering uses it."""
    table = pd.DataFrame({"total_r2": r2.sum(axis=0)}).rename_axis("factor")
    table["bic_gain"] = [bic_gain(factors[f].to_numpy(), options.seed) for f in table.index]
    table["used"] = table["total_r2"] >= options.min_factor_r2
    if options.factor_selection == "multimodal" and (table["used"] & (table["bic_gain"] > options.min_bic_gain)).any():
        table["used"] &= table["bic_gain"] > options.min_bic_gain
    return table


def factor_space(factors: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The used factors, each scaled by the square root of its fraction of variance explained."""
    used = table.index[table["used"]]
    return factors[used] * np.sqrt(table.loc[used, "total_r2"] / 100.0)


def _kmeans(k: int, seed: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=10, random_state=seed)


def _match_labels(labels: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """Relabel ``labels`` to agree best with ``reference`` (Hungarian matching on the contingency table)."""
    contingency = np.zeros((k, k))
    np.add.at(contingency, (labels, reference), 1)
    rows, cols = linear_sum_assignment(-contingency)
    mapping = np.empty(k, dtype=int)
    mapping[rows] = cols
    return mapping[labels]


def resample_fits(x: np.ndarray, reference: np.ndarray, k: int, options: ClusterOptions) -> np.ndarray:
    """Labels for every tumour from k-means fitted on each random subsample (resamples x tumours)."""
    rng = np.random.default_rng(options.seed)
    n_sub = max(k + 1, int(round(options.resample_fraction * len(x))))
    runs = np.empty((options.resamples, len(x)), dtype=int)
    for r in range(options.resamples):
        subset = rng.choice(len(x), size=n_sub, replace=False)
        model = _kmeans(k, options.seed + r + 1).fit(x[subset])
        runs[r] = _match_labels(model.predict(x), reference, k)
    return runs


def evaluate_k(x: np.ndarray, k: int, options: ClusterOptions) -> tuple[dict, np.ndarray, np.ndarray]:
    """Silhouette and stability of k-means with ``k`` clusters; also the full-data labels and resample runs."""
    labels = _kmeans(k, options.seed).fit_predict(x)
    runs = resample_fits(x, labels, k, options)
    stability = float(np.mean([adjusted_rand_score(labels, run) for run in runs]))
    scores = {"k": k, "silhouette": float(silhouette_score(x, labels)), "stability": stability}
    return scores, labels, runs


def choose_k(scores: pd.DataFrame, min_stability: float) -> int:
    """Highest silhouette among stable k; the most stable k if none reaches ``min_stability``."""
    stable = scores[scores["stability"] >= min_stability]
    if stable.empty:
        return int(scores.loc[scores["stability"].idxmax(), "k"])
    return int(stable.loc[stable["silhouette"].idxmax(), "k"])


def _name_subtypes(labels: np.ndarray) -> np.ndarray:
    """Name subtypes ST1, ST2, ... from the largest to the smallest (ties by first appearance)."""
    sizes = pd.Series(labels).value_counts(sort=False)
    order = sorted(sizes.index, key=lambda c: (-sizes[c], int(np.flatnonzero(labels == c)[0])))
    names = {c: f"ST{i + 1}" for i, c in enumerate(order)}
    return np.array([names[c] for c in labels])


def find_subtypes(factors: pd.DataFrame, r2: pd.DataFrame, options: ClusterOptions) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cluster tumours in the weighted factor space; returns subtypes per sample, k selection, factor table."""
    table = factor_table(factors, r2, options)
    x = factor_space(factors, table).to_numpy(dtype=float)
    candidates = [options.k] if options.k else range(options.k_min, min(options.k_max, len(x) - 1) + 1)
    results = {k: evaluate_k(x, k, options) for k in candidates}
    scores = pd.DataFrame([r[0] for r in results.values()])
    k = options.k or choose_k(scores, options.min_stability)
    scores["chosen"] = scores["k"] == k
    _, labels, runs = results[k]
    confidence = (runs == labels[None, :]).mean(axis=0)
    subtypes = pd.DataFrame(
        {"subtype": _name_subtypes(labels), "confidence": np.round(confidence, 4)},
        index=pd.Index(factors.index, name="sample_id"),
    )
    return subtypes, scores, table
