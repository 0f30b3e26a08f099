"""Classifying new tumours with a cohort's signature: held-out accuracy, missing views, refused inputs."""

import numpy as np
import pandas as pd
import pytest

from oncomix.classify import Classifier, assign, check_overlap, load_classifier, new_tumour_matrix, save_classifier
from oncomix.errors import OncomixInputError
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
    save_classifier(Classifier(signature.model, list(signature.design.columns), views, signature.design, signature.subtypes), folder / "classifier.joblib")
    return load_classifier(folder), small_mdata[new].copy(), small_cohort.truth_subtypes.loc[new]


def test_new_tumours_are_assigned_to_their_subtype(trained):
    classifier, raw, truth = trained
    matrix = new_tumour_matrix(raw, classifier)
    check_overlap(matrix, classifier, "new.yaml")
    calls = assign(matrix, classifier)
    assert (calls["subtype"] == truth.loc[calls.index]).mean() >= 0.9
    assert calls["probability"].between(0, 1).all() and np.allclose(calls.filter(like="p_").sum(axis=1), 1)


def test_a_tumour_lacking_views_is_placed_from_the_views_it_has(trained):
    classifier, raw, truth = trained
    without_rna = raw.copy()
    del without_rna.mod["rna"]
    calls = assign(new_tumour_matrix(without_rna, classifier), classifier)
    assert len(calls) == raw.n_obs and (calls["missing_views"].str.split(",").apply(lambda views: "rna" in views)).all()
    assert (calls["subtype"] == truth.loc[calls.index]).mean() >= 0.8


def test_new_data_sharing_too_few_features_is_refused(trained):
    classifier, raw, _ = trained
    renamed = raw.copy()
    for view in renamed.mod.values():
        view.var_names = [f"other_{name}" for name in view.var_names]
    with pytest.raises(OncomixInputError, match=r"new.yaml: the new tumours measure 0 of the \d+ features"):
        check_overlap(new_tumour_matrix(renamed, classifier), classifier, "new.yaml")


def test_a_folder_without_a_classifier_is_named():
    with pytest.raises(OncomixInputError, match="no classifier here"):
        load_classifier(pd.__path__[0])
