rule report:
    """Render the self-contained HTML report."""
    input:
        unpack(targeting_tables),  # their versions are named in the report
        data=f"{OUT}/data.h5mu",
        factors=f"{OUT}/factors.tsv",
        variance=f"{OUT}/variance_explained.tsv",
        training=f"{OUT}/mofa_training.tsv",
        subtypes=f"{OUT}/subtypes.tsv",
        k_selection=f"{OUT}/k_selection.tsv",
        factor_table=f"{OUT}/clustering_factors.tsv",
        associations=f"{OUT}/factor_covariates.tsv",
        consensus=f"{OUT}/consensus.tsv.gz",
        method_comparison=f"{OUT}/method_comparison.tsv",
        biomarkers=f"{OUT}/biomarkers.tsv",
        targets=f"{OUT}/targets.tsv",
        targetable_tumours=f"{OUT}/targetable_tumours.tsv",
        tree=f"{OUT}/subtype_tree.tsv",
        biomarkers_fine=f"{OUT}/biomarkers_fine.tsv",  # not shown, but a result of every run
        signature=f"{OUT}/signature.tsv",
        signature_performance=f"{OUT}/signature_performance.tsv",
        replication_halves=f"{OUT}/markers/replication_halves.tsv",
        clinical=[f"{OUT}/clinical/{name}.tsv" for name in CLINICAL_TABLES],
        landscape=f"{OUT}/landscape/tests.tsv",
        enrichment=enrichment_outputs(),
        survival=survival_outputs(),
        drugs=drug_outputs(),
        overlap=f"{OUT}/validation/overlap.tsv",
        dropped=f"{OUT}/validation/dropped.tsv",
        logs=expand(f"{LOGS}/{{stage}}.log", stage=stages()),
        benchmarks=expand(f"{OUT}/benchmarks/{{stage}}.tsv", stage=stages()),
        inputs=[config["samples"], *omic_paths(), *config["genesets"].values()],  # checksummed in the report
    output:
        html=report(f"{OUT}/report.html", caption="../report/report.rst", category="Report"),
        figures=directory(f"{OUT}/figures"),  # every figure as SVG and PDF
    log:
        f"{LOGS}/report.log",
    benchmark:
        f"{OUT}/benchmarks/report.tsv"  # not in the report itself (it is written after it), but in bench/results.md
    conda:
        ENVS["report"]
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        cohort=config["cohort"],
        config=config,
        alpha=config["markers"]["alpha"],
        top_n=config["markers"]["report_top"],
        min_replication=config["markers"]["min_replication"],
    script:
        "../scripts/report.py"
