"""Subtypes in one representation of the cohort, with the number of subtypes chosen by resampling.

A :class:`Space` holds the tumours as coordinates (MOFA factors, principal components) or as a precomputed
affinity (a fused SNF network). For each candidate k the chosen algorithm is fitted on every tumour and on
``resamples`` random subsets of ``resample_fraction`` of them (the same subsets for every k). From these:

- **consensus** (Monti et al. 2003): for a pair of tumours, the fraction of the subsets holding both in which
  they share a cluster. **PAC**, the proportion of ambiguously clustered pairs (consensus strictly between
  0.1 and 0.9; Senbabaoglu et al. 2014), is near 0 for a clear structure. It is computed on at most
  ``consensus_max_tumours`` randomly chosen tumours, so memory stays bounded on large cohorts.
- **stability**: the mean adjusted Rand index between each subset fit and the full fit, on the subset.
- **confidence** of a tumour: the fraction of the subsets holding it in which it falls in its final subtype
  (subset labels matched to the full fit's by the Hungarian algorithm).
- **prediction strength** (Tibshirani & Walther 2005): the cohort is split in random halves and each half
  is clustered; every test tumour goes to its nearest training cluster (nearest centroid, or highest mean
  affinity); per test cluster, the fraction of its pairs kept together; the minimum over test clusters,
  averaged over ``prediction_strength_splits`` splits. Values >= 0.8 mean the clusters can be predicted
  from independent tumours.
- **silhouette**: the mean silhouette width of the full fit in the space (Euclidean; for an affinity,
  1 - affinity / max affinity), over the same at most ``consensus_max_tumours`` tumours (it compares every
  pair). It is comparable across k within one space, not across spaces.

- **structure test**: the same clustering on ``null_draws`` cohorts drawn from one Gaussian with the space's mean
  and covariance (on the same at most ``consensus_max_tumours`` tumours); the Monte Carlo p-value of the best
  silhouette over k against the best of each null cohort. p >= ``structure_alpha`` means no stable subtypes:
  the partition cuts a continuum. (Hartigan's dip test along the k = 2 axis was tried and rejected on
  ``bench/accuracy.md``: it called TCGA-BRCA and most simulated cohorts unimodal.)

The chosen k is, among the k whose prediction strength reaches ``min_prediction_strength``:
``k_criterion: predictable_structure`` (default) the k with the highest ``structure_z`` (floored at 0) times
prediction strength, so that of two k that stand out from the null alike the more predictable one wins;
``structure_z`` the k whose silhouette stands most null SDs above the Gaussian null cohorts' silhouette at the
same k (``structure_z``; for both, the silhouette when there are no null draws), ``silhouette``
the highest silhouette, ``pac`` the largest k whose PAC is within 0.01 of the lowest (the finest partition that
is as crisp as any; uninformative on large cohorts, where subsamples hardly perturb the fit and PAC is near 0 for
every k), ``prediction_strength`` the largest k (Tibshirani and Walther's rule). If no k reaches the threshold,
the k with the highest ``structure_z`` is chosen (for the other criteria, the most predictable k). Chosen on
``bench/accuracy.md``: the null's silhouette falls with k, so the raw silhouette favours few subtypes; weighing
z by prediction strength there raised the share of simulated runs with the right k from 81.1% to 82.6% and
left no scenario more than 0.05 ARI below the reference (``structure_z`` alone: one, a k = 2 cohort called k = 4
with prediction strength 0.74 against 0.93), with the same calls on the real cohorts (see ``bench/README.md``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import anndata as ad
import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from sklearn.cluster import AgglomerativeClustering, KMeans, spectral_clustering
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from oncomix.config import FromConfig
from oncomix.naming import subtype_order

log = logging.getLogger(__name__)
AMBIGUOUS = (0.1, 0.9)  # consensus interval counted by PAC
PAC_TOLERANCE = 0.01  # PAC values this close to the lowest count as equally crisp


@dataclass(frozen=True)
class ClusterOptions(FromConfig):
    SECTION: ClassVar[str] = "clustering"
    # the section's keys that FactorOptions reads (tests/test_config_options.py checks they agree)
    READ_ELSEWHERE: ClassVar[frozenset[str]] = frozenset(
        {
            "min_factor_r2",
            "factor_selection",
            "factor_weighting",
            "min_bic_gain",
            "max_normality_q",
            "technical_covariates",
            "max_covariate_r2",
            "alpha",
            "adaptive_space",
        }
    )
    method: str = "kmeans"  # kmeans, gmm, ward or leiden (coordinates); an affinity is always clustered spectrally
    k_min: int = 2
    k_max: int = 8
    k: int | None = None  # fix the number of subtypes instead of choosing it
    # predictable_structure, structure_z, silhouette, pac or prediction_strength
    k_criterion: str = "predictable_structure"
    min_prediction_strength: float = 0.7
    resamples: int = 30
    resample_fraction: float = 0.8
    prediction_strength_splits: int = 10
    consensus_max_tumours: int = 1000
    min_subtype_size: int = 5  # a k that leaves a smaller cluster (an outlier group, not a subtype) is not chosen
    fine_k_max: int = 4  # the finer level splits each subtype into at most this many
    null_draws: int = 20  # Gaussian null cohorts of the structure test; 0 = no test
    structure_alpha: float = 0.05  # structure test p at or above this: "no stable subtypes"
    seed: int = 42
    jobs: int = 1  # processes for the candidate k and the null cohorts (the results do not depend on it)


@dataclass(frozen=True)
class Space:
    """Tumours as coordinates (tumours x dimensions) or as a symmetric affinity (larger = more similar)."""

    samples: pd.Index
    coords: np.ndarray | None = None
    affinity: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.samples)

    def take(self, index: np.ndarray) -> Space:
        if self.affinity is not None:
            return Space(self.samples[index], affinity=self.affinity[np.ix_(index, index)])
        return Space(self.samples[index], coords=self.coords[index])

    def assign(self, train: np.ndarray, train_labels: np.ndarray, test: np.ndarray) -> np.ndarray:
        """Each test tumour's training cluster: nearest centroid, or highest mean affinity."""
        clusters = np.unique(train_labels)
        if self.affinity is not None:
            similarity = np.stack(
                [self.affinity[np.ix_(test, train[train_labels == c])].mean(axis=1) for c in clusters], axis=1
            )
            return clusters[similarity.argmax(axis=1)]
        centroids = np.stack([self.coords[train[train_labels == c]].mean(axis=0) for c in clusters])
        return clusters[cdist(self.coords[test], centroids).argmin(axis=1)]

    def silhouette(self, labels: np.ndarray) -> float:
        """Mean silhouette width of ``labels`` (one per tumour of this space)."""
        if not 2 <= len(np.unique(labels)) < len(labels):
            return float("nan")
        if self.affinity is not None:
            off_diagonal = ~np.eye(len(labels), dtype=bool)
            distance = 1.0 - self.affinity / self.affinity[off_diagonal].max()
            np.fill_diagonal(distance, 0.0)
            return float(silhouette_score(distance, labels, metric="precomputed"))
        return float(silhouette_score(self.coords, labels))


