"""Assign new tumours to a cohort's subtypes with the cohort's signature classifier.

The classifier is the signature refitted on every tumour of the cohort (``oncomix.signature``: imputation,
scaling, screen and sparse multinomial model, all fitted on the cohort) plus what is needed to bring new data to
the cohort's scale: each view's type, log setting and batch column (the same transformation as
``oncomix.preprocess.transform``; no feature is re-selected). A single missing value is imputed with the
cohort mean. A tumour lacking whole views is assigned by the same pipeline (same penalty) refitted on the
cohort's data of the views it has, since the sparse model fitted on every view may rest on the one it lacks.
New data sharing too few of the signature's features are refused.

A model folder is data, never code: the classifier is written with skops (no pickle) and loaded only when every
type in it is on an allow-list of scikit-learn and numpy types, and ``manifest.json`` holds the sha256 of every
file the run wrote there; a folder whose files do not match it is refused before anything is read.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import jinja2
import mudata as md
import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from oncomix.errors import OncomixInputError
from oncomix.preprocess import centre_batches, transform
from oncomix.tables import read_marker_table, write_indexed, write_long
from oncomix.validate import validate

MODEL_FILE = "classifier.skops"
MANIFEST_FILE = "manifest.json"
FORMAT = "oncomix-classifier/1"
# types a classifier file may hold beyond those skops trusts by default (scikit-learn estimators, numpy arrays)
TRUSTED_TYPES = ["numpy.dtype", "sklearn.feature_selection._univariate_selection.f_classif"]
MAX_MANIFEST_BYTES = 100_000
MIN_OVERLAP = 0.5  # fraction of the signature's features the new data must measure


@dataclass
class Classifier:
    pipeline: Pipeline  # fitted on the cohort
    columns: list[str]  # its input columns, view:feature
    views: dict[str, dict]  # per view: type, log (None = the type's default), batch (sample-sheet column or None)
    cohort: pd.DataFrame  # the cohort's preprocessed values (tumours x columns), to refit on fewer views
    subtypes: pd.Series  # the cohort's subtypes, aligned with ``cohort``

    def signature_columns(self) -> list[str]:
        """The columns with a non-zero coefficient for some subtype."""
        screened = np.asarray(self.columns)[self.pipeline["screen"].get_support()]
        return list(screened[(self.pipeline["model"].coef_ != 0).any(axis=0)])


def save_classifier(classifier: Classifier | None, path: Path) -> None:
    """Write the classifier with skops (None: the cohort had no signature; ``load_classifier`` then says so)."""
    content = {"format": FORMAT, "pipeline": None}
    if classifier is not None:
        cohort = classifier.cohort
        content.update(
            pipeline=classifier.pipeline,
            columns=list(classifier.columns),
            views=classifier.views,
            tumours=cohort.index.to_numpy(str),
            values=cohort.to_numpy(float),
            subtypes=classifier.subtypes.reindex(cohort.index).to_numpy(str),
        )
    sio.dump(content, path)


def sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_manifest(folder: Path, names: list[str]) -> None:
    """``manifest.json``: the sha256 of each named file of the classifier folder, checked by ``load_classifier``."""
    folder = Path(folder)
    files = {name: sha256(folder / name) for name in sorted(names)}
    (folder / MANIFEST_FILE).write_text(json.dumps({"format": FORMAT, "files": files}, indent=1) + "\n")


def verify_manifest(folder: Path) -> None:
    """Refuse a folder without a manifest, or whose model file or targets differ from what the run wrote."""
    path = Path(folder) / MANIFEST_FILE
    advice = "give --model the classifier folder of a finished run (results/<cohort>/classifier), as the run wrote it"
    if not path.is_file():
        raise OncomixInputError(
            f"{path.parent}: no {MANIFEST_FILE} here, so not a classifier folder written by oncomix; {advice}"
        )
    try:
        manifest = json.loads(path.read_bytes()[:MAX_MANIFEST_BYTES])
        files = dict(manifest["files"]) if manifest.get("format") == FORMAT else None
    except (ValueError, TypeError, KeyError, AttributeError):
        files = None
    if not files or not {MODEL_FILE, "targets.tsv"} <= set(files):
        raise OncomixInputError(
            f"{path}: not a manifest of format {FORMAT} listing {MODEL_FILE} and targets.tsv; {advice}"
        )
    for name, expected in files.items():
        listed = Path(folder) / str(name)
        if Path(str(name)).name != name or not listed.is_file() or sha256(listed) != expected:
            raise OncomixInputError(
                f"{listed}: missing, or changed after the run wrote it (its sha256 differs from {path}); refusing the "
                f"folder: {advice}"
            )


def load_classifier(folder: Path) -> Classifier:
    """The classifier of a model folder, after its manifest is verified and every type in it is allowed."""
    verify_manifest(folder)
    path = Path(folder) / MODEL_FILE
    untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
    if untrusted:
        raise OncomixInputError(
            f"{path}: holds types a classifier does not ({', '.join(untrusted[:5])}); refusing to load it"
        )
    content = sio.load(path, trusted=TRUSTED_TYPES)
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise OncomixInputError(f"{path}: not an oncomix classifier of format {FORMAT}")
    if content["pipeline"] is None:
        raise OncomixInputError(
            f"{path}: the cohort had no signature (fewer than two subtypes large enough), so no classifier"
        )
    cohort = pd.DataFrame(
        content["values"], index=pd.Index(content["tumours"], name="sample_id"), columns=content["columns"]
    )
    return Classifier(
        content["pipeline"],
        list(content["columns"]),
        content["views"],
        cohort,
        pd.Series(content["subtypes"], index=cohort.index, name="subtype"),
    )


def new_tumour_matrix(raw: md.MuData, classifier: Classifier) -> pd.DataFrame:
    """New tumours (validated, untransformed views) on the cohort's scale, in the classifier's columns."""
    frames = []
    for name, settings in classifier.views.items():
        if name not in raw.mod:
            continue
        view = transform(raw[name], settings["type"], settings["log"])
        if settings["batch"] and settings["batch"] in raw.obs:
            view = centre_batches(view, raw.obs[settings["batch"]])
        frames.append(
            pd.DataFrame(
                np.asarray(view.X, dtype=float), index=view.obs_names, columns=[f"{name}:{f}" for f in view.var_names]
            )
        )
    matrix = pd.concat(frames, axis=1) if frames else pd.DataFrame(index=raw.obs_names)
    return matrix.reindex(index=raw.obs_names, columns=classifier.columns)


def check_overlap(matrix: pd.DataFrame, classifier: Classifier, source: str) -> None:
    """Refuse new data that measure fewer than ``MIN_OVERLAP`` of the signature's features."""
    needed = classifier.signature_columns()
    measured = [c for c in needed if matrix[c].notna().any()]
    if len(measured) < MIN_OVERLAP * len(needed):
        missing = sorted({c.split(":", 1)[0] for c in needed} - {c.split(":", 1)[0] for c in measured})
        raise OncomixInputError(
            f"{source}: the new tumours measure {len(measured)} of the {len(needed)} features of the cohort's "
            "signature "
            f"(at least {MIN_OVERLAP:.0%} needed){'; views without any: ' + ', '.join(missing) if missing else ''}; "
            f"check that the view names and feature ids (gene symbols, antibody names) match the cohort's"
        )


