"""The workflow's own tab-separated tables, read back by later stages; user inputs are read by ``oncomix.readers``.

Per-tumour tables (factors, subtypes, consensus) are indexed by ``sample_id``; per-feature tables (markers,
replication, targets, ...) keep every key in a column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_sample_table(path: Path) -> pd.DataFrame:
    """A per-tumour table the workflow wrote (factors, subtypes, consensus), ids kept as text ("007" stays "007")."""
    return pd.read_csv(path, sep="\t", index_col="sample_id", dtype={"sample_id": str})


TEXT_COLUMNS = (
    "sample_id",
    "subtype",
    "subtype_fine",
    "parent",
    "omic",
    "feature",
    "direction",
    "gene_symbol",
    "cd_antigen",
    "approved_drugs",
    "approved_drug_actions",
    "drugs_other_action",
    "other_approved_drugs",
    "rule",
)


def read_marker_table(path: Path) -> pd.DataFrame:
    """A per-feature table the workflow wrote (marker evidence, replication, targets): feature names and
    subtypes kept as text (a gene called "NA" or "007" stays as it is), empty cells as missing values."""
    header = pd.read_csv(path, sep="\t", nrows=0).columns
    text = {column: str for column in TEXT_COLUMNS if column in header}
    return pd.read_csv(path, sep="\t", dtype=text, keep_default_na=False, na_values=[""])
