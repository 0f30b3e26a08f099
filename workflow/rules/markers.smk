rule markers:
    """Test every feature of every view for each subtype; rank candidate biomarkers."""
    input:
        data=f"{OUT}/data.h5mu",
        subtypes=f"{OUT}/subtypes.tsv",
    output:
        f"{OUT}/biomarkers.tsv",
    log:
        f"{LOGS}/markers.log",
    benchmark:
        f"{OUT}/benchmarks/markers.tsv"
    params:
        alpha=config["markers"]["alpha"],
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(1000, int(10 * input.size_mb)),
        runtime=30,
    conda:
        ENV
    script:
        "../scripts/markers.py"
