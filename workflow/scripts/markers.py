"""Snakemake adapter: biomarker tests per subtype and view."""

import mudata as md

from oncomix.logs import run_step
from oncomix.markers import find_markers
from oncomix.readers import read_sample_table


def main(snakemake):
    subtypes = read_sample_table(snakemake.input.subtypes)["subtype"]
    markers = find_markers(md.read_h5mu(snakemake.input.data), subtypes, snakemake.params.alpha)
    markers.to_csv(snakemake.output[0], sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
