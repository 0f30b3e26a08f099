"""Snakemake adapter: mutation burden and fraction altered per tumour, and their tests between subtypes."""

import mudata as md

from oncomix.landscape import landscape_tests, tumour_landscape
from oncomix.logs import run_step
from oncomix.tables import read_sample_table


def main(snakemake):
    landscape = tumour_landscape(md.read_h5mu(snakemake.input.data))
    landscape.to_csv(snakemake.output.tumours, sep="\t")
    subtypes = read_sample_table(snakemake.input.subtypes)["subtype"]
    landscape_tests(landscape, subtypes).to_csv(snakemake.output.tests, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
