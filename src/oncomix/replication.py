"""Do the markers replicate? Split the cohort in halves repeatedly, rediscover subtypes and markers in each half.

Each split divides the tumours into two halves, stratified by subtype. In each half, independently of the
other: MOFA+ is trained again (same options and seed), weak and technical factors are left out (the rest are not
selected for multimodality: too noisy on a half), the tumours are clustered into the full cohort's number of
subtypes with the same algorithm, the half's clusters are matched to the full-cohort subtypes (Hungarian matching
on the shared tumours) and the features are tested again, as a replication of a pre-specified list. The
candidates are the full cohort's markers (evidence: the
specificity test, ``p_specific``) and the other features that differ from the rest of the cohort (evidence: the
one-vs-rest test, ``p``; they can still be targets). In a half, each candidate's evidence p-values are
Benjamini-Hochberg adjusted among the candidates of its subtype, view and evidence; a candidate replicates when
that adjusted value is below ``alpha`` with the same direction as in the full cohort. Its ``replication_rate``
is the fraction of halves in which it does. Halves have half the tumours, so weak true markers replicate less
often: the rate measures robustness at half the sample size, not truth. In cohorts larger than twice
``max_tumours``, each half is a random subset of ``max_tumours`` of its tumours (stratified by subtype), so that
the time of this stage stops growing with the cohort; the rate then measures robustness at that sample size.

The preprocessing (feature filters, variance ranks) is the full cohort's; only the model, the clustering and
the tests are redone per half.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import StratifiedKFold

from oncomix.cluster import fit_labels, match_labels, stratified_subset
from oncomix.config import FromConfig
from oncomix.factors import FactorOptions, covariate_associations, every_informative_factor, factor_space, factor_table
from oncomix.integrate import MofaOptions, train_mofa
from oncomix.markers import find_markers
from oncomix.multitest import bh
from oncomix.replication_rates import KEYS, Replication

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicationOptions(FromConfig):
    SECTION: ClassVar[str] = "markers"
    RENAMED: ClassVar[dict[str, str]] = {"replication_max_tumours": "max_tumours"}
    # the section's other keys: the marker tests', biomarkers' and report's rule params
    READ_ELSEWHERE: ClassVar[frozenset[str]] = frozenset(
        {"alpha", "min_effect", "min_auc", "report_top", "min_replication"}
    )
    replication_splits: int = 5  # random half splits; each gives two halves
    max_tumours: int = 1000  # a larger half is replaced by a random subset of this many, stratified by subtype
    seed: int = 42


def half_splits(subtypes: pd.Series, options: ReplicationOptions) -> list[tuple[int, int, pd.Index]]:
    """(split, half, tumour ids) for every half of every split, stratified by subtype."""
    halves = []
    for split in range(options.replication_splits):
        folds = StratifiedKFold(2, shuffle=True, random_state=options.seed + split).split(subtypes.index, subtypes)
        halves += [
            (
                split + 1,
                half + 1,
                stratified_subset(subtypes.iloc[np.sort(ids)], options.max_tumours, options.seed + split),
            )
            for half, (_, ids) in enumerate(folds)
        ]
    return halves


def rediscover(half: md.MuData, k: int, method: str, mofa: MofaOptions, factor_options: FactorOptions) -> np.ndarray:
    """Cluster labels 0..k-1 of the half's tumours from a MOFA model trained on the half alone."""
    with tempfile.TemporaryDirectory() as workdir:
        model = train_mofa(half, Path(workdir) / "half.hdf5", mofa)
    technical = list(factor_options.technical_covariates)
    associations = covariate_associations(
        model.factors, half.obs.reindex(model.factors.index)[technical], set(technical)
    )
    # k is the full cohort's: every informative factor is clustered, as the per-factor selection is noisy on a half
    # (a 60-tumour half of the test cohort: ARI 0.15 with the selected factors, 1.0 with every informative one)
    table = every_informative_factor(factor_table(model.factors, model.r2, associations, factor_options))
    labels = fit_labels(
        factor_space(model.factors, table, factor_options.factor_weighting), k, method, factor_options.seed
    )
    return pd.Series(labels, index=model.factors.index).reindex(half.obs_names).to_numpy()


