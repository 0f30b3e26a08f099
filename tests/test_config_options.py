"""Each stage's options dataclass agrees with its section of the config schema (the one place users read the
defaults), and ``from_config`` reads exactly that section: renamed keys mapped, unknown keys refused."""

from __future__ import annotations

import dataclasses
import re

import pytest

from oncomix.cluster import ClusterOptions
from oncomix.config import check_config, load_schema
from oncomix.enrichment import EnrichmentOptions
from oncomix.errors import OncomixInputError
from oncomix.factors import FactorOptions
from oncomix.integrate import MofaOptions
from oncomix.preprocess import PreprocessOptions, view_options
from oncomix.replication import ReplicationOptions
from oncomix.signature import SignatureOptions
from oncomix.targeting import TargetingOptions, targeting_options
from tests.conftest import REPO

OPTIONS = [
    PreprocessOptions,
    MofaOptions,
    ClusterOptions,
    FactorOptions,
    SignatureOptions,
    ReplicationOptions,
    TargetingOptions,
    EnrichmentOptions,
]
SECTIONS = load_schema("config")["properties"]


def default(field: dataclasses.Field):
    return field.default_factory() if field.default is dataclasses.MISSING else field.default


def same(value, schema_value) -> bool:
    """Equal, lists as tuples, and a flag only equal to a flag (True == 1 in Python)."""
    schema_value = tuple(schema_value) if isinstance(schema_value, list) else schema_value
    return value == schema_value and isinstance(value, bool) == isinstance(schema_value, bool)


@pytest.mark.parametrize("cls", OPTIONS, ids=lambda cls: cls.__name__)
def test_every_schema_key_of_the_section_is_a_field_with_the_schema_default(cls):
    schema = SECTIONS[cls.SECTION]["properties"]
    fields = {field.name: field for field in dataclasses.fields(cls)}
    keys = cls.config_keys()
    assert not sorted(set(schema) - set(keys) - cls.READ_ELSEWHERE), "schema keys neither read nor allowed"
    assert not sorted(cls.READ_ELSEWHERE & set(keys)), "a field's key listed as read elsewhere"
    assert not sorted(cls.READ_ELSEWHERE - set(schema)), "keys read elsewhere that the schema does not have"
    for key in set(schema) & set(keys):
        value = default(fields[keys[key]])
        assert same(value, schema[key]["default"]), f"{cls.SECTION}.{key}: {value!r} != {schema[key]['default']!r}"


def test_the_clustering_classes_share_their_section():
    assert ClusterOptions.READ_ELSEWHERE == set(FactorOptions.config_keys())
    config = {"clustering": {"k_max": 6, "factor_selection": "all"}, "seed": 1}  # one key of each class
    assert ClusterOptions.from_config(config).k_max == 6 and FactorOptions.from_config(config).factor_selection == "all"


def test_the_replication_rule_passes_the_keys_replication_reads():
    rule = (REPO / "workflow/rules/markers.smk").read_text()
    listed = re.search(r'replication=\{key: config\["markers"\]\[key\] for key in \(([^)]*)\)\}', rule).group(1)
    assert set(re.findall(r'"(\w+)"', listed)) == set(ReplicationOptions.config_keys())


def test_from_config_reads_the_section_the_seed_and_renamed_keys():
    config = check_config(
        {
            "cohort": "c",
            "samples": str(REPO / "config/README.md"),  # any existing file
            "omics": {"rna": {"path": str(REPO / "config/README.md"), "type": "rna_counts", "n_features": 50}},
            "seed": 7,
            "markers": {"replication_max_tumours": 300, "report_top": 3},
            "clustering": {"technical_covariates": ["batch"], "k_max": 5, "alpha": 0.01},
            "signature": {"penalties": [0.1, 1.0]},
        }
    )
    assert ReplicationOptions.from_config(config) == ReplicationOptions(max_tumours=300, seed=7)
    assert FactorOptions.from_config(config).technical_covariates == ("batch",)
    assert FactorOptions.from_config(config).alpha == 0.01
    assert ClusterOptions.from_config(config, jobs=2) == ClusterOptions(k_max=5, seed=7, jobs=2)
    assert SignatureOptions.from_config(config, seed=1) == SignatureOptions(penalties=(0.1, 1.0), seed=1)
    assert view_options(config["preprocess"], config["omics"])["rna"] == PreprocessOptions(n_features=50)
    assert targeting_options(config["targeting"], {"surfaceome": "s.tsv"}).surfaceome == "s.tsv"


def test_an_unknown_key_is_named_with_the_closest_field():
    with pytest.raises(OncomixInputError, match=r"unknown key mofa\.factor .*did you mean 'factors'"):
        MofaOptions.from_config({"mofa": {"factor": 5}})
    with pytest.raises(OncomixInputError, match=r"unknown key markers\.max_tumours"):
        ReplicationOptions.from_config({"markers": {"max_tumours": 5}})  # the field's name, not the config key
