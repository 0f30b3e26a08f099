"""Snakemake adapter: enrichment.tsv (gene-set enrichment of every subtype and MOFA factor), pathway_activity.tsv
and pathway_activity_tests.tsv (single-sample scores of the transcriptome views, against subtype)."""

import mudata as md

from oncomix.enrichment import EnrichmentOptions, gene_set_analyses
from oncomix.genesets import read_collection
from oncomix.logs import run_step
from oncomix.tables import read_indexed, read_long, read_sample_table, write_long


def main(snakemake):
    collections = {name: read_collection(path) for name, path in snakemake.params.collections.items()}
    table, scores, tests = gene_set_analyses(
        md.read_h5mu(snakemake.input.data),
        read_long(snakemake.input.evidence),
        read_long(snakemake.input.weights),
        read_indexed(snakemake.input.variance, "view"),
        read_sample_table(snakemake.input.subtypes)["subtype"],
        snakemake.params.omics,
        collections,
        EnrichmentOptions.from_config(
            {"enrichment": snakemake.params.enrichment, "seed": snakemake.params.seed}, alpha=snakemake.params.alpha
        ),
    )
    write_long(table, snakemake.output.enrichment)
    write_long(scores, snakemake.output.activity)
    write_long(tests, snakemake.output.activity_tests)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
