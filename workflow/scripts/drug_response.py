"""Snakemake adapter: drug_response.tsv (each drug against the subtypes and the drug_response.by groupings) and
response_markers.tsv (features correlated with each drug's response)."""

import mudata as md

from oncomix.drugs import drug_response
from oncomix.logs import run_step
from oncomix.tables import read_sample_table, write_long


def main(snakemake):
    subtypes = read_sample_table(snakemake.input.subtypes)["subtype"]
    groups, markers = drug_response(md.read_h5mu(snakemake.input.data), subtypes, snakemake.params.settings)
    write_long(groups, snakemake.output.groups)
    write_long(markers, snakemake.output.markers)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
