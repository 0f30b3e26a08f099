"""Multi-omics factor analysis with MOFA+ (mofapy2): factors, weights and variance explained.

On a large cohort MOFA is trained on a random ``max_tumours`` of its tumours and the other tumours are placed by
the trained model: each one's factors are their posterior mean given the learnt weights and noise precisions,
the fixed point of mofapy2's own factor update (``project``). Training time then stops growing with the cohort.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import h5py
import mudata as md
import numpy as np
import pandas as pd
from mofapy2.run.entry_point import entry_point
from threadpoolctl import threadpool_limits

from oncomix.config import FromConfig
from oncomix.mofa_internals import (
    is_trained,
    iterations_done,
    trained_factors,
    view_centring,
    view_noise_precision,
    view_weights,
)
from oncomix.omics import OMIC_TYPES

log = logging.getLogger(__name__)

PROJECTION_ROUNDS, PROJECTION_TOLERANCE = 200, 1e-6  # Bernoulli views: rounds of the bound, largest factor change
INACTIVE_R2 = 1e-3  # percent variance, in every view: a factor the ARD prior switched off
# MOFA's BLAS threads, whatever the cores given: sums split over another number of threads round differently,
# and the factors of one config and seed must not depend on --cores
MOFA_BLAS_THREADS = 1


@dataclass(frozen=True)
class MofaOptions(FromConfig):
    SECTION: ClassVar[str] = "mofa"
    factors: int = 15
    iterations: int = 1000
    convergence_mode: str = "fast"  # mofapy2: fast / medium / slow
    # > 0: drop factors explaining less than this fraction of variance while training (slow on large cohorts);
    # 0: keep them all and leave weak factors to the clustering step's min_factor_r2
    drop_r2: float = 0.0
    float32: bool = True  # single precision: half the memory, faster on CPU and GPU
    seed: int = 42
    gpu: bool = False
    max_tumours: int | None = 5000  # train on a random subset of this many tumours at most; None: on every tumour


@dataclass
class MofaResult:
    factors: pd.DataFrame  # samples x factors
    weights: dict[str, pd.DataFrame]  # per view: features x factors
    r2: pd.DataFrame  # views x factors, percent variance explained
    iterations: int
    converged: bool  # False: stopped at the iteration cap
    final_elbo: float
    trained_on: pd.Index  # the tumours MOFA was trained on; the others' factors are projected


@dataclass(frozen=True)
class TrainedView:
    """What placing a tumour in a trained model takes from one view."""

    likelihood: str  # gaussian or bernoulli
    weights: np.ndarray  # features x factors: posterior mean E[w]
    weights_sq: np.ndarray  # features x factors: E[w^2]
    precision: np.ndarray  # features: noise precision (Gaussian views; unused for Bernoulli ones)
    centre: np.ndarray  # features: training mean (Gaussian), mean Jaakkola pseudo-datum (Bernoulli)
    scale: float  # the view's standard deviation after centring (mofapy2's scale_views; 1 for Bernoulli)


def mofa_inputs(mdata: md.MuData) -> tuple[list[np.ndarray], list[str], list[str], list[list[str]]]:
    """Per view, the MOFA-selected features as a samples x features array; absent samples are all-NaN rows."""
    samples = list(mdata.obs_names)
    data, likelihoods, features = [], [], []
    for name, view in mdata.mod.items():
        chosen = view[:, view.var["highly_variable"].to_numpy()]
        frame = pd.DataFrame(chosen.X, index=chosen.obs_names, columns=chosen.var_names).reindex(samples)
        data.append(frame.to_numpy(dtype=np.float64))
        likelihoods.append(OMIC_TYPES[view.uns["omic_type"]].likelihood)
        features.append([f"{name}:{f}" for f in chosen.var_names])
    return data, likelihoods, list(mdata.mod), features


def gpu_available() -> bool:
    """Whether cupy imports and sees at least one CUDA device."""
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # cupy missing, or no CUDA driver or device
        return False


def training_tumours(tumours: pd.Index, max_tumours: int | None, seed: int) -> pd.Index:
    """All tumours, or a random ``max_tumours`` of them (in their order)."""
    if max_tumours is None or len(tumours) <= max_tumours:
        return tumours
    chosen = np.random.default_rng(seed).choice(len(tumours), size=max_tumours, replace=False)
    return tumours[np.sort(chosen)]


def train_mofa(mdata: md.MuData, model_path: Path, options: MofaOptions) -> MofaResult:
    """Train MOFA+ on the flagged features of every view and save the model to ``model_path``; above
    ``options.max_tumours`` tumours, train on a random subset of that size and project the others. BLAS runs
    ``MOFA_BLAS_THREADS`` threads, whatever the caller's limit."""
    trained_on = training_tumours(mdata.obs_names, options.max_tumours, options.seed)
    data, likelihoods, views, features = mofa_inputs(mdata[trained_on])
    if len(trained_on) < mdata.n_obs:
        log.info(
            "MOFA is trained on a random %d of the %d tumours (mofa.max_tumours); the others are projected",
            len(trained_on),
            mdata.n_obs,
        )
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter), threadpool_limits(limits=MOFA_BLAS_THREADS, user_api="blas"):
        model = fit_mofa(data, likelihoods, views, features, list(trained_on), options)
        model.save(str(model_path), save_data=False)
    log.debug("mofapy2 output:\n%s", chatter.getvalue())
    result = read_model(model_path)
    if len(trained_on) < mdata.n_obs:
        rest = mdata[~mdata.obs_names.isin(trained_on)]
        with threadpool_limits(limits=MOFA_BLAS_THREADS, user_api="blas"):
            placed = project(trained_views(model, data, likelihoods), mofa_inputs(rest)[0])[
                :, saved_order(model, result.factors)
            ]
        placed = pd.DataFrame(placed, index=rest.obs_names, columns=result.factors.columns)
        factors = pd.concat([result.factors, placed]).loc[mdata.obs_names].rename_axis(result.factors.index.name)
        result = dataclasses.replace(result, factors=factors)
    result = without_inactive(result)
    log.info(
        "MOFA ran %d iterations (final ELBO %.6g), %d active factors",
        result.iterations,
        result.final_elbo,
        result.factors.shape[1],
    )
    if not result.converged:
        log.warning(
            "MOFA stopped at the iteration cap (%d) before converging; raise mofa.iterations", options.iterations
        )
    return result


