"""Simple alternatives to MOFA, clustered the same way, so a reader can see what integration adds.

Every baseline starts from the same preprocessed views and the same features MOFA was given
(``.var['highly_variable']``). Each feature is z-scored over the tumours that have it; values missing inside
a view are set to the feature mean (0).

- ``concat_pca``: the views side by side, each divided by the square root of its number of features so each
  view carries the same total variance (as MOFA's ``scale_views``); a tumour lacking a whole view sits at
  that view's mean. PCA (scikit-learn) to ``components`` dimensions; clustered like the MOFA factors.
- ``view_<name>``: the same on one view alone, for the tumours that have it.
- ``snf``: Similarity Network Fusion (Wang et al. 2014, snfpy): a scaled exponential affinity per view,
  fused by cross-diffusion, clustered spectrally. SNF needs every view for every tumour, so it uses the
  tumours with all views; its networks are tumours x tumours, so above ``snf_max_tumours`` such tumours it
  runs on a random subset of that many (``n_tumours`` in method_comparison.tsv says how many).
"""

from __future__ import annotations

import logging

import mudata as md
import numpy as np
import pandas as pd
import snf
import snf.compute
from sklearn.decomposition import PCA
from sklearn.utils.validation import check_array

from oncomix.cluster import Space

log = logging.getLogger(__name__)

SNF_NEIGHBOURS = 20  # K in Wang et al. 2014 and snfpy's default
SNF_MU = 0.5


def _check_array(*args, force_all_finite=True, **kwargs):
    return check_array(*args, ensure_all_finite=force_all_finite, **kwargs)


# snfpy 0.2.2 (its last release, 2020) passes scikit-learn's `force_all_finite`, renamed `ensure_all_finite`
# in scikit-learn 1.6 and removed in 1.8.
snf.compute.check_array = _check_array


def standardised(mdata: md.MuData, view: str) -> pd.DataFrame:
    """The MOFA features of one view for the tumours that have it, z-scored, missing values at 0."""
    data = mdata[view][:, mdata[view].var["highly_variable"].to_numpy()]
    frame = pd.DataFrame(np.asarray(data.X, dtype=float), index=data.obs_names, columns=data.var_names)
    spread = frame.std(ddof=0).replace(0, np.nan)
    return ((frame - frame.mean()) / spread).fillna(0.0)


def pca_space(blocks: list[pd.DataFrame], samples: pd.Index, components: int, seed: int) -> Space:
    """PCA of views placed side by side, each weighted to the same total variance."""
    joined = pd.concat([block / np.sqrt(block.shape[1]) for block in blocks], axis=1).reindex(samples).fillna(0.0)
    n = min(components, joined.shape[0] - 1, joined.shape[1])
    scores = PCA(n_components=n, svd_solver="full", random_state=seed).fit_transform(joined.to_numpy())
    return Space(samples, coords=scores)


def concat_pca(mdata: md.MuData, components: int, seed: int) -> Space:
    return pca_space([standardised(mdata, view) for view in mdata.mod], mdata.obs_names, components, seed)


def single_view(mdata: md.MuData, view: str, components: int, seed: int) -> Space:
    block = standardised(mdata, view)
    return pca_space([block], block.index, components, seed)


def snf_space(mdata: md.MuData, max_tumours: int, seed: int) -> Space:
    """Fused similarity network of the tumours that have every view (at most ``max_tumours`` of them, at random)."""
    blocks = [standardised(mdata, view) for view in mdata.mod]
    complete = blocks[0].index
    for block in blocks[1:]:
        complete = complete.intersection(block.index, sort=False)
    if len(complete) > max_tumours:
        log.warning(
            "SNF: %d tumours have every view; its tumour x tumour networks are built on a random %d of them "
            "(snf_max_tumours)",
            len(complete),
            max_tumours,
        )
        chosen = np.random.default_rng(seed).choice(len(complete), size=max_tumours, replace=False)
        complete = complete[np.sort(chosen)]
    neighbours = min(SNF_NEIGHBOURS, len(complete) - 1)
    affinities = snf.make_affinity(
        [block.loc[complete].to_numpy() for block in blocks],
        metric="sqeuclidean",
        K=neighbours,
        mu=SNF_MU,
        normalize=False,
    )
    fused = affinities[0] if len(affinities) == 1 else snf.snf(affinities, K=neighbours)
    return Space(complete, affinity=fused)


def baseline_space(method: str, mdata: md.MuData, components: int, seed: int, snf_max_tumours: int) -> Space | None:
    """The space of one baseline; None for a single view that preprocessing dropped."""
    if method == "concat_pca":
        return concat_pca(mdata, components, seed)
    if method == "snf":
        return snf_space(mdata, snf_max_tumours, seed)
    view = method.removeprefix("view_")
    return single_view(mdata, view, components, seed) if view in mdata.mod else None
