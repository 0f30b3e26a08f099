"""Targeting annotations: map marker features to genes and flag cell-surface proteins and approved-drug targets.

Tables: the Cell Surface Protein Atlas (strict flag ``cspa_high_confidence == 1``) and DrugCentral gene-drug pairs
(strict flag: mechanism-of-action evidence and an approved drug), both fetched by ``oncomix resources fetch`` (see
``oncomix.resources``), users' own tables from the config, and the TCGA RPPA antibody-to-gene table shipped here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import ClassVar

import mudata as md
import numpy as np
import pandas as pd
from sklearn.mixture import GaussianMixture

from oncomix.config import FromConfig
from oncomix.errors import OncomixInputError
from oncomix.omics import OMIC_TYPES
from oncomix.readers import separator
from oncomix.resources import TARGETING_RESOURCES

ANNOTATIONS = files("oncomix") / "annotations"
log = logging.getLogger(__name__)
RPPA = "rppa"  # the view's ``gene_map`` value that selects the shipped RPPA antibody table
MODIFICATION = re.compile(r"_(p[STY]\d.*|cleaved.*)$")
CAUTION = re.compile(r"_caution$", re.IGNORECASE)  # CCLE's mark for antibodies of lower validation
CLONE_ID = re.compile(r"\([^)]*\)")  # e.g. Bim(CST2933): the antibody clone, not part of the target
MIN_BIC_GAIN = 10.0  # "very strong" evidence (Kass-Raftery) that a feature has a second, upper mode
GISTIC_AMPLIFIED = 2  # thresholded GISTIC copy number: high-level amplification
LOG2_AMPLIFIED = 1.0  # continuous log2 copy-number ratio: at least twice the ploidy


# DrugCentral action types that inhibit or bind the target (antibodies, antibody-drug conjugates): the drugs
# counted as targeting it; agonists, activators, modulators and substrates are listed apart, not counted
INHIBITING_ACTIONS = (
    "INHIBITOR",
    "ANTAGONIST",
    "BLOCKER",
    "ANTIBODY BINDING",
    "BINDING AGENT",
    "NEGATIVE ALLOSTERIC MODULATOR",
    "NEGATIVE MODULATOR",
    "ALLOSTERIC ANTAGONIST",
    "INVERSE AGONIST",
    "ANTISENSE INHIBITOR",
    "GATING INHIBITOR",
)
DRUG_COLUMNS = ["approved_drugs", "approved_drug_actions", "drugs_other_action", "other_approved_drugs"]


@dataclass(frozen=True)
class TargetingOptions(FromConfig):
    SECTION: ClassVar[str] = "targeting"
    surfaceome: str | None = None  # the fetched CSPA table (None: not available)
    drug_targets: str | None = None  # the fetched DrugCentral table (None: not available)
    surface_tables: tuple[str, ...] = ()  # extra tables: every gene_symbol listed counts as cell-surface
    drug_target_tables: tuple[str, ...] = ()  # extra tables: gene_symbol, drug_name (approved-drug targets)
    drug_actions: tuple[str, ...] = INHIBITING_ACTIONS  # DrugCentral action types counted as targeting the gene


def targeting_options(settings: Mapping, tables: Mapping) -> TargetingOptions:
    """The config's ``targeting`` section with the resource tables given (``surfaceome``, ``drug_targets``; each
    may be absent, e.g. the workflow's inputs when they were not fetched)."""
    found = {name: str(tables[name]) for name in TARGETING_RESOURCES if name in tables.keys()}
    return TargetingOptions.from_config({"targeting": settings}, **found)


def read_table(path: str | Path, required: list[str], purpose: str) -> pd.DataFrame:
    """A TSV (CSV if named .csv), optionally gzipped, annotation table with the ``required`` columns (all values read
    as text)."""
    path = Path(path)
    if not path.is_file():
        raise OncomixInputError(f"{path}: {purpose} table not found; fix the path in the config")
    table = pd.read_csv(path, sep=separator(path), dtype=str, keep_default_na=False)
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise OncomixInputError(
            f"{path}: {purpose} table lacks column(s) {', '.join(missing)} (found: {', '.join(table.columns)}); "
            f"rename the columns or point the config at a table that has them"
        )
    return table


