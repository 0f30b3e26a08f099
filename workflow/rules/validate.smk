rule validate:
    """First in the graph: check every input file (all problems at once), harmonise sample ids, drop
    uninformative features and samples, and join the views into raw.h5mu."""
    input:
        samples=config["samples"],
        omics=omic_paths(),
    output:
        data=f"{OUT}/raw.h5mu",
        overlap=f"{OUT}/validation/overlap.tsv",
        dropped=f"{OUT}/validation/dropped.tsv",
    log:
        f"{LOGS}/validate.log",
    benchmark:
        f"{OUT}/benchmarks/validate.tsv"
    conda:
        ENVS["ingest"]
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(1000, int(20 * input.size_mb)),
        runtime=20,
    params:
        # what the output depends on, so that changing it re-runs this step (and every later one), and sample-sheet
        # columns it checks. The script reads the whole config: keys it only checks (clinical_columns, clustering.k
        # and k_max, genesets, enrichment sizes, targeting tables) are left out, so that changing one does not
        # re-run MOFA (tests/test_workflow.py: a new clinical_columns or k_max re-runs only the steps that use it)
        omics=config["omics"],
        survival=config.get("survival"),
        sample_id_pattern=lambda wildcards: config.get("sample_id_pattern"),  # a function: no {} expansion
        sheet_columns=[
            config.get("compare_to"),
            config["clustering"]["technical_covariates"],
            config.get("drug_response"),
        ],
    script:
        "../scripts/validate.py"
