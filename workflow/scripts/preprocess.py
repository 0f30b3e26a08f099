"""Snakemake adapter: per-view preprocessing, write data.h5mu."""

import mudata as md

from oncomix.logs import run_step
from oncomix.preprocess import PreprocessOptions, preprocess

VIEW_KEYS = ("n_features", "batch", "log")  # per-view keys that override the preprocess defaults


def main(snakemake):
    options = {
        name: PreprocessOptions(**{**snakemake.params.defaults, **{k: view[k] for k in VIEW_KEYS if k in view}})
        for name, view in snakemake.params.omics.items()
    }
    preprocess(md.read_h5mu(snakemake.input[0]), options).write(snakemake.output[0])


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
