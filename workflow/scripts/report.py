"""Snakemake adapter: render report.html, and every figure as SVG and PDF under figures/."""

from pathlib import Path

import mudata as md
import pandas as pd

from oncomix.logs import run_step
from oncomix.report import ReportInputs, file_checksums, log_warnings, render, stage_times
from oncomix.resources import TARGETING_RESOURCES, describe
from oncomix.tables import read_marker_table, read_sample_table


def tables(paths) -> dict[str, pd.DataFrame]:
    """TSVs by file stem (kaplan_meier.tsv -> 'kaplan_meier'), text cells kept as written."""
    return {Path(path).stem: pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[""]) for path in paths}


def main(snakemake):
    # the per-tumour activity scores are not shown
    gene_sets = tables(path for path in snakemake.input.enrichment if not path.endswith("pathway_activity.tsv"))
    inputs = ReportInputs(
        cohort=snakemake.params.cohort,
        mdata=md.read_h5mu(snakemake.input.data),
        factors=read_sample_table(snakemake.input.factors),
        r2=pd.read_csv(snakemake.input.variance, sep="\t", index_col="view"),
        subtypes=read_sample_table(snakemake.input.subtypes),
        k_selection=pd.read_csv(snakemake.input.k_selection, sep="\t"),
        factor_table=pd.read_csv(snakemake.input.factor_table, sep="\t", index_col="factor"),
        associations=pd.read_csv(snakemake.input.associations, sep="\t"),
        consensus=read_sample_table(snakemake.input.consensus),
        method_comparison=pd.read_csv(snakemake.input.method_comparison, sep="\t"),
        biomarkers=read_marker_table(snakemake.input.biomarkers),
        targets=read_marker_table(snakemake.input.targets),
        signature=read_marker_table(snakemake.input.signature),
        signature_performance=pd.read_csv(snakemake.input.signature_performance, sep="\t", dtype={"scope": str}),
        replication_halves=pd.read_csv(snakemake.input.replication_halves, sep="\t"),
        overlap=pd.read_csv(snakemake.input.overlap, sep="\t", index_col="view"),
        dropped=pd.read_csv(snakemake.input.dropped, sep="\t", keep_default_na=False),
        config=dict(snakemake.params.config),
        clinical=tables(snakemake.input.clinical),
        landscape=pd.read_csv(snakemake.input.landscape, sep="\t"),
        enrichment=gene_sets.get("enrichment"),
        activity_tests=gene_sets.get("pathway_activity_tests"),
        survival=tables(snakemake.input.survival) or None,
        drugs=tables(snakemake.input.drugs) or None,
        mofa_training=pd.read_csv(snakemake.input.training, sep="\t"),
        alpha=snakemake.params.alpha,
        top_n=snakemake.params.top_n,
        min_replication=snakemake.params.min_replication,
        warnings=log_warnings({Path(path).stem: path for path in snakemake.input.logs}),
        checksums=file_checksums(snakemake.input.inputs),
        subtype_tree=read_marker_table(snakemake.input.tree),
        targetable_tumours=read_marker_table(snakemake.input.targetable_tumours),
        resources=describe(
            {name: snakemake.input[name] for name in TARGETING_RESOURCES if name in snakemake.input.keys()}
        ),
        stage_times=stage_times({Path(path).stem: pd.read_csv(path, sep="\t") for path in snakemake.input.benchmarks}),
    )
    figures = Path(snakemake.output.figures)
    figures.mkdir(parents=True, exist_ok=True)
    Path(snakemake.output.html).write_text(render(inputs, figures), encoding="utf-8")


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