def assign(matrix: pd.DataFrame, classifier: Classifier) -> pd.DataFrame:
    """Per tumour: the subtype, its probability, every subtype's probability, the views it lacks and the share
    of the signature's features it has values for."""
    view_of = pd.Series([c.split(":", 1)[0] for c in matrix.columns], index=matrix.columns)
    present = matrix.notna().T.groupby(view_of).any().T  # tumours x views
    lacking = present.apply(lambda row: ",".join(view for view, has in row.items() if not has), axis=1)
    classes = classifier.pipeline.classes_
    probabilities = pd.DataFrame(np.nan, index=matrix.index, columns=classes)
    for missing, tumours in lacking.groupby(lacking).groups.items():
        kept = [c for c in matrix.columns if view_of[c] not in set(missing.split(","))]
        model = classifier.pipeline if not missing else _refit(classifier, kept)
        probabilities.loc[tumours] = model.predict_proba(matrix.loc[tumours, kept])
    needed = classifier.signature_columns()
    return (
        pd.DataFrame(
            {
                "subtype": probabilities.idxmax(axis=1),
                "probability": probabilities.max(axis=1),
                "missing_views": lacking,
                "signature_features_measured": matrix[needed].notna().mean(axis=1),
            }
        )
        .join(probabilities.add_prefix("p_"))
        .rename_axis("sample_id")
    )


