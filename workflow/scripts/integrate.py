"""Snakemake adapter: train MOFA+, write the model, factors, weights, variance explained and a training summary."""

import mudata as md

from oncomix.integrate import MofaOptions, train_mofa, training_summary, weights_long
from oncomix.logs import run_step


def main(snakemake):
    options = MofaOptions.from_config({"mofa": snakemake.params.mofa, "seed": snakemake.params.seed})
    result = train_mofa(md.read_h5mu(snakemake.input[0]), snakemake.output.model, options)
    result.factors.to_csv(snakemake.output.factors, sep="\t")
    weights_long(result.weights).to_csv(snakemake.output.weights, sep="\t", index=False)
    result.r2.to_csv(snakemake.output.variance, sep="\t")
    training_summary(result).to_csv(snakemake.output.training, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
