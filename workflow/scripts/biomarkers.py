"""Snakemake adapter: biomarkers.tsv (evidence, replication, targeting annotation), targets.tsv (with the share of
target-positive tumours per subtype) and targetable_tumours.tsv."""

import mudata as md
import pandas as pd

from oncomix.logs import run_step
from oncomix.replication_rates import Replication, add_replication
from oncomix.tables import read_marker_table, read_sample_table
from oncomix.targeting import add_positive_rates, annotate, targetable_tumours, targeting_options, targets_table


def main(snakemake):
    replication = Replication(
        read_marker_table(snakemake.input.replication), pd.read_csv(snakemake.input.halves, sep="\t")
    )
    biomarkers = add_replication(
        read_marker_table(snakemake.input.evidence),
        replication,
        snakemake.params.alpha,
        snakemake.params.min_replication,
    )
    biomarkers = annotate(
        biomarkers, dict(snakemake.params.gene_maps), targeting_options(snakemake.params.targeting, snakemake.input)
    )
    biomarkers.to_csv(snakemake.output.biomarkers, sep="\t", index=False)
    tumours = targetable_tumours(md.read_h5mu(snakemake.input.data), biomarkers)
    tumours.to_csv(snakemake.output.targetable_tumours, sep="\t", index=False)
    subtypes = read_sample_table(snakemake.input.subtypes)["subtype"]
    targets = add_positive_rates(targets_table(biomarkers, snakemake.params.alpha), tumours, subtypes)
    # the classifier folder is self-contained: it holds its own copy
    for path in (snakemake.output.targets, snakemake.output.classifier_targets):
        targets.to_csv(path, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
