"""``make bench-accuracy``: how well subtypes are recovered, on many simulated scenarios and every labelled real
cohort in ``../shared/data``, with oncomix's method, its alternatives and the baselines side by side.

Each scenario-seed is drawn by a generator of ``bench/generators.py`` (two generators, built differently), written
to disk and run through the package's own steps as the workflow runs them: ``validate`` (the config as a user
would write it), ``preprocess`` and ``train_mofa`` with their defaults. On the same MOFA factors:

- ``oncomix``: ``cluster_factors`` with every default, exactly as rule ``cluster`` runs it (k by
  ``predictable_structure``, prediction strength >= 0.7, the best of three candidate spaces); its k is 1 when the
  structure test finds no stable subtypes (``oncomix, no structure test``: the same calls without it).
  ``oncomix, k by <rule>``: the same clustering with another k rule; ``oncomix, finer level``: its
  ``subtype_fine``. ``oncomix, selected factors only``: without ``adaptive_space`` (one space, the selected
  factors standardised). Every method uses the package's current defaults: a cached run keeps only the settings
  a user wrote.
- ``reference``: k-means (scikit-learn, 10 starts) on all MOFA factors as they are, k from 2 to 8 by the
  highest silhouette. Alternatives with the same one-fit-per-k silhouette rule: every informative factor, the
  selected ones (multimodal or non-Gaussian, or multimodal only) standardised, and the used factors (oncomix's
  choice among its candidate spaces) standardised, variance-weighted or as they are, by k-means, a Gaussian
  mixture or Ward.
- baselines: concatenated PCA and SNF (``oncomix.baselines``), k by the same silhouette rule.

Scores per run: true and chosen k, ARI and NMI against the truth over the tumours each method clusters. The
integration and the baselines of each run are cached under ``results/bench_accuracy/runs`` (delete it to
recompute them); the factor clustering is recomputed every time. Writes ``bench/accuracy.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import platform
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generators import VIEW_TYPES, Scenario, cohort, scenarios  # noqa: E402

from oncomix.baselines import concat_pca, snf_space  # noqa: E402
from oncomix.cluster import ClusterOptions, Space, choose_k, fit_labels  # noqa: E402
from oncomix.config import check_config  # noqa: E402
from oncomix.factors import (  # noqa: E402
    FactorOptions,
    cluster_factors,
    cluster_in_chosen_space,
    every_informative_factor,
    factor_space,
    factor_table,
)
from oncomix.integrate import MofaOptions, train_mofa  # noqa: E402
from oncomix.preprocess import preprocess, view_options  # noqa: E402
from oncomix.simulate import write_cohort  # noqa: E402
from oncomix.validate import validate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
WORK = REPO / "results" / "bench_accuracy"
SEEDS = (1, 2, 3)
K_RANGE = range(2, 9)
SILHOUETTE_MAX_TUMOURS = 1000
K_RULES = ("predictable_structure", "structure_z", "pac", "silhouette", "prediction_strength")


def real_cohorts() -> dict[str, tuple[dict, str]]:
    """Every labelled real cohort in ../shared/data: its config (as in config/examples) and its label column."""
    brca = yaml.safe_load((REPO / "config/examples/tcga_brca.yaml").read_text())
    acc = yaml.safe_load((REPO / "config/examples/tcga_acc.yaml").read_text())
    ccle = SHARED / "ccle_metabolomics"
    ccle_config = {
        "cohort": "ccle",
        "samples": str(ccle / "samples.tsv"),
        "seed": 42,
        "omics": {
            **{
                view: {"path": str(ccle / f"{view}.tsv.gz"), "type": "metabolite"}
                for view in ("metab_hilic_neg", "metab_hilic_pos", "metab_rp")
            },
            "rppa": {"path": str(ccle / "rppa.tsv.gz"), "type": "protein", "gene_map": "rppa"},
        },
    }
    for config in (brca, acc):
        config["samples"] = str(REPO / config["samples"])
        for view in config["omics"].values():
            view["path"] = str(REPO / view["path"])
    return {
        "TCGA-BRCA PAM50": (brca, "subtype"),
        "TCGA-ACC C1A/C1B": (acc, "C1A.C1B"),
        "CCLE lineage": (ccle_config, "site_primary"),
    }


def scenario_config(scenario: Scenario, folder: Path) -> dict:
    """The config a user would write for a simulated cohort: the demo's for the demo generator (metabolite batch
    centred and screened), the batch only as a technical covariate for the factor generator."""
    omics = {
        view: {"path": str(folder / f"{view}.tsv.gz"), "type": omic_type} for view, omic_type in VIEW_TYPES.items()
    }
    if scenario.generator == "demo":
        omics["metabolite"]["batch"] = "metabolomics_batch"
    return {
        "cohort": "bench",
        "samples": str(folder / "samples.tsv"),
        "omics": omics,
        "seed": 42,
        "clustering": {"technical_covariates": ["metabolomics_batch"]},
    }


def integrate(config: dict, seed: int, workdir: Path):
    """validate, preprocess and MOFA as the workflow runs them; returns the preprocessed data and the model."""
    config = check_config(config)
    mdata = validate(config).mdata
    mdata = preprocess(mdata, view_options(config["preprocess"], config["omics"]))
    model = train_mofa(mdata, workdir / "model.hdf5", MofaOptions.from_config(config, seed=seed))
    return config, mdata, model


def silhouette_rule(space: Space, method: str, seed: int) -> pd.Series:
    """One fit per k from 2 to 8; the labels of the k with the highest silhouette (on at most 1,000 tumours)."""
    probe = np.sort(np.random.default_rng(seed).permutation(len(space))[:SILHOUETTE_MAX_TUMOURS])
    best, best_labels = -np.inf, None
    for k in K_RANGE:
        if k >= len(space):
            break
        labels = fit_labels(space, k, method, seed)
        score = space.take(probe).silhouette(labels[probe])
        if score > best:
            best, best_labels = score, labels
    return pd.Series(best_labels, index=space.samples)


def stable_calls(subtypes, labels: pd.Series) -> pd.Series:
    """The labels, or one subtype everywhere when the structure test found no stable subtypes."""
    return labels if subtypes.stable else pd.Series("ST1", index=labels.index)


def methods(
    clustering: dict, factors: pd.DataFrame, r2: pd.DataFrame, covariates: pd.DataFrame, seed: int
) -> dict[str, pd.Series]:
    """Every factor-based method's labels on one run's MOFA factors."""
    factor_options = FactorOptions.from_config({"clustering": clustering}, seed=seed)
    cluster_options = ClusterOptions.from_config({"clustering": clustering}, seed=seed)
    found = cluster_factors(factors, r2, covariates, None, factor_options, cluster_options)
    subtypes = found.subtypes
    calls = {
        "oncomix": stable_calls(subtypes, subtypes.calls["subtype"]),
        "oncomix, finer level": stable_calls(subtypes, found.fine["subtype_fine"]),
    }
    for rule in K_RULES:
        k = choose_k(
            subtypes.k_selection, rule, cluster_options.min_prediction_strength, cluster_options.min_subtype_size
        )
        calls[f"oncomix, k by {rule}"] = stable_calls(subtypes, subtypes.labels[k])
    calls["oncomix, no structure test"] = subtypes.calls["subtype"]
    selected_only = cluster_in_chosen_space(
        factors, r2, found.associations, dataclasses.replace(factor_options, adaptive_space=False), cluster_options
    )[2]
    calls["oncomix, selected factors only"] = stable_calls(selected_only, selected_only.calls["subtype"])
    used = found.factor_table
    selection = {
        rule: factor_table(factors, r2, found.associations, dataclasses.replace(factor_options, factor_selection=rule))
        for rule in ("either", "multimodal")
    }  # the selection alone: oncomix's used factors may be every informative one
    spaces = {
        "reference": (factor_space(factors, used.assign(used=True), "none"), "kmeans"),
        "informative factors, standardised, k-means": (
            factor_space(factors, every_informative_factor(used), "standardised"),
            "kmeans",
        ),
        "used factors, standardised, k-means": (factor_space(factors, used, "standardised"), "kmeans"),
        "used factors, weighted, k-means": (factor_space(factors, used, "variance"), "kmeans"),
        "used factors, as MOFA gives them, k-means": (factor_space(factors, used, "none"), "kmeans"),
        "multimodal or non-Gaussian factors, standardised, k-means": (
            factor_space(factors, selection["either"], "standardised"),
            "kmeans",
        ),
        "multimodal factors, standardised, k-means": (
            factor_space(factors, selection["multimodal"], "standardised"),
            "kmeans",
        ),
        "used factors, standardised, GMM": (factor_space(factors, used, "standardised"), "gmm"),
        "used factors, standardised, Ward": (factor_space(factors, used, "standardised"), "ward"),
    }
    for name, (space, method) in spaces.items():
        calls[name] = silhouette_rule(space, method, seed)
    return calls


def score(calls: pd.Series, truth: pd.Series) -> dict:
    """Chosen k, ARI and NMI; without subtypes in the truth (a null cohort) only k means something."""
    both = pd.concat([calls.astype(str), truth.reindex(calls.index)], axis=1).dropna()
    called, true = both.iloc[:, 0], both.iloc[:, 1].astype(str)
    if true.nunique() == 1:
        return {"k": int(called.nunique()), "ari": np.nan, "nmi": np.nan}
    return {
        "k": int(called.nunique()),
        "ari": adjusted_rand_score(true, called),
        "nmi": normalized_mutual_info_score(true, called),
    }


def integrated(name: str, seed: int, scenario: Scenario | None) -> Path:
    """Stage 1 of a run, computed once and cached: MOFA's factors and variance explained, the technical
    covariates, the truth and the baselines' labels (concatenated PCA, SNF), under ``runs/<run>/``. A simulated
    cohort is drawn from ``scenario``; without one, ``name`` is a real cohort."""
    folder = WORK / "runs" / f"{name.replace(':', '_').replace('/', '_').replace(' ', '_')}_{seed}"
    if (folder / "done").exists():
        return folder
    with tempfile.TemporaryDirectory() as workdir:
        workdir = Path(workdir)
        if scenario is not None:
            drawn = cohort(scenario, seed)
            write_cohort(drawn, workdir)
            config, truth = scenario_config(scenario, workdir), drawn.truth_subtypes
        else:
            config, label = real_cohorts()[name]
            truth = pd.read_csv(config["samples"], sep="\t", index_col=0)[label].dropna().astype(str)
        clustering = dict(config.get("clustering", {}))  # as the user wrote it: stage 2 applies the current defaults
        start = time.perf_counter()
        config, mdata, model = integrate(config, seed, workdir)
        mofa_s = time.perf_counter() - start
        baselines = {
            "concatenated PCA": silhouette_rule(concat_pca(mdata, config["mofa"]["factors"], seed), "kmeans", seed),
            "SNF": silhouette_rule(snf_space(mdata, config["snf_max_tumours"], seed), "kmeans", seed),
        }
    folder.mkdir(parents=True, exist_ok=True)
    model.factors.to_csv(folder / "factors.tsv", sep="\t")
    model.r2.to_csv(folder / "r2.tsv", sep="\t")
    technical = list(config["clustering"]["technical_covariates"])
    mdata.obs.reindex(model.factors.index)[technical].to_csv(folder / "covariates.tsv", sep="\t")
    truth.rename("truth").rename_axis("sample_id").to_csv(folder / "truth.tsv", sep="\t")
    pd.DataFrame(baselines).rename_axis("sample_id").to_csv(folder / "baselines.tsv", sep="\t")
    (folder / "config.json").write_text(
        json.dumps(
            {
                "clustering": clustering,
                "mofa_s": round(mofa_s, 1),
                "baselines_s": round(time.perf_counter() - start - mofa_s, 1),
            }
        )
    )
    (folder / "done").touch()
    return folder


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", index_col=0, dtype={0: str}, keep_default_na=False, na_values=[""])


def scored(name: str, seed: int, scenario: Scenario | None = None) -> list[dict]:
    """Every method's scores on one cohort and MOFA seed (stage 1 from the cache, stage 2 computed)."""
    folder = integrated(name, seed, scenario)
    factors, r2 = read_table(folder / "factors.tsv"), read_table(folder / "r2.tsv")
    truth = read_table(folder / "truth.tsv")["truth"].astype(str)
    stage1 = json.loads((folder / "config.json").read_text())
    start = time.perf_counter()
    calls = methods(stage1["clustering"], factors, r2, read_table(folder / "covariates.tsv"), seed)
    calls.update({m: labels.dropna() for m, labels in read_table(folder / "baselines.tsv").items()})
    seconds = time.perf_counter() - start
    return [
        {
            "scenario": name,
            "seed": seed,
            "true_k": int(truth.nunique()),
            "tumours": len(truth),
            "method": method,
            **score(labels, truth),
            "mofa_s": stage1["mofa_s"],
            "run_s": round(stage1["mofa_s"] + stage1["baselines_s"] + seconds, 1),
        }
        for method, labels in calls.items()
    ]


