"""Check the sample sheet and omic views, harmonise sample ids, and gather the views into one MuData.

Every check collects problems instead of stopping at the first, so a user fixes all of them in one go.
Features and samples that carry no information (all missing, constant) are dropped with a warning and
recorded, not treated as errors.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import anndata as ad
import jsonschema
import mudata as md
import numpy as np
import pandas as pd

from oncomix.config import load_schema
from oncomix.errors import OncomixInputError, did_you_mean
from oncomix.omics import OMIC_TYPES
from oncomix.readers import NA_STRINGS, ViewSpec, listed, read_view, separator, separator_hint

log = logging.getLogger(__name__)

DROPPED_COLUMNS = ["view", "axis", "reason", "count", "examples"]
MAX_ABS_VALUE = 1e15  # above any count or intensity; larger values overflow in variances and log transforms


def to_numeric(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Return the matrix as floats; a cell that is neither a number nor empty/NA is an error."""
    columns = [_as_float(frame.iloc[:, i]) for i in range(frame.shape[1])]
    values = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=frame.index)
    values.columns = frame.columns
    bad = (values.isna() & frame.notna()).to_numpy()
    if bad.any():
        rows, cols = np.nonzero(bad)
        cells = [
            f"sample {frame.index[r]!r}, feature {frame.columns[c]!r}: {frame.iat[r, c]!r}"
            for r, c in zip(rows, cols, strict=True)
        ]
        raise OncomixInputError(
            f"{path}: {len(rows)} non-numeric cell(s) ({listed(cells)}); use numbers, or leave the cell empty / NA for "
            "a missing value"
        )
    return values.astype(float)


def _as_float(column: pd.Series) -> pd.Series:
    """Exact conversion (Python's float parser); cells that are not numbers become NaN. True/False is not a number."""
    if pd.api.types.is_bool_dtype(column):
        return pd.Series(np.nan, index=column.index)
    if column.dtype == object:
        column = column.mask(column.map(lambda cell: isinstance(cell, (bool, np.bool_))), "not a number")
    try:
        return column.astype(float)
    except (TypeError, ValueError):
        return pd.to_numeric(column, errors="coerce").astype(float)


def harmonise_ids(ids: pd.Index, pattern: str | None, source: Path) -> pd.Index:
    """Map each id to the first capture group (or the whole match) of ``pattern``; ids that collide are an error."""
    if not pattern:
        return ids
    regex = re.compile(pattern)
    matches = [regex.search(str(i)) if not pd.isna(i) else None for i in ids]
    unmatched = [i for i, m in zip(ids, matches, strict=True) if m is None and not pd.isna(i)]
    if unmatched:
        raise OncomixInputError(
            f"{source}: sample id(s) {listed(unmatched)} do not match sample_id_pattern {pattern!r}; fix the ids or "
            "the pattern"
        )
    new = pd.Index(
        [(m.group(1) if regex.groups else m.group(0)) if m else i for i, m in zip(ids, matches, strict=True)],
        dtype=object,
    )
    originals = pd.Series(ids, index=new)
    collided = originals[new.duplicated(keep=False)].groupby(level=0).agg(list)
    if len(collided):
        pairs = [f"{' and '.join(map(repr, old))} -> {target!r}" for target, old in collided.items()]
        raise OncomixInputError(
            f"{source}: {len(collided)} sample id(s) collide under sample_id_pattern ({listed(pairs)}); several "
            "aliquots of one tumour? keep one of them in the file"
        )
    return new


def collapse_duplicate_features(values: pd.DataFrame, rule: str) -> pd.DataFrame:
    """Merge features that share an id: 'mean' averages them, 'max_variance' keeps the most variable one."""
    if rule == "error" or not values.columns.duplicated().any():
        return values
    if rule == "mean":
        return values.T.groupby(level=0, sort=False).mean().T
    variance = pd.Series(values.var(axis=0).to_numpy(), index=range(values.shape[1]))
    order = variance.groupby(values.columns.to_numpy(), sort=False).idxmax().to_numpy()
    return values.iloc[:, np.sort(order)]


