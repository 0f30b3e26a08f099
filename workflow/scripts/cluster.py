"""Snakemake adapter: subtypes from the MOFA factors."""

import pandas as pd

from oncomix.cluster import ClusterOptions, find_subtypes
from oncomix.logs import run_step


def main(snakemake):
    factors = pd.read_csv(snakemake.input.factors, sep="\t", index_col="sample_id")
    r2 = pd.read_csv(snakemake.input.variance, sep="\t", index_col="view")
    options = ClusterOptions(**snakemake.params.clustering, seed=snakemake.params.seed)
    subtypes, k_selection, factor_table = find_subtypes(factors, r2, options)
    subtypes.to_csv(snakemake.output.subtypes, sep="\t")
    k_selection.to_csv(snakemake.output.k_selection, sep="\t", index=False)
    factor_table.to_csv(snakemake.output.factor_table, sep="\t")


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
