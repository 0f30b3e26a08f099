"""A cohort's classifier on disk: written by the run, read back to classify new tumours.

A model folder is data, never code: the classifier is written with skops (no pickle) and loaded only when every
type in it is on an allow-list of scikit-learn and numpy types, and ``manifest.json`` holds the sha256 of every
file the run wrote there; a folder whose files do not match it is refused before anything is read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.pipeline import Pipeline

from oncomix.errors import OncomixInputError

MODEL_FILE = "classifier.skops"
MANIFEST_FILE = "manifest.json"
FORMAT = "oncomix-classifier/1"
# types a classifier file may hold beyond those skops trusts by default (scikit-learn estimators, numpy arrays)
TRUSTED_TYPES = ["numpy.dtype", "sklearn.feature_selection._univariate_selection.f_classif"]
MAX_MANIFEST_BYTES = 100_000


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
