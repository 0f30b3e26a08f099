rule ingest:
    """Read and check the sample sheet and every omic table; join them into one MuData."""
    input:
        samples=config["samples"],
        omics=omic_paths(),
    output:
        f"{OUT}/raw.h5mu",
    log:
        f"{LOGS}/ingest.log",
    params:
        omics=config["omics"],
        survival=config.get("survival"),
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(1000, int(20 * input.size_mb)),
        runtime=20,
    conda:
        ENV
    script:
        "../scripts/ingest.py"
