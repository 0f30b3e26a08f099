rule preprocess:
    """Normalise, filter and select informative features per view."""
    input:
        f"{OUT}/raw.h5mu",
    output:
        f"{OUT}/data.h5mu",
    log:
        f"{LOGS}/preprocess.log",
    benchmark:
        f"{OUT}/benchmarks/preprocess.tsv"
    conda:
        ENVS["ingest"]
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(1000, int(10 * input.size_mb)),
        runtime=20,
    params:
        defaults=config["preprocess"],
        omics=config["omics"],
    script:
        "../scripts/preprocess.py"
