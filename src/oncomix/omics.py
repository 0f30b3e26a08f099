"""The omic types a view may have (``omics.<view>.type``) and what each one means to every stage: how its
values are checked, transformed, modelled in MOFA and tested for markers, and whether its features name genes.

One entry per type of the config schema's enum, in its order. A new type is one entry in ``OMIC_TYPES`` plus
tests; the schema's type enum and ``markers.min_effect`` defaults (and ``config/README.md``) name it too, as
``tests/test_omics.py`` and ``tests/test_config_readme.py`` check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class OmicType:
    name: str
    # ingest: raw values, a negative one is an error (types with a value_range or binary check their own values)
    non_negative: bool
    # 0/1 calls (mutated or not), carried when 1: checked on input, rare ones dropped, no AUC floor for markers,
    # over-representation instead of GSEA, counted per tumour (mutation burden), oncoprint, target-positive when 1
    binary: bool
    # ingest: the values lie in [low, high] (methylation beta values); None: no bound
    value_range: tuple[float, float] | None
    # ingest: a measurement, so a sample with one value for every feature is a failed assay (not so for calls, nor
    # for generic values)
    continuous: bool
    # preprocess: log_cpm (read counts: log2 CPM, low-expression filter), m_value (beta -> M-value), or none
    # (values kept, log2(x + log_offset) when the view is logged)
    transform: Literal["log_cpm", "m_value", "none"]
    log_by_default: bool  # logged when the view does not set ``log``
    log_offset: float  # added before log2: 0 for intensities (zero = below detection, missing), else 1
    likelihood: Literal["gaussian", "bernoulli"]  # MOFA's, after preprocessing
    marker_test: Literal["fisher", "welch", "mann-whitney"]
    effect_label: str  # what a marker's effect is (biomarkers.tsv effect_type)
    min_effect: float  # default smallest one-vs-rest |effect| of a marker (markers.min_effect in the schema)
    gene_symbols: bool  # features are gene symbols (gene-set enrichment, without a gene map)
    pathway_activity: bool  # scored per tumour by single-sample GSEA (transcriptomes, where footprints are defined)


# every fact written out for every type: an entry missing one is a TypeError, not a silent default
OMIC_TYPES: dict[str, OmicType] = {
    omic.name: omic
    for omic in (
        OmicType(
            name="mutation",
            non_negative=False,
            binary=True,
            value_range=None,
            continuous=False,
            transform="none",
            log_by_default=False,
            log_offset=1.0,
            likelihood="bernoulli",
            marker_test="fisher",
            effect_label="log2 odds ratio",
            min_effect=1.0,
            gene_symbols=True,
            pathway_activity=False,
        ),
        OmicType(
            name="copy_number",
            non_negative=False,
            binary=False,
            value_range=None,
            continuous=False,
            transform="none",
            log_by_default=False,
            log_offset=1.0,
            likelihood="gaussian",
            marker_test="mann-whitney",
            effect_label="difference of means",
            min_effect=0.2,
            gene_symbols=True,
            pathway_activity=False,
        ),
        OmicType(
            name="rna_counts",
            non_negative=True,
            binary=False,
            value_range=None,
            continuous=True,
            transform="log_cpm",
            log_by_default=False,
            log_offset=1.0,
            likelihood="gaussian",
            marker_test="welch",
            effect_label="log2 fold change (log2 CPM)",
            min_effect=0.5,
            gene_symbols=True,
            pathway_activity=True,
        ),
        OmicType(
            name="expression",
            non_negative=False,
            binary=False,
            value_range=None,
            continuous=True,
            transform="none",
            log_by_default=False,
            log_offset=1.0,
            likelihood="gaussian",
            marker_test="welch",
            effect_label="difference of means",
            min_effect=0.5,
            gene_symbols=True,
            pathway_activity=True,
        ),
        # assumed to be log already (RPPA, log MS): logged only on request, without an offset
        OmicType(
            name="protein",
            non_negative=False,
            binary=False,
            value_range=None,
            continuous=True,
            transform="none",
            log_by_default=False,
            log_offset=0.0,
            likelihood="gaussian",
            marker_test="welch",
            effect_label="difference of means",
            min_effect=0.25,
            gene_symbols=False,
            pathway_activity=False,
        ),
        # raw intensities, log2-transformed by default
        OmicType(
            name="metabolite",
            non_negative=True,
            binary=False,
            value_range=None,
            continuous=True,
            transform="none",
            log_by_default=True,
            log_offset=0.0,
            likelihood="gaussian",
            marker_test="welch",
            effect_label="log2 fold change",
            min_effect=0.25,
            gene_symbols=False,
            pathway_activity=False,
        ),
        # beta values; min_effect: M-value 0.5, 1.4-fold
        OmicType(
            name="methylation",
            non_negative=False,
            binary=False,
            value_range=(0.0, 1.0),
            continuous=True,
            transform="m_value",
            log_by_default=False,
            log_offset=1.0,
            likelihood="gaussian",
            marker_test="welch",
            effect_label="M-value difference",
            min_effect=0.5,
            gene_symbols=False,
            pathway_activity=False,
        ),
        OmicType(
            name="mirna_counts",
            non_negative=True,
            binary=False,
            value_range=None,
            continuous=True,
            transform="log_cpm",
            log_by_default=False,
            log_offset=1.0,
            likelihood="gaussian",
            marker_test="welch",
            effect_label="log2 fold change (log2 CPM)",
            min_effect=0.5,
            gene_symbols=False,
            pathway_activity=False,
        ),
        # anything else: no check of values, kept as given, no effect floor
        OmicType(
            name="generic",
            non_negative=False,
            binary=False,
            value_range=None,
            continuous=False,
            transform="none",
            log_by_default=False,
            log_offset=1.0,
            likelihood="gaussian",
            marker_test="welch",
            effect_label="difference of means",
            min_effect=0.0,
            gene_symbols=False,
            pathway_activity=False,
        ),
    )
}
