"""Snakemake adapter: check the config's inputs, write raw.h5mu and the overlap / dropped tables."""

import copy

from oncomix.logs import run_step
from oncomix.validate import validate


def main(snakemake):
    result = validate(copy.deepcopy(dict(snakemake.config)))
    result.mdata.write(snakemake.output.data)
    result.overlap.to_csv(snakemake.output.overlap, sep="\t")
    result.dropped.to_csv(snakemake.output.dropped, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
