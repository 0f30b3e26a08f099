import numpy as np
import pandas as pd
import pytest

from oncomix.integrate import MofaOptions, read_model, train_mofa, weights_long
from oncomix.preprocess import PreprocessOptions, preprocess


@pytest.fixture(scope="module")
def trained(small_mdata, small_cohort, tmp_path_factory):
    data = preprocess(small_mdata, {name: PreprocessOptions(n_features=300) for name in small_mdata.mod})
    path = tmp_path_factory.mktemp("mofa") / "model.hdf5"
    return data, train_mofa(data, path, MofaOptions(factors=8, seed=1)), path


def test_mofa_factors_capture_the_subtypes(trained, small_cohort):
    data, result, _ = trained
    assert list(result.factors.index) == list(data.obs_names)
    assert list(result.r2.index) == list(data.mod)
    truth = small_cohort.truth_subtypes.loc[result.factors.index]
    # the best factor separates the subtypes: one-way ANOVA R^2 of subtype on the factor
    r2_subtype = [result.factors[f].groupby(truth).transform("mean").var() / result.factors[f].var() for f in result.factors]
    assert max(r2_subtype) > 0.6
    assert 0 < result.iterations <= 1000 and np.isfinite(result.final_elbo)


def test_model_file_round_trips_and_weights_cover_selected_features(trained):
    data, result, path = trained
    again = read_model(path)
    pd.testing.assert_frame_equal(again.factors, result.factors)
    for name, view in data.mod.items():
        assert set(result.weights[name].index) == set(view.var_names[view.var["highly_variable"]])
    long = weights_long(result.weights)
    assert list(long.columns) == ["view", "feature", "factor", "weight"]
    assert len(long) == sum(w.size for w in result.weights.values())


def test_same_seed_same_factors(trained, tmp_path):
    data, result, _ = trained
    again = train_mofa(data, tmp_path / "again.hdf5", MofaOptions(factors=8, seed=1))
    np.testing.assert_allclose(again.factors.to_numpy(), result.factors.to_numpy())