def read_gene_map(spec: str) -> pd.DataFrame:
    """feature_id -> gene_symbol (``;``-separated) from the shipped RPPA table or a user table."""
    path = ANNOTATIONS / "rppa_antibodies.tsv" if spec == RPPA else spec
    table = read_table(path, ["feature_id", "gene_symbol"], "gene map")
    return table.drop_duplicates("feature_id").set_index("feature_id")


def feature_genes(features: pd.Index, gene_map: pd.DataFrame | None) -> pd.Series:
    """Gene symbols of each feature: itself without a map; else the map's entry for its exact name. For an
    antibody map (one with an ``antibody_target`` column, as the RPPA table) also ignoring case, then without a
    ``_Caution`` suffix or an antibody clone id in brackets, then by its antibody target once a phospho/cleavage
    suffix is removed. '' when unmapped."""
    if gene_map is None:
        return pd.Series(features.astype(str), index=features)
    if "antibody_target" not in gene_map:
        return pd.Series([gene_map["gene_symbol"].get(f, "") for f in features], index=features)
    by_name = {str(name).lower(): genes for name, genes in gene_map["gene_symbol"].items()}
    by_target = {
        str(t).lower(): genes
        for t, genes in zip(gene_map["antibody_target"], gene_map["gene_symbol"], strict=True)
        if t
    }
    genes = []
    for feature in features.astype(str):
        base = CLONE_ID.sub("", CAUTION.sub("", feature)).strip()
        found = (
            by_name.get(feature.lower())
            or by_name.get(base.lower())
            or by_target.get(MODIFICATION.sub("", base).lower())
        )
        genes.append(found or "")
    return pd.Series(genes, index=features)


def surface_genes(options: TargetingOptions) -> pd.DataFrame:
    """Index gene_symbol; columns cd_antigen and surface_source, for the strict CSPA set plus user tables."""
    tables = [pd.DataFrame(columns=["gene_symbol", "cd_antigen", "surface_source"])]
    if options.surfaceome:
        cspa = read_table(options.surfaceome, ["gene_symbol", "cspa_high_confidence", "cd_antigen"], "surfaceome")
        cspa = cspa[(cspa["cspa_high_confidence"] == "1") & (cspa["gene_symbol"] != "")]
        tables.append(cspa[["gene_symbol", "cd_antigen"]].assign(surface_source="CSPA 2015"))
    for path in options.surface_tables:
        tables.append(
            read_table(path, ["gene_symbol"], "surface")[["gene_symbol"]].assign(
                cd_antigen="", surface_source=Path(path).name
            )
        )
    combined = pd.concat(tables, ignore_index=True)
    return combined.groupby("gene_symbol").agg({"cd_antigen": _join, "surface_source": _join})


def drug_targets(options: TargetingOptions) -> pd.DataFrame:
    """Index gene_symbol. ``approved_drugs``: approved drugs whose mechanism-of-action target the gene is, with an
    action in ``options.drug_actions`` (they inhibit or bind it), and ``approved_drug_actions`` ("drug: action");
    ``drugs_other_action``: approved mechanism-of-action drugs that act otherwise (agonists, activators...), not
    counted; ``other_approved_drugs``: approved drugs with any other measured activity on it, not counted."""
    columns = ["gene_symbol", "drug_name", "evidence", "approved_any", "action_type"]
    drugs = (
        read_table(options.drug_targets, columns, "drug target")
        if options.drug_targets
        else pd.DataFrame(columns=columns)
    )
    drugs = drugs[drugs["approved_any"] == "1"].assign(action=lambda t: t["action_type"].str.lower())
    moa = drugs["evidence"] == "moa"
    counted = moa & drugs["action_type"].str.upper().isin({action.upper() for action in options.drug_actions})
    own = [read_table(path, ["gene_symbol", "drug_name"], "drug target") for path in options.drug_target_tables]
    counted_drugs = pd.concat([drugs[counted], *(t.assign(action="(your table)") for t in own)], ignore_index=True)
    counted_drugs = counted_drugs.assign(labelled=counted_drugs["drug_name"] + ": " + counted_drugs["action"])
    by_gene = counted_drugs.groupby("gene_symbol")
    other_action = drugs[moa & ~counted].assign(labelled=lambda t: t["drug_name"] + ": " + t["action"])
    return pd.concat(
        [
            by_gene["drug_name"].agg(_join).rename("approved_drugs"),
            by_gene["labelled"].agg(_join).rename("approved_drug_actions"),
            other_action.groupby("gene_symbol")["labelled"].agg(_join).rename("drugs_other_action"),
            drugs[~moa].groupby("gene_symbol")["drug_name"].agg(_join).rename("other_approved_drugs"),
        ],
        axis=1,
    ).fillna("")


