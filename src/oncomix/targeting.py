"""Targeting annotations: map marker features to genes and flag cell-surface proteins and approved-drug targets.

Shipped tables (sources, versions and licences in ``oncomix/annotations/README.md``): the Cell Surface Protein
Atlas (strict flag ``cspa_high_confidence == 1``), DrugCentral gene-drug pairs (strict flag: mechanism-of-action
evidence and an approved drug) and a TCGA RPPA antibody-to-gene table. Users add tables in config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pandas as pd

from oncomix.errors import OncomixInputError
from oncomix.readers import separator

ANNOTATIONS = files("oncomix") / "annotations"
RPPA = "rppa"  # the view's ``gene_map`` value that selects the shipped RPPA antibody table
MODIFICATION = re.compile(r"_(p[STY]\d.*|cleaved.*)$")


@dataclass(frozen=True)
class TargetingOptions:
    surface_tables: tuple[str, ...] = ()  # extra tables: every gene_symbol listed counts as cell-surface
    drug_target_tables: tuple[str, ...] = ()  # extra tables: gene_symbol, drug_name (approved-drug targets)


def read_table(path: str | Path, required: list[str], purpose: str) -> pd.DataFrame:
    """A TSV (CSV if named .csv), optionally gzipped, annotation table with the ``required`` columns (all values read as text)."""
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
    """Gene symbols of each feature: itself without a map; else the map's entry, looked up by the exact
    name, then by the antibody target once a phospho/cleavage suffix is removed; '' when unmapped."""
    if gene_map is None:
        return pd.Series(features.astype(str), index=features)
    exact = gene_map["gene_symbol"]
    by_target = exact.groupby(gene_map["antibody_target"]).first() if "antibody_target" in gene_map else pd.Series(dtype=str)
    genes = [exact.get(f, by_target.get(MODIFICATION.sub("", str(f)), "")) for f in features]
    return pd.Series(genes, index=features)


def surface_genes(options: TargetingOptions) -> pd.DataFrame:
    """Index gene_symbol; columns cd_antigen and surface_source, for the strict CSPA set plus user tables."""
    cspa = read_table(ANNOTATIONS / "surfaceome.tsv.gz", ["gene_symbol", "cspa_high_confidence", "cd_antigen"], "surfaceome")
    cspa = cspa[(cspa["cspa_high_confidence"] == "1") & (cspa["gene_symbol"] != "")]
    tables = [cspa[["gene_symbol", "cd_antigen"]].assign(surface_source="CSPA 2015")]
    for path in options.surface_tables:
        tables.append(read_table(path, ["gene_symbol"], "surface")[["gene_symbol"]].assign(cd_antigen="", surface_source=Path(path).name))
    combined = pd.concat(tables, ignore_index=True)
    return combined.groupby("gene_symbol").agg({"cd_antigen": _join, "surface_source": _join})


def drug_targets(options: TargetingOptions) -> pd.DataFrame:
    """Index gene_symbol; ``approved_drugs`` (strict: MOA evidence, approved) and ``other_approved_drugs``."""
    drugs = read_table(ANNOTATIONS / "drug_targets.tsv.gz", ["gene_symbol", "drug_name", "evidence", "approved_any"], "drug target")
    drugs = drugs[drugs["approved_any"] == "1"]
    strict = drugs["evidence"] == "moa"
    tables = [drugs[strict][["gene_symbol", "drug_name"]]]
    for path in options.drug_target_tables:
        tables.append(read_table(path, ["gene_symbol", "drug_name"], "drug target")[["gene_symbol", "drug_name"]])
    approved = pd.concat(tables, ignore_index=True).groupby("gene_symbol")["drug_name"].agg(_join).rename("approved_drugs")
    other = drugs[~strict].groupby("gene_symbol")["drug_name"].agg(_join).rename("other_approved_drugs")
    return pd.concat([approved, other], axis=1).fillna("")


def _join(values) -> str:
    return ";".join(sorted({v for v in values if v}))


def annotate(biomarkers: pd.DataFrame, gene_maps: dict[str, str | None], options: TargetingOptions) -> pd.DataFrame:
    """Add gene_symbol, cell_surface, cd_antigen, approved_drugs, other_approved_drugs and targetable
    (cell-surface or approved-drug target) to every row; ``gene_maps`` names each view's map (None: the
    feature ids are gene symbols)."""
    surface, drugs = surface_genes(options), drug_targets(options)
    symbols = pd.Series("", index=biomarkers.index, dtype=str)
    for view, rows in biomarkers.groupby("omic").groups.items():
        spec = gene_maps.get(view)
        genes = feature_genes(pd.Index(biomarkers.loc[rows, "feature"].unique()), read_gene_map(spec) if spec else None)
        symbols.loc[rows] = biomarkers.loc[rows, "feature"].map(genes).to_numpy()
    per_gene = symbols.str.split(";")
    out = biomarkers.assign(gene_symbol=symbols)
    out["cell_surface"] = per_gene.map(lambda gs: any(g in surface.index for g in gs))
    out["cd_antigen"] = per_gene.map(lambda gs: _join(surface["cd_antigen"].get(g, "") for g in gs))
    out["approved_drugs"] = per_gene.map(lambda gs: _collect(drugs["approved_drugs"], gs))
    out["other_approved_drugs"] = per_gene.map(lambda gs: _collect(drugs["other_approved_drugs"], gs))
    out["targetable"] = out["cell_surface"] | (out["approved_drugs"] != "")
    return out


def _collect(drugs_per_gene: pd.Series, genes: list[str]) -> str:
    return _join(drug for gene in genes for drug in drugs_per_gene.get(gene, "").split(";"))


TARGET_COLUMNS = [
    "subtype", "target_rank", "omic", "feature", "gene_symbol", "cell_surface", "cd_antigen", "approved_drugs",
    "specific", "combined_rank", "effect", "ci_low", "ci_high", "effect_type", "auc", "separation", "q_specific",
    "fraction_subtype", "fraction_rest", "replication_rate", "replicated",
]


def targets_table(biomarkers: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Per subtype, its targetable markers: higher in the subtype than in the other tumours (one-vs-rest q <
    ``alpha``: over-expressed, amplified or more often mutated) and cell-surface or an approved-drug target, in
    combined-rank order (so those that are also specific markers of the subtype come first)."""
    up = (biomarkers["q"] < alpha) & (biomarkers["direction"] == "up")
    chosen = biomarkers[up & biomarkers["targetable"]].assign(specific=lambda t: t["is_marker"])
    chosen = chosen.sort_values(["subtype", "combined_rank"]).copy()
    chosen["target_rank"] = chosen.groupby("subtype").cumcount() + 1
    return chosen[TARGET_COLUMNS].reset_index(drop=True)
