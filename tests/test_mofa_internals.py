"""The mofapy2 internals oncomix reads, on a real model trained through the package: shapes and agreement with the
saved model. That projecting the training tumours gives back their trained factors is checked by
test_integrate.py::test_projecting_the_training_tumours_gives_back_the_factors_mofa_trained."""

import contextlib
import io

import numpy as np
import pytest

from oncomix import mofa_internals as internals
from oncomix.integrate import MofaOptions, fit_mofa, mofa_inputs, read_model, saved_order
from oncomix.preprocess import PreprocessOptions, preprocess

FACTORS = 4


@pytest.fixture(scope="module")
def model(small_mdata, tmp_path_factory):
    data = preprocess(small_mdata, {name: PreprocessOptions(n_features=100) for name in small_mdata.mod})
    inputs, likelihoods, views, features = mofa_inputs(data)
    path = tmp_path_factory.mktemp("mofa") / "model.hdf5"
    with contextlib.redirect_stdout(io.StringIO()):
        trained = fit_mofa(inputs, likelihoods, views, features, list(data.obs_names), MofaOptions(factors=FACTORS))
        trained.save(str(path), save_data=False)
    return trained, inputs, likelihoods, read_model(path)


def test_a_finished_model_is_trained_and_counts_its_iterations(model):
    trained, _, _, saved = model
    assert internals.is_trained(trained)
    # read_model counts a converged model's ELBO trace, which also holds the ELBO before iteration 1
    assert 0 < internals.iterations_done(trained) == saved.iterations - 1


def test_per_view_arrays_have_one_row_per_feature(model):
    trained, inputs, likelihoods, _ = model
    assert set(likelihoods) == {"gaussian", "bernoulli"}
    for m, (x, likelihood) in enumerate(zip(inputs, likelihoods, strict=True)):
        mean, second = internals.view_weights(trained, m)
        assert mean.shape == second.shape == (x.shape[1], FACTORS)
        assert (second >= mean**2 - 1e-6).all()  # E[w^2] >= E[w]^2
        if likelihood == "gaussian":
            precision = internals.view_noise_precision(trained, m)
            assert precision.shape == (x.shape[1],) and (precision > 0).all()
        else:
            assert internals.view_centring(trained, m).shape == (x.shape[1],)


def test_trained_factors_are_the_saved_factors_in_the_trained_order(model):
    trained, inputs, _, saved = model
    factors = internals.trained_factors(trained)
    assert factors.shape == (len(inputs[0]), FACTORS) == saved.factors.shape
    order = saved_order(trained, saved.factors)
    assert sorted(order) == list(range(FACTORS))
    np.testing.assert_array_equal(factors[:, order], saved.factors.to_numpy())
