"""Other rules for the number of subtypes, re-chosen offline on the cached runs of ``make bench-accuracy``.

Every candidate space of every cached run (``results/bench_accuracy/runs``) is clustered once by
``find_subtypes`` with the package's defaults; besides Tibshirani and Walther's prediction strength (the minimum
over test clusters of the pairs kept together) each k records three variants: its mean over test clusters, the
mean weighted by cluster size, and the minimum over test clusters of at least 10 tumours (rare subtypes make the
minimum noisy); the rules also try the resampling stability in its place. The script ends with the ceiling of
any ranking of the spaces. The k tables go to ``results/bench_accuracy/k_tables`` (one file per run, reused when there).
Each rule below then chooses k per space and the space per run exactly as ``cluster_in_chosen_space`` does (one
subtype when the structure test finds none), and the script prints, over the simulated scenario-seeds, the share
with the true k, the mean ARI, the scenarios whose mean ARI moves by more than 0.05 against the current rule, and
the mean ARI on each real cohort.

    .venv/bin/python bench/k_rules.py --cores 2      # about 40 minutes on 2 cores the first time, seconds after
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

import oncomix.cluster as cluster
from oncomix.factors import FactorOptions, candidate_spaces, covariate_associations, factor_space, factor_table

WORK = Path(__file__).resolve().parents[1] / "results" / "bench_accuracy"
REAL = ("TCGA", "CCLE")
DEFAULTS = cluster.ClusterOptions()  # the k criterion and smallest subtype oncomix uses (the cached runs set neither)
VARIANTS: dict[int, dict[str, float]] = {}  # per k of the space being clustered: the prediction-strength variants


def prediction_strength_variants(space: cluster.Space, k: int, options: cluster.ClusterOptions) -> float:
    """``cluster.prediction_strength`` (the same splits), recording the variants in ``VARIANTS``."""
    splits = cluster.split_strengths(space, k, options)
    large = [kept[sizes >= 10] if (sizes >= 10).any() else kept for kept, sizes in splits]
    VARIANTS[k] = {
        "ps_mean": np.mean([kept.mean() for kept, _ in splits]),
        "ps_weighted": np.mean([(kept * sizes).sum() / sizes.sum() for kept, sizes in splits]),
        "ps_min_10": np.mean([kept.min() for kept in large]),
    }
    return float(np.mean([kept.min() for kept, _ in splits]))


def k_tables(run: Path) -> pd.DataFrame:
    """Every candidate space's k table of one cached run, with each k's ARI against the truth."""
    out = WORK / "k_tables" / f"{run.name}.tsv"
    if out.exists():
        return pd.read_csv(out, sep="\t")
    logging.disable(logging.WARNING)
    cluster.prediction_strength = prediction_strength_variants

    def read(name):
        return pd.read_csv(run / name, sep="\t", index_col=0, dtype={0: str}, keep_default_na=False, na_values=[""])

    factors, r2, truth = read("factors.tsv"), read("r2.tsv"), read("truth.tsv")["truth"].astype(str)
    seed = int(run.name.rsplit("_", 1)[1])
    settings = json.loads((run / "config.json").read_text())["clustering"]
    factor_options, cluster_options = (
        FactorOptions.from_config({"clustering": settings}, seed=seed),
        cluster.ClusterOptions.from_config({"clustering": settings}, seed=seed),
    )
    associations = covariate_associations(factors, read("covariates.tsv"), set(factor_options.technical_covariates))
    table = factor_table(factors, r2, associations, factor_options)
    tables = []
    with threadpool_limits(1):
        for number, (candidate, weighting) in enumerate(candidate_spaces(table, factor_options)):
            space = factor_space(factors, candidate, weighting)
            found = cluster.find_subtypes(space, cluster_options)
            scores = found.k_selection.assign(space=number, weighting=weighting, factors=int(candidate["used"].sum()))
            known = truth.reindex(space.samples).notna().to_numpy()
            scores["ari"] = [
                adjusted_rand_score(truth.reindex(space.samples)[known], found.labels[k][known]) for k in scores["k"]
            ]
            for name in ("ps_mean", "ps_weighted", "ps_min_10"):
                scores[name] = [VARIANTS[k][name] for k in scores["k"]]
            tables.append(scores)
    frame = pd.concat(tables).assign(run=run.name, true_k=truth.nunique())
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, sep="\t", index=False)
    return frame


def decide(run: pd.DataFrame, strength: str, threshold: float) -> tuple[int, float]:
    """Chosen k and its ARI, as ``cluster_in_chosen_space`` chooses with this prediction strength and threshold."""
    options = dataclasses.replace(DEFAULTS, min_prediction_strength=threshold)
    best = None
    for _, scores in run.groupby("space", sort=True):
        scores = scores.assign(prediction_strength=scores[strength])
        row = scores[
            scores["k"] == cluster.choose_k(scores, options.k_criterion, threshold, options.min_subtype_size)
        ].iloc[0]
        rank = (*cluster.support(row, options), row["structure_z"])  # as cluster_in_chosen_space ranks the spaces
        if best is None or rank > best[0]:
            best = (rank, row)
    row = best[1]
    return (int(row["k"]), row["ari"]) if row["structure_stable"] else (1, 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    runs = sorted(
        (r for r in (WORK / "runs").iterdir() if (r / "done").exists()),
        key=lambda r: -sum(1 for _ in open(r / "truth.tsv")),
    )
    with ProcessPoolExecutor(args.cores) as pool:
        tables = pd.concat(list(pool.map(k_tables, runs)))
    logging.disable(logging.WARNING)
    rules = {"prediction strength >= 0.7 (current)": ("prediction_strength", 0.7)}
    rules |= {f"prediction strength >= {t}": ("prediction_strength", t) for t in (0.6, 0.65, 0.75, 0.8)}
    rules |= {f"{name} >= {t}": (name, t) for name in ("ps_mean", "ps_weighted", "ps_min_10") for t in (0.7, 0.8, 0.85)}
    # resampling stability (mean ARI of the 80% subsets' fits with the full fit) in place of prediction strength
    rules |= {f"stability >= {t}": ("stability", t) for t in (0.8, 0.85, 0.9, 0.95)}
    results = {}
    for rule, (strength, threshold) in rules.items():
        rows = [
            (run, scores["true_k"].iloc[0], *decide(scores, strength, threshold))
            for run, scores in tables.groupby("run")
        ]
        results[rule] = pd.DataFrame(rows, columns=["run", "true_k", "k", "ari"]).assign(
            scenario=lambda f: f["run"].str.rsplit("_", n=1).str[0]
        )
    current = results["prediction strength >= 0.7 (current)"]
    lines = []
    for rule, found in results.items():
        simulated, real = found[~found["run"].str.startswith(REAL)], found[found["run"].str.startswith(REAL)]
        change = (
            simulated.groupby("scenario")["ari"].mean()
            - current[~current["run"].str.startswith(REAL)].groupby("scenario")["ari"].mean()
        )
        lines.append(
            {
                "rule": rule,
                "k_right": (simulated["k"] == simulated["true_k"]).mean(),
                "mean_ari": simulated["ari"].mean(),
                "scenarios_0_05_worse": int((change < -0.05).sum()),
                "scenarios_0_05_better": int((change > 0.05).sum()),
                **real.groupby("scenario")["ari"].mean().add_prefix("ari ").to_dict(),
            }
        )
    print(pd.DataFrame(lines).to_markdown(index=False, floatfmt=".3f"))
    print(
        f"\nCeiling of any space ranking: {space_ceiling(tables):.1%} of the simulated scenario-seeds have a candidate"
    )
    print("space whose k, chosen by the current rule, is the true k.")


def space_ceiling(tables: pd.DataFrame) -> float:
    """Share of the simulated runs in which the current rule, in at least one candidate space, chooses the true k
    (the null runs count when the structure test calls them so)."""
    simulated = tables[~tables["run"].str.startswith(REAL)]
    hits = []
    for _, run in simulated.groupby("run"):
        true_k = run["true_k"].iloc[0]
        chosen = [
            cluster.choose_k(scores, DEFAULTS.k_criterion, DEFAULTS.min_prediction_strength, DEFAULTS.min_subtype_size)
            for _, scores in run.groupby("space")
        ]
        hits.append(true_k in chosen or (true_k == 1 and not run["structure_stable"].all()))
    return float(np.mean(hits))


if __name__ == "__main__":
    main()
