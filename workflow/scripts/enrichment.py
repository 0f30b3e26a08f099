"""Snakemake adapter: enrichment.tsv (gene-set enrichment of every subtype and MOFA factor), pathway_activity.tsv
and pathway_activity_tests.tsv (single-sample scores of the transcriptome views, against subtype)."""

import mudata as md
import pandas as pd

from oncomix.enrichment import ACTIVITY_TYPES, EnrichmentOptions, enrichment, tumour_activity
from oncomix.genesets import read_collection, view_symbols
from oncomix.logs import run_step
from oncomix.readers import read_marker_table, read_sample_table


def main(snakemake):
    options = EnrichmentOptions(**snakemake.params.options)
    omics = snakemake.params.omics
    collections = {name: read_collection(path) for name, path in snakemake.params.collections.items()}
    mdata = md.read_h5mu(snakemake.input.data)
    symbols = view_symbols(mdata, omics)
    types = {view: entry["type"] for view, entry in omics.items()}
    markers = read_marker_table(snakemake.input.evidence)
    r2 = pd.read_csv(snakemake.input.variance, sep="\t", index_col="view")
    table = enrichment(markers, read_marker_table(snakemake.input.weights), r2, symbols, collections, types, options)
    table.to_csv(snakemake.output.enrichment, sep="\t", index=False)
    views = {view: mdata[view].to_df() for view in symbols["view"].unique() if types[view] in ACTIVITY_TYPES}
    subtypes = read_sample_table(snakemake.input.subtypes)["subtype"]
    scores, tests = tumour_activity(views, symbols, collections, subtypes, options)
    scores.to_csv(snakemake.output.activity, sep="\t", index=False)
    tests.to_csv(snakemake.output.activity_tests, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
