"""Snakemake adapter: train MOFA+, write the model, factors, weights, variance explained and a training summary."""

import mudata as md

from oncomix.integrate import MofaOptions, train_mofa, training_summary, weights_long
from oncomix.logs import run_step
from oncomix.tables import write_indexed, write_long


def main(snakemake):
    options = MofaOptions.from_config({"mofa": snakemake.params.mofa, "seed": snakemake.params.seed})
    result = train_mofa(md.read_h5mu(snakemake.input[0]), snakemake.output.model, options)
    write_indexed(result.factors, snakemake.output.factors)
    write_long(weights_long(result.weights), snakemake.output.weights)
    write_indexed(result.r2, snakemake.output.variance)
    write_long(training_summary(result), snakemake.output.training)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
