rule cluster:
    """Subtypes from the factors, with the number of subtypes chosen from the data."""
    input:
        factors=f"{OUT}/factors.tsv",
        variance=f"{OUT}/variance_explained.tsv",
    output:
        subtypes=f"{OUT}/subtypes.tsv",
        k_selection=f"{OUT}/k_selection.tsv",
        factor_table=f"{OUT}/clustering_factors.tsv",
    log:
        f"{LOGS}/cluster.log",
    benchmark:
        f"{OUT}/benchmarks/cluster.tsv"
    params:
        clustering=config["clustering"],
        seed=config["seed"],
    threads: 2
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        ENV
    script:
        "../scripts/cluster.py"
