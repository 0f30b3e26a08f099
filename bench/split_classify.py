"""Train on a random part of a cohort, classify the rest, and compare with the full-cohort run.

    .venv/bin/python bench/split_classify.py config/examples/tcga_brca.yaml [--train-fraction 0.667] [--seed 0]

The cohort's validated views are split at random into a training part and a held-out part, each written as
one .h5ad per view plus a sample sheet under results/<cohort>_split/. The whole workflow runs on the
training part (cohort <cohort>_train), `snakemake classify` assigns the held-out tumours with its classifier
(cohort <cohort>_heldout), and the full cohort is run too (if not already). Agreement of the held-out calls
with the full run's subtypes (accuracy after naming each training subtype by the full subtype most of its
tumours have, and ARI) and with the config's `compare_to` labels goes to
results/<cohort>_split/split_classify.tsv and stdout.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import adjusted_rand_score

from oncomix.config import load_config
from oncomix.tables import read_sample_table
from oncomix.validate import validate

VIEW_KEYS = ("type", "log", "batch", "gene_map")  # what a view keeps once written as .h5ad


def split_cohort(config: dict, train_fraction: float, seed: int, folder: Path) -> tuple[dict[str, dict], pd.DataFrame]:
    """Write the training and held-out parts of the cohort; returns their configs by part name and the
    validated sample sheet."""
    mdata = validate(config, "config").mdata
    ids = np.random.default_rng(seed).permutation(mdata.obs_names)
    n_train = round(train_fraction * len(ids))
    configs = {}
    for part, chosen in (("train", ids[:n_train]), ("heldout", ids[n_train:])):
        (folder / part).mkdir(parents=True, exist_ok=True)
        sheet = mdata.obs.loc[sorted(chosen)].rename_axis("sample_id")
        sheet.to_csv(folder / part / "samples.tsv", sep="\t")
        omics = {}
        for name, view in mdata.mod.items():
            kept = view[view.obs_names.isin(chosen)]
            path = folder / part / f"{name}.h5ad"
            ad.AnnData(
                np.asarray(kept.X, dtype=float),
                obs=pd.DataFrame(index=kept.obs_names),
                var=pd.DataFrame(index=kept.var_names),
            ).write_h5ad(path)
            omics[name] = {"path": str(path)} | {
                key: value for key, value in config["omics"][name].items() if key in VIEW_KEYS and value is not None
            }
        configs[part] = {
            key: value for key, value in config.items() if key not in ("omics", "samples", "sample_id_pattern")
        } | {"cohort": f"{config['cohort']}_{part}", "samples": str(folder / part / "samples.tsv"), "omics": omics}
    configs["heldout"]["classify"] = {"model": f"results/{config['cohort']}_train/classifier"}
    return configs, mdata.obs


def snakemake(config_path: Path, targets: list[str], cores: int) -> None:
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), *targets, "--configfile", str(config_path)]
    subprocess.run(command, check=True)


def agreement(calls: pd.Series, train: pd.Series, full: pd.Series, labels: pd.Series | None) -> dict[str, float]:
    """Held-out calls against the full run's subtypes and the published labels."""
    names = pd.crosstab(train, full.loc[train.index]).idxmax(axis=1)  # training subtype -> full subtype
    row = {
        "train_tumours": len(train),
        "heldout_tumours": len(calls),
        "train_k": train.nunique(),
        "full_k": full.nunique(),
        "accuracy_vs_full": (calls.map(names) == full.loc[calls.index]).mean(),
        "ari_vs_full": adjusted_rand_score(full.loc[calls.index], calls),
    }
    if labels is not None:
        known = labels.loc[calls.index].dropna().index
        row |= {
            "ari_heldout_calls_vs_labels": adjusted_rand_score(labels.loc[known], calls.loc[known]),
            "ari_full_run_vs_labels_same_tumours": adjusted_rand_score(labels.loc[known], full.loc[known]),
        }
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", type=Path)
    parser.add_argument("--train-fraction", type=float, default=2 / 3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    config = load_config(args.config)
    folder = Path("results") / f"{config['cohort']}_split"
    configs, sheet = split_cohort(config, args.train_fraction, args.seed, folder)
    paths = {part: folder / f"{part}.yaml" for part in configs}
    for part, path in paths.items():
        path.write_text(yaml.safe_dump(configs[part], sort_keys=False))
    cohort = config["cohort"]
    snakemake(args.config, [f"results/{cohort}/subtypes.tsv"], args.cores)
    snakemake(paths["train"], [f"results/{cohort}_train/classifier/manifest.json"], args.cores)
    snakemake(paths["heldout"], ["classify"], args.cores)
    calls, train, full = (
        read_sample_table(f"results/{name}")["subtype"]
        for name in (
            f"{cohort}_heldout/classification/subtypes.tsv",
            f"{cohort}_train/subtypes.tsv",
            f"{cohort}/subtypes.tsv",
        )
    )
    row = agreement(
        calls, train, full, sheet[config["compare_to"]].astype("string") if "compare_to" in config else None
    )
    table = pd.DataFrame([{"cohort": cohort, "seed": args.seed, **row}])
    table.to_csv(folder / "split_classify.tsv", sep="\t", index=False, float_format="%.3f")
    print(table.to_string(index=False, float_format="%.3f"))


if __name__ == "__main__":
    main()
