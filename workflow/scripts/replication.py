"""Snakemake adapter: rediscover subtypes and markers in random halves of the cohort."""

import mudata as md

from oncomix.config import options_for
from oncomix.factors import FactorOptions
from oncomix.integrate import MofaOptions
from oncomix.logs import run_step
from oncomix.readers import read_marker_table, read_sample_table
from oncomix.replication import ReplicationOptions, replicate


def main(snakemake):
    params, seed = snakemake.params, snakemake.params.seed
    result = replicate(
        md.read_h5mu(snakemake.input.data),
        read_sample_table(snakemake.input.subtypes)["subtype"],
        read_marker_table(snakemake.input.evidence),
        params.clustering["method"],
        params.alpha,
        MofaOptions(**params.mofa, seed=seed),
        options_for(FactorOptions, params.clustering, seed=seed),
        ReplicationOptions(replication_splits=params.splits, max_tumours=params.max_tumours, seed=seed),
        jobs=snakemake.threads,
    )
    result.markers.to_csv(snakemake.output.markers, sep="\t", index=False)
    result.halves.to_csv(snakemake.output.halves, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
