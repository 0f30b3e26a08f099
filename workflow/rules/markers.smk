rule marker_tests:
    """Test every feature of every view for each subtype; effect sizes, CIs, MOFA weights, ranking."""
    input:
        data=f"{OUT}/data.h5mu",
        subtypes=f"{OUT}/subtypes.tsv",
        factors=f"{OUT}/factors.tsv",
        weights=f"{OUT}/weights.tsv",
    output:
        f"{OUT}/markers/evidence.tsv",
    log:
        f"{LOGS}/marker_tests.log",
    benchmark:
        f"{OUT}/benchmarks/marker_tests.tsv"
    priority: CRITICAL_PATH
    conda:
        ENVS["markers"]
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(1000, int(10 * input.size_mb)),
        runtime=30,
    params:
        alpha=config["markers"]["alpha"],
        min_effect=config["markers"]["min_effect"],
        min_auc=config["markers"]["min_auc"],
        column="subtype",
    script:
        "../scripts/marker_tests.py"


rule replication:
    """Rediscover subtypes (MOFA trained again) and markers in random halves of the cohort."""
    input:
        data=f"{OUT}/data.h5mu",
        subtypes=f"{OUT}/subtypes.tsv",
        evidence=f"{OUT}/markers/evidence.tsv",
    output:
        markers=f"{OUT}/markers/replication.tsv",
        halves=f"{OUT}/markers/replication_halves.tsv",
    log:
        f"{LOGS}/replication.log",
    benchmark:
        f"{OUT}/benchmarks/replication.tsv"
    priority: CRITICAL_PATH
    conda:
        ENVS["mofa"]
    threads: 2
    resources:
        mem_mb=replication_mem_mb,
        runtime=240,
    params:
        alpha=config["markers"]["alpha"],
        # the markers keys that ReplicationOptions reads (tests/test_config_options.py checks the list)
        replication={key: config["markers"][key] for key in ("replication_splits", "replication_max_tumours")},
        mofa=config["mofa"],
        clustering=config["clustering"],
        seed=config["seed"],
    script:
        "../scripts/replication.py"


rule biomarkers:
    """Join evidence and replication, annotate targetability, call target-positive tumours; biomarkers.tsv,
    targets.tsv and targetable_tumours.tsv."""
    input:
        unpack(targeting_tables),
        data=f"{OUT}/data.h5mu",
        subtypes=f"{OUT}/subtypes.tsv",
        evidence=f"{OUT}/markers/evidence.tsv",
        replication=f"{OUT}/markers/replication.tsv",
        halves=f"{OUT}/markers/replication_halves.tsv",
    output:
        biomarkers=report(f"{OUT}/biomarkers.tsv", caption="../report/biomarkers.rst", category="Biomarkers"),
        targets=report(f"{OUT}/targets.tsv", caption="../report/targets.rst", category="Biomarkers"),
        targetable_tumours=report(
            f"{OUT}/targetable_tumours.tsv", caption="../report/targetable_tumours.rst", category="Biomarkers"
        ),
        classifier_targets=f"{OUT}/classifier/targets.tsv",
    log:
        f"{LOGS}/biomarkers.log",
    benchmark:
        f"{OUT}/benchmarks/biomarkers.tsv"
    conda:
        ENVS["markers"]
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(1000, int(10 * input.size_mb)),
        runtime=20,
    params:
        gene_maps={name: view.get("gene_map") for name, view in config["omics"].items()},
        targeting=config["targeting"],
        alpha=config["markers"]["alpha"],
        min_replication=config["markers"]["min_replication"],
    script:
        "../scripts/biomarkers.py"


rule enrichment:
    """Gene-set enrichment of each subtype (markers) and MOFA factor (weights) in the collections of genesets, and
    per-tumour pathway activity of the transcriptome views against subtype."""
    input:
        evidence=f"{OUT}/markers/evidence.tsv",
        weights=f"{OUT}/weights.tsv",
        variance=f"{OUT}/variance_explained.tsv",
        data=f"{OUT}/data.h5mu",
        subtypes=f"{OUT}/subtypes.tsv",
        collections=list(config["genesets"].values()),
    output:
        enrichment=report(f"{OUT}/enrichment.tsv", caption="../report/enrichment.rst", category="Biomarkers"),
        activity=f"{OUT}/pathway_activity.tsv",
        activity_tests=report(
            f"{OUT}/pathway_activity_tests.tsv", caption="../report/pathway_activity_tests.rst", category="Biomarkers"
        ),
    log:
        f"{LOGS}/enrichment.log",
    benchmark:
        f"{OUT}/benchmarks/enrichment.tsv"
    conda:
        ENVS["markers"]
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(2000, int(10 * input.size_mb)),
        runtime=60,
    params:
        collections=config["genesets"],
        omics={
            name: {key: view[key] for key in ("type", "gene_map") if key in view}
            for name, view in config["omics"].items()
        },
        enrichment=config["enrichment"],
        alpha=config["markers"]["alpha"],
        seed=config["seed"],
    script:
        "../scripts/enrichment.py"


rule fine_markers:
    """Marker tests for the finer subtype level (subtype_fine), annotated for targeting."""
    input:
        unpack(targeting_tables),
        data=f"{OUT}/data.h5mu",
        subtypes=f"{OUT}/subtypes.tsv",
        factors=f"{OUT}/factors.tsv",
        weights=f"{OUT}/weights.tsv",
    output:
        report(f"{OUT}/biomarkers_fine.tsv", caption="../report/biomarkers_fine.rst", category="Biomarkers"),
    log:
        f"{LOGS}/fine_markers.log",
    benchmark:
        f"{OUT}/benchmarks/fine_markers.tsv"
    conda:
        ENVS["markers"]
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: max(1000, int(10 * input.size_mb)),
        runtime=30,
    params:
        alpha=config["markers"]["alpha"],
        min_effect=config["markers"]["min_effect"],
        min_auc=config["markers"]["min_auc"],
        column="subtype_fine",
        gene_maps={name: view.get("gene_map") for name, view in config["omics"].items()},
        targeting=config["targeting"],
    script:
        "../scripts/marker_tests.py"


rule signature:
    """Sparse multinomial classifier of the subtypes, with nested cross-validation."""
    input:
        data=f"{OUT}/data.h5mu",
        subtypes=f"{OUT}/subtypes.tsv",
    output:
        features=f"{OUT}/signature.tsv",
        performance=report(
            f"{OUT}/signature_performance.tsv", caption="../report/signature_performance.rst", category="Biomarkers"
        ),
        predictions=f"{OUT}/markers/signature_predictions.tsv",
        classifier=f"{OUT}/classifier/classifier.skops",
    log:
        f"{LOGS}/signature.log",
    benchmark:
        f"{OUT}/benchmarks/signature.tsv"
    priority: CRITICAL_PATH
    conda:
        ENVS["markers"]
    threads: 2
    resources:
        mem_mb=lambda wildcards, input: max(2000, int(20 * input.size_mb)),
        runtime=120,
    params:
        signature=config["signature"],
        seed=config["seed"],
        views=view_settings(config),
    script:
        "../scripts/signature.py"


rule seal_classifier:
    """The classifier folder's manifest.json: the sha256 of each file, checked before the classifier is loaded."""
    input:
        classifier=f"{OUT}/classifier/classifier.skops",
        targets=f"{OUT}/classifier/targets.tsv",
    output:
        f"{OUT}/classifier/manifest.json",
    log:
        f"{LOGS}/seal_classifier.log",
    conda:
        ENVS["markers"]
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    script:
        "../scripts/seal_classifier.py"
