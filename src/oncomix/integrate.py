"""Multi-omics factor analysis with MOFA+ (mofapy2): factors, weights and variance explained."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import h5py
import mudata as md
import numpy as np
import pandas as pd
from mofapy2.run.entry_point import entry_point

log = logging.getLogger(__name__)

INACTIVE_R2 = 1e-3  # percent variance, in every view: a factor the ARD prior switched off
LIKELIHOODS = {"mutation": "bernoulli"}  # every other type is modelled as Gaussian after preprocessing


@dataclass(frozen=True)
class MofaOptions:
    factors: int = 15
    iterations: int = 1000
    convergence_mode: str = "fast"  # mofapy2: fast / medium / slow
    # > 0: drop factors explaining less than this fraction of variance while training (slow on large cohorts);
    # 0: keep them all and leave weak factors to the clustering step's min_factor_r2
    drop_r2: float = 0.0
    float32: bool = True  # single precision: half the memory, faster on CPU and GPU
    seed: int = 42
    gpu: bool = False


@dataclass
class MofaResult:
    factors: pd.DataFrame  # samples x factors
    weights: dict[str, pd.DataFrame]  # per view: features x factors
    r2: pd.DataFrame  # views x factors, percent variance explained
    iterations: int
    converged: bool  # False: stopped at the iteration cap
    final_elbo: float


def mofa_inputs(mdata: md.MuData) -> tuple[list[list[np.ndarray]], list[str], list[str], list[list[str]]]:
    """Per view, the MOFA-selected features as a samples x features array; absent samples are all-NaN rows."""
    samples = list(mdata.obs_names)
    data, likelihoods, features = [], [], []
    for name, view in mdata.mod.items():
        chosen = view[:, view.var["highly_variable"].to_numpy()]
        frame = pd.DataFrame(chosen.X, index=chosen.obs_names, columns=chosen.var_names).reindex(samples)
        data.append([frame.to_numpy(dtype=np.float64)])
        likelihoods.append(LIKELIHOODS.get(view.uns["omic_type"], "gaussian"))
        features.append([f"{name}:{f}" for f in chosen.var_names])
    return data, likelihoods, list(mdata.mod), features


def gpu_available() -> bool:
    """Whether cupy imports and sees at least one CUDA device."""
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # cupy missing, or no CUDA driver or device
        return False


def train_mofa(mdata: md.MuData, model_path: Path, options: MofaOptions) -> MofaResult:
    """Train MOFA+ on the flagged features of every view and save the model to ``model_path``."""
    data, likelihoods, views, features = mofa_inputs(mdata)
    on_gpu = options.gpu and gpu_available()
    if options.gpu and not on_gpu:
        log.warning("gpu: true was asked for, but no GPU was found (cupy missing or no CUDA device): MOFA runs on the CPU")
    log.info("MOFA trains on the %s", "GPU (cupy)" if on_gpu else "CPU")
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        ent = entry_point()
        ent.set_data_options(scale_views=True, center_groups=True, use_float32=options.float32)
        ent.set_data_matrix(data, likelihoods=likelihoods, views_names=views, groups_names=["cohort"], samples_names=[list(mdata.obs_names)], features_names=features)
        ent.set_model_options(factors=options.factors, spikeslab_weights=True, ard_weights=True)
        ent.set_train_options(
            iter=options.iterations,
            convergence_mode=options.convergence_mode,
            dropR2=options.drop_r2 or None,
            startELBO=1,
            freqELBO=1,
            seed=options.seed,
            gpu_mode=on_gpu,
            verbose=False,
            quiet=True,
        )
        ent.build()
        ent.run()
        ent.save(str(model_path), save_data=False)
    log.debug("mofapy2 output:\n%s", chatter.getvalue())
    result = without_inactive(read_model(model_path))
    log.info("MOFA ran %d iterations (final ELBO %.6g), %d active factors", result.iterations, result.final_elbo, result.factors.shape[1])
    if not result.converged:
        log.warning("MOFA stopped at the iteration cap (%d) before converging; raise mofa.iterations", options.iterations)
    return result


def read_model(model_path: Path) -> MofaResult:
    """Read factors, weights and variance explained from a mofapy2 ``.hdf5`` model."""
    with h5py.File(model_path, "r") as f:
        views = [v.decode() for v in f["views/views"][:]]
        group = f["groups/groups"][0].decode()
        samples = [s.decode() for s in f[f"samples/{group}"][:]]
        z = f[f"expectations/Z/{group}"][:]  # factors x samples
        names = [f"Factor{k + 1}" for k in range(z.shape[0])]
        factors = pd.DataFrame(z.T, index=pd.Index(samples, name="sample_id"), columns=names)
        weights = {}
        for view in views:
            feats = [s.decode().split(":", 1)[1] for s in f[f"features/{view}"][:]]
            weights[view] = pd.DataFrame(f[f"expectations/W/{view}"][:].T, index=pd.Index(feats, name="feature"), columns=names)
        r2 = pd.DataFrame(f[f"variance_explained/r2_per_factor/{group}"][:], index=pd.Index(views, name="view"), columns=names)
        elbo = f["training_stats/elbo"][:]
        training = dict(zip(f["training_opts"].attrs["names"].astype(str), f["training_opts"][:]))
    # mofapy2 keeps maxiter + 1 entries (NaN-padded) when it hits the cap, and the iterations run when it converges
    cap = int(training["maxiter"])
    converged = len(elbo) <= cap
    return MofaResult(
        factors=factors, weights=weights, r2=r2, iterations=len(elbo) if converged else cap - 1,
        converged=converged, final_elbo=float(elbo[np.isfinite(elbo)][-1]),
    )


def without_inactive(result: MofaResult) -> MofaResult:
    """The model without the factors explaining less than ``INACTIVE_R2`` percent of variance in every view
    (switched off during training; they keep their names, so they still match the model file)."""
    active = result.r2.columns[result.r2.max() >= INACTIVE_R2]
    if len(active) < result.r2.shape[1]:
        log.info("%d of %d factors were switched off during training and are left out", result.r2.shape[1] - len(active), result.r2.shape[1])
    return dataclasses.replace(
        result, factors=result.factors[active], r2=result.r2[active], weights={view: w[active] for view, w in result.weights.items()},
    )


def weights_long(weights: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Weights of every view in one long table: view, feature, factor, weight."""
    return pd.concat(
        [w.reset_index().melt(id_vars="feature", var_name="factor", value_name="weight").assign(view=view) for view, w in weights.items()],
        ignore_index=True,
    )[["view", "feature", "factor", "weight"]]
