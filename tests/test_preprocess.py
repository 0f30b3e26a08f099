import anndata as ad
import numpy as np
import pandas as pd
import pytest

from oncomix.errors import OncomixInputError
from oncomix.preprocess import (
    PreprocessOptions,
    centre_batches,
    preprocess,
    preprocess_view,
    size_factors,
    transform,
    view_options,
)


def view(x, omic_type, obs_names=None):
    x = np.asarray(x, dtype=float)
    names = obs_names or [f"s{i}" for i in range(x.shape[0])]
    adata = ad.AnnData(X=x, obs=pd.DataFrame(index=names), var=pd.DataFrame(index=[f"f{j}" for j in range(x.shape[1])]))
    adata.uns["omic_type"] = omic_type
    return adata


def test_counts_become_log2_cpm_of_a_depth_only_library_size():
    rng = np.random.default_rng(0)
    base = rng.integers(50, 500, size=(1, 100)).astype(float)
    counts = np.vstack([base, 3 * base, base])  # the second tumour sequenced 3 times deeper
    counts[2, 0] = 1e6  # the third: one feature very high, the others as in the first
    factors = size_factors(counts)
    assert np.allclose(factors / factors[0], [1, 3, 1]) and np.isclose(np.prod(factors), 1)  # geometric mean 1
    out = transform(view(counts, "rna_counts"), "rna_counts").X
    np.testing.assert_allclose(out[1, 1:], out[0, 1:], atol=0.02)  # depth is divided out (up to the prior count)
    np.testing.assert_allclose(out[2, 1:], out[0, 1:])  # one feature does not move the others...
    total_cpm = np.log2(counts / counts.sum(axis=1, keepdims=True) * 1e6 + 1)
    assert (total_cpm[0, 1:] - total_cpm[2, 1:]).min() > 3  # ...as it does when dividing by the total count
    library = np.median(counts.sum(axis=1)) * size_factors(counts)
    prior = 2 * library / library.mean()
    np.testing.assert_allclose(out[:, 0], np.log2((counts[:, 0] + prior) / (library + 2 * prior) * 1e6))


def test_sparse_counts_fall_back_to_the_total_count():
    counts = np.array([[10.0, 0, 90], [0, 1, 3]])  # no feature counted in both tumours
    np.testing.assert_allclose(size_factors(counts), np.array([100, 4]) / np.sqrt(400))


def test_methylation_becomes_m_values_and_metabolites_log2():
    beta = np.array([[0.5, 0.8]])
    np.testing.assert_allclose(transform(view(beta, "methylation"), "methylation").X, [[0.0, 2.0]])
    intensities = np.array([[8.0, np.nan, 0.0]])
    out = transform(view(intensities, "metabolite"), "metabolite").X
    assert out[0, 0] == 3.0 and np.isnan(out[0, 1]) and np.isnan(out[0, 2])  # zero = below detection
    assert transform(view(intensities, "protein"), "protein").X[0, 0] == 8.0  # protein: already log


def test_batch_centring_removes_shift_and_keeps_mean():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    batches = pd.Series(["A"] * 20 + ["B"] * 20, index=[f"s{i}" for i in range(40)])
    x[20:] += 5
    out = centre_batches(view(x, "generic"), batches).X
    np.testing.assert_allclose(out[:20].mean(axis=0), out[20:].mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(out.mean(axis=0), x.mean(axis=0))


def test_filters_and_feature_selection():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 6))
    x[:, 0] = 1.0  # constant
    x[:20, 1] = np.nan  # mostly missing
    x[:, 2] *= 10  # most variable
    out = preprocess_view(
        view(x, "generic"), pd.DataFrame(index=[f"s{i}" for i in range(30)]), PreprocessOptions(n_features=2)
    )
    assert list(out.var_names) == ["f2", "f3", "f4", "f5"]
    assert out.var["highly_variable"].sum() == 2 and out.var.loc["f2", "highly_variable"]
    assert out.uns["qc"]["features_failed_qc"] == 2 and out.uns["qc"]["failed"] == {"too_missing": 1, "constant": 1}
    assert out.uns["qc"]["missing_values"] == 0


def test_rare_mutations_are_dropped():
    x = np.zeros((50, 3))
    x[:10, 0] = 1
    x[0, 1] = 1  # one carrier only
    out = preprocess_view(view(x, "mutation"), pd.DataFrame(index=[f"s{i}" for i in range(50)]), PreprocessOptions())
    assert list(out.var_names) == ["f0"]
    assert out.uns["qc"]["failed"] == {
        "too_missing": 0,
        "constant": 1,
        "rare_mutation": 1,
    }  # f2 never mutated: constant first


def test_view_without_features_is_dropped_and_all_empty_is_an_error(small_mdata):
    options = {name: PreprocessOptions() for name in small_mdata.mod}
    options["mutation"] = PreprocessOptions(min_mutation_frequency=1.0)
    out = preprocess(small_mdata, options)
    assert "mutation" not in out.mod and out.uns["qc"]["mutation"]["features_kept"] == 0
    with pytest.raises(OncomixInputError, match="no view has any feature left"):
        preprocess(small_mdata, {name: PreprocessOptions(max_missing=-1) for name in small_mdata.mod})


def test_a_view_s_own_settings_override_the_preprocess_defaults():
    omics = {
        "rna": {"path": "rna.tsv", "type": "rna_counts", "n_features": 500},
        "protein": {"path": "p.tsv", "type": "protein", "batch": "plate"},
    }
    options = view_options({"n_features": 1000, "max_missing": 0.3}, omics)
    assert options["rna"] == PreprocessOptions(n_features=500, max_missing=0.3)
    assert options["protein"] == PreprocessOptions(n_features=1000, max_missing=0.3, batch="plate")