def _refit(classifier: Classifier, columns: list[str]) -> Pipeline:
    """The cohort pipeline, same settings, fitted on the cohort's values of ``columns`` only."""
    model = clone(classifier.pipeline)
    model.set_params(screen__k=min(model.get_params()["screen__k"], len(columns)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # F screen of constant features
        return model.fit(classifier.cohort[columns], classifier.subtypes)


def patient_markers(
    calls: pd.DataFrame, matrix: pd.DataFrame, targets: pd.DataFrame, classifier: Classifier, top_n: int = 10
) -> pd.DataFrame:
    """Per tumour, the targetable markers of its subtype (``targets.tsv`` of the cohort, best first) with the
    tumour's own value on the cohort's scale and its percentile among the cohort's tumours."""
    rows = []
    for sample, subtype in calls["subtype"].items():
        for target in targets[targets["subtype"] == subtype].head(top_n).itertuples():
            column = f"{target.omic}:{target.feature}"
            value = matrix.at[sample, column] if column in matrix.columns else np.nan
            cohort = (
                classifier.cohort[column].dropna() if column in classifier.cohort.columns else pd.Series(dtype=float)
            )
            percentile = 100 * (cohort < value).mean() if np.isfinite(value) and len(cohort) else np.nan
            rows.append(
                {
                    "sample_id": sample,
                    "subtype": subtype,
                    "target_rank": target.target_rank,
                    "omic": target.omic,
                    "feature": target.feature,
                    "gene_symbol": target.gene_symbol,
                    "cell_surface": target.cell_surface,
                    "approved_drugs": target.approved_drugs,
                    "value": value,
                    "cohort_percentile": percentile,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "sample_id",
            "subtype",
            "target_rank",
            "omic",
            "feature",
            "gene_symbol",
            "cell_surface",
            "approved_drugs",
            "value",
            "cohort_percentile",
        ],
    )


@dataclass
class Classification:
    calls: pd.DataFrame  # per tumour: subtype, probability, missing views, probabilities
    markers: pd.DataFrame  # per tumour: its subtype's targetable markers with the tumour's values
    html: str  # per-patient report


def classify_new(model_dir: Path, config: dict, source: str) -> Classification:
    """Validate a new cohort's config and inputs, then assign each tumour with the classifier in ``model_dir``."""
    classifier = load_classifier(model_dir)
    raw = validate(config, source, clustering=False).mdata
    matrix = new_tumour_matrix(raw, classifier)
    check_overlap(matrix, classifier, source)
    calls = assign(matrix, classifier)
    markers = patient_markers(calls, matrix, read_marker_table(Path(model_dir) / "targets.tsv"), classifier)
    return Classification(calls, markers, render_patients(calls, markers, str(model_dir)))


def write_classification(result: Classification, calls_path: Path, markers_path: Path, report_path: Path) -> None:
    write_indexed(result.calls, calls_path)
    write_long(result.markers, markers_path)
    Path(report_path).write_text(result.html, encoding="utf-8")


def render_patients(calls: pd.DataFrame, markers: pd.DataFrame, model: str) -> str:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("oncomix", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    per_patient = {
        sample: list(rows.fillna({"gene_symbol": "", "approved_drugs": ""}).itertuples())
        for sample, rows in markers.groupby("sample_id")
    }
    return environment.get_template("patients.html.j2").render(model=model, calls=calls, markers=per_patient)
