import anndata as ad
import numpy as np
import pandas as pd
import pytest

from oncomix.errors import OncomixInputError
from oncomix.preprocess import PreprocessOptions, centre_batches, preprocess, preprocess_view, transform


def view(x, omic_type, obs_names=None):
    x = np.asarray(x, dtype=float)
    names = obs_names or [f"s{i}" for i in range(x.shape[0])]
    adata = ad.AnnData(X=x, obs=pd.DataFrame(index=names), var=pd.DataFrame(index=[f"f{j}" for j in range(x.shape[1])]))
    adata.uns["omic_type"] = omic_type
    return adata


def test_counts_become_log2_cpm():
    counts = np.array([[10, 90], [1, 3]])
    out = transform(view(counts, "rna_counts"), "rna_counts")
    expected = np.log2(counts / counts.sum(axis=1, keepdims=True) * 1e6 + 1)
    np.testing.assert_allclose(out.X, expected)


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
    out = preprocess_view(view(x, "generic"), pd.DataFrame(index=[f"s{i}" for i in range(30)]), PreprocessOptions(n_features=2))
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
    assert out.uns["qc"]["failed"] == {"too_missing": 0, "constant": 1, "rare_mutation": 1}  # f2 never mutated: constant first


def test_view_without_features_is_dropped_and_all_empty_is_an_error(small_mdata):
    options = {name: PreprocessOptions() for name in small_mdata.mod}
    options["mutation"] = PreprocessOptions(min_mutation_frequency=1.0)
    out = preprocess(small_mdata, options)
    assert "mutation" not in out.mod and out.uns["qc"]["mutation"]["features_kept"] == 0
    with pytest.raises(OncomixInputError, match="no view has any feature left"):
        preprocess(small_mdata, {name: PreprocessOptions(max_missing=-1) for name in small_mdata.mod})
