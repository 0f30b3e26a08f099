rule baseline:
    """One simple alternative to MOFA (concatenated PCA, SNF, one view alone), clustered the same way."""
    input:
        f"{OUT}/data.h5mu",
    output:
        subtypes=f"{OUT}/baselines/{{method}}/subtypes.tsv",
        k_selection=f"{OUT}/baselines/{{method}}/k_selection.tsv",
    log:
        f"{LOGS}/baseline_{{method}}.log",
    benchmark:
        f"{OUT}/benchmarks/baseline_{{method}}.tsv"
    wildcard_constraints:
        method="concat_pca|snf|view_[A-Za-z0-9_]+",
    conda:
        ENVS["cluster"]
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(2000, int(50 * input.size_mb)),
        runtime=60,
    params:
        clustering=config["clustering"],
        components=config["mofa"]["factors"],
        seed=config["seed"],
        snf_max_tumours=config["snf_max_tumours"],
    script:
        "../scripts/baseline.py"


rule compare_methods:
    """MOFA and the baselines side by side: k, stability, agreement with reference labels, log-rank."""
    input:
        data=f"{OUT}/data.h5mu",
        subtypes=f"{OUT}/subtypes.tsv",
        k_selection=f"{OUT}/k_selection.tsv",
        baseline_subtypes=expand(f"{OUT}/baselines/{{method}}/subtypes.tsv", method=baseline_methods()),
        baseline_k_selection=expand(f"{OUT}/baselines/{{method}}/k_selection.tsv", method=baseline_methods()),
    output:
        report(f"{OUT}/method_comparison.tsv", caption="../report/method_comparison.rst", category="Subtypes"),
    log:
        f"{LOGS}/compare_methods.log",
    benchmark:
        f"{OUT}/benchmarks/compare_methods.tsv"
    conda:
        ENVS["cluster"]
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        methods=baseline_methods(),
        clusterer=config["clustering"]["method"],
        compare_to=config.get("compare_to"),
        survival=config.get("survival"),
    script:
        "../scripts/compare_methods.py"
