"""Which pathways each subtype and each MOFA factor engages: gene-set enrichment with gseapy.

Views enter when their features name genes: mutation, copy-number and transcriptome views, and any view with a
``gene_map`` (RPPA antibodies); a feature mapped to several genes (``AKT1;AKT2;AKT3``) counts for each of them.

- **Subtypes, continuous views**: pre-ranked GSEA (``gseapy.prerank``; Subramanian et al. 2005) of every gene
  ranked by the one-vs-rest AUC - 0.5 of its feature in the marker tests. The AUC is rank-based, so views tested
  with different tests rank alike; its sign is the direction. A positive normalised enrichment score (NES: the
  enrichment score over the mean of the same-sign scores of gene-set permutations) means the set's genes sit
  high in the subtype.
- **Subtypes, mutation views**: over-representation (``gseapy.enrich``, hypergeometric test) of the genes mutated
  more often in the subtype than in the other tumours (one-vs-rest q < ``alpha``) among every gene tested in the
  view; gseapy's odds ratio (with a 0.5 continuity correction), NaN for a set holding none of them (p = 1).
- **MOFA factors**: pre-ranked GSEA of each view's weights on the factor, where the factor explains at least
  ``MIN_VIEW_R2`` percent of the view's variance (elsewhere the prior has shrunk its weights to noise). The sign of
  a factor is arbitrary: a positive NES means the set's genes rise with the factor's values as ``factors.tsv``
  gives them.
- **Per tumour** (transcriptome views: ``rna_counts``, ``expression``): single-sample GSEA (``gseapy.ssgsea``;
  Barbie et al. 2009) of the preprocessed values, each tumour's genes ranked within the tumour; its normalised
  score per set is the tumour's activity, compared between subtypes by the Kruskal-Wallis test (eta squared;
  BH over the sets of the view and collection), with the median per subtype. A weighted pathway whose ``up``
  and ``down`` sets are both scored gets one signed score, ``<pathway> (up - down)``.

Where several features name one gene, the one with the largest absolute score stands for it. Sets with fewer
than ``min_size`` genes in a ranking are not tested. P-values: gseapy's nominal permutation p for GSEA (the
share of same-sign permutation scores at least as extreme; about half of the permutations have each sign, so a
p of 0 is floored at 2 / (permutations + 2)), the hypergeometric p for over-representation; q: Benjamini-Hochberg
over the sets of one collection tested on one ranking (one subtype or factor, one view). A set enriched here is
associated with the subtype or factor; it is not shown to be active, and the sets overlap, so their q-values are
not independent findings.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import ClassVar

import gseapy
import mudata as md
import numpy as np
import pandas as pd
from scipy import sparse

from oncomix.clinical import subtype_associations
from oncomix.config import FromConfig
from oncomix.genesets import DOWN, UP, view_symbols
from oncomix.multitest import bh
from oncomix.naming import subtype_order
from oncomix.omics import OMIC_TYPES

log = logging.getLogger(__name__)
COLUMNS = [
    "level",
    "group",
    "view",
    "collection",
    "term",
    "method",
    "size",
    "nes",
    "odds_ratio",
    "p",
    "q",
    "significant",
    "leading_genes",
]
LEADING_GENES = 10  # genes listed per enriched set
GSEAPY_QUIET = {"threads": 1, "outdir": None, "no_plot": True, "verbose": False}  # no files, plots or chatter
SSGSEA_CHUNK = 100  # tumours per ssGSEA call: memory grows with it, the scores do not depend on it
MIN_ORA_SIZE = 3  # mutation panels are small: a set needs this many tested genes for over-representation
MIN_VIEW_R2 = 1.0  # percent of a view's variance a factor explains for its weights there to be tested


@dataclass(frozen=True)
class EnrichmentOptions(FromConfig):
    SECTION: ClassVar[str] = "enrichment"
    permutations: int = 1000
    min_size: int = 10
    max_size: int = 500
    alpha: float = 0.05
    seed: int = 42


def by_gene(scores: pd.Series, genes: pd.Series) -> pd.Series:
    """``scores`` indexed by gene: where several features name one gene, the largest absolute score; sorted by
    score, then gene, so that ties rank the same in every run."""
    frame = pd.DataFrame({"gene": genes.to_numpy(), "score": scores.to_numpy()}).dropna()
    frame = (
        frame.assign(size=frame["score"].abs())
        .sort_values(["size", "gene"], ascending=[False, True])
        .drop_duplicates("gene")
    )
    return frame.sort_values(["score", "gene"], ascending=[False, True]).set_index("gene")["score"]


def sized_sets(sets: dict[str, list[str]], universe: pd.Index, options: EnrichmentOptions) -> dict[str, list[str]]:
    """The sets with ``min_size`` to ``max_size`` genes in ``universe``, restricted to those genes."""
    kept = {name: [g for g in genes if g in universe] for name, genes in sets.items()}
    return {name: genes for name, genes in kept.items() if options.min_size <= len(genes) <= options.max_size}


def prerank(ranking: pd.Series, sets: dict[str, list[str]], options: EnrichmentOptions) -> pd.DataFrame:
    """Pre-ranked GSEA of one ranking; one row per tested set (empty if no set is testable)."""
    sets = sized_sets(sets, ranking.index, options)
    if not sets or ranking.nunique() < 2:
        return pd.DataFrame(columns=["term", "method", "size", "nes", "p", "leading_genes"])
    result = gseapy.prerank(
        rnk=ranking,
        gene_sets=sets,
        min_size=options.min_size,
        max_size=options.max_size,
        permutation_num=options.permutations,
        seed=options.seed,
        **GSEAPY_QUIET,
    ).res2d
    return pd.DataFrame(
        {
            "term": result["Term"].astype(str),
            "method": "gsea_prerank",
            "size": result["Term"].map(lambda t: len(sets[t])),
            "nes": result["NES"].astype(float),
            "p": result["NOM p-val"].astype(float).clip(lower=2.0 / (options.permutations + 2)),
            "leading_genes": result["Lead_genes"]
            .astype(str)
            .map(lambda genes: ";".join(genes.split(";")[:LEADING_GENES])),
        }
    )


def over_representation(
    hits: list[str], universe: pd.Index, sets: dict[str, list[str]], options: EnrichmentOptions
) -> pd.DataFrame:
    """Hypergeometric over-representation of ``hits`` among ``universe``; one row per tested set (a set holding
    none of the hits has p = 1 and no odds ratio: gseapy reports only sets with hits)."""
    sets = sized_sets(sets, universe, dataclasses.replace(options, min_size=min(options.min_size, MIN_ORA_SIZE)))
    if not hits or not sets:
        return pd.DataFrame(columns=["term", "method", "size", "odds_ratio", "p", "leading_genes"])
    result = None
    if any(set(hits) & set(genes) for genes in sets.values()):  # gseapy stops with an error when no set holds a hit
        result = gseapy.enrich(
            gene_list=sorted(hits), gene_sets=sets, background=sorted(universe), outdir=None, no_plot=True, cutoff=1.0
        ).res2d
    found = pd.DataFrame(columns=["Term", "Odds Ratio", "P-value", "Genes"]) if result is None else result
    found = found.set_index(found["Term"].astype(str))
    terms = pd.Index(sorted(sets), name="term")
    genes = found["Genes"].reindex(terms).fillna("").astype(str)
    return pd.DataFrame(
        {
            "term": terms,
            "method": "hypergeometric",
            "size": [len(sets[t]) for t in terms],
            "odds_ratio": found["Odds Ratio"].reindex(terms).astype(float).to_numpy(),
            "p": found["P-value"].reindex(terms).astype(float).fillna(1.0).to_numpy(),
            "leading_genes": genes.map(
                lambda listed: ";".join(sorted(filter(None, listed.split(";")))[:LEADING_GENES])
            ).to_numpy(),
        }
    )


def adjusted(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """q (BH over the sets of one ranking and collection) and ``significant`` (q < alpha)."""
    table = table.copy()
    table["q"] = bh(table["p"])
    table["significant"] = table["q"] < alpha
    return table


def enrichment(
    markers: pd.DataFrame,
    weights: pd.DataFrame,
    r2: pd.DataFrame,
    symbols: pd.DataFrame,
    collections: dict[str, dict[str, list[str]]],
    view_types: dict[str, str],
    options: EnrichmentOptions,
) -> pd.DataFrame:
    """Every subtype (marker tests: subtype, omic, feature, auc, q, direction) and every factor (weights: view,
    feature, factor, weight; ``r2``: views x factors, percent of variance explained) against every collection,
    in the views of ``symbols`` (:func:`oncomix.genesets.feature_symbols`)."""
    markers = markers.merge(symbols, left_on=["omic", "feature"], right_on=["view", "feature"])
    explained = (
        r2.rename_axis(index="view", columns="factor")
        .stack()
        .rename("r2")
        .reset_index()
        .astype({"view": str, "factor": str})
    )
    weights = weights.astype({"view": str, "feature": str, "factor": str}).merge(symbols, on=["view", "feature"])
    weights = weights.merge(explained[explained["r2"] >= MIN_VIEW_R2], on=["view", "factor"])
    rows = []
    for (subtype, view), block in markers.groupby(["subtype", "view"], sort=True):
        for name, sets in collections.items():
            if OMIC_TYPES[view_types[view]].binary:
                hits = block.loc[(block["q"] < options.alpha) & (block["direction"] == "up"), "gene"]
                found = over_representation(sorted(set(hits)), pd.Index(block["gene"].unique()), sets, options)
            else:
                found = prerank(by_gene(block["auc"] - 0.5, block["gene"]), sets, options)
            rows.append(
                adjusted(found, options.alpha).assign(level="subtype", group=subtype, view=view, collection=name)
            )
    for (factor, view), block in weights.groupby(["factor", "view"], sort=True):
        for name, sets in collections.items():
            found = prerank(by_gene(block["weight"], block["gene"]), sets, options)
            rows.append(adjusted(found, options.alpha).assign(level="factor", group=factor, view=view, collection=name))
    tested = [r for r in rows if len(r)]
    table = pd.concat(tested, ignore_index=True).reindex(columns=COLUMNS) if tested else pd.DataFrame(columns=COLUMNS)
    for (level, view, name), block in table.groupby(["level", "view", "collection"]):
        log.info("%s level, view %s, %s: %d sets tested per ranking", level, view, name, block["term"].nunique())
    log.info("%d set tests, %d with q < %g", len(table), int(table["significant"].sum()), options.alpha)
    position = {
        group: i for i, group in enumerate(subtype_order(table["group"]))
    }  # ST2 before ST10, Factor2 before Factor10
    ordered = table.assign(_position=table["group"].astype(str).map(position))
    return (
        ordered.sort_values(["level", "_position", "view", "collection", "p", "term"])
        .drop(columns="_position")
        .reset_index(drop=True)
    )


def pathway_activity(values: pd.DataFrame, sets: dict[str, list[str]], options: EnrichmentOptions) -> pd.DataFrame:
    """Single-sample GSEA of ``values`` (tumours x genes, no missing values): tumours x sets of normalised
    scores, a weighted pathway with both sets scored as one signed score; no columns when no set is testable.

    gseapy's normalised score is the enrichment score over the range (largest - smallest) of every enrichment
    score of the call, and a tumour's enrichment scores do not depend on the other tumours: the tumours are
    scored ``SSGSEA_CHUNK`` at a time and normalised together, as one call would (its result holds every gene's
    running score per tumour and set, which took 6 GiB at 10,000 tumours in one call)."""
    genes = values.T
    sets = sized_sets(sets, genes.index, options)
    if not sets:
        return pd.DataFrame(index=values.index)
    chunks = [genes.iloc[:, start : start + SSGSEA_CHUNK] for start in range(0, genes.shape[1], SSGSEA_CHUNK)]
    es = pd.concat([enrichment_scores(chunk, sets, options) for chunk in chunks]).reindex(values.index)
    scores = es / (es.max().max() - es.min().min())
    for pathway in sorted({term.removesuffix(UP) for term in scores.columns if term.endswith(UP)}):
        if f"{pathway}{DOWN}" in scores:
            scores[f"{pathway} (up - down)"] = scores.pop(f"{pathway}{UP}") - scores.pop(f"{pathway}{DOWN}")
    return scores[sorted(scores.columns)]


def enrichment_scores(genes: pd.DataFrame, sets: dict[str, list[str]], options: EnrichmentOptions) -> pd.DataFrame:
    """gseapy's single-sample enrichment scores (not normalised) of ``genes`` (genes x tumours): tumours x sets."""
    result = gseapy.ssgsea(
        data=genes,
        gene_sets=sets,
        sample_norm_method="rank",
        permutation_num=0,
        min_size=options.min_size,
        max_size=options.max_size,
        seed=options.seed,
        **GSEAPY_QUIET,
    ).res2d
    return result.pivot(index="Name", columns="Term", values="ES").astype(float)


