"""Snakemake adapter: mutation burden and fraction altered per tumour, and their tests between subtypes."""

import mudata as md

from oncomix.landscape import landscape_tests, tumour_landscape
from oncomix.logs import run_step
from oncomix.tables import read_sample_table, write_indexed, write_long


def main(snakemake):
    landscape = tumour_landscape(md.read_h5mu(snakemake.input.data))
    write_indexed(landscape, snakemake.output.tumours)
    subtypes = read_sample_table(snakemake.input.subtypes)["subtype"]
    write_long(landscape_tests(landscape, subtypes), snakemake.output.tests)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