def check_values(values: pd.DataFrame, omic_type: str, path: Path) -> list[str]:
    """Return the problems of a numeric samples x features matrix for its omic type."""
    problems, omic = [], OMIC_TYPES[omic_type]
    array = values.to_numpy()

    def cells(mask: np.ndarray) -> str:
        rows, cols = np.nonzero(mask)
        return listed(
            [
                f"sample {values.index[r]!r}, feature {values.columns[c]!r} = {array[r, c]}"
                for r, c in zip(rows, cols, strict=True)
            ]
        )

    if values.shape[0] == 0 or values.shape[1] == 0:
        problems.append(
            f"{path}: the view is empty ({values.shape[1]} features x {values.shape[0]} samples); remove it from "
            "'omics' or fix the file"
        )
        return problems
    if values.index.isna().any():
        problems.append(
            f"{path}: {values.index.isna().sum()} sample(s) without an id (empty header cell or row id); name every "
            "sample"
        )
    if dups := _duplicates(values.index.dropna()):
        problems.append(f"{path}: duplicate sample id(s) {listed(dups)}; each sample id must appear once")
    if dups := _duplicates(values.columns):
        problems.append(
            f"{path}: duplicate feature id(s) {listed(dups)}; each feature id must appear once, or set the view's "
            "duplicate_features to 'mean' or 'max_variance'"
        )
    if np.isinf(array).any():
        problems.append(
            f"{path}: infinite value(s) at {cells(np.isinf(array))}; replace them with a finite value or NA"
        )
    finite = np.where(np.isfinite(array), array, 0.0)
    if (too_large := np.abs(finite) > MAX_ABS_VALUE).any():
        problems.append(
            f"{path}: value(s) beyond {MAX_ABS_VALUE:.0e} at {cells(too_large)}; no assay measures that much: an "
            "overflow or a unit error? fix them or set them to NA"
        )
    if omic.non_negative and (finite < 0).any():
        problems.append(
            f"{path}: negative value(s) at {cells(finite < 0)}; type '{omic_type}' must be raw non-negative values "
            "(use type 'expression' or 'generic' for log-scale data)"
        )
    if omic.binary and (~np.isin(finite, (0.0, 1.0))).any():
        problems.append(
            f"{path}: value(s) other than 0/1 at {cells(~np.isin(finite, (0.0, 1.0)))}; a mutation view holds 1 "
            "(mutated) or 0 (not)"
        )
    if omic.value_range:  # only methylation has one: beta values
        low, high = omic.value_range
        if (outside := (finite < low) | (finite > high)).any():
            problems.append(
                f"{path}: beta value(s) outside {low:g}..{high:g} at {cells(outside)}; {omic_type} views hold beta "
                "values"
            )
    return problems


def _duplicates(labels: pd.Index) -> list[str]:
    return sorted(set(labels[labels.duplicated()]))


def _dropped(view: str, axis: str, reason: str, ids: list) -> dict:
    return {"view": view, "axis": axis, "reason": reason, "count": len(ids), "examples": listed(ids)}


def drop_uninformative(values: pd.DataFrame, spec: ViewSpec) -> tuple[pd.DataFrame, list[dict]]:
    """Drop all-missing or constant features, and samples with nothing measured (or, in a continuous view,
    one value for every feature: a failed assay). A tumour with no mutation is not dropped."""
    records = []
    empty_feature = values.isna().all(axis=0)
    constant_feature = values.max(axis=0) == values.min(axis=0)  # missing values skipped; all-missing is not equal
    informative = values.loc[:, ~(empty_feature | constant_feature).to_numpy()]  # samples are judged on these
    empty_sample = informative.isna().all(axis=1)
    constant_sample = (informative.max(axis=1) == informative.min(axis=1)) & (informative.shape[1] > 1)
    if not OMIC_TYPES[spec.omic_type].continuous:
        constant_sample[:] = False
    for axis, mask, reason in (
        ("feature", empty_feature, "all values missing"),
        ("feature", constant_feature, "constant"),
        ("sample", empty_sample, "all values missing"),
        ("sample", constant_sample, "constant (failed assay?)"),
    ):
        if mask.any():
            records.append(_dropped(spec.name, axis, reason, mask[mask].index.tolist()))
            log.warning(
                "%s: dropped %d %s(s) with %s: %s",
                spec.path,
                mask.sum(),
                axis,
                reason,
                listed(mask[mask].index.tolist()),
            )
    return informative.loc[~(empty_sample | constant_sample).to_numpy()], records


