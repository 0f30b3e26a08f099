"""Read the sample sheet and omic matrices, check them, and gather them into one MuData.

Every check collects problems instead of stopping at the first, so a user fixes all of them in one go.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from oncomix.errors import OncomixInputError

log = logging.getLogger(__name__)

OMIC_TYPES = (
    "mutation",
    "copy_number",
    "rna_counts",
    "expression",
    "protein",
    "metabolite",
    "methylation",
    "mirna_counts",
    "generic",
)
NON_NEGATIVE_TYPES = {"rna_counts", "mirna_counts", "metabolite"}
MAX_LISTED = 5  # offending cells listed per problem before summarising
NA_STRINGS = ["", "NA", "NaN", "nan", "N/A", "NULL", "null"]


@dataclass(frozen=True)
class ViewSpec:
    name: str
    path: Path
    omic_type: str
    orientation: str = "features_x_samples"


def _separator(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    return "," if ".csv" in suffixes else "\t"


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in {".parquet", ".pq"}


def read_matrix(path: Path, orientation: str = "features_x_samples") -> pd.DataFrame:
    """Read one omic table, returned samples x features; cells that are not numbers stay as text."""
    path = Path(path)
    if not path.is_file():
        raise OncomixInputError(f"{path}: file not found; check the 'path' of this view in the config")
    try:
        if _is_parquet(path):
            frame = pd.read_parquet(path)
            frame = frame.set_index(frame.columns[0])
            header = [str(c) for c in frame.columns]
        else:
            sep = _separator(path)
            frame = pd.read_csv(path, sep=sep, index_col=0, na_values=NA_STRINGS, keep_default_na=False)
            header = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str).iloc[0, 1:].tolist()
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise OncomixInputError(f"{path}: cannot be read as a table ({exc}); expected TSV/CSV (optionally gzipped) or parquet") from exc
    frame.columns = header  # undo pandas' renaming of duplicate headers so that the check below sees them
    frame.index = frame.index.astype(str)
    frame = frame.T if orientation == "features_x_samples" else frame
    frame.index.name = frame.columns.name = None
    return frame


def _duplicates(labels: pd.Index) -> list[str]:
    return sorted(set(labels[labels.duplicated()]))


def _listed(items: list) -> str:
    shown = ", ".join(map(str, items[:MAX_LISTED]))
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def to_numeric(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Return the matrix as floats; a cell that is neither a number nor empty/NA is an error."""
    columns = [pd.to_numeric(frame.iloc[:, i], errors="coerce") for i in range(frame.shape[1])]
    values = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=frame.index)
    values.columns = frame.columns
    bad = (values.isna() & frame.notna()).to_numpy()
    if bad.any():
        rows, cols = np.nonzero(bad)
        listed = [f"sample {frame.index[r]!r}, feature {frame.columns[c]!r}: {frame.iat[r, c]!r}" for r, c in zip(rows, cols)]
        raise OncomixInputError(f"{path}: {len(rows)} non-numeric cell(s) ({_listed(listed)}); use numbers, or leave the cell empty / NA for a missing value")
    return values.astype(float)


def check_values(values: pd.DataFrame, omic_type: str, path: Path) -> list[str]:
    """Return the problems of a numeric samples x features matrix for its omic type."""
    problems = []
    array = values.to_numpy()

    def cells(mask: np.ndarray) -> str:
        rows, cols = np.nonzero(mask)
        return _listed([f"sample {values.index[r]!r}, feature {values.columns[c]!r} = {array[r, c]}" for r, c in zip(rows, cols)])

    if values.shape[0] == 0 or values.shape[1] == 0:
        problems.append(f"{path}: the view is empty ({values.shape[1]} features x {values.shape[0]} samples); remove it from 'omics' or fix the file")
        return problems
    for kind, labels in (("sample", values.index), ("feature", values.columns)):
        if dups := _duplicates(labels):
            problems.append(f"{path}: duplicate {kind} id(s) {_listed(dups)}; each {kind} id must appear once")
    if np.isinf(array).any():
        problems.append(f"{path}: infinite value(s) at {cells(np.isinf(array))}; replace them with a finite value or NA")
    finite = np.where(np.isfinite(array), array, 0.0)
    if omic_type in NON_NEGATIVE_TYPES and (finite < 0).any():
        problems.append(f"{path}: negative value(s) at {cells(finite < 0)}; type '{omic_type}' must be raw non-negative values (use type 'expression' or 'generic' for log-scale data)")
    if omic_type == "mutation" and (~np.isin(finite, (0.0, 1.0))).any():
        problems.append(f"{path}: value(s) other than 0/1 at {cells(~np.isin(finite, (0.0, 1.0)))}; a mutation view holds 1 (mutated) or 0 (not)")
    if omic_type == "methylation" and ((finite < 0) | (finite > 1)).any():
        problems.append(f"{path}: beta value(s) outside 0..1 at {cells((finite < 0) | (finite > 1))}; methylation views hold beta values")
    return problems


