rule survival:
    """Outcome by subtype (lifelines): Kaplan-Meier, log-rank tests, medians, Cox models."""
    input:
        subtypes=f"{OUT}/subtypes.tsv",
        factors=f"{OUT}/factors.tsv",
        data=f"{OUT}/data.h5mu",
    output:
        kaplan_meier=f"{OUT}/survival/kaplan_meier.tsv",
        medians=f"{OUT}/survival/median_survival.tsv",
        logrank=report(f"{OUT}/survival/logrank.tsv", caption="../report/logrank.rst", category="Outcome and clinical"),
        cox=report(
            f"{OUT}/survival/cox_subtypes.tsv", caption="../report/cox_subtypes.rst", category="Outcome and clinical"
        ),
        proportional_hazards=f"{OUT}/survival/cox_proportional_hazards.tsv",
        factors=f"{OUT}/survival/cox_factors.tsv",
    log:
        f"{LOGS}/survival.log",
    benchmark:
        f"{OUT}/benchmarks/survival.tsv"
    conda:
        ENVS["outcome"]
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        survival=config.get("survival"),
    script:
        "../scripts/survival.py"