def read_samples(
    path: Path, survival: dict | None = None, id_pattern: str | None = None, columns: dict[str, str] | None = None
) -> pd.DataFrame:
    """Read and check the clinical sample sheet; returns it indexed by ``sample_id``.

    ``columns`` maps each other column the config names (batch, reference labels...) to the config key naming it.
    """
    path = Path(path)
    if not path.is_file():
        raise OncomixInputError(
            f"{path}: {'is a folder, not a file' if path.is_dir() else 'sample sheet not found'}; check 'samples' in "
            "the config"
        )
    sheet = _read_sheet(path)
    problems = _schema_problems(sheet, path)
    if dups := _duplicates(pd.Index(sheet["sample_id"].dropna())):
        problems.append(f"{path}: duplicate sample_id(s) {listed(dups)}; each tumour must have one row")
    if survival:
        problems += _check_survival(sheet, survival, path)
    problems += [
        f"{path}: column {column!r} not found ({_suggest_column(column, sheet)}); fix '{key}' in the config"
        for column, key in (columns or {}).items()
        if column not in sheet.columns
    ]
    if problems:
        raise OncomixInputError(problems)
    sheet = sheet.set_index("sample_id")
    sheet.index = harmonise_ids(sheet.index, id_pattern, path)
    return sheet


def _read_sheet(path: Path) -> pd.DataFrame:
    """The sheet as read: sample ids as text (an id "NA" is a name, an empty one is missing), other cells with
    the usual missing-value strings as missing. A header must name each column once; an unnamed column is
    dropped with a warning when empty (a trailing tab) and an error otherwise."""
    sep = separator(path)
    try:
        header = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0].tolist()
        names = pd.read_csv(path, sep=sep, nrows=0).columns  # as pandas names them: "Unnamed: 2", "age.1"
        missing_values = {column: NA_STRINGS for column in names if column != "sample_id"}
        sheet = pd.read_csv(path, sep=sep, dtype={"sample_id": str}, keep_default_na=False, na_values=missing_values)
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise OncomixInputError(f"{path}: the sample sheet cannot be read as a table ({str(exc)[:300]})") from exc
    if "sample_id" not in header:
        raise OncomixInputError(
            f"{path}: no 'sample_id' column (columns are {listed(header)}); name the sample id column "
            f"'sample_id'{separator_hint(path, header)}"
        )
    if dups := _duplicates(pd.Index([c for c in header if c])):
        raise OncomixInputError(
            f"{path}: column name(s) {listed(dups)} appear more than once in the header; keep one column of each name"
        )
    unnamed = [position for position, name in enumerate(header) if not name]
    if filled := [position + 1 for position in unnamed if sheet.iloc[:, position].notna().any()]:
        raise OncomixInputError(
            f"{path}: column(s) {listed(filled)} (counting from 1) have values but no name in the header; name them or "
            "remove them"
        )
    if unnamed:
        log.warning(
            "%s: dropped empty column(s) %s without a name (a tab or comma at the end of the header?)",
            path,
            listed([p + 1 for p in unnamed]),
        )
        sheet = sheet.drop(columns=sheet.columns[unnamed])
    if sheet.empty:
        raise OncomixInputError(f"{path}: the sample sheet has no tumours (a header only); add one row per tumour")
    return sheet.assign(sample_id=sheet["sample_id"].replace("", np.nan))


def _suggest_column(column: str, sheet: pd.DataFrame) -> str:
    return did_you_mean(column, sheet.columns, f"columns are {listed(list(sheet.columns))}")


def _schema_problems(sheet: pd.DataFrame, path: Path) -> list[str]:
    """Each row against the sample-sheet schema; the row number counts the header as row 1."""
    validator = jsonschema.Draft7Validator(load_schema("samples"))
    problems = []
    for number, row in enumerate(sheet.to_dict("records"), start=2):
        record = {key: value for key, value in row.items() if not pd.isna(value)}
        problems += [
            f"{path}: row {number}: {error.message}; every row needs a non-empty sample_id"
            for error in validator.iter_errors(record)
        ]
    return problems


def _check_survival(sheet: pd.DataFrame, survival: dict, path: Path) -> list[str]:
    problems = []
    for role in ("time", "event"):
        if survival[role] not in sheet.columns:
            problems.append(
                f"{path}: survival {role} column {survival[role]!r} not found; fix 'survival: {role}:' in the config"
            )
    if problems:
        return problems
    time = pd.to_numeric(sheet[survival["time"]], errors="coerce")
    event = pd.to_numeric(sheet[survival["event"]], errors="coerce")
    bad_time = sheet["sample_id"][sheet[survival["time"]].notna() & ~(time >= 0)].tolist()
    bad_event = sheet["sample_id"][sheet[survival["event"]].notna() & ~event.isin([0, 1])].tolist()
    if bad_time:
        problems.append(
            f"{path}: column {survival['time']!r} must be a time >= 0; bad for sample(s) {listed(bad_time)}"
        )
    if bad_event:
        problems.append(
            f"{path}: column {survival['event']!r} must be 0 (censored) or 1 (event); bad for sample(s) "
            f"{listed(bad_event)}"
        )
    return problems