def read_samples(path: Path, survival: dict | None = None) -> pd.DataFrame:
    """Read and check the clinical sample sheet; returns it indexed by ``sample_id``."""
    path = Path(path)
    if not path.is_file():
        raise OncomixInputError(f"{path}: sample sheet not found; check 'samples' in the config")
    sheet = pd.read_csv(path, sep=_separator(path), dtype={"sample_id": str})
    problems = []
    if "sample_id" not in sheet.columns:
        raise OncomixInputError(f"{path}: no 'sample_id' column (columns are {_listed(list(sheet.columns))}); name the sample id column 'sample_id'")
    if dups := _duplicates(pd.Index(sheet["sample_id"])):
        problems.append(f"{path}: duplicate sample_id(s) {_listed(dups)}; each tumour must have one row")
    if sheet["sample_id"].isna().any():
        problems.append(f"{path}: empty sample_id in row(s) {_listed(list(np.flatnonzero(sheet['sample_id'].isna()) + 2))}")
    if survival:
        problems += _check_survival(sheet, survival, path)
    if problems:
        raise OncomixInputError(problems)
    return sheet.set_index("sample_id")


def _check_survival(sheet: pd.DataFrame, survival: dict, path: Path) -> list[str]:
    problems = []
    for role in ("time", "event"):
        if survival[role] not in sheet.columns:
            problems.append(f"{path}: survival {role} column {survival[role]!r} not found; fix 'survival: {role}:' in the config")
    if problems:
        return problems
    time = pd.to_numeric(sheet[survival["time"]], errors="coerce")
    event = pd.to_numeric(sheet[survival["event"]], errors="coerce")
    bad_time = sheet["sample_id"][sheet[survival["time"]].notna() & ~(time >= 0)].tolist()
    bad_event = sheet["sample_id"][sheet[survival["event"]].notna() & ~event.isin([0, 1])].tolist()
    if bad_time:
        problems.append(f"{path}: column {survival['time']!r} must be a time >= 0; bad for sample(s) {_listed(bad_time)}")
    if bad_event:
        problems.append(f"{path}: column {survival['event']!r} must be 0 (censored) or 1 (event); bad for sample(s) {_listed(bad_event)}")
    return problems


def load_view(spec: ViewSpec) -> pd.DataFrame:
    """Read and check one view; returns a samples x features float matrix."""
    if spec.omic_type not in OMIC_TYPES:
        raise OncomixInputError(f"view {spec.name!r}: unknown type {spec.omic_type!r}; use one of {', '.join(OMIC_TYPES)}")
    values = to_numeric(read_matrix(spec.path, spec.orientation), spec.path)
    if problems := check_values(values, spec.omic_type, spec.path):
        raise OncomixInputError(problems)
    return values


def build_mudata(samples: pd.DataFrame, views: dict[str, pd.DataFrame], specs: dict[str, ViewSpec]) -> md.MuData:
    """Join checked views and the sample sheet; tumours lacking a view are simply absent from it."""
    problems = []
    for name, values in views.items():
        unknown = values.index.difference(samples.index).tolist()
        if unknown:
            problems.append(f"{specs[name].path}: {len(unknown)} sample(s) not in the sample sheet ({_listed(unknown)}); add them to the sample sheet or remove them from this view")
    if problems:
        raise OncomixInputError(problems)
    measured = set().union(*(v.index for v in views.values()))
    unmeasured = [s for s in samples.index if s not in measured]
    if unmeasured:
        log.warning("%d sample(s) of the sample sheet are in no view and are left out: %s", len(unmeasured), _listed(unmeasured))
    modalities = {}
    for name, values in views.items():
        adata = ad.AnnData(X=values.to_numpy(dtype=np.float64), obs=pd.DataFrame(index=values.index.astype(str)), var=pd.DataFrame(index=values.columns.astype(str)))
        adata.uns["omic_type"] = specs[name].omic_type
        modalities[name] = adata
    mdata = md.MuData(modalities)
    sheet = samples.loc[[s for s in samples.index if s in measured]]
    mdata = mdata[sheet.index].copy()
    mdata.obs = _clean_obs(sheet)
    return mdata


def _clean_obs(sheet: pd.DataFrame) -> pd.DataFrame:
    """Make sample-sheet columns writable to h5mu: text columns become strings with missing as NA."""
    obs = sheet.copy()
    for column in obs.columns:
        if obs[column].dtype == object:
            obs[column] = obs[column].astype("string")
    obs.index = obs.index.astype(str)
    obs.index.name = None
    return obs


def ingest(samples_path: Path, view_specs: list[ViewSpec], survival: dict | None = None) -> md.MuData:
    """Read, check and join everything; raises ``OncomixInputError`` listing every problem found."""
    problems: list[str] = []
    samples = None
    try:
        samples = read_samples(samples_path, survival)
    except OncomixInputError as exc:
        problems += exc.problems
    views = {}
    for spec in view_specs:
        try:
            views[spec.name] = load_view(spec)
        except OncomixInputError as exc:
            problems += exc.problems
    if problems:
        raise OncomixInputError(problems)
    return build_mudata(samples, views, {spec.name: spec for spec in view_specs})