def candidates(evidence: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Features to replicate (``KEYS``) and the p-value column that is their evidence: markers by the
    specificity test, other features with one-vs-rest q < ``alpha`` by the one-vs-rest test."""
    chosen = evidence[evidence["is_marker"] | (evidence["q"] < alpha)]
    return chosen[KEYS].assign(evidence=np.where(chosen["is_marker"], "p_specific", "p"))


def replicated_in(half_table: pd.DataFrame, candidates: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """The candidates (``KEYS`` columns) that replicate in one half's marker table."""
    tested = candidates.merge(
        half_table[[*KEYS[:3], "direction", "p", "p_specific"]], on=KEYS[:3], suffixes=("", "_half")
    )
    tested["p_evidence"] = np.where(tested["evidence"] == "p_specific", tested["p_specific"], tested["p"])
    tested["q_candidates"] = tested.groupby(["subtype", "omic", "evidence"])["p_evidence"].transform(
        lambda p: bh(p, count_missing=True)
    )
    return tested.loc[(tested["q_candidates"] < alpha) & (tested["direction"] == tested["direction_half"]), KEYS]


def replicate(
    mdata: md.MuData,
    subtypes: pd.Series,
    evidence: pd.DataFrame,
    method: str,
    alpha: float,
    mofa: MofaOptions,
    factor_options: FactorOptions,
    options: ReplicationOptions,
    jobs: int = 1,
) -> Replication:
    """Subtypes rediscovered in every half (``jobs`` halves at a time, in separate processes); counts of halves
    in which each candidate (see ``candidates``) of the full cohort's marker table ``evidence`` replicates."""
    subtypes = subtypes.reindex(mdata.obs_names).dropna()
    names, to_replicate, splits = (
        np.sort(subtypes.unique()),
        candidates(evidence, alpha),
        half_splits(subtypes, options),
    )
    jobs_of_halves = (
        delayed(_replicate_half)(
            *_half_views(mdata, ids), subtypes.loc[ids], names, to_replicate, method, alpha, mofa, factor_options
        )
        for _, _, ids in splits
    )
    found, rows = [], []
    with parallel_config(backend="loky", inner_max_num_threads=1):  # one BLAS thread per worker: no oversubscription
        results = Parallel(n_jobs=jobs, return_as="generator")(jobs_of_halves)  # in order, each as soon as it is done
        for (split, half, ids), (replicated, ari) in zip(splits, results, strict=True):
            found.append(replicated)
            rows.append((split, half, len(ids), ari))
            log.info(
                "half %d of split %d (%d of %d): %d tumours, ARI %.3f with the cohort's subtypes, %d candidates "
                "replicate",
                half,
                split,
                len(rows),
                len(splits),
                len(ids),
                ari,
                len(replicated),
            )
    halves = pd.DataFrame(rows, columns=["split", "half", "tumours", "ari_with_full_cohort"])
    counts = (
        pd.concat(found).value_counts().rename("halves_replicated").reset_index()
        if found
        else pd.DataFrame(columns=[*KEYS, "halves_replicated"])
    )
    return Replication(counts, halves)


def _half_views(mdata: md.MuData, ids: pd.Index) -> tuple[dict[str, ad.AnnData], pd.DataFrame]:
    """One half's views and sample sheet, to send to a worker process (a MuData does not pickle in mudata 0.3)."""
    half = mdata[ids]
    return {name: view.copy() for name, view in half.mod.items()}, half.obs.copy()


def _replicate_half(
    views: dict[str, ad.AnnData],
    obs: pd.DataFrame,
    subtypes: pd.Series,
    names: np.ndarray,
    to_replicate: pd.DataFrame,
    method: str,
    alpha: float,
    mofa: MofaOptions,
    factor_options: FactorOptions,
) -> tuple[pd.DataFrame, float]:
    """The candidates that replicate in one half, and the ARI of its rediscovered subtypes with the full cohort's
    (``subtypes`` of the half's tumours, ``names`` of every subtype of the cohort)."""
    half = md.MuData(views)[obs.index].copy()
    half.obs = obs
    reference = np.searchsorted(names, subtypes.to_numpy())
    labels = match_labels(rediscover(half, len(names), method, mofa, factor_options), reference)
    half_subtypes = pd.Series(
        np.where(labels >= 0, names[np.clip(labels, 0, None)], None), index=subtypes.index
    ).dropna()
    ari = adjusted_rand_score(reference, labels)
    if to_replicate.empty:  # no candidate: nothing to test (and no view to test it in)
        return to_replicate[KEYS], ari
    tested = find_markers(candidate_features(half, to_replicate), half_subtypes, alpha)
    return replicated_in(tested, to_replicate, alpha), ari


def candidate_features(half: md.MuData, to_replicate: pd.DataFrame) -> md.MuData:
    """The half with only the candidates' features (``omic``, ``feature`` of ``to_replicate``) in each view that
    has any: a feature's tests use its own values alone, and replication adjusts among the candidates."""
    wanted = to_replicate.groupby("omic")["feature"].unique()
    return md.MuData(
        {name: view[:, view.var_names.isin(wanted[name])].copy() for name, view in half.mod.items() if name in wanted}
    )
