"""Snakemake adapter: check the config's inputs, write raw.h5mu and the overlap / dropped tables."""

import copy

from oncomix.logs import run_step
from oncomix.tables import write_indexed, write_long
from oncomix.validate import validate


def main(snakemake):
    result = validate(copy.deepcopy(dict(snakemake.config)))
    result.mdata.write(snakemake.output.data)
    write_indexed(result.overlap, snakemake.output.overlap)
    write_long(result.dropped, snakemake.output.dropped)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
