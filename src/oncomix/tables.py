"""The workflow's own tab-separated tables: written by one stage, read back by later ones.

Indexed tables (factors, subtypes, consensus, variance explained, ...) hold their index, such as ``sample_id``, in
the first column; long tables (markers, targets, tests, ...) keep every key in a column and write no index. A
``.gz`` table is gzipped without a timestamp. Each kind has its writer and its readers here: ``write_indexed`` with
``read_sample_table`` (indexed by tumour) and ``read_indexed`` (by view, factor, ...), ``write_long`` with
``read_long``. User inputs are read by ``oncomix.readers``; Snakemake's own benchmark files are not tables of this
module.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_indexed(frame: pd.DataFrame, path: Path) -> None:
    """A table keyed by its index (tumours, factors, views), the index written as the first column."""
    frame.to_csv(path, sep="\t", compression=_compression(path))


def write_long(frame: pd.DataFrame, path: Path) -> None:
    """A table whose keys are columns (one row per feature, test, k...): the index is not written."""
    frame.to_csv(path, sep="\t", index=False, compression=_compression(path))


def _compression(path: Path) -> dict | None:
    """Gzip for a ``.gz`` path, with no timestamp in the header so that the same table gives the same bytes."""
    return {"method": "gzip", "mtime": 0} if str(path).endswith(".gz") else None


def read_sample_table(path: Path) -> pd.DataFrame:
    """A per-tumour table the workflow wrote (factors, subtypes, consensus), ids kept as text ("007" stays "007")."""
    return pd.read_csv(path, sep="\t", index_col="sample_id", dtype={"sample_id": str})


def read_indexed(path: Path, index: str) -> pd.DataFrame:
    """A table ``write_indexed`` wrote whose index is not the tumours (``view``: variance explained, overlap;
    ``factor``: the factor table), index and cells parsed with pandas' defaults."""
    return pd.read_csv(path, sep="\t", index_col=index)


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
    "scope",
)


def read_long(path: Path) -> pd.DataFrame:
    """A table ``write_long`` wrote (markers, targets, tests, k selection, ...): cells as written, the columns of
    ``TEXT_COLUMNS`` as text (a gene called "NA" or "007" stays as it is), empty cells as missing values."""
    header = pd.read_csv(path, sep="\t", nrows=0).columns
    text = {column: str for column in TEXT_COLUMNS if column in header}
    return pd.read_csv(path, sep="\t", dtype=text, keep_default_na=False, na_values=[""])