def activity_tests(activity: pd.DataFrame, subtypes: pd.Series) -> pd.DataFrame:
    """Each set's activity against subtype: Kruskal-Wallis, eta squared, BH over the sets; median per subtype."""
    tests = subtype_associations(activity, subtypes, list(activity.columns)).rename(columns={"column": "term"})
    medians = activity.groupby(subtypes.reindex(activity.index)).median().T.add_prefix("median_")
    return tests.merge(medians, left_on="term", right_index=True, how="left")


def gene_values(values: pd.DataFrame, symbols: pd.DataFrame) -> pd.DataFrame:
    """Tumours x genes from tumours x features: a gene named by several features gets their mean; genes with a
    missing value in any tumour are left out (and counted in the log)."""
    position = pd.Index(values.columns.astype(str)).get_indexer(symbols["feature"])
    named = position >= 0
    names, gene = np.unique(symbols["gene"].to_numpy()[named], return_inverse=True)
    # feature -> gene incidence: sums over each gene's features by one sparse product, without copies of the wide
    # table (a merge and a groupby of it peaked at 3.5 GiB at 10,000 tumours)
    incidence = sparse.csr_array((np.ones(len(gene)), (position[named], gene)), shape=(values.shape[1], len(names)))
    x = values.to_numpy(dtype=float)
    missing = np.isnan(x)
    if missing.any():  # the mean of the features observed; NaN (0 / 0) where none is
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (np.where(missing, 0.0, x) @ incidence) / ((~missing).astype(float) @ incidence)
    else:
        means = x @ incidence
        means /= np.bincount(gene, minlength=len(names))  # in place: the table is large
    genes = pd.DataFrame(means, index=values.index, columns=pd.Index(names, name="gene"))
    complete = genes.dropna(axis=1)
    if complete.shape[1] < genes.shape[1]:
        log.info(
            "%d of %d genes have missing values and are not scored per tumour",
            genes.shape[1] - complete.shape[1],
            genes.shape[1],
        )
    return complete


