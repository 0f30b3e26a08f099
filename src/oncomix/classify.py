"""Assign new tumours to a cohort's subtypes with the cohort's signature classifier.

The classifier is the signature refitted on every tumour of the cohort (``oncomix.signature``: imputation,
scaling, screen and sparse multinomial model, all fitted on the cohort) plus what is needed to bring new data to
the cohort's scale: each view's type, log setting and batch column (the same transformation as
``oncomix.preprocess.transform``; no feature is re-selected). A single missing value is imputed with the
cohort mean. A tumour lacking whole views is assigned by the same pipeline (same penalty) refitted on the
cohort's data of the views it has, since the sparse model fitted on every view may rest on the one it lacks.
New data sharing too few of the signature's features are refused.

The classifier is saved and loaded by ``oncomix.classifier_store``; the per-patient page is rendered by
``oncomix.patients_report``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import mudata as md
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from oncomix.classifier_store import Classifier, load_classifier
from oncomix.errors import OncomixInputError
from oncomix.patients_report import render_patients
from oncomix.preprocess import centre_batches, transform
from oncomix.tables import read_long, write_indexed, write_long

MIN_OVERLAP = 0.5  # fraction of the signature's features the new data must measure


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


def classify_new(model_dir: Path, raw: md.MuData, source: str) -> Classification:
    """Assign each tumour of a new, validated cohort (``raw``: ``oncomix.validate``) with the classifier in
    ``model_dir``."""
    classifier = load_classifier(model_dir)
    matrix = new_tumour_matrix(raw, classifier)
    check_overlap(matrix, classifier, source)
    calls = assign(matrix, classifier)
    markers = patient_markers(calls, matrix, read_long(Path(model_dir) / "targets.tsv"), classifier)
    return Classification(calls, markers, render_patients(calls, markers, str(model_dir)))


def write_classification(result: Classification, calls_path: Path, markers_path: Path, report_path: Path) -> None:
    write_indexed(result.calls, calls_path)
    write_long(result.markers, markers_path)
    Path(report_path).write_text(result.html, encoding="utf-8")
