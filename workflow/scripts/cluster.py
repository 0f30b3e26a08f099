"""Snakemake adapter: subtypes from the MOFA factors, with the factors' covariate associations."""

import mudata as md
import pandas as pd

from oncomix.cluster import ClusterOptions, subtype_tree
from oncomix.factors import FactorOptions, cluster_factors
from oncomix.logs import run_step
from oncomix.tables import read_sample_table
from oncomix.validate import missing_views


def main(snakemake):
    mdata = md.read_h5mu(snakemake.input.data)
    config = {"clustering": snakemake.params.clustering, "seed": snakemake.params.seed}
    result = cluster_factors(
        read_sample_table(snakemake.input.factors),
        pd.read_csv(snakemake.input.variance, sep="\t", index_col="view"),
        mdata.obs,
        snakemake.params.compare_to,
        FactorOptions.from_config(config),
        ClusterOptions.from_config(config, jobs=snakemake.threads),
    )
    result.subtypes.calls.join(result.fine).join(missing_views(mdata)).to_csv(snakemake.output.subtypes, sep="\t")
    subtype_tree(result.subtypes).to_csv(snakemake.output.tree, sep="\t", index=False)
    result.subtypes.k_selection.to_csv(snakemake.output.k_selection, sep="\t", index=False)
    result.subtypes.consensus.to_csv(snakemake.output.consensus, sep="\t", compression={"method": "gzip", "mtime": 0})
    result.factor_table.to_csv(snakemake.output.factor_table, sep="\t")
    result.associations.to_csv(snakemake.output.associations, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
