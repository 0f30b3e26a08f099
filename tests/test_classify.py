"""Classifying new tumours with a cohort's signature: held-out accuracy, missing views, refused inputs."""

import pickle
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio

from oncomix.classifier_store import MODEL_FILE, Classifier, load_classifier, save_classifier, write_manifest
from oncomix.classify import assign, check_overlap, new_tumour_matrix
from oncomix.errors import OncomixInputError
from oncomix.patients_report import render_patients
from oncomix.preprocess import PreprocessOptions, preprocess
from oncomix.signature import SignatureOptions, fit_signature
from tests.conftest import DEMO_TYPES

FAST = SignatureOptions(screen_features=100, penalties=(0.03, 0.3), outer_folds=3, inner_folds=3)


@pytest.fixture(scope="module")
def trained(small_mdata, small_cohort, tmp_path_factory):
    """A classifier trained on two thirds of the small cohort (true subtypes), saved and loaded back."""
    ids = np.random.default_rng(0).permutation(small_mdata.obs_names)
    train, new = ids[: 2 * len(ids) // 3], ids[2 * len(ids) // 3 :]
    cohort = preprocess(small_mdata[train].copy(), {name: PreprocessOptions() for name in small_mdata.mod})
    signature = fit_signature(cohort, small_cohort.truth_subtypes, FAST)
    views = {name: {"type": omic_type, "log": None, "batch": None} for name, omic_type in DEMO_TYPES.items()}
    folder = tmp_path_factory.mktemp("classifier")
    save_classifier(
        Classifier(signature.model, list(signature.design.columns), views, signature.design, signature.subtypes),
        folder / MODEL_FILE,
    )
    (folder / "targets.tsv").write_text("subtype\tfeature\n")
    write_manifest(folder, [MODEL_FILE, "targets.tsv"])
    return load_classifier(folder), small_mdata[new].copy(), small_cohort.truth_subtypes.loc[new], folder


def test_new_tumours_are_assigned_to_their_subtype(trained):
    classifier, raw, truth, _ = trained
    matrix = new_tumour_matrix(raw, classifier)
    check_overlap(matrix, classifier, "new.yaml")
    calls = assign(matrix, classifier)
    assert (calls["subtype"] == truth.loc[calls.index]).mean() >= 0.9
    assert calls["probability"].between(0, 1).all() and np.allclose(calls.filter(like="p_").sum(axis=1), 1)


def test_a_tumour_lacking_views_is_placed_from_the_views_it_has(trained):
    classifier, raw, truth, _ = trained
    without_rna = raw.copy()
    del without_rna.mod["rna"]
    calls = assign(new_tumour_matrix(without_rna, classifier), classifier)
    assert len(calls) == raw.n_obs and (calls["missing_views"].str.split(",").apply(lambda views: "rna" in views)).all()
    assert (calls["subtype"] == truth.loc[calls.index]).mean() >= 0.8


def test_new_data_sharing_too_few_features_is_refused(trained):
    classifier, raw, _, _ = trained
    renamed = raw.copy()
    for view in renamed.mod.values():
        view.var_names = [f"other_{name}" for name in view.var_names]
    with pytest.raises(OncomixInputError, match=r"new.yaml: the new tumours measure 0 of the \d+ features"):
        check_overlap(new_tumour_matrix(renamed, classifier), classifier, "new.yaml")


def test_a_folder_without_a_manifest_is_refused(tmp_path):
    (tmp_path / "classifier.joblib").write_bytes(
        pickle.dumps(print)
    )  # a folder of an older version, or anyone's pickle
    with pytest.raises(OncomixInputError, match="no manifest.json here, so not a classifier folder written by oncomix"):
        load_classifier(tmp_path)


def test_a_classifier_changed_after_the_run_is_refused(trained, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(trained[3], folder)
    with open(folder / MODEL_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(OncomixInputError, match=r"classifier.skops: missing, or changed after the run wrote it"):
        load_classifier(folder)


class Payload:
    """Stands for any object a crafted model file could carry; rebuilding it would leave a file behind."""

    def __init__(self, marker):
        self.marker = marker

    def __setstate__(self, state):
        Path(state["marker"]).write_text("code ran")


def test_a_crafted_classifier_with_a_matching_manifest_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    sio.dump({"format": "oncomix-classifier/1", "pipeline": Payload(str(marker))}, tmp_path / MODEL_FILE)
    (tmp_path / "targets.tsv").write_text("subtype\n")
    write_manifest(tmp_path, [MODEL_FILE, "targets.tsv"])
    with pytest.raises(OncomixInputError, match=r"holds types a classifier does not \(.*test_classify.Payload\)"):
        load_classifier(tmp_path)
    assert not marker.exists()


def test_a_saved_classifier_loads_back_identical(trained):
    classifier, raw, _, folder = trained
    matrix = new_tumour_matrix(raw, classifier)
    again = load_classifier(folder)
    assert (
        again.cohort.equals(classifier.cohort)
        and again.subtypes.equals(classifier.subtypes)
        and again.views == classifier.views
    )
    assert np.array_equal(
        again.pipeline.predict_proba(matrix.fillna(0)), classifier.pipeline.predict_proba(matrix.fillna(0))
    )


def test_the_patient_report_runs_no_script_a_sample_id_could_carry(trained):
    classifier, raw, _, _ = trained
    calls = assign(new_tumour_matrix(raw, classifier), classifier).iloc[:1]
    calls.index = ['<img src=x onerror="alert(1)">']
    html = render_patients(calls, pd.DataFrame(columns=["sample_id"]), "<script>alert(2)</script>")
    assert (
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        in html
    )
    assert "<img src=x" not in html and "<script>alert" not in html
