rule clinical:
    """Sample-sheet columns against subtype and each factor; table one per subtype."""
    input:
        subtypes=f"{OUT}/subtypes.tsv",
        factors=f"{OUT}/factors.tsv",
        data=f"{OUT}/data.h5mu",
    output:
        subtypes=f"{OUT}/clinical/subtype_associations.tsv",
        factors=f"{OUT}/clinical/factor_associations.tsv",
        table_one=f"{OUT}/clinical/table_one.tsv",
    log:
        f"{LOGS}/clinical.log",
    params:
        columns=config["clinical_columns"],
        survival=config.get("survival"),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    script:
        "../scripts/clinical.py"
