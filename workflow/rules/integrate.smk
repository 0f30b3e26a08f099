rule integrate:
    """Train MOFA+ on all views (on a random mofa.max_tumours of a larger cohort, the others projected); write
    factors, weights, variance explained and a training summary."""
    input:
        f"{OUT}/data.h5mu",
    output:
        model=f"{OUT}/model.hdf5",
        factors=f"{OUT}/factors.tsv",
        weights=f"{OUT}/weights.tsv",
        variance=f"{OUT}/variance_explained.tsv",
        training=f"{OUT}/mofa_training.tsv",
    log:
        f"{LOGS}/integrate.log",
    benchmark:
        f"{OUT}/benchmarks/integrate.tsv"
    priority: CRITICAL_PATH
    conda:
        ENVS["mofa"]
    threads: 1  # MOFA runs one BLAS thread on any machine (oncomix.integrate.MOFA_BLAS_THREADS): same factors for any --cores
    resources:
        mem_mb=mofa_mem_mb,
        runtime=120,
    params:
        mofa=config["mofa"],
        seed=config["seed"],
    script:
        "../scripts/integrate.py"
