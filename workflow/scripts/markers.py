"""Snakemake adapter: biomarker tests per subtype and view."""

import mudata as md
import pandas as pd

from oncomix.logs import run_step
from oncomix.markers import find_markers


def main(snakemake):
    subtypes = pd.read_csv(snakemake.input.subtypes, sep="\t", index_col="sample_id")["subtype"]
    markers = find_markers(md.read_h5mu(snakemake.input.data), subtypes, snakemake.params.alpha)
    markers.to_csv(snakemake.output[0], sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
