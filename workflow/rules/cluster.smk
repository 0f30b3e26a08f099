rule cluster:
    """Subtypes from the MOFA factors, with the number of subtypes chosen by resampling."""
    input:
        factors=f"{OUT}/factors.tsv",
        variance=f"{OUT}/variance_explained.tsv",
        data=f"{OUT}/data.h5mu",
    output:
        subtypes=report(f"{OUT}/subtypes.tsv", caption="../report/subtypes.rst", category="Subtypes"),
        k_selection=report(f"{OUT}/k_selection.tsv", caption="../report/k_selection.rst", category="Subtypes"),
        tree=report(f"{OUT}/subtype_tree.tsv", caption="../report/subtype_tree.rst", category="Subtypes"),
        consensus=f"{OUT}/consensus.tsv.gz",
        factor_table=f"{OUT}/clustering_factors.tsv",
        associations=f"{OUT}/factor_covariates.tsv",
    log:
        f"{LOGS}/cluster.log",
    benchmark:
        f"{OUT}/benchmarks/cluster.tsv"
    priority: CRITICAL_PATH
    conda:
        ENVS["cluster"]
    threads: 2
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        clustering=config["clustering"],
        compare_to=config.get("compare_to"),
        seed=config["seed"],
    script:
        "../scripts/cluster.py"
