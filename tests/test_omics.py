"""The omic-type registry: one entry per schema type, every fact valid, and the stages doing what it says."""

import dataclasses
import typing
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncomix.config import load_schema, view_schema
from oncomix.genesets import gene_views
from oncomix.ingest import check_values
from oncomix.integrate import mofa_inputs
from oncomix.markers import view_markers
from oncomix.omics import OMIC_TYPES, OmicType
from oncomix.preprocess import transform

HINTS = typing.get_type_hints(OmicType)
TEST_NAMES = {"fisher": "Fisher exact", "welch": "Welch t", "mann-whitney": "Mann-Whitney U"}


def view(values: np.ndarray, omic_type: str) -> ad.AnnData:
    adata = ad.AnnData(
        values,
        obs=pd.DataFrame(index=[f"t{i}" for i in range(values.shape[0])]),
        var=pd.DataFrame(index=[f"g{j}" for j in range(values.shape[1])], data={"highly_variable": True}),
    )
    adata.uns["omic_type"] = omic_type
    return adata


def test_the_registry_holds_the_schema_types_in_their_order():
    assert list(OMIC_TYPES) == view_schema()["properties"]["type"]["enum"]
    assert all(omic.name == name for name, omic in OMIC_TYPES.items())


def test_the_schema_marker_floors_are_the_registry_floors():
    floors = load_schema("config")["properties"]["markers"]["properties"]["min_effect"]["properties"]
    assert {name: node["default"] for name, node in floors.items()} == {
        name: omic.min_effect for name, omic in OMIC_TYPES.items()
    }


@pytest.mark.parametrize("name", list(OMIC_TYPES))
def test_every_fact_is_set_to_a_valid_value(name):
    omic = OMIC_TYPES[name]
    for field in dataclasses.fields(OmicType):
        value, hint = getattr(omic, field.name), HINTS[field.name]
        if typing.get_origin(hint) is typing.Literal:
            assert value in typing.get_args(hint), field.name
        elif hint is bool:
            assert isinstance(value, bool), field.name
        elif hint is float:
            assert isinstance(value, float) and value >= 0, field.name
        elif hint is str:
            assert isinstance(value, str) and value, field.name
        else:  # value_range
            assert value is None or (len(value) == 2 and value[0] < value[1]), field.name
    # 0/1 calls go together: Bernoulli in MOFA and Fisher's test for markers, and no other type has either
    assert omic.binary == (omic.likelihood == "bernoulli") == (omic.marker_test == "fisher")


def test_mofa_models_binary_views_as_bernoulli_and_the_others_as_gaussian():
    rng = np.random.default_rng(0)
    mdata = md.MuData({name: view(rng.integers(0, 2, (6, 3)).astype(float), name) for name in OMIC_TYPES})
    _, likelihoods, names, _ = mofa_inputs(mdata)
    assert dict(zip(names, likelihoods, strict=True)) == {name: omic.likelihood for name, omic in OMIC_TYPES.items()}
    assert likelihoods[names.index("mutation")] == "bernoulli" and likelihoods.count("bernoulli") == 1


@pytest.mark.parametrize("name", list(OMIC_TYPES))
def test_markers_use_the_types_test_and_effect_label(name):
    values = np.random.default_rng(1).integers(0, 2, (40, 3)).astype(float)
    labels = pd.Series(np.repeat(["A", "B"], 20), index=[f"t{i}" for i in range(40)])
    table = view_markers(view(values, name), labels, alpha=0.05)
    assert set(table["test"]) == {TEST_NAMES[OMIC_TYPES[name].marker_test]}
    assert set(table["effect_type"]) == {OMIC_TYPES[name].effect_label}


@pytest.mark.parametrize("name", list(OMIC_TYPES))
def test_values_are_checked_and_transformed_as_the_type_says(name):
    omic = OMIC_TYPES[name]
    problems = check_values(pd.DataFrame({"g": [-1.0, 0.0, 2.0]}, index=["a", "b", "c"]), name, Path("v.tsv"))
    assert any("negative" in p for p in problems) == omic.non_negative
    assert any("other than 0/1" in p for p in problems) == omic.binary
    assert any("outside" in p for p in problems) == (omic.value_range is not None)
    intensities = view(np.array([[1.0, 4.0], [2.0, 8.0], [4.0, 16.0]]), name)
    logged = np.log2(intensities.X + omic.log_offset)
    if omic.transform == "none":
        expected = logged if omic.log_by_default else intensities.X
        np.testing.assert_allclose(transform(intensities, name).X, expected)
        np.testing.assert_allclose(transform(intensities, name, log_transform=True).X, logged)


def test_gene_set_views_are_the_types_whose_features_are_symbols():
    config = {name: {"type": name} for name in OMIC_TYPES} | {"mapped": {"type": "protein", "gene_map": "rppa"}}
    assert set(gene_views(config)) == {name for name, omic in OMIC_TYPES.items() if omic.gene_symbols} | {"mapped"}
