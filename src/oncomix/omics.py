"""The omic types a view may have (``omics.<view>.type``) and what each one means to every stage: how its
values are checked, transformed, modelled in MOFA and tested for markers, and whether its features name genes.

One entry per type of the config schema"s enum, in its order. A new type is one entry in ``OMIC_TYPES`` plus
tests; the schema"s type enum and ``markers.min_effect`` defaults (and ``config/README.md``) name it too, as
``tests/test_omics.py`` and ``tests/test_config_readme.py`` check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class OmicType:
    """What a type means to every stage. The facts that decide how a view is tested have no default (an entry
    missing one is a TypeError, not a silent Welch test); the others default to the plain case."""

    name: str
    # ingest: a measurement, so a sample with one value for every feature is a failed assay (not so for calls, nor
    # for generic values)
    continuous: bool
    marker_test: Literal["fisher", "welch", "mann-whitney"]
    effect_label: str  # what a marker"s effect is (biomarkers.tsv effect_type)
    min_effect: float  # default smallest one-vs-rest |effect| of a marker (markers.min_effect in the schema)
    # ingest: raw values, a negative one is an error (types with a value_range or binary check their own values)
    non_negative: bool = False
    # 0/1 calls (mutated or not), carried when 1: checked on input, rare ones dropped, Bernoulli in MOFA, no AUC
    # floor for markers, over-representation instead of GSEA, counted per tumour (mutation burden), oncoprint,
    # target-positive when 1
    binary: bool = False
    # ingest: the values lie in [low, high] (methylation beta values); None: no bound
    value_range: tuple[float, float] | None = None
    # preprocess: log_cpm (read counts: log2 CPM, low-expression filter), m_value (beta -> M-value), or none
    # (values kept, log2(x + log_offset) when the view is logged)
    transform: Literal["log_cpm", "m_value", "none"] = "none"
    log_by_default: bool = False  # logged when the view does not set ``log``
    log_offset: float = 1.0  # added before log2: 0 for intensities (zero = below detection, missing), else 1
    gene_symbols: bool = False  # features are gene symbols (gene-set enrichment, without a gene map)
    pathway_activity: bool = False  # scored per tumour by single-sample GSEA (transcriptomes, where footprints are)

    @property
    def likelihood(self) -> Literal["gaussian", "bernoulli"]:
        """MOFA"s, after preprocessing: Bernoulli for 0/1 calls, Gaussian for every other type."""
        return "bernoulli" if self.binary else "gaussian"


OMIC_TYPES: dict[str, OmicType] = {
    omic.name: omic
    for omic in (
        OmicType(
            name="mutation",
            continuous=False,
            marker_test="fisher",
            effect_label="log2 odds ratio",
            min_effect=1.0,
            binary=True,
            gene_symbols=True,
        ),
        OmicType(
            name="copy_number",
            continuous=False,
            marker_test="mann-whitney",
            effect_label="difference of means",
            min_effect=0.2,
            gene_symbols=True,
        ),
        OmicType(
            name="rna_counts",
            continuous=True,
            marker_test="welch",
            effect_label="log2 fold change (log2 CPM)",
            min_effect=0.5,
            non_negative=True,
            transform="log_cpm",
            gene_symbols=True,
            pathway_activity=True,
        ),
        OmicType(
            name="expression",
            continuous=True,
            marker_test="welch",
            effect_label="difference of means",
            min_effect=0.5,
            gene_symbols=True,
            pathway_activity=True,
        ),
        # assumed to be log already (RPPA, log MS): logged only on request, without an offset
        OmicType(
            name="protein",
            continuous=True,
            marker_test="welch",
            effect_label="difference of means",
            min_effect=0.25,
            log_offset=0.0,
        ),
        # raw intensities, log2-transformed by default
        OmicType(
            name="metabolite",
            continuous=True,
            marker_test="welch",
            effect_label="log2 fold change",
            min_effect=0.25,
            non_negative=True,
            log_by_default=True,
            log_offset=0.0,
        ),
        # beta values; min_effect: M-value 0.5, 1.4-fold
        OmicType(
            name="methylation",
            continuous=True,
            marker_test="welch",
            effect_label="M-value difference",
            min_effect=0.5,
            value_range=(0.0, 1.0),
            transform="m_value",
        ),
        OmicType(
            name="mirna_counts",
            continuous=True,
            marker_test="welch",
            effect_label="log2 fold change (log2 CPM)",
            min_effect=0.5,
            non_negative=True,
            transform="log_cpm",
        ),
        # anything else: no check of values, kept as given, no effect floor
        OmicType(
            name="generic",
            continuous=False,
            marker_test="welch",
            effect_label="difference of means",
            min_effect=0.0,
        ),
    )
}
