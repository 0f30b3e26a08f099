import contextlib
import dataclasses
import io
import logging
import sys

import numpy as np
import pandas as pd
import pytest
from mofapy2.core.BayesNet import BayesNet
from threadpoolctl import threadpool_limits

from oncomix.integrate import (
    MofaOptions,
    fit_mofa,
    mofa_inputs,
    project,
    read_model,
    saved_order,
    train_mofa,
    trained_views,
    training_summary,
    weights_long,
    without_inactive,
)
from oncomix.preprocess import PreprocessOptions, preprocess


@pytest.fixture(scope="module")
def trained(small_mdata, small_cohort, tmp_path_factory):
    data = preprocess(small_mdata, {name: PreprocessOptions(n_features=300) for name in small_mdata.mod})
    path = tmp_path_factory.mktemp("mofa") / "model.hdf5"
    return data, train_mofa(data, path, MofaOptions(factors=8, seed=1)), path


def subtype_r2(factors: pd.DataFrame, truth: pd.Series) -> float:
    """How well the best factor separates the subtypes: one-way ANOVA R^2 of subtype on the factor."""
    truth = truth.loc[factors.index]
    return max(factors[f].groupby(truth).transform("mean").var() / factors[f].var() for f in factors)


def test_mofa_factors_capture_the_subtypes(trained, small_cohort):
    data, result, _ = trained
    assert list(result.factors.index) == list(data.obs_names)
    assert list(result.r2.index) == list(data.mod)
    assert subtype_r2(result.factors, small_cohort.truth_subtypes) > 0.6
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


def test_same_seed_same_factors_on_any_number_of_cores(trained, tmp_path):
    data, _, _ = trained
    runs = []
    for cores in (1, 2):  # run_step limits BLAS to the rule's threads, which --cores caps
        with threadpool_limits(limits=cores):
            runs.append(train_mofa(data, tmp_path / f"cores{cores}.hdf5", MofaOptions(factors=8, seed=1)))
    np.testing.assert_array_equal(runs[0].factors.to_numpy(), runs[1].factors.to_numpy())
    for view, weights in runs[0].weights.items():
        np.testing.assert_array_equal(weights.to_numpy(), runs[1].weights[view].to_numpy())


def test_an_interrupted_training_fails_and_saves_nothing(trained, tmp_path, monkeypatch):
    data, _, _ = trained
    calls = {"elbo": 0}
    calculate = BayesNet.calculateELBO

    def interrupted_at_the_fifth(self, *nodes):
        calls["elbo"] += 1
        if calls["elbo"] == 5:
            raise KeyboardInterrupt  # what SIGINT raises; mofapy2 catches it inside its training loop
        return calculate(self, *nodes)

    monkeypatch.setattr(BayesNet, "calculateELBO", interrupted_at_the_fifth)
    with pytest.raises(RuntimeError, match=r"MOFA training was interrupted after 3 iteration\(s\); no model is saved"):
        train_mofa(data, tmp_path / "model.hdf5", MofaOptions(factors=8, seed=1))
    assert not (tmp_path / "model.hdf5").exists()


def test_the_iteration_cap_is_reported_and_warned(trained, tmp_path, caplog):
    data, _, _ = trained
    capped = train_mofa(data, tmp_path / "capped.hdf5", MofaOptions(factors=8, iterations=4, seed=1))
    assert not capped.converged and capped.iterations == 3  # mofapy2 runs iterations 1 .. cap - 1
    assert "iteration cap (4)" in caplog.text


def test_converged_model_reports_its_iterations(trained):
    _, result, _ = trained
    assert result.converged and 0 < result.iterations < 1000


def test_gpu_without_cupy_falls_back_to_the_cpu_and_says_so(trained, tmp_path, caplog, monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # as on a machine without cupy: importing it fails
    data, result, _ = trained
    on_cpu = train_mofa(data, tmp_path / "gpu.hdf5", MofaOptions(factors=8, seed=1, gpu=True))
    assert "no GPU was found" in caplog.text
    np.testing.assert_allclose(on_cpu.factors.to_numpy(), result.factors.to_numpy())


def test_factors_switched_off_during_training_are_left_out(trained):
    _, result, _ = trained
    dead = dataclasses.replace(
        result,
        factors=result.factors.assign(Dead=0.0),
        r2=result.r2.assign(Dead=0.0),
        weights={view: w.assign(Dead=0.0) for view, w in result.weights.items()},
    )
    kept = without_inactive(dead)
    assert list(kept.factors.columns) == list(kept.r2.columns) == list(result.factors.columns)
    assert all(list(w.columns) == list(result.factors.columns) for w in kept.weights.values())
    assert (result.factors.std() > 0).all()  # the trained model itself kept no dead factor


def test_projecting_the_training_tumours_gives_back_the_factors_mofa_trained(trained, tmp_path):
    """The projection is the fixed point of MOFA's own factor update: on the tumours the model was trained on
    (Gaussian and Bernoulli views, tumours lacking whole views) it must return the saved factors."""
    data, _, _ = trained
    inputs, likelihoods, views, features = mofa_inputs(data)
    with contextlib.redirect_stdout(io.StringIO()):
        model = fit_mofa(inputs, likelihoods, views, features, list(data.obs_names), MofaOptions(factors=8, seed=1))
        model.save(str(tmp_path / "model.hdf5"), save_data=False)
    saved = read_model(tmp_path / "model.hdf5").factors
    assert set(likelihoods) == {"gaussian", "bernoulli"} and np.isnan(inputs[views.index("protein")]).all(axis=1).any()
    placed = project(trained_views(model, inputs, likelihoods), inputs)[:, saved_order(model, saved)]
    np.testing.assert_allclose(placed, saved.to_numpy(), atol=0.02 * saved.to_numpy().std())


def test_above_max_tumours_mofa_trains_on_a_random_subset_and_projects_the_rest(
    trained, small_cohort, tmp_path, caplog
):
    caplog.set_level(logging.INFO, logger="oncomix")
    data, _, _ = trained
    result = train_mofa(data, tmp_path / "subset.hdf5", MofaOptions(factors=8, seed=1, max_tumours=80))
    assert "trained on a random 80 of the 120 tumours" in caplog.text
    assert len(result.trained_on) == 80 and result.trained_on.isin(data.obs_names).all()
    assert list(read_model(tmp_path / "subset.hdf5").factors.index) == list(result.trained_on)
    assert list(result.factors.index) == list(data.obs_names) and result.factors.notna().all().all()
    assert result.factors.index.name == "sample_id"  # as factors.tsv is read back
    projected = result.factors[~data.obs_names.isin(result.trained_on)]
    assert subtype_r2(projected, small_cohort.truth_subtypes) > 0.6  # the projected tumours separate as well
    assert training_summary(result).loc[0, ["tumours", "tumours_trained"]].tolist() == [120, 80]
    again = train_mofa(data, tmp_path / "again.hdf5", MofaOptions(factors=8, seed=1, max_tumours=80))
    pd.testing.assert_frame_equal(again.factors, result.factors)
