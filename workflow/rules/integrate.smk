rule integrate:
    """Train MOFA+ on all views; write factors, weights and variance explained."""
    input:
        f"{OUT}/data.h5mu",
    output:
        model=f"{OUT}/model.hdf5",
        factors=f"{OUT}/factors.tsv",
        weights=f"{OUT}/weights.tsv",
        variance=f"{OUT}/variance_explained.tsv",
    log:
        f"{LOGS}/integrate.log",
    benchmark:
        f"{OUT}/benchmarks/integrate.tsv"
    priority: CRITICAL_PATH
    conda:
        ENVS["mofa"]
    threads: 2
    resources:
        mem_mb=mofa_mem_mb,
        runtime=120,
    params:
        mofa=config["mofa"],
        seed=config["seed"],
    script:
        "../scripts/integrate.py"