def fit_mofa(
    data: list[np.ndarray],
    likelihoods: list[str],
    views: list[str],
    features: list[list[str]],
    samples: list[str],
    options: MofaOptions,
) -> entry_point:
    """The mofapy2 model trained on ``data`` (per view, samples x features; left as they are) in one group;
    its chatter goes to stdout."""
    on_gpu = options.gpu and gpu_available()
    if options.gpu and not on_gpu:
        log.warning(
            "gpu: true was asked for, but no GPU was found (cupy missing or no CUDA device): MOFA runs on the CPU"
        )
    log.info("MOFA trains on the %s", "GPU (cupy)" if on_gpu else "CPU")
    model = entry_point()
    model.set_data_options(scale_views=True, center_groups=True, use_float32=options.float32)
    model.set_data_matrix(
        [[x] for x in data],
        likelihoods=likelihoods,
        views_names=views,
        groups_names=["cohort"],
        samples_names=[samples],
        features_names=features,
    )
    model.set_model_options(factors=options.factors, spikeslab_weights=True, ard_weights=True)
    model.set_train_options(
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
    model.build()
    model.run()
    if not is_trained(model):  # mofapy2 swallows an interrupt (SIGINT) and returns a half-trained model
        raise RuntimeError(
            f"MOFA training was interrupted after {iterations_done(model)} iteration(s); no model is saved, "
            "run the step again"
        )
    return model


def trained_views(model: entry_point, data: list[np.ndarray], likelihoods: list[str]) -> list[TrainedView]:
    """Per view, the trained weights, noise precisions and the centring and scaling mofapy2 applied to ``data``
    (the training tumours x features arrays)."""
    found = []
    for m, (x, likelihood) in enumerate(zip(data, likelihoods, strict=True)):
        if likelihood == "gaussian":
            centre = np.nanmean(x, axis=0)
            scale = float(np.nanstd(x - centre))
            precision = view_noise_precision(model, m)
        else:
            centre, scale, precision = view_centring(model, m), 1.0, np.ones(x.shape[1])
        arrays = (np.asarray(a, dtype=np.float64) for a in (*view_weights(model, m), precision, centre))
        found.append(TrainedView(likelihood, *arrays, scale=scale))
    return found


def saved_order(model: entry_point, saved: pd.DataFrame) -> np.ndarray:
    """For each factor of the saved model (mofapy2 sorts them by variance explained when saving), its index in
    the trained model, found by matching the training tumours' factor values."""
    trained = trained_factors(model)
    distance = np.abs(saved.to_numpy()[:, :, None] - trained[:, None, :]).max(axis=0)  # saved x trained
    return distance.argmin(axis=1)


def project(views: list[TrainedView], data: list[np.ndarray]) -> np.ndarray:
    """Factors (tumours x factors) of tumours a model was not trained on: their posterior mean given the trained
    weights and noise precisions, under the factors' N(0, 1) prior; missing values and absent views add nothing.
    Bernoulli views use mofapy2's Jaakkola bound, whose parameters are updated in turn with the factors."""
    n, k = len(data[0]), views[0].weights.shape[1]
    fixed_precision, fixed_rhs = np.tile(np.eye(k), (n, 1, 1)), np.zeros((n, k))
    binary = []
    for view, x in zip(views, data, strict=True):
        observed = ~np.isnan(x)
        if view.likelihood == "gaussian":
            precision, rhs = _evidence(
                view, np.where(observed, view.precision, 0.0), np.where(observed, (x - view.centre) / view.scale, 0.0)
            )
            fixed_precision += precision
            fixed_rhs += rhs
        else:
            binary.append((view, np.where(observed, x, 0.0), observed))
    mean, variance = np.zeros((n, k)), np.ones((n, k))
    for _ in range(PROJECTION_ROUNDS):
        precision, rhs = fixed_precision.copy(), fixed_rhs.copy()
        for view, x, observed in binary:
            view_precision, view_rhs = _evidence(view, *_jaakkola(view, x, observed, mean, variance))
            precision += view_precision
            rhs += view_rhs
        previous, mean = mean, np.linalg.solve(precision, rhs[..., None])[..., 0]
        variance = 1.0 / np.diagonal(precision, axis1=1, axis2=2)  # mean-field variances, as mofapy2 keeps them
        if not binary or np.abs(mean - previous).max() < PROJECTION_TOLERANCE:
            return mean
    log.warning("projecting tumours: the factors still moved after %d rounds of the Bernoulli bound", PROJECTION_ROUNDS)
    return mean


def _evidence(view: TrainedView, precision: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One view's terms of each tumour's factor posterior: precision (tumours x k x k) and precision x mean."""
    k = view.weights.shape[1]
    second = view.weights[:, :, None] * view.weights[:, None, :]  # E[w w'] off the diagonal: q(W) factorises
    second[:, np.arange(k), np.arange(k)] = view.weights_sq
    return (precision @ second.reshape(len(second), k * k)).reshape(-1, k, k), (precision * y) @ view.weights


def _jaakkola(
    view: TrainedView, x: np.ndarray, observed: np.ndarray, mean: np.ndarray, variance: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A Bernoulli view as Gaussian pseudo-data under Jaakkola and Jordan's bound, as mofapy2 trains it:
    xi = sqrt(E[(z.w)^2]), precision 2 lambda(xi), pseudo-datum (2y - 1) / (4 lambda(xi)) less its training mean."""
    w = view.weights
    xi = np.sqrt((mean @ w.T) ** 2 - (mean**2) @ (w**2).T + (mean**2 + variance) @ view.weights_sq.T)
    lam = np.tanh(xi / 2) / (4 * xi)
    return np.where(observed, 2 * lam, 0.0), (2 * x - 1) / (4 * lam) - view.centre


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
            weights[view] = pd.DataFrame(
                f[f"expectations/W/{view}"][:].T, index=pd.Index(feats, name="feature"), columns=names
            )
        r2 = pd.DataFrame(
            f[f"variance_explained/r2_per_factor/{group}"][:], index=pd.Index(views, name="view"), columns=names
        )
        elbo = f["training_stats/elbo"][:]
        training = dict(zip(f["training_opts"].attrs["names"].astype(str), f["training_opts"][:], strict=True))
    # mofapy2 keeps maxiter + 1 entries (NaN-padded) when it hits the cap, and the iterations run when it converges
    cap = int(training["maxiter"])
    converged = len(elbo) <= cap
    return MofaResult(
        factors=factors,
        weights=weights,
        r2=r2,
        iterations=len(elbo) if converged else cap - 1,
        converged=converged,
        final_elbo=float(elbo[np.isfinite(elbo)][-1]),
        trained_on=factors.index,
    )


def without_inactive(result: MofaResult) -> MofaResult:
    """The model without the factors explaining less than ``INACTIVE_R2`` percent of variance in every view
    (switched off during training; they keep their names, so they still match the model file)."""
    active = result.r2.columns[result.r2.max() >= INACTIVE_R2]
    if len(active) < result.r2.shape[1]:
        log.info(
            "%d of %d factors were switched off during training and are left out",
            result.r2.shape[1] - len(active),
            result.r2.shape[1],
        )
    return dataclasses.replace(
        result,
        factors=result.factors[active],
        r2=result.r2[active],
        weights={view: w[active] for view, w in result.weights.items()},
    )


def training_summary(result: MofaResult) -> pd.DataFrame:
    """One row: tumours, how many MOFA was trained on (the rest projected), iterations, convergence, final ELBO
    and active factors."""
    return pd.DataFrame(
        [
            {
                "tumours": len(result.factors),
                "tumours_trained": len(result.trained_on),
                "iterations": result.iterations,
                "converged": result.converged,
                "final_elbo": result.final_elbo,
                "active_factors": result.factors.shape[1],
            }
        ]
    )


def weights_long(weights: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Weights of every view in one long table: view, feature, factor, weight."""
    return pd.concat(
        [
            w.reset_index().melt(id_vars="feature", var_name="factor", value_name="weight").assign(view=view)
            for view, w in weights.items()
        ],
        ignore_index=True,
    )[["view", "feature", "factor", "weight"]]
