"""Snakemake adapter: subtypes from the MOFA factors, with the factors' covariate associations."""

import mudata as md
import pandas as pd

from oncomix.cluster import ClusterOptions, find_subtypes
from oncomix.config import options_for
from oncomix.factors import FactorOptions, covariate_associations, factor_space, factor_table
from oncomix.logs import run_step
from oncomix.validate import missing_views


def main(snakemake):
    factors = pd.read_csv(snakemake.input.factors, sep="\t", index_col="sample_id")
    r2 = pd.read_csv(snakemake.input.variance, sep="\t", index_col="view")
    mdata = md.read_h5mu(snakemake.input.data)
    clustering, seed = snakemake.params.clustering, snakemake.params.seed
    technical = clustering["technical_covariates"]
    covariates = mdata.obs[list(dict.fromkeys([*technical, *snakemake.params.reference]))]
    associations = covariate_associations(factors, covariates, set(technical))
    table = factor_table(factors, r2, associations, options_for(FactorOptions, clustering, seed=seed))
    result = find_subtypes(factor_space(factors, table), options_for(ClusterOptions, clustering, seed=seed))
    calls = result.calls.join(missing_views(mdata))
    calls.to_csv(snakemake.output.subtypes, sep="\t")
    result.k_selection.to_csv(snakemake.output.k_selection, sep="\t", index=False)
    result.consensus.to_csv(snakemake.output.consensus, sep="\t", compression={"method": "gzip", "mtime": 0})
    table.to_csv(snakemake.output.factor_table, sep="\t")
    associations.to_csv(snakemake.output.associations, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
