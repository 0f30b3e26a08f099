"""Gene-set collections as the user names them under ``genesets:`` (GMT files, long tables with columns
``source``, ``target`` and optional ``weight``, or genes x sets weight tables such as PROGENy's footprints as
``oncomix resources fetch progeny`` writes them), and the genes that the views' features name. Read by validation
(before any heavy work) and by the enrichment step.

A weighted collection becomes two sets per column, ``<set> up`` (positive weights: genes that rise when the
pathway is active) and ``<set> down`` (negative weights), an empty one left out."""

from __future__ import annotations

from pathlib import Path

import mudata as md
import pandas as pd

from oncomix.errors import OncomixInputError
from oncomix.omics import OMIC_TYPES
from oncomix.targeting import feature_genes, read_gene_map

UP, DOWN = " up", " down"  # suffixes of the two sets of a weighted column


def read_collection(path: str | Path) -> dict[str, list[str]]:
    """Gene sets (name -> sorted genes) from a GMT file, a long table or a genes x sets weight table."""
    path = Path(path)
    if not path.exists():
        raise OncomixInputError(f"{path}: gene-set file not found; fix the path under genesets: in the config")
    if path.suffix.lower() == ".gmt":
        return _read_gmt(path)
    table = pd.read_csv(path, sep="\t", dtype={0: str}, encoding="utf-8")
    if {"source", "target"} <= set(table.columns):
        return _read_long(table, path)
    weights = table.dropna(subset=[table.columns[0]]).set_index(table.columns[0])
    _require_numeric(weights, path, list(weights.columns))
    return _split_by_sign(weights.fillna(0.0))


def _read_gmt(path: Path) -> dict[str, list[str]]:
    sets = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            raise OncomixInputError(
                f"{path}, line {number}: a GMT line is name, description, then genes, tab-separated"
            )
        if fields[0] in sets:
            raise OncomixInputError(
                f"{path}, line {number}: gene set {fields[0]!r} is named twice; give each set its own name"
            )
        sets[fields[0]] = sorted({gene.strip() for gene in fields[2:] if gene.strip()})
    if not sets:
        raise OncomixInputError(f"{path}: no gene sets in the file")
    return sets


def _read_long(table: pd.DataFrame, path: Path) -> dict[str, list[str]]:
    table = table.dropna(subset=["source", "target"]).astype({"source": str, "target": str})
    if "weight" not in table:
        return {name: sorted(set(rows["target"])) for name, rows in table.groupby("source")}
    _require_numeric(table, path, ["weight"])
    weights = table.pivot_table(index="target", columns="source", values="weight", aggfunc="first", fill_value=0.0)
    return _split_by_sign(weights)


def _require_numeric(table: pd.DataFrame, path: Path, columns: list[str]) -> None:
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(table[c])]
    if bad or not columns or table.empty:
        rows = table.index[pd.to_numeric(table[bad[0]], errors="coerce").isna() & table[bad[0]].notna()] if bad else []
        where = f"; column {bad[0]!r} holds text (first at row {rows[0]!r})" if len(rows) else ""
        raise OncomixInputError(
            f"{path}: expected a GMT file (.gmt), a long table with columns source, target and optional "
            f"numeric weight, or genes x sets of numeric weights{where}"
        )


def _split_by_sign(weights: pd.DataFrame) -> dict[str, list[str]]:
    sets = {}
    for name in weights.columns:
        column = weights[name]
        sets[f"{name}{UP}"] = sorted(column.index[column > 0].astype(str))
        sets[f"{name}{DOWN}"] = sorted(column.index[column < 0].astype(str))
    return {name: genes for name, genes in sets.items() if genes}


def gene_views(omics: dict[str, dict]) -> dict[str, str | None]:
    """The configured views whose features name genes, each with its gene map (None: features are symbols)."""
    return {
        name: view.get("gene_map")
        for name, view in omics.items()
        if OMIC_TYPES[view["type"]].gene_symbols or "gene_map" in view
    }


def feature_symbols(features: dict[str, pd.Index], gene_maps: dict[str, str | None]) -> pd.DataFrame:
    """One row per view, feature and gene it names (columns view, feature, gene); unmapped features left out."""
    rows = []
    for view, spec in gene_maps.items():
        genes = feature_genes(features[view], read_gene_map(spec) if spec else None).str.split(";")
        rows.append(
            pd.DataFrame({"view": view, "feature": genes.index.astype(str), "gene": genes.to_numpy()}).explode("gene")
        )
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["view", "feature", "gene"])
    return table.assign(gene=table["gene"].str.strip()).query("gene != ''").dropna().reset_index(drop=True)


def view_symbols(mdata: md.MuData, omics: dict[str, dict]) -> pd.DataFrame:
    """:func:`feature_symbols` of the views of ``mdata`` whose features name genes."""
    maps = {view: gene_map for view, gene_map in gene_views(omics).items() if view in mdata.mod}
    return feature_symbols({view: mdata[view].var_names for view in maps}, maps)


def check_overlap(collections: dict[str, dict[str, list[str]]], symbols: pd.DataFrame, min_size: int) -> list[str]:
    """One line per collection none of whose sets has ``min_size`` genes among the genes of any view."""
    genes = symbols.groupby("view")["gene"].agg(set)
    return [
        f"gene-set collection {name!r}: no set has {min_size} genes among the features of the views "
        f"{', '.join(genes.index) or '(none)'}, "
        "so nothing can be tested; features must be HGNC gene symbols (add a gene_map to a view whose features are "
        "probe or antibody ids) or lower enrichment.min_size"
        for name, sets in collections.items()
        if not any(len(view_genes & set(members)) >= min_size for view_genes in genes for members in sets.values())
    ]
