"""Snakemake adapter: method_comparison.tsv from the MOFA subtypes and every baseline's."""

from pathlib import Path

import mudata as md
import pandas as pd

from oncomix.compare import comparison_table, describe, method_row
from oncomix.logs import run_step


def read_method(subtypes_path, k_selection_path) -> tuple[pd.DataFrame, pd.DataFrame]:
    calls = pd.read_csv(subtypes_path, sep="\t", index_col="sample_id", dtype={"sample_id": str})
    return calls, pd.read_csv(k_selection_path, sep="\t")


def main(snakemake):
    obs = md.read_h5mu(snakemake.input.data).obs
    reference = obs[snakemake.params.compare_to] if snakemake.params.compare_to else None
    survival = snakemake.params.survival
    outcome = obs[[survival["time"], survival["event"]]].set_axis(["time", "event"], axis=1) if survival else None
    methods = {"mofa": (snakemake.input.subtypes, snakemake.input.k_selection)}
    for method in snakemake.params.methods:
        folder = Path(snakemake.input.subtypes).parent / "baselines" / method
        methods[method] = (folder / "subtypes.tsv", folder / "k_selection.tsv")
    rows = [
        method_row(method, *describe(method, snakemake.params.clusterer), *read_method(*paths), reference, outcome)
        for method, paths in methods.items()
    ]
    comparison_table(rows).to_csv(snakemake.output[0], sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
