"""Read one omic view from any supported format into a samples x features table.

Formats: TSV/CSV tables (optionally gzipped, either orientation, cBioPortal-style annotation columns),
parquet, AnnData ``.h5ad``, one modality of a MuData ``.h5mu``, and MAF-like long mutation tables.
Cells are returned as read; ``oncomix.ingest`` turns them into checked numbers. The workflow's own tables are
read by ``oncomix.tables``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import anndata as ad
import h5py
import mudata as md
import numpy as np
import pandas as pd
from scipy import sparse

from oncomix.config import view_format, view_schema
from oncomix.errors import OncomixInputError

NA_STRINGS = ["", "NA", "NaN", "nan", "N/A", "NULL", "null"]
MAX_LISTED = 5  # offending items listed per problem before summarising
MAX_SHOWN_CHARS = 80  # of one listed item


def listed(items: list) -> str:
    shown = ", ".join(map(_shown, items[:MAX_LISTED]))
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _shown(item) -> str:
    """An item as a message shows it: quoted when blanks at its ends would not be seen, cut when long."""
    text = repr(item) if isinstance(item, str) and item != item.strip() else str(item)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 3] + "..."


def separator_hint(path: Path, header: list[str]) -> str:
    """Why a table read as one column probably is one: it is separated by another character than expected."""
    if len(header) != 1:
        return ""
    expected = separator(path)
    found = [
        name
        for sep, name in ((";", "';'"), ("\t", "tabs"), (",", "commas"))
        if sep != expected and sep in str(header[0])
    ]
    if not found:
        return ""
    return (
        f"; the file reads as one column, as it seems separated by {found[0]}: oncomix reads .csv files as "
        "comma-separated and every other table as tab-separated, so save it that way or rename it"
    )


@dataclass(frozen=True)
class MafColumns:
    sample_column: str
    gene_column: str
    class_column: str
    variant_classes: tuple[str, ...]

    @classmethod
    def from_config(cls, entry: dict) -> MafColumns:
        """The ``maf:`` entry of a view over the schema's defaults."""
        defaults = {key: sub["default"] for key, sub in view_schema()["properties"]["maf"]["properties"].items()}
        columns = {**defaults, **entry}
        return cls(**{**columns, "variant_classes": tuple(columns["variant_classes"])})


VIEW_OPTIONS = ("orientation", "format", "id_column", "modality", "layer", "duplicate_features")


@dataclass(frozen=True)
class ViewSpec:
    """How to read one view; built from its ``omics:`` entry in the config by ``from_config``."""

    name: str
    path: Path
    omic_type: str
    orientation: str = "features_x_samples"
    format: str = "auto"
    id_column: str | None = None
    drop_columns: tuple[str, ...] = ()
    modality: str | None = None
    layer: str | None = None
    duplicate_features: str = "error"
    maf: MafColumns = field(default_factory=lambda: MafColumns.from_config({}))

    @classmethod
    def from_config(cls, name: str, entry: dict) -> ViewSpec:
        options = {key: entry[key] for key in VIEW_OPTIONS if key in entry}
        return cls(
            name=name,
            path=Path(entry["path"]),
            omic_type=entry["type"],
            drop_columns=tuple(entry.get("drop_columns", ())),
            maf=MafColumns.from_config(entry.get("maf", {})),
            **options,
        )

    @property
    def reader(self) -> str:
        return view_format({"path": self.path, "format": self.format})


def read_view(spec: ViewSpec) -> pd.DataFrame:
    """Read the view's file; returns samples x features with string ids, cells as read."""
    if not spec.path.is_file():
        what = "is a folder, not a file" if spec.path.is_dir() else "file not found"
        raise OncomixInputError(f"{spec.path}: {what}; check the 'path' of view {spec.name!r} in the config")
    readers = {
        "table": _read_table,
        "parquet": _read_parquet,
        "h5ad": _read_anndata,
        "h5mu": _read_anndata,
        "maf": _read_maf,
    }
    try:
        frame = readers[spec.reader](spec)
    except OncomixInputError:
        raise
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        raise OncomixInputError(
            f"{spec.path}: cannot be read as a {spec.reader} file ({exc}); check the file and the view's 'format'"
        ) from exc
    frame.index.name = frame.columns.name = None
    return frame


def separator(path: Path) -> str:
    """Comma for .csv / .csv.gz files, tab otherwise."""
    return "," if ".csv" in [s.lower() for s in path.suffixes] else "\t"


