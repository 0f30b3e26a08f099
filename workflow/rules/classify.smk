rule classify:
    """Assign this config's tumours to the subtypes of a finished run (config classify.model)."""
    input:
        manifest=f"{config['classify']['model']}/manifest.json",
        samples=config["samples"],
        omics=omic_paths(),
    output:
        calls=f"{OUT}/classification/subtypes.tsv",
        markers=f"{OUT}/classification/targetable_markers.tsv",
        report=f"{OUT}/classification/report.html",
    log:
        f"{LOGS}/classify.log",
    benchmark:
        f"{OUT}/benchmarks/classify.tsv"
    conda:
        ENVS["ingest"]
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(2000, int(20 * input.size_mb)),
        runtime=30,
    params:
        data=lambda wildcards: data_settings(config),  # exactly what the script reads
    script:
        "../scripts/classify.py"