def _join(values) -> str:
    return ";".join(sorted({v for v in values if v}))


def annotate(biomarkers: pd.DataFrame, gene_maps: dict[str, str | None], options: TargetingOptions) -> pd.DataFrame:
    """Add gene_symbol, cell_surface, cd_antigen, the drug columns of ``drug_targets`` and targetable (cell-surface
    or an approved drug counted) to every row; ``gene_maps`` names each view's map (None: the feature ids are gene
    symbols). Features a map leaves without a gene are named in one warning per view."""
    surface, drugs = surface_genes(options), drug_targets(options)
    symbols = pd.Series("", index=biomarkers.index, dtype=str)
    for view, rows in biomarkers.groupby("omic").groups.items():
        spec = gene_maps.get(view)
        genes = feature_genes(pd.Index(biomarkers.loc[rows, "feature"].unique()), read_gene_map(spec) if spec else None)
        _warn_unmapped(view, spec, genes)
        symbols.loc[rows] = biomarkers.loc[rows, "feature"].map(genes).to_numpy()
    per_gene = symbols.str.split(";")
    out = biomarkers.assign(gene_symbol=symbols)
    out["cell_surface"] = per_gene.map(lambda gs: any(g in surface.index for g in gs))
    out["cd_antigen"] = per_gene.map(lambda gs: _join(surface["cd_antigen"].get(g, "") for g in gs))
    for column in DRUG_COLUMNS:
        out[column] = per_gene.map(lambda gs, column=column: _collect(drugs[column], gs))
    out["targetable"] = out["cell_surface"] | (out["approved_drugs"] != "")
    return out


def _warn_unmapped(view: str, spec: str | None, genes: pd.Series) -> None:
    unmapped = list(genes.index[genes == ""].astype(str))
    if spec and unmapped:
        shown = ", ".join(unmapped[:30]) + (f" and {len(unmapped) - 30} more" if len(unmapped) > 30 else "")
        log.warning(
            f"{view}: {len(unmapped)} of {len(genes)} feature(s) have no gene in the gene map {spec!r}, so they are "
            f"not annotated for targeting: {shown}; add them to a gene_map table (columns feature_id, gene_symbol)"
        )


def _collect(drugs_per_gene: pd.Series, genes: list[str]) -> str:
    return _join(drug for gene in genes for drug in drugs_per_gene.get(gene, "").split(";"))


TARGET_COLUMNS = [
    "subtype",
    "target_rank",
    "omic",
    "feature",
    "gene_symbol",
    "cell_surface",
    "cd_antigen",
    "approved_drugs",
    "approved_drug_actions",
    "specific",
    "combined_rank",
    "effect",
    "ci_low",
    "ci_high",
    "effect_type",
    "auc",
    "separation",
    "q_specific",
    "fraction_subtype",
    "fraction_rest",
    "replication_rate",
    "replicated",
]