def _read_table(spec: ViewSpec) -> pd.DataFrame:
    """TSV/CSV: the header row is read as text so that ids keep leading zeros and duplicates stay visible."""
    sep = separator(spec.path)
    try:
        header = (
            pd.read_csv(spec.path, sep=sep, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0].tolist()
        )
    except pd.errors.EmptyDataError:
        raise OncomixInputError(
            f"{spec.path}: the file is empty; it needs a header row and one row per feature"
        ) from None
    if hint := separator_hint(spec.path, header):
        raise OncomixInputError(f"{spec.path}: one column only{hint}")
    id_position = _id_position(header, spec)
    missing_values = {i: NA_STRINGS for i in range(len(header)) if i != id_position}  # an id "NA" or "NULL" is a name
    try:
        body = pd.read_csv(
            spec.path, sep=sep, header=None, skiprows=1, dtype={id_position: str}, na_values=missing_values,
            keep_default_na=False, float_precision="round_trip", true_values=[], false_values=[],
        )  # fmt: skip
    except pd.errors.EmptyDataError:
        body = pd.DataFrame(columns=range(len(header)))
    if body.shape[1] != len(header):
        raise OncomixInputError(
            f"{spec.path}: the header has {len(header)} columns but the rows have {body.shape[1]}; every row needs one "
            "cell per header column"
        )
    body.columns = header
    return _orient(_set_ids(body, id_position, spec), spec)


def _id_position(header: list[str], spec: ViewSpec) -> int:
    missing = [c for c in (spec.id_column, *spec.drop_columns) if c is not None and c not in header]
    if missing:
        raise OncomixInputError(
            f"{spec.path}: column(s) {listed(missing)} named in the config (id_column / drop_columns of view "
            f"{spec.name!r}) are not in the header ({listed(header)})"
        )
    return header.index(spec.id_column) if spec.id_column else 0


def _set_ids(frame: pd.DataFrame, id_at: int, spec: ViewSpec) -> pd.DataFrame:
    """Index by the id column and drop annotation columns; positional so that duplicate headers survive."""
    keep = [i for i, c in enumerate(frame.columns) if i != id_at and c not in spec.drop_columns]
    ids = frame.iloc[:, id_at].replace("", np.nan)
    values = frame.iloc[:, keep]
    values.index = pd.Index(ids.where(ids.isna(), ids.astype(str)), dtype=object)
    values.columns = pd.Index([None if pd.isna(c) else str(c) for c in values.columns], dtype=object)
    return values


def _orient(frame: pd.DataFrame, spec: ViewSpec) -> pd.DataFrame:
    return frame.T if spec.orientation == "features_x_samples" else frame


def _read_parquet(spec: ViewSpec) -> pd.DataFrame:
    frame = pd.read_parquet(spec.path)
    header = [str(c) for c in frame.columns]
    frame.columns = header
    return _orient(_set_ids(frame, _id_position(header, spec), spec), spec)


def _read_anndata(spec: ViewSpec) -> pd.DataFrame:
    """AnnData convention: observations (samples) in rows, variables (features) in columns."""
    if spec.reader == "h5mu":
        modality = spec.modality or spec.name
        with h5py.File(spec.path, "r") as handle:
            available = list(handle.get("mod", {}))
        if modality not in available:
            raise OncomixInputError(
                f"{spec.path}: no modality {modality!r} (the file holds {listed(available) or 'none'}); set 'modality' "
                f"of view {spec.name!r}"
            )
        adata = md.read_h5ad(spec.path, modality)
    else:
        adata = ad.read_h5ad(spec.path)
    if spec.layer and spec.layer not in adata.layers:
        raise OncomixInputError(
            f"{spec.path}: no layer {spec.layer!r} (layers: {listed(list(adata.layers)) or 'none'}); fix 'layer' of "
            f"view {spec.name!r}"
        )
    matrix = adata.layers[spec.layer] if spec.layer else adata.X
    dense = matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)
    dense = dense.astype(float) if dense.dtype == bool else dense  # e.g. a boolean mutation matrix
    return pd.DataFrame(dense, index=adata.obs_names.astype(str), columns=adata.var_names.astype(str))


def _read_maf(spec: ViewSpec) -> pd.DataFrame:
    """A long table, one row per variant -> samples x genes, 1 where a variant of a listed class hits the gene.

    The samples are every tumour with at least one row (of any class): a MAF does not list tumours that were
    sequenced and carry no variant, so those are treated as not measured.
    """
    columns = [spec.maf.sample_column, spec.maf.gene_column, spec.maf.class_column]
    maf = pd.read_csv(
        spec.path, sep="\t", comment="#", dtype=str, keep_default_na=False, na_values=NA_STRINGS, low_memory=False
    )
    if missing := [c for c in columns if c not in maf.columns]:
        raise OncomixInputError(
            f"{spec.path}: MAF column(s) {listed(missing)} not found (columns: {listed(list(maf.columns))}); set 'maf' "
            f"columns of view {spec.name!r}"
        )
    maf = maf[columns]
    if maf.isna().any().any():
        rows = np.flatnonzero(maf.isna().any(axis=1).to_numpy()) + 2
        raise OncomixInputError(
            f"{spec.path}: empty sample, gene or variant class in data row(s) {listed(list(rows))} (counting the "
            "header as row 1); fill them in or remove those rows"
        )
    kept = maf[maf[spec.maf.class_column].isin(spec.maf.variant_classes)]
    hits = pd.crosstab(kept[spec.maf.sample_column], kept[spec.maf.gene_column]) > 0
    samples = pd.Index(maf[spec.maf.sample_column].unique())
    return hits.reindex(index=samples, fill_value=False).astype(float)
