"""Snakemake adapter: biomarkers.tsv (evidence, replication, targeting annotation), targets.tsv (with the share of
target-positive tumours per subtype) and targetable_tumours.tsv."""

import mudata as md

from oncomix.logs import run_step
from oncomix.replication_rates import Replication, add_replication
from oncomix.tables import read_long, read_sample_table, write_long
from oncomix.targeting import add_positive_rates, annotate, targetable_tumours, targeting_options, targets_table


def main(snakemake):
    replication = Replication(read_long(snakemake.input.replication), read_long(snakemake.input.halves))
    biomarkers = add_replication(
        read_long(snakemake.input.evidence),
        replication,
        snakemake.params.alpha,
        snakemake.params.min_replication,
    )
    biomarkers = annotate(
        biomarkers, dict(snakemake.params.gene_maps), targeting_options(snakemake.params.targeting, snakemake.input)
    )
    write_long(biomarkers, snakemake.output.biomarkers)
    tumours = targetable_tumours(md.read_h5mu(snakemake.input.data), biomarkers)
    write_long(tumours, snakemake.output.targetable_tumours)
    subtypes = read_sample_table(snakemake.input.subtypes)["subtype"]
    targets = add_positive_rates(targets_table(biomarkers, snakemake.params.alpha), tumours, subtypes)
    # the classifier folder is self-contained: it holds its own copy
    for path in (snakemake.output.targets, snakemake.output.classifier_targets):
        write_long(targets, path)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