def load_view(spec: ViewSpec, id_pattern: str | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """Read and check one view; returns a samples x features float matrix and what was dropped from it."""
    if spec.omic_type not in OMIC_TYPES:
        raise OncomixInputError(
            f"view {spec.name!r}: unknown type {spec.omic_type!r}; use one of {', '.join(OMIC_TYPES)}"
        )
    raw = read_view(spec)
    unnamed = raw.columns.isna()
    dropped = (
        [_dropped(spec.name, "feature", "no feature id", [f"column {i + 1}" for i in np.flatnonzero(unnamed)])]
        if unnamed.any()
        else []
    )
    raw = raw.loc[:, ~unnamed]
    raw.index = harmonise_ids(raw.index, id_pattern, spec.path)
    values = collapse_duplicate_features(to_numeric(raw, spec.path), spec.duplicate_features)
    if problems := check_values(values, spec.omic_type, spec.path):
        raise OncomixInputError(problems)
    values, uninformative = drop_uninformative(values, spec)
    if values.empty:
        raise OncomixInputError(
            f"{spec.path}: no informative feature or sample left (all missing or constant); fix the file or remove "
            f"view {spec.name!r}"
        )
    return values, dropped + uninformative


def build_mudata(samples: pd.DataFrame, views: dict[str, pd.DataFrame], specs: dict[str, ViewSpec]) -> md.MuData:
    """Join checked views and the sample sheet; tumours lacking a view are simply absent from it."""
    problems = []
    for name, values in views.items():
        unknown = values.index.difference(samples.index).tolist()
        if len(unknown) == len(values.index):
            problems.append(
                f"{specs[name].path}: none of its {len(unknown)} samples ({listed(unknown)}) is in the sample sheet "
                f"(whose ids look like {listed(samples.index[:2].tolist())}); check the view's orientation, or set "
                "sample_id_pattern to harmonise ids such as TCGA barcodes"
            )
        elif unknown:
            problems.append(
                f"{specs[name].path}: {len(unknown)} sample(s) not in the sample sheet ({listed(unknown)}); add them "
                "to the sample sheet or remove them from this view"
            )
    if problems:
        raise OncomixInputError(problems)
    measured = set().union(*(v.index for v in views.values()))
    unmeasured = [s for s in samples.index if s not in measured]
    if unmeasured:
        log.warning(
            "%d sample(s) of the sample sheet are in no view and are left out: %s", len(unmeasured), listed(unmeasured)
        )
    modalities = {}
    for name, values in views.items():
        adata = ad.AnnData(
            X=values.to_numpy(dtype=np.float64),
            obs=pd.DataFrame(index=values.index.astype(str)),
            var=pd.DataFrame(index=values.columns.astype(str)),
        )
        adata.uns["omic_type"] = specs[name].omic_type
        modalities[name] = adata
    mdata = md.MuData(modalities)
    sheet = samples.loc[[s for s in samples.index if s in measured]]
    mdata = mdata[sheet.index].copy()
    mdata.obs = _clean_obs(sheet)
    return mdata


def _clean_obs(sheet: pd.DataFrame) -> pd.DataFrame:
    """Make sample-sheet columns writable to h5mu: text columns become categorical, missing as NA (as anndata
    stores repeated strings anyway; a nullable string column of all-distinct values, such as a patient alias,
    cannot be written)."""
    obs = sheet.copy()
    for column in obs.columns:
        if obs[column].dtype == object:
            obs[column] = obs[column].astype("string").astype("category")
    obs.index = obs.index.astype(str)
    obs.index.name = None
    return obs


def ingest(
    samples_path: Path,
    view_specs: list[ViewSpec],
    survival: dict | None = None,
    id_pattern: str | None = None,
    columns: dict[str, str] | None = None,
) -> tuple[md.MuData, pd.DataFrame]:
    """Read, check and join everything; returns the MuData and a table of what was dropped.

    Raises ``OncomixInputError`` listing every problem found in every file.
    """
    problems: list[str] = []
    samples = None
    try:
        samples = read_samples(samples_path, survival, id_pattern, columns)
    except OncomixInputError as exc:
        problems += exc.problems
    views, dropped = {}, []
    for spec in view_specs:
        try:
            views[spec.name], records = load_view(spec, id_pattern)
            dropped += records
        except OncomixInputError as exc:
            problems += exc.problems
    if problems:
        raise OncomixInputError(problems)
    mdata = build_mudata(samples, views, {spec.name: spec for spec in view_specs})
    return mdata, pd.DataFrame(dropped, columns=DROPPED_COLUMNS)
