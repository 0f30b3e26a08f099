"""Snakemake adapter: marker tests per subtype and view, with MOFA weights and the ranking."""

import mudata as md
import pandas as pd

from oncomix.logs import run_step
from oncomix.markers import find_markers
from oncomix.readers import read_sample_table


def main(snakemake):
    markers = find_markers(
        md.read_h5mu(snakemake.input.data),
        read_sample_table(snakemake.input.subtypes)["subtype"],
        snakemake.params.alpha,
        factors=read_sample_table(snakemake.input.factors),
        weights=pd.read_csv(snakemake.input.weights, sep="\t", keep_default_na=False, na_values=[""]),
    )
    markers.to_csv(snakemake.output[0], sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
