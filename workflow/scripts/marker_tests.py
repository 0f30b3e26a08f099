"""Snakemake adapter: marker tests per subtype (params.column: subtype or subtype_fine) and view, with MOFA weights
and the ranking; annotated for targeting when params.targeting is given (the finer level, which has no
replication step before the annotation)."""

import mudata as md

from oncomix.logs import run_step
from oncomix.markers import find_markers
from oncomix.tables import read_long, read_sample_table, write_long
from oncomix.targeting import annotate, targeting_options


def main(snakemake):
    markers = find_markers(
        md.read_h5mu(snakemake.input.data),
        read_sample_table(snakemake.input.subtypes)[snakemake.params.column],
        snakemake.params.alpha,
        factors=read_sample_table(snakemake.input.factors),
        weights=read_long(snakemake.input.weights),
        min_effect=snakemake.params.min_effect,
        min_auc=snakemake.params.min_auc,
    )
    if "targeting" in snakemake.params.keys():
        markers = annotate(
            markers, dict(snakemake.params.gene_maps), targeting_options(snakemake.params.targeting, snakemake.input)
        )
    write_long(markers, snakemake.output[0])


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
