"""Snakemake adapter: per-view preprocessing, write data.h5mu."""

import mudata as md

from oncomix.logs import run_step
from oncomix.preprocess import preprocess, view_options


def main(snakemake):
    options = view_options(snakemake.params.defaults, snakemake.params.omics)
    preprocess(md.read_h5mu(snakemake.input[0]), options).write(snakemake.output[0])


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
