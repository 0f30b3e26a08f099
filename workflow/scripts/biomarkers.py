"""Snakemake adapter: biomarkers.tsv (evidence, replication, targeting annotation) and targets.tsv."""

import pandas as pd

from oncomix.config import options_for
from oncomix.logs import run_step
from oncomix.readers import read_marker_table
from oncomix.replication import Replication, add_replication
from oncomix.targeting import TargetingOptions, annotate, targets_table


def main(snakemake):
    replication = Replication(read_marker_table(snakemake.input.replication), pd.read_csv(snakemake.input.halves, sep="\t"))
    biomarkers = add_replication(read_marker_table(snakemake.input.evidence), replication, snakemake.params.alpha, snakemake.params.min_replication)
    biomarkers = annotate(biomarkers, dict(snakemake.params.gene_maps), options_for(TargetingOptions, snakemake.params.targeting))
    biomarkers.to_csv(snakemake.output.biomarkers, sep="\t", index=False)
    targets = targets_table(biomarkers, snakemake.params.alpha)
    for path in (snakemake.output.targets, snakemake.output.classifier_targets):  # the classifier folder is self-contained
        targets.to_csv(path, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
