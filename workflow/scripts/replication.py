"""Snakemake adapter: rediscover subtypes and markers in random halves of the cohort."""

import mudata as md

from oncomix.factors import FactorOptions
from oncomix.integrate import MofaOptions
from oncomix.logs import run_step
from oncomix.replication import ReplicationOptions, replicate
from oncomix.tables import read_long, read_sample_table, write_long


def main(snakemake):
    params = snakemake.params
    config = {"mofa": params.mofa, "clustering": params.clustering, "markers": params.replication, "seed": params.seed}
    result = replicate(
        md.read_h5mu(snakemake.input.data),
        read_sample_table(snakemake.input.subtypes)["subtype"],
        read_long(snakemake.input.evidence),
        params.clustering["method"],
        params.alpha,
        MofaOptions.from_config(config),
        FactorOptions.from_config(config),
        ReplicationOptions.from_config(config),
        jobs=snakemake.threads,
    )
    write_long(result.markers, snakemake.output.markers)
    write_long(result.halves, snakemake.output.halves)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