def tumour_activity(
    views: dict[str, pd.DataFrame],
    symbols: pd.DataFrame,
    collections: dict[str, dict[str, list[str]]],
    subtypes: pd.Series,
    options: EnrichmentOptions,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per transcriptome view (tumours x features) and collection: the long table of activities (sample_id, view,
    collection, term, score) and their tests against subtype."""
    scores, tests = [], []
    for view, values in views.items():
        genes = gene_values(values, symbols[symbols["view"] == view])
        for name, sets in collections.items():
            activity = pathway_activity(genes, sets, options)
            if activity.columns.empty:
                continue
            long = activity.rename_axis(index="sample_id", columns="term").stack().rename("score").reset_index()
            scores.append(long.assign(view=view, collection=name))
            tests.append(activity_tests(activity, subtypes).assign(view=view, collection=name))
    score_columns = ["sample_id", "view", "collection", "term", "score"]
    scores = pd.concat(scores, ignore_index=True)[score_columns] if scores else pd.DataFrame(columns=score_columns)
    test_columns = [
        "view",
        "collection",
        "term",
        "test",
        "n",
        "statistic",
        "p",
        "effect",
        "effect_type",
        "small_expected",
        "q",
    ]
    tests = pd.concat(tests, ignore_index=True) if tests else pd.DataFrame(columns=test_columns)
    return scores, tests[test_columns[:3] + [c for c in tests.columns if c not in test_columns[:3]]]


def gene_set_analyses(
    mdata: md.MuData,
    markers: pd.DataFrame,
    weights: pd.DataFrame,
    r2: pd.DataFrame,
    subtypes: pd.Series,
    omics: dict[str, dict],
    collections: dict[str, dict[str, list[str]]],
    options: EnrichmentOptions,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The enrichment table (:func:`enrichment`), then the per-tumour activities and their tests
    (:func:`tumour_activity`) of the transcriptome views, for the views of ``mdata`` whose features name genes."""
    symbols = view_symbols(mdata, omics)
    types = {view: entry["type"] for view, entry in omics.items()}
    table = enrichment(markers, weights, r2, symbols, collections, types, options)
    views = {view: mdata[view].to_df() for view in symbols["view"].unique() if OMIC_TYPES[types[view]].pathway_activity}
    return (table, *tumour_activity(views, symbols, collections, subtypes, options))