def targets_table(biomarkers: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Per subtype, its targetable markers: higher in the subtype than in the other tumours (one-vs-rest q <
    ``alpha``, by at least the marker floor: over-expressed, amplified or more often mutated) and cell-surface or
    an approved-drug target, in combined-rank order (so those that are also specific markers of the subtype come
    first)."""
    up = (biomarkers["q"] < alpha) & (biomarkers["direction"] == "up") & biomarkers["passes_floor"]
    chosen = biomarkers[up & biomarkers["targetable"]].assign(specific=lambda t: t["is_marker"])
    chosen = chosen.sort_values(["subtype", "combined_rank"]).copy()
    chosen["target_rank"] = chosen.groupby("subtype").cumcount() + 1
    return chosen[TARGET_COLUMNS].reset_index(drop=True)


POSITIVE_COLUMNS = ["sample_id", "omic", "feature", "gene_symbol", "value", "percentile", "positive", "rule"]


def positive_tumours(values: pd.Series, omic_type: str, seed: int = 0) -> tuple[pd.Series, str]:
    """Which tumours are target-positive for one feature (values of the tumours that have it), and by which rule:
    mutated (mutation views); amplified (copy number: GISTIC 2, or a log2 ratio of at least 1); else the upper
    mode of a two-component Gaussian mixture when it beats one Gaussian by ``MIN_BIC_GAIN`` BIC units and holds
    under half the tumours; else above Tukey's upper fence (third quartile + 1.5 IQR)."""
    x = values.to_numpy(dtype=float)
    if OMIC_TYPES[omic_type].binary:
        return values == 1, "mutated"
    if omic_type == "copy_number":
        gistic = np.all(np.isin(x, [-2, -1, 0, 1, 2]))
        return values >= (GISTIC_AMPLIFIED if gistic else LOG2_AMPLIFIED), "amplified"
    column = x.reshape(-1, 1)
    if np.unique(x).size >= 10:
        single = GaussianMixture(1, random_state=seed).fit(column)
        mixture = GaussianMixture(2, n_init=3, random_state=seed).fit(column)
        upper = int(np.argmax(mixture.means_[:, 0]))
        in_upper = mixture.predict(column) == upper
        if single.bic(column) - mixture.bic(column) > MIN_BIC_GAIN and 0 < in_upper.mean() < 0.5:
            return pd.Series(in_upper, index=values.index), "upper mixture mode"
    q1, q3 = np.percentile(x, [25, 75])
    return values > q3 + 1.5 * (q3 - q1), "above upper fence"


def targetable_tumours(mdata: md.MuData, biomarkers: pd.DataFrame) -> pd.DataFrame:
    """One row per tumour and targetable feature (``targetable`` in ``biomarkers``): its value (preprocessed
    scale), percentile in the cohort, whether it is target-positive (:func:`positive_tumours`) and by which rule."""
    features = biomarkers.loc[biomarkers["targetable"], ["omic", "feature", "gene_symbol"]].drop_duplicates(
        ["omic", "feature"]
    )
    frames = []
    for row in features.itertuples(index=False):
        view = mdata[row.omic]
        values = pd.Series(np.asarray(view[:, [row.feature]].X, dtype=float).ravel(), index=view.obs_names).dropna()
        if values.empty:
            continue
        positive, rule = positive_tumours(values, view.uns["omic_type"])
        frames.append(
            pd.DataFrame(
                {
                    "sample_id": values.index,
                    "omic": row.omic,
                    "feature": row.feature,
                    "gene_symbol": row.gene_symbol,
                    "value": values.to_numpy(),
                    "percentile": (100 * values.rank(pct=True)).round(1).to_numpy(),
                    "positive": positive.to_numpy(),
                    "rule": rule,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=POSITIVE_COLUMNS)


def add_positive_rates(targets: pd.DataFrame, tumours: pd.DataFrame, subtypes: pd.Series) -> pd.DataFrame:
    """``targets`` with, per row, the share of the subtype's tumours that are target-positive for the feature
    (``positive_rate``) and the share among the other tumours (``positive_rate_rest``)."""
    keys = ["omic", "feature", "subtype"]
    counts = (
        tumours.assign(subtype=tumours["sample_id"].map(subtypes))
        .groupby(keys, dropna=False)["positive"]
        .agg(["sum", "size"])
    )
    inside = counts.reindex(pd.MultiIndex.from_frame(targets[keys]))
    every = counts.groupby(level=["omic", "feature"]).sum().reindex(pd.MultiIndex.from_frame(targets[keys[:2]]))
    rest = every.to_numpy() - inside.fillna(0).to_numpy()  # columns: positive, tumours
    with np.errstate(invalid="ignore", divide="ignore"):
        rate, rate_rest = inside["sum"].to_numpy() / inside["size"].to_numpy(), rest[:, 0] / rest[:, 1]
    return targets.assign(positive_rate=np.round(rate, 4), positive_rate_rest=np.round(rate_rest, 4))
