"""Per-view normalisation, quality filtering and selection of informative features.

Each view ends on a log-like scale in ``.X`` (NaN kept as missing). Features chosen for MOFA are flagged in
``.var['highly_variable']``; the marker tests use every feature that passed quality filtering.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from oncomix.config import FromConfig
from oncomix.errors import OncomixInputError
from oncomix.omics import OMIC_TYPES

log = logging.getLogger(__name__)

BETA_CLIP = 1e-3
PRIOR_COUNT = 2.0  # reads added to each count before taking logs (edgeR's default)
MIN_SHARED_FEATURES = 50  # features counted in every tumour needed for median-of-ratios size factors


@dataclass(frozen=True)
class PreprocessOptions(FromConfig):
    SECTION: ClassVar[str] = "preprocess"
    n_features: int = 2000  # most variable features per view handed to MOFA
    max_missing: float = 0.5  # drop features missing in more than this fraction of the view's samples
    min_mutation_frequency: float = 0.02  # drop mutations carried by fewer tumours than this fraction
    min_cpm: float = 1.0  # count views: keep features with at least this CPM ...
    min_cpm_fraction: float = 0.1  # ... in at least this fraction of samples
    log: bool | None = None  # log2-transform; None = the type's default
    batch: str | None = None  # sample-sheet column whose batches are centred per feature


VIEW_KEYS = ("n_features", "batch", "log")  # per-view config keys that override the preprocess defaults


def view_options(defaults: dict, omics: dict) -> dict[str, PreprocessOptions]:
    """Per view, the config's ``preprocess`` section (``defaults``) with that view's own ``VIEW_KEYS`` over it."""
    return {
        name: PreprocessOptions.from_config(
            {"preprocess": defaults}, **{key: view[key] for key in VIEW_KEYS if key in view}
        )
        for name, view in omics.items()
    }


def size_factors(counts: np.ndarray) -> np.ndarray:
    """Per tumour, DESeq2's median-of-ratios size factor (Anders & Huber 2010): the median over features of its
    count divided by the feature's geometric mean across tumours, over the features counted (> 0) in every
    tumour that has the view. Unlike the total count, it is not swayed by a few very highly expressed features."""
    with np.errstate(divide="ignore"):
        logs = np.log(counts)
    measured = np.isfinite(counts).any(axis=1)  # tumours with the view (a row of NaN: a tumour without it)
    shared = np.isfinite(logs[measured]).all(axis=0)
    if shared.sum() < MIN_SHARED_FEATURES:  # too sparse for ratios: fall back to the total count
        total = np.nansum(counts, axis=1)
        return total / np.exp(np.mean(np.log(total[total > 0])))
    ratios = logs[:, shared] - logs[measured][:, shared].mean(axis=0)
    return np.exp(np.median(ratios, axis=1))


def log_cpm(counts: np.ndarray, library: np.ndarray | None = None, prior_count: float = PRIOR_COUNT) -> np.ndarray:
    """log2 counts per million of an effective library size (median-of-ratios size factor x the median library
    size), with edgeR's prior count: ``prior_count`` reads scaled by the tumour's effective library size
    (Robinson et al. 2010). Dividing by the total count instead made a few highly expressed features set every
    other feature's level: a depth factor of its own in MOFA (``bench/accuracy.md``). ``library``: the
    :func:`effective_library` of ``counts``, when already computed."""
    library = effective_library(counts) if library is None else library
    prior = prior_count * library / library.mean()
    return np.log2((counts + prior) / (library + 2 * prior) * 1e6)


def effective_library(counts: np.ndarray) -> np.ndarray:
    """Per tumour, its median-of-ratios size factor times the median library size (a column vector)."""
    return size_factors(counts)[:, None] * np.nanmedian(np.nansum(counts, axis=1))


def transform(
    adata: ad.AnnData, omic_type: str, log_transform: bool | None = None, library: np.ndarray | None = None
) -> ad.AnnData:
    """Bring one view to a log-like scale (the type's ``transform``); counts become log2 CPM (edgeR's prior count;
    ``library`` as in :func:`log_cpm`), beta values M-values."""
    adata, omic = adata.copy(), OMIC_TYPES[omic_type]
    should_log = omic.log_by_default if log_transform is None else log_transform
    if omic.transform == "log_cpm":
        adata.X = log_cpm(np.asarray(adata.X, dtype=float), library)
    elif omic.transform == "m_value":
        beta = np.clip(adata.X, BETA_CLIP, 1 - BETA_CLIP)
        adata.X = np.log2(beta / (1 - beta))
    elif should_log:
        with np.errstate(divide="ignore"):
            logged = np.log2(adata.X + omic.log_offset)
        adata.X = np.where(np.isfinite(logged), logged, np.nan)  # zero intensity = below detection
    return adata


def filter_reasons(
    adata: ad.AnnData, omic_type: str, options: PreprocessOptions, cpm: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Per quality criterion, the mask of features failing it (a feature passes when it fails none); ``cpm``:
    a count view's counts per million, without the prior count."""
    x = adata.X
    observed = np.isfinite(x)
    with np.errstate(invalid="ignore"):
        variance = np.nanvar(x, axis=0)
    reasons = {
        "too_missing": (1.0 - observed.mean(axis=0) > options.max_missing) | (observed.sum(axis=0) < 3),
        "constant": ~(np.nan_to_num(variance) > 0),
    }
    if OMIC_TYPES[omic_type].binary:
        reasons["rare_mutation"] = (np.nanmean(x, axis=0) < options.min_mutation_frequency) | (np.nansum(x, axis=0) < 2)
    if cpm is not None:
        reasons["low_expression"] = (cpm >= options.min_cpm).mean(axis=0) < options.min_cpm_fraction
    return reasons