def simulated_run(scenario: Scenario, seed: int) -> list[dict]:
    return scored(scenario.name, seed, scenario)


def guarded(job: tuple[str, int]) -> list[dict]:
    """One run's rows; a run that fails is reported, not hidden."""
    name, seed = job
    logging.basicConfig(level=logging.ERROR, force=True)
    try:
        with threadpool_limits(limits=1):
            return scored(name, seed, SCENARIOS.get(name))
    except Exception:
        return [{"scenario": name, "seed": seed, "method": "oncomix", "error": traceback.format_exc(limit=3)}]


SCENARIOS = {s.name: s for s in scenarios()}


def table(frame: pd.DataFrame, floatfmt: str = ".3f") -> str:
    return frame.to_markdown(floatfmt=floatfmt)


def real_cohort_table(real: pd.DataFrame) -> pd.DataFrame:
    """Mean ARI and chosen k of every method on each real cohort, best on the first cohort first."""
    if real.empty:
        return real
    wide = real.pivot_table(index="method", columns="scenario", values=["ari", "k"], aggfunc="mean")
    wide = wide.sort_values(("ari", real["scenario"].iloc[0]), ascending=False)
    wide.columns = [f"{value} {cohort}" for value, cohort in wide.columns]
    return wide


def summary(rows: pd.DataFrame, simulated: set[str]) -> str:
    """The markdown report: criteria, per-method totals, per-scenario means, real cohorts."""
    sim = rows[rows["scenario"].isin(simulated)].copy()
    sim["k_right"] = sim["k"] == sim["true_k"]
    per_method = (
        sim.groupby("method")
        .agg(
            runs=("ari", "size"),
            k_right=("k_right", "mean"),
            mean_ari=("ari", "mean"),
            median_ari=("ari", "median"),
            ari_ge_0_9=("ari", lambda a: (a >= 0.9).mean()),
            mean_nmi=("nmi", "mean"),
        )
        .sort_values("mean_ari", ascending=False)
    )
    generator = sim["scenario"].str.split(":").str[0]
    for name, rows_of in sim.groupby(generator):
        per_method[f"mean_ari_{name}"] = rows_of.groupby("method")["ari"].mean()
    wide = sim.pivot_table(index=["scenario", "seed"], columns="method", values="ari")
    reference_ok = wide["reference"] >= 0.9
    per_method["ari_ge_0_9_where_reference_does"] = [
        (wide.loc[reference_ok, m] >= 0.9).mean() for m in per_method.index
    ]
    means = sim.pivot_table(index="scenario", columns="method", values="ari")
    per_method["scenarios_0_05_below_reference"] = [
        int((means[m] < means["reference"] - 0.05).sum()) for m in per_method.index
    ]
    shown = [
        "oncomix",
        "reference",
        "oncomix, finer level",
        "oncomix, no structure test",
        "oncomix, selected factors only",
        "informative factors, standardised, k-means",
        "used factors, standardised, k-means",
        "concatenated PCA",
        "SNF",
    ]
    per_scenario = sim[sim["method"].isin(shown)].pivot_table(index="scenario", columns="method", values="ari")[
        [m for m in shown]
    ]
    ks = sim[sim["method"].isin(["oncomix", "reference"])].pivot_table(
        index=["scenario", "seed"], columns="method", values="k"
    )
    true_k = sim.drop_duplicates(["scenario", "seed"]).set_index(["scenario", "seed"])["true_k"]
    ks = (
        ks.assign(true_k=true_k)
        .reset_index()
        .groupby("scenario")
        .agg(
            true_k=("true_k", "first"),
            oncomix_k=("oncomix", lambda k: "/".join(map(str, map(int, k)))),
            reference_k=("reference", lambda k: "/".join(map(str, map(int, k)))),
        )
    )
    real = rows[~rows["scenario"].isin(simulated)]
    real_table = real_cohort_table(real)
    timing = rows.drop_duplicates(["scenario", "seed"])[["mofa_s", "run_s"]].sum()
    onc = per_method.loc["oncomix"]
    null = sim[(sim["true_k"] == 1) & (sim["method"] == "oncomix")]
    lines = [
        "# Subtype accuracy benchmark",
        "",
        f"Written by `make bench-accuracy` (`bench/accuracy.py`) on {date.today()}, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}. "
        f"{sim[['scenario', 'seed']].drop_duplicates().shape[0]} simulated scenario-seeds ({len(simulated)} scenarios "
        f"x {sim['seed'].nunique()} seeds, generators `demo` and `factor`, see `bench/generators.py`), "
        f"{real['scenario'].nunique()} real cohorts x {real['seed'].nunique()} MOFA seeds. CPU time of all runs: "
        f"{timing['run_s'] / 60:.1f} min (MOFA and preprocessing {timing['mofa_s'] / 60:.1f} min).",
        "",
        "## Done-when criteria (oncomix, simulated scenario-seeds)",
        "",
        f"- chosen k equals true k: {onc['k_right']:.1%} (target >= 85%)",
        f"- ARI >= 0.9 where the reference reaches 0.9: {onc['ari_ge_0_9_where_reference_does']:.1%} (target >= 90%)",
        "- scenarios whose mean ARI is more than 0.05 below the reference's: "
        f"{int(onc['scenarios_0_05_below_reference'])} (target 0)",
        f"- null scenarios reported as no stable subtypes: {int((null['k'] == 1).sum())} of {len(null)} runs",
        "",
        "## Every method on the simulated grid",
        "",
        "`k_right`: share of scenario-seeds with chosen k = true k (the null scenarios count when a method reports one "
        "subtype, which only oncomix's structure test can; they have no ARI or NMI, as there is no partition to agree "
        "with). `ari_ge_0_9_where_reference_does`: among the scenario-seeds "
        "where the reference reaches ARI 0.9, the share where the method does too.",
        "",
        table(per_method),
        "",
        "## Mean ARI per scenario (3 seeds)",
        "",
        table(per_scenario),
        "",
        "## Chosen k per seed",
        "",
        ks.to_markdown(),
        "",
    ]
    if len(real_table):
        lines += [
            "## Real cohorts (mean over the MOFA seeds; ARI and mean chosen k against the cohort's labels)",
            "",
            table(real_table),
            "",
        ]
    errors = rows[rows.get("error", pd.Series(dtype=str)).notna()] if "error" in rows else rows.iloc[:0]
    if len(errors):
        lines += [
            "## Runs that failed",
            "",
            *[f"- {r.scenario} seed {r.seed}: `{r.error.splitlines()[-1]}`" for r in errors.itertuples()],
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="scenario names to run (default: all, and the real cohorts)")
    parser.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "accuracy.md")
    args = parser.parse_args()
    names = args.only or list(SCENARIOS) + list(real_cohorts())
    jobs = [(n, seed) for n in names for seed in args.seeds]
    jobs.sort(key=lambda job: -SCENARIOS[job[0]].n_tumours if job[0] in SCENARIOS else -1000)  # longest first
    start = time.time()
    with ProcessPoolExecutor(args.cores) as pool:
        rows = [row for result in pool.map(guarded, jobs) for row in result]
    frame = pd.DataFrame(rows)
    args.out.write_text(summary(frame, {n for n in names if n in SCENARIOS}))
    print(f"{len(jobs)} runs in {(time.time() - start) / 60:.1f} min; wrote {args.out}")


if __name__ == "__main__":
    main()
