"""The integration step as oncomix runs it, side by side with mofapy2's own defaults, on one preprocessed input.

Rows (each trained on the finished run's ``data.h5mu``, with the rule's 2 BLAS threads, seed from the config):
- ``oncomix``: ``oncomix.integrate.train_mofa`` with the config's ``mofa:`` settings, exactly as the rule runs it
  (the ``preprocess.n_features`` most variable features per view, float32, its convergence settings).
- ``mofapy2 defaults``: ``entry_point`` with every option left at mofapy2's default (10 factors, float64, ELBO
  every 5 iterations, ``convergence_mode="fast"``, 1,000 iterations at most, no factor dropping, no view
  scaling) on every feature that passed quality filtering. Only the likelihoods are set, as oncomix sets them
  (Bernoulli for mutations), so both fit the same kind of model to the same data.
- ``mofapy2 defaults, oncomix's features``: as above on oncomix's selected features, to separate what feature
  selection brings from what the training settings bring.

Each factor matrix is clustered by ``oncomix.factors.cluster_factors`` with the config's clustering settings and
scored against the simulated truth (ARI). ELBOs compare only between rows fitted to the same features.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import tempfile
import time
from pathlib import Path

import mudata as md
import pandas as pd
from mofapy2.run.entry_point import entry_point
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from oncomix.cluster import ClusterOptions
from oncomix.config import check_config, load_config
from oncomix.factors import FactorOptions, cluster_factors
from oncomix.integrate import MofaOptions, MofaResult, mofa_inputs, read_model, train_mofa
from oncomix.tables import read_sample_table

THREADS = 2  # the integrate rule's threads


def every_feature(mdata: md.MuData) -> md.MuData:
    """A copy of ``mdata`` with every quality-filtered feature flagged for MOFA."""
    mdata = mdata.copy()
    for view in mdata.mod.values():
        view.var["highly_variable"] = True
    return mdata


def mofapy2_defaults(mdata: md.MuData, model_path: Path, seed: int) -> MofaResult:
    """mofapy2 with its defaults (likelihoods as oncomix sets them) on the features flagged in ``mdata``."""
    data, likelihoods, views, features = mofa_inputs(mdata)
    with contextlib.redirect_stdout(io.StringIO()):
        ent = entry_point()
        ent.set_data_options()
        ent.set_data_matrix(
            [[x] for x in data],
            likelihoods=likelihoods,
            views_names=views,
            samples_names=[list(mdata.obs_names)],
            features_names=features,
        )
        ent.set_model_options()
        ent.set_train_options(seed=seed, quiet=True)
        ent.build()
        ent.run()
        ent.save(str(model_path), save_data=False)
    return read_model(model_path)


def timed(train) -> tuple[MofaResult, float]:
    start = time.perf_counter()
    with threadpool_limits(limits=THREADS):
        result = train()
    return result, time.perf_counter() - start


def subtype_calls(result: MofaResult, mdata: md.MuData, config: dict) -> pd.Series:
    """The subtypes oncomix's clustering finds on these factors."""
    return cluster_factors(
        result.factors,
        result.r2,
        mdata.obs,
        None,
        FactorOptions.from_config(config),
        ClusterOptions.from_config(config, jobs=THREADS),
    ).subtypes.calls["subtype"]


def ari(result: MofaResult, mdata: md.MuData, config: dict, truth: pd.Series) -> tuple[float, int]:
    """ARI against the truth of the subtypes oncomix's clustering finds on these factors, and their number."""
    calls = subtype_calls(result, mdata, config)
    return float(adjusted_rand_score(truth.reindex(calls.index), calls)), int(calls.nunique())


def side_by_side(run_folder: Path, config: dict, cohort_folder: Path) -> pd.DataFrame:
    """One row per integration: features, wall time, iterations, factors, final ELBO, subtypes and their ARI."""
    mdata = md.read_h5mu(run_folder / "data.h5mu")
    truth = read_sample_table(cohort_folder / "truth" / "subtypes.tsv")["subtype"]
    seed = config["seed"]
    every = every_feature(mdata)
    options = MofaOptions.from_config(config)
    runs = {  # name: (input, training)
        "oncomix": (mdata, lambda path: train_mofa(mdata, path, options)),
        "mofapy2 defaults": (every, lambda path: mofapy2_defaults(every, path, seed)),
        "mofapy2 defaults, oncomix's features": (mdata, lambda path: mofapy2_defaults(mdata, path, seed)),
    }
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (data, train) in runs.items():
            result, seconds = timed(lambda train=train: train(Path(tmp) / f"{len(rows)}.hdf5"))
            subtype_ari, k = ari(result, mdata, config, truth)
            rows[name] = {
                "features": sum(int(view.var["highly_variable"].sum()) for view in data.mod.values()),
                "wall (s)": seconds,
                "iterations": result.iterations,
                "converged": result.converged,
                "factors": result.factors.shape[1],
                "final ELBO": result.final_elbo,
                "subtypes": k,
                "ARI vs truth": subtype_ari,
            }
    table = pd.DataFrame(rows).T
    table["time vs oncomix"] = table["wall (s)"].astype(float) / float(table.loc["oncomix", "wall (s)"])
    table.index.name = "integration"
    return table


def subset_against_every_tumour(run_folder: Path, config: dict, cohort_folder: Path) -> pd.DataFrame:
    """MOFA as configured (trained on at most ``mofa.max_tumours`` tumours, the others projected) against MOFA
    trained on every tumour: wall time, tumours trained on, subtypes, their ARI against the truth and each other."""
    mdata = md.read_h5mu(run_folder / "data.h5mu")
    truth = read_sample_table(cohort_folder / "truth" / "subtypes.tsv")["subtype"]
    configured = MofaOptions.from_config(config)
    runs = {
        f"mofa.max_tumours: {configured.max_tumours}": configured,
        "every tumour (mofa.max_tumours: null)": dataclasses.replace(configured, max_tumours=None),
    }
    rows, calls = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, options in runs.items():
            result, seconds = timed(lambda: train_mofa(mdata, Path(tmp) / f"{len(rows)}.hdf5", options))  # noqa: B023
            calls[name] = subtype_calls(result, mdata, config)
            rows[name] = {
                "tumours trained on": len(result.trained_on),
                "wall (s)": seconds,
                "iterations": result.iterations,
                "factors": result.factors.shape[1],
                "subtypes": calls[name].nunique(),
                "ARI vs truth": adjusted_rand_score(truth.reindex(calls[name].index), calls[name]),
            }
    table = pd.DataFrame.from_dict(rows, orient="index")  # keeps each column's type (counts print as integers)
    table["ARI between the two"] = adjusted_rand_score(*calls.values())
    table.index.name = "MOFA trained on"
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_folder", type=Path, help="results/<cohort> of a finished run")
    parser.add_argument("config", type=Path)
    parser.add_argument("cohort_folder", type=Path, help="the simulated cohort (with truth/subtypes.tsv)")
    args = parser.parse_args()
    print(
        side_by_side(args.run_folder, check_config(load_config(args.config)), args.cohort_folder).to_markdown(
            floatfmt=".3g"
        )
    )


if __name__ == "__main__":
    main()