def first_reason_counts(reasons: dict[str, np.ndarray]) -> dict[str, int]:
    """Features failing each criterion, each feature counted under the first one it fails (in ``reasons`` order)."""
    counts, already = {}, np.zeros(len(next(iter(reasons.values()))), dtype=bool)
    for reason, failing in reasons.items():
        counts[reason] = int((failing & ~already).sum())
        already |= failing
    return counts


def centre_batches(adata: ad.AnnData, batches: pd.Series) -> ad.AnnData:
    """Remove per-batch mean shifts of each feature, keeping the overall mean (NaN-aware)."""
    adata = adata.copy()
    frame = pd.DataFrame(adata.X, index=adata.obs_names)
    labels = batches.reindex(adata.obs_names).astype("string").fillna("NA").to_numpy()
    batch_means = frame.groupby(labels).transform("mean")
    adata.X = (frame - batch_means + frame.mean()).to_numpy()
    return adata


def select_variable(adata: ad.AnnData, n_features: int) -> np.ndarray:
    """Flag the ``n_features`` features with the highest variance (NaN-aware)."""
    variance = np.nanvar(adata.X, axis=0)
    order = np.argsort(-variance, kind="stable")
    flags = np.zeros(adata.n_vars, dtype=bool)
    flags[order[:n_features]] = True
    return flags


def preprocess_view(adata: ad.AnnData, obs: pd.DataFrame, options: PreprocessOptions) -> ad.AnnData:
    """Transform, filter and flag informative features of one view; QC counts go to ``.uns['qc']``."""
    omic_type = adata.uns["omic_type"]
    counts = np.asarray(adata.X, dtype=float) if OMIC_TYPES[omic_type].transform == "log_cpm" else None
    library = effective_library(counts) if counts is not None else None
    out = transform(adata, omic_type, options.log, library)
    if options.batch is not None:
        out = centre_batches(out, obs[options.batch])
    reasons = filter_reasons(out, omic_type, options, counts / library * 1e6 if counts is not None else None)
    keep = ~np.logical_or.reduce(list(reasons.values()))
    samples_kept = np.isfinite(out.X[:, keep]).any(axis=1)
    out = out[samples_kept, keep].copy()
    out.var["highly_variable"] = select_variable(out, options.n_features)
    out.uns["qc"] = {
        "features_in": int(adata.n_vars),
        "features_failed_qc": int((~keep).sum()),
        "features_kept": int(out.n_vars),
        "features_for_mofa": int(out.var["highly_variable"].sum()),
        "samples_in": int(adata.n_obs),
        "samples_all_missing": int((~samples_kept).sum()),
        "missing_values": float(np.mean(~np.isfinite(out.X))) if out.n_vars else 0.0,  # among the view's tumours
        "failed": first_reason_counts(reasons),
    }
    log.info("%s view: %s", omic_type, out.uns["qc"])
    return out


def preprocess(mdata: md.MuData, options: dict[str, PreprocessOptions]) -> md.MuData:
    """Preprocess every view with its own options; QC counts of every view go to ``.uns['qc']``.

    A view left with no feature after quality filtering is dropped with a warning; if none is left, the
    input cannot be analysed and an ``OncomixInputError`` says so.
    """
    processed = {name: preprocess_view(mdata[name], mdata.obs, options[name]) for name in mdata.mod}
    qc = {name: {"type": view.uns["omic_type"], **view.uns["qc"]} for name, view in processed.items()}
    kept = {name: view for name, view in processed.items() if view.n_vars > 0}
    for name in processed.keys() - kept.keys():
        log.warning("view %r has no feature left after quality filtering and is left out: %s", name, qc[name])
    if not kept:
        raise OncomixInputError(
            "no view has any feature left after quality filtering; see the preprocess log for the counts per view"
        )
    out = md.MuData(kept)
    out.obs = mdata.obs.loc[out.obs_names]
    out.uns["qc"] = qc
    return out
