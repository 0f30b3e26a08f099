"""Snakemake adapter: render report.html, and every figure as SVG and PDF under figures/."""

from pathlib import Path

import mudata as md
import pandas as pd

from oncomix.logs import run_step
from oncomix.report import ReportInputs, file_checksums, log_warnings, render, stage_times
from oncomix.resources import TARGETING_RESOURCES, describe
from oncomix.tables import read_indexed, read_long, read_sample_table


def tables(paths) -> dict[str, pd.DataFrame]:
    """TSVs by file stem (kaplan_meier.tsv -> 'kaplan_meier'), text cells kept as written."""
    return {Path(path).stem: read_long(path) for path in paths}


def main(snakemake):
    # the per-tumour activity scores are not shown
    gene_sets = tables(path for path in snakemake.input.enrichment if not path.endswith("pathway_activity.tsv"))
    inputs = ReportInputs(
        cohort=snakemake.params.cohort,
        mdata=md.read_h5mu(snakemake.input.data),
        factors=read_sample_table(snakemake.input.factors),
        r2=read_indexed(snakemake.input.variance, "view"),
        subtypes=read_sample_table(snakemake.input.subtypes),
        k_selection=read_long(snakemake.input.k_selection),
        factor_table=read_indexed(snakemake.input.factor_table, "factor"),
        associations=read_long(snakemake.input.associations),
        consensus=read_sample_table(snakemake.input.consensus),
        method_comparison=read_long(snakemake.input.method_comparison),
        biomarkers=read_long(snakemake.input.biomarkers),
        targets=read_long(snakemake.input.targets),
        signature=read_long(snakemake.input.signature),
        signature_performance=read_long(snakemake.input.signature_performance),
        replication_halves=read_long(snakemake.input.replication_halves),
        overlap=read_indexed(snakemake.input.overlap, "view"),
        dropped=read_long(snakemake.input.dropped),
        config=dict(snakemake.params.config),
        clinical=tables(snakemake.input.clinical),
        landscape=read_long(snakemake.input.landscape),
        enrichment=gene_sets.get("enrichment"),
        activity_tests=gene_sets.get("pathway_activity_tests"),
        survival=tables(snakemake.input.survival) or None,
        drugs=tables(snakemake.input.drugs) or None,
        mofa_training=read_long(snakemake.input.training),
        alpha=snakemake.params.alpha,
        top_n=snakemake.params.top_n,
        min_replication=snakemake.params.min_replication,
        warnings=log_warnings({Path(path).stem: path for path in snakemake.input.logs}),
        checksums=file_checksums(snakemake.input.inputs),
        subtype_tree=read_long(snakemake.input.tree),
        targetable_tumours=read_long(snakemake.input.targetable_tumours),
        resources=describe(
            {name: snakemake.input[name] for name in TARGETING_RESOURCES if name in snakemake.input.keys()}
        ),
        # Snakemake's own benchmark files ("NA" where it measured nothing), not a table of oncomix.tables
        stage_times=stage_times({Path(path).stem: pd.read_csv(path, sep="\t") for path in snakemake.input.benchmarks}),
    )
    figures = Path(snakemake.output.figures)
    figures.mkdir(parents=True, exist_ok=True)
    Path(snakemake.output.html).write_text(render(inputs, figures), encoding="utf-8")


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