def _leiden(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Leiden communities of a kNN graph (scanpy), with the resolution bisected until there are k of them."""
    # here only: importing scanpy takes over a second, and every clustering step imports this module
    import scanpy as sc

    adata = ad.AnnData(np.ascontiguousarray(x, dtype=np.float32))
    sc.pp.neighbors(adata, n_neighbors=min(15, len(x) - 1), use_rep="X", random_state=seed)
    best, low, high, resolution = None, 0.0, None, 1.0
    for _ in range(30):
        sc.tl.leiden(adata, resolution=resolution, flavor="igraph", n_iterations=2, random_state=seed)
        labels = adata.obs["leiden"].cat.codes.to_numpy()
        found = labels.max() + 1
        if best is None or abs(found - k) < abs(best.max() + 1 - k):
            best = labels
        if found == k:
            break
        low, high = (resolution, high) if found < k else (low, resolution)
        resolution = resolution * 2 if high is None else (low + high) / 2
    return best


CLUSTERERS = {
    "kmeans": lambda x, k, seed: KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x),
    "gmm": lambda x, k, seed: GaussianMixture(k, n_init=3, reg_covar=1e-4, random_state=seed).fit_predict(x),
    "ward": lambda x, k, seed: AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x),
    "leiden": _leiden,
}


def fit_labels(space: Space, k: int, method: str, seed: int) -> np.ndarray:
    """Cluster labels 0..k-1 of every tumour in ``space``."""
    if space.affinity is not None:
        return spectral_clustering(space.affinity, n_clusters=k, random_state=seed)
    return np.asarray(CLUSTERERS[method](space.coords, k, seed))


def match_labels(labels: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Relabel ``labels`` to agree best with ``reference`` (Hungarian matching); unmatched clusters get -1."""
    contingency = np.zeros((labels.max() + 1, reference.max() + 1))
    np.add.at(contingency, (labels, reference), 1)
    rows, cols = linear_sum_assignment(-contingency)
    mapping = np.full(contingency.shape[0], -1)
    mapping[rows] = cols
    return mapping[labels]


def stratified_subset(labels: pd.Series, max_tumours: int, seed: int) -> pd.Index:
    """All of ``labels``' tumours, or a random ``max_tumours`` of them stratified by label (in their order)."""
    if len(labels) <= max_tumours:
        return labels.index
    chosen, _ = train_test_split(np.arange(len(labels)), train_size=max_tumours, stratify=labels, random_state=seed)
    return labels.index[np.sort(chosen)]


def draw_subsets(n: int, options: ClusterOptions) -> list[np.ndarray]:
    rng = np.random.default_rng(options.seed)
    size = max((options.k or options.k_max) + 1, int(round(options.resample_fraction * n)))
    return [np.sort(rng.choice(n, size=min(size, n), replace=False)) for _ in range(options.resamples)]


def resample_runs(space: Space, k: int, subsets: list[np.ndarray], options: ClusterOptions) -> np.ndarray:
    """Labels from the fit on each subset (resamples x tumours); -1 where a tumour was not drawn."""
    runs = np.full((len(subsets), len(space)), -1)
    for r, subset in enumerate(subsets):
        runs[r, subset] = fit_labels(space.take(subset), k, options.method, options.seed + r + 1)
    return runs


def consensus_matrix(runs: np.ndarray) -> np.ndarray:
    """Fraction of the runs holding both tumours that put them in one cluster (NaN if never drawn together)."""
    drawn = (runs >= 0).astype(np.float32)
    together = np.zeros((runs.shape[1], runs.shape[1]), dtype=np.float32)
    for labels in runs:
        onehot = (labels[:, None] == np.arange(labels.max() + 1)[None, :]).astype(np.float32)
        together += onehot @ onehot.T
    both = drawn.T @ drawn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(both > 0, together / both, np.nan)


def pac(consensus: np.ndarray) -> float:
    """Proportion of tumour pairs with an ambiguous consensus."""
    pairs = consensus[np.triu_indices(len(consensus), 1)]
    pairs = pairs[np.isfinite(pairs)]
    return float(np.mean((pairs > AMBIGUOUS[0]) & (pairs < AMBIGUOUS[1])))


def split_strengths(space: Space, k: int, options: ClusterOptions) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per random half split: for each cluster of the test half (of at least 2 tumours), the fraction of its pairs
    that the training half's clusters keep together, and its size."""
    rng = np.random.default_rng(options.seed + 1)
    splits = []
    for split in range(options.prediction_strength_splits):
        order = rng.permutation(len(space))
        train, test = np.sort(order[: len(order) // 2]), np.sort(order[len(order) // 2 :])
        seed = options.seed + 1000 + split
        predicted = space.assign(train, fit_labels(space.take(train), k, options.method, seed), test)
        test_labels = fit_labels(space.take(test), k, options.method, seed)
        kept, sizes = [], []
        for cluster in np.unique(test_labels):
            counts = np.bincount(predicted[test_labels == cluster])
            members = counts.sum()
            if members >= 2:
                kept.append((counts * (counts - 1)).sum() / (members * (members - 1)))
                sizes.append(members)
        splits.append((np.array(kept), np.array(sizes)))
    return splits


def prediction_strength(space: Space, k: int, options: ClusterOptions) -> float:
    """Tibshirani-Walther prediction strength: the worst-kept test cluster, averaged over random half splits."""
    return float(np.mean([kept.min() for kept, _ in split_strengths(space, k, options)]))


def cluster_stability(labels: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """Per cluster of ``labels``, Hennig's (2007) clusterwise stability: the mean over the resample runs of the
    largest Jaccard similarity between the cluster (its drawn tumours) and any cluster of the run."""
    stability = np.zeros(labels.max() + 1)
    for run in runs:
        drawn = run >= 0
        a, b = labels[drawn], run[drawn]
        overlap = np.zeros((labels.max() + 1, b.max() + 1))
        np.add.at(overlap, (a, b), 1)
        union = (
            np.bincount(a, minlength=len(overlap))[:, None]
            + np.bincount(b, minlength=overlap.shape[1])[None, :]
            - overlap
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            stability += np.nan_to_num(overlap / union).max(axis=1)
    return stability / len(runs)


def evaluate_k(space: Space, k: int, subsets: list[np.ndarray], probe: np.ndarray, options: ClusterOptions) -> dict:
    """Scores of one k, with the full-data labels, the resample runs and the consensus on ``probe``."""
    labels = fit_labels(space, k, options.method, options.seed)
    runs = resample_runs(space, k, subsets, options)
    drawn = runs >= 0
    consensus = consensus_matrix(runs[:, probe])
    scores = {
        "k": k,
        "clusters_found": int(len(np.unique(labels))),
        "smallest_subtype": int(np.bincount(labels).min()),
        "silhouette": space.take(probe).silhouette(labels[probe]),
        "stability": float(
            np.mean([adjusted_rand_score(labels[d], run[d]) for run, d in zip(runs, drawn, strict=True)])
        ),
        "pac": pac(consensus),
        "prediction_strength": prediction_strength(space, k, options),
    }
    return {
        "scores": scores,
        "labels": labels,
        "runs": runs,
        "consensus": consensus,
        "stability": cluster_stability(labels, runs),
    }


def null_silhouettes(space: Space, ks: list[int], options: ClusterOptions) -> np.ndarray:
    """Silhouettes (draws x ks) of the clusters found in cohorts drawn from one Gaussian with the mean and
    covariance of ``space``: what the clusterer finds where there are no subtypes (cf. SigClust, Liu et al. 2008)."""
    rng = np.random.default_rng(options.seed + 2)
    covariance = np.atleast_2d(np.cov(space.coords, rowvar=False))
    nulls = [
        rng.multivariate_normal(np.zeros(len(covariance)), covariance, size=len(space))
        for _ in range(options.null_draws)
    ]
    draws = (delayed(_null_draw)(Space(space.samples, coords=coords), ks, options, d) for d, coords in enumerate(nulls))
    return np.array(Parallel(n_jobs=options.jobs)(draws)).reshape(options.null_draws, len(ks))


def _null_draw(null: Space, ks: list[int], options: ClusterOptions, draw: int) -> list[float]:
    return [null.silhouette(fit_labels(null, k, options.method, options.seed + draw)) for k in ks]


def structure_p(observed: np.ndarray, null: np.ndarray) -> float:
    """Monte Carlo p-value of the best silhouette over k against the best in each Gaussian null cohort."""
    best, null_best = np.nanmax(observed), np.nanmax(null, axis=1)
    return float((1 + np.sum(null_best >= best)) / (1 + len(null_best)))


def choose_k(scores: pd.DataFrame, criterion: str, min_prediction_strength: float, min_subtype_size: int = 1) -> int:
    """The best k among those predictable enough; if none is, the highest ``structure_z`` (criteria
    ``predictable_structure`` and ``structure_z``) or the most predictable k (the other criteria).

    A k the algorithm could not produce (Leiden finding another number of communities) is never chosen, nor a k
    whose smallest cluster has fewer than ``min_subtype_size`` tumours, unless every k does.
    """
    scores = scores[scores["clusters_found"] == scores["k"]]
    large_enough = scores[scores["smallest_subtype"] >= min_subtype_size]
    if large_enough.empty:
        log.warning(
            "every k leaves a cluster of fewer than %d tumours (outliers?); choosing among all k", min_subtype_size
        )
    else:
        scores = large_enough
    if criterion in ("predictable_structure", "structure_z") and scores["structure_z"].isna().all():
        criterion = "silhouette"  # no structure test was run
    by_structure = criterion in ("predictable_structure", "structure_z")
    eligible = scores[scores["prediction_strength"] >= min_prediction_strength]
    if eligible.empty:
        fallback = "structure_z" if by_structure else "prediction_strength"
        log.warning(
            "no k reaches prediction strength %.2f: choosing by %s; the subtypes are tentative",
            min_prediction_strength,
            fallback,
        )
        return int(scores.loc[scores[fallback].idxmax(), "k"])
    if criterion == "predictable_structure":
        return int(
            eligible.loc[(eligible["structure_z"].clip(lower=0) * eligible["prediction_strength"]).idxmax(), "k"]
        )
    if criterion == "structure_z":
        return int(eligible.loc[eligible["structure_z"].idxmax(), "k"])
    if criterion == "pac":
        return int(eligible.loc[eligible["pac"] <= eligible["pac"].min() + PAC_TOLERANCE, "k"].max())
    if criterion == "prediction_strength":
        return int(eligible["k"].max())
    return int(eligible.loc[eligible["silhouette"].idxmax(), "k"])


def support(chosen: pd.Series, options: ClusterOptions) -> tuple[bool, bool]:
    """Of a chosen partition (a ``k_selection`` row): is its smallest subtype at least ``min_subtype_size``
    tumours, and does its prediction strength reach ``min_prediction_strength``?"""
    return bool(chosen["smallest_subtype"] >= options.min_subtype_size), bool(
        chosen["prediction_strength"] >= options.min_prediction_strength
    )


def confidence(labels: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """Per tumour, the fraction of the runs that drew it in which it has its final label (NaN if never drawn)."""
    agree = np.zeros(len(labels))
    for run in runs:
        drawn = run >= 0
        agree[drawn] += match_labels(run[drawn], labels[drawn]) == labels[drawn]
    with np.errstate(invalid="ignore", divide="ignore"):
        return agree / (runs >= 0).sum(axis=0)


def name_subtypes(labels: np.ndarray) -> np.ndarray:
    """Name subtypes ST1, ST2, ... from the largest to the smallest (ties by first appearance)."""
    sizes = pd.Series(labels).value_counts(sort=False)
    order = sorted(sizes.index, key=lambda c: (-sizes[c], int(np.flatnonzero(labels == c)[0])))
    names = {c: f"ST{i + 1}" for i, c in enumerate(order)}
    return np.array([names[c] for c in labels])


@dataclass
class Subtypes:
    calls: pd.DataFrame  # per tumour: subtype, confidence
    k_selection: pd.DataFrame  # per candidate k: scores and whether it was chosen
    consensus: pd.DataFrame  # consensus of the chosen k on the probed tumours, ordered by subtype
    labels: pd.DataFrame  # per tumour, its subtype name at every candidate k (columns: k)
    stability: dict[int, pd.Series]  # per candidate k, each subtype's clusterwise stability

    @property
    def chosen(self) -> pd.Series:
        """The chosen k's row of ``k_selection``."""
        return self.k_selection.loc[self.k_selection["chosen"]].iloc[0]

    @property
    def structure_z(self) -> float:
        """How far the chosen k's silhouette stands above the Gaussian null cohorts' (in their SDs; NaN untested)."""
        return float(self.chosen["structure_z"])

    @property
    def stable(self) -> bool:
        """False when the structure test found the cohort no more clustered than one Gaussian."""
        return bool(self.k_selection["structure_stable"].iloc[0])


def find_subtypes(space: Space, options: ClusterOptions) -> Subtypes:
    """Cluster the tumours of ``space`` for every candidate k and keep the chosen one."""
    # Every fit on one OpenMP thread, in this process or in ``options.jobs`` worker processes: the results do not
    # depend on the cores (k-means sums per-thread partial sums, so a thread count changes the last bits) and
    # thousands of small fits run faster (the demo's clustering: 25 s on 2 threads, 16-18 s on 1, 12-15 s in 2
    # processes).
    with threadpool_limits(limits=1, user_api="openmp"), parallel_config(backend="loky", inner_max_num_threads=1):
        return _find_subtypes(space, options)


def _find_subtypes(space: Space, options: ClusterOptions) -> Subtypes:
    candidates = [options.k] if options.k else list(range(options.k_min, min(options.k_max, len(space) - 1) + 1))
    subsets = draw_subsets(len(space), options)
    probe = np.sort(np.random.default_rng(options.seed).permutation(len(space))[: options.consensus_max_tumours])
    results = {}
    evaluated = Parallel(n_jobs=min(options.jobs, len(candidates)), return_as="generator")(
        delayed(evaluate_k)(space, k, subsets, probe, options) for k in candidates
    )
    for k, result in zip(candidates, evaluated, strict=True):  # a long step on large cohorts: say how far it got
        results[k] = result
        scores = result["scores"]
        log.info(
            "%d tumours, k = %d (%d of %d): silhouette %.3f, prediction strength %.2f, PAC %.3f",
            len(space),
            k,
            len(results),
            len(candidates),
            scores["silhouette"],
            scores["prediction_strength"],
            scores["pac"],
        )
    scores = pd.DataFrame([r["scores"] for r in results.values()])
    add_structure_test(scores, space.take(probe), options)
    k = options.k or choose_k(scores, options.k_criterion, options.min_prediction_strength, options.min_subtype_size)
    scores["chosen"] = scores["k"] == k
    chosen = results[k]
    names = name_subtypes(chosen["labels"])
    labels = pd.DataFrame(
        {k: name_subtypes(r["labels"]) for k, r in results.items()}, index=pd.Index(space.samples, name="sample_id")
    )
    stability = {
        k: pd.Series(
            r["stability"],
            index=[labels[k].iloc[np.flatnonzero(r["labels"] == c)[0]] for c in range(len(r["stability"]))],
        )
        for k, r in results.items()
    }
    calls = pd.DataFrame(
        {"subtype": names, "confidence": np.round(confidence(chosen["labels"], chosen["runs"]), 4)},
        index=pd.Index(space.samples, name="sample_id"),
    )
    order = np.argsort(names[probe], kind="stable")
    ids = space.samples[probe][order]
    consensus = pd.DataFrame(chosen["consensus"][np.ix_(order, order)], index=ids, columns=ids).rename_axis("sample_id")
    return Subtypes(calls, scores, consensus.round(4), labels, stability)


def add_structure_test(scores: pd.DataFrame, probed: Space, options: ClusterOptions) -> None:
    """Columns ``null_silhouette`` and ``null_silhouette_sd`` (over the Gaussian null cohorts), ``structure_z``
    (how many of those SDs the silhouette stands above the null's), ``structure_p`` and ``structure_stable`` (p
    below ``structure_alpha``); always stable, and NaN otherwise, for an affinity or without null draws."""
    if probed.affinity is not None or options.null_draws == 0:
        scores["null_silhouette"] = scores["null_silhouette_sd"] = scores["structure_z"] = scores["structure_p"] = (
            np.nan
        )
        scores["structure_stable"] = True
        return
    null = null_silhouettes(probed, list(scores["k"]), options)
    scores["null_silhouette"], scores["null_silhouette_sd"] = np.nanmean(null, axis=0), np.nanstd(null, axis=0)
    scores["structure_z"] = (scores["silhouette"] - scores["null_silhouette"]) / np.maximum(
        scores["null_silhouette_sd"], 1e-3
    )
    p = structure_p(scores["silhouette"].to_numpy(), null)
    scores["structure_p"], scores["structure_stable"] = p, p < options.structure_alpha
    if p >= options.structure_alpha:
        log.warning(
            "no stable subtypes: the best silhouette (%.3f) is no higher than in cohorts drawn from one Gaussian "
            "(structure test p = %.3g); the subtypes below are a partition of a continuum",
            scores["silhouette"].max(),
            p,
        )


def subtype_tree(subtypes: Subtypes) -> pd.DataFrame:
    """Per candidate k and subtype: its parent at k - 1 (the subtype there holding most of its tumours), size and
    clusterwise stability."""
    rows = []
    ks = list(subtypes.labels.columns)
    for k in ks:
        labels = subtypes.labels[k]
        for name in subtype_order(labels.unique()):
            size = int((labels == name).sum())
            parent = subtypes.labels.loc[labels == name, k - 1].value_counts().idxmax() if k - 1 in ks else ""
            rows.append(
                {
                    "k": k,
                    "subtype": name,
                    "parent": parent,
                    "size": size,
                    "stability": round(float(subtypes.stability[k][name]), 4),
                }
            )
    table = pd.DataFrame(rows)
    table["chosen"] = table["k"] == int(subtypes.chosen["k"])
    return table


def find_fine_subtypes(space: Space, calls: pd.DataFrame, options: ClusterOptions) -> pd.DataFrame:
    """The finer level: each subtype clustered again on its own tumours by the same rules (k from 2 to
    ``fine_k_max``). A split is kept only if it passes the structure test, its prediction strength reaches
    ``min_prediction_strength`` and every part has ``min_subtype_size`` tumours; otherwise the subtype stays whole.
    Returns per tumour ``subtype_fine`` (ST2.1, ST2.2, ... or ST2) and ``confidence_fine``."""
    fine = calls[["subtype", "confidence"]].rename(columns={"subtype": "subtype_fine", "confidence": "confidence_fine"})
    for name in sorted(calls["subtype"].unique()):
        members = np.flatnonzero(calls["subtype"].to_numpy() == name)
        k_max = min(options.fine_k_max, len(members) // max(options.min_subtype_size, 2))
        if k_max < 2:
            continue
        with held_warnings(f"finer level inside {name}"):  # a split not found leaves the subtype whole: no warning
            inner = find_subtypes(space.take(members), dataclasses.replace(options, k=None, k_min=2, k_max=k_max))
        splits = inner.stable and all(support(inner.chosen, options))
        log.info(
            "subtype %s (%d tumours): %s",
            name,
            len(members),
            f"split into {int(inner.chosen['k'])}" if splits else "kept whole",
        )
        if splits:
            ids = space.samples[members]
            fine.loc[ids, "subtype_fine"] = name + "." + inner.calls["subtype"].str.removeprefix("ST")
            fine.loc[ids, "confidence_fine"] = inner.calls["confidence"]
    return fine


@contextlib.contextmanager
def held_warnings(about: str) -> Iterator[list[str]]:
    """Inside, this module's messages name what they are ``about`` (a candidate space, the split of a subtype), and
    its warnings ("no stable subtypes", "tentative") are logged as information and held, as text, in the list
    yielded: the caller repeats them with :func:`repeat_warnings` when they apply to its answer."""
    held: list[str] = []

    def relabel(record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.levelno == logging.WARNING:
            held.append(text)
            record.levelno, record.levelname = logging.INFO, "INFO"
        record.msg, record.args = f"{about}: {text}", ()
        return True

    log.addFilter(relabel)
    try:
        yield held
    finally:
        log.removeFilter(relabel)


def repeat_warnings(held: list[str]) -> None:
    """Log again, as warnings, the messages :func:`held_warnings` held."""
    for text in held:
        log.warning("%s", text)
