rule clinical:
    """Sample-sheet columns against subtype and each factor; table one per subtype; missing views per subtype."""
    input:
        subtypes=f"{OUT}/subtypes.tsv",
        factors=f"{OUT}/factors.tsv",
        data=f"{OUT}/data.h5mu",
    output:
        subtypes=report(
            f"{OUT}/clinical/subtype_associations.tsv",
            caption="../report/subtype_associations.rst",
            category="Outcome and clinical",
        ),
        factors=f"{OUT}/clinical/factor_associations.tsv",
        table_one=report(
            f"{OUT}/clinical/table_one.tsv", caption="../report/table_one.rst", category="Outcome and clinical"
        ),
        missing_views=f"{OUT}/clinical/missing_views.tsv",
    log:
        f"{LOGS}/clinical.log",
    benchmark:
        f"{OUT}/benchmarks/clinical.tsv"
    conda:
        ENVS["outcome"]
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        columns=config["clinical_columns"],
        survival=config.get("survival"),
    script:
        "../scripts/clinical.py"


rule landscape:
    """Mutation burden and fraction of copy-number features altered per tumour, tested between subtypes."""
    input:
        subtypes=f"{OUT}/subtypes.tsv",
        data=f"{OUT}/raw.h5mu",  # validated values, before preprocessing drops rare mutations and flat features
    output:
        tumours=f"{OUT}/landscape/tumours.tsv",
        tests=report(f"{OUT}/landscape/tests.tsv", caption="../report/landscape.rst", category="Outcome and clinical"),
    log:
        f"{LOGS}/landscape.log",
    benchmark:
        f"{OUT}/benchmarks/landscape.tsv"
    conda:
        ENVS["outcome"]
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/landscape.py"


rule drug_response:
    """Drug response against subtype (and the groupings of drug_response.by), and the features that track it."""
    input:
        subtypes=f"{OUT}/subtypes.tsv",
        data=f"{OUT}/data.h5mu",
    output:
        groups=report(f"{OUT}/drug_response.tsv", caption="../report/drug_response.rst", category="Drug response"),
        markers=report(
            f"{OUT}/response_markers.tsv", caption="../report/response_markers.rst", category="Drug response"
        ),
    log:
        f"{LOGS}/drug_response.log",
    benchmark:
        f"{OUT}/benchmarks/drug_response.tsv"
    conda:
        ENVS["outcome"]
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(2000, int(10 * input.size_mb)),
        runtime=30,
    params:
        settings=config.get("drug_response"),
    script:
        "../scripts/drug_response.py"
