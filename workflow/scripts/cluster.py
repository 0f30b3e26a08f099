"""Snakemake adapter: subtypes from the MOFA factors, with the factors' covariate associations."""

import mudata as md

from oncomix.cluster import ClusterOptions, subtype_tree
from oncomix.factors import FactorOptions, cluster_factors
from oncomix.logs import run_step
from oncomix.tables import read_indexed, read_sample_table, write_indexed, write_long
from oncomix.validate import missing_views


def main(snakemake):
    mdata = md.read_h5mu(snakemake.input.data)
    config = {"clustering": snakemake.params.clustering, "seed": snakemake.params.seed}
    result = cluster_factors(
        read_sample_table(snakemake.input.factors),
        read_indexed(snakemake.input.variance, "view"),
        mdata.obs,
        snakemake.params.compare_to,
        FactorOptions.from_config(config),
        ClusterOptions.from_config(config, jobs=snakemake.threads),
    )
    write_indexed(result.subtypes.calls.join(result.fine).join(missing_views(mdata)), snakemake.output.subtypes)
    write_long(subtype_tree(result.subtypes), snakemake.output.tree)
    write_long(result.subtypes.k_selection, snakemake.output.k_selection)
    write_indexed(result.subtypes.consensus, snakemake.output.consensus)
    write_indexed(result.factor_table, snakemake.output.factor_table)
    write_long(result.associations, snakemake.output.associations)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
