"""The benchmark code (bench/) on the demo run: it reads what the workflow wrote and runs each integration."""

import sys

import pytest

from oncomix.config import check_config, load_config
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from integration import side_by_side, subset_against_every_tumour  # noqa: E402
from run import stage_table, subtype_ari  # noqa: E402


@pytest.fixture(scope="module")
def demo(demo_run):
    return demo_run / "results" / "demo", demo_run / "resources" / "demo"


def test_stage_table_has_every_stage_with_time_and_memory(demo):
    run_folder, _ = demo
    table = stage_table(run_folder)
    assert {"validate", "preprocess", "integrate", "cluster", "marker_tests", "replication", "signature", "report"} <= set(table.index)
    assert (table["s"] > 0).all() and (table["max_rss_mib"] > 50).all()


def test_subtypes_are_scored_against_the_simulated_truth(demo):
    ari, k = subtype_ari(*demo)
    assert k == 4 and ari > 0.9


def test_integration_side_by_side_runs_both_on_the_same_input(demo_run, demo):
    run_folder, cohort_folder = demo
    table = side_by_side(run_folder, check_config(load_config(demo_run / "demo.yaml")), cohort_folder)
    assert list(table.index) == ["oncomix", "mofapy2 defaults", "mofapy2 defaults, oncomix's features"]
    features = table["features"]
    assert features["oncomix"] == features["mofapy2 defaults, oncomix's features"] < features["mofapy2 defaults"]
    assert table["converged"].all() and (table["wall (s)"] > 0).all() and table.loc["oncomix", "time vs oncomix"] == 1
    assert table.loc["oncomix", "ARI vs truth"] > 0.9 and table.loc["oncomix", "subtypes"] == 4


def test_mofa_on_a_subset_is_set_beside_mofa_on_every_tumour(demo_run, demo):
    config = check_config(load_config(demo_run / "demo.yaml"))
    config["mofa"]["max_tumours"] = 200  # of the demo's 300
    run_folder, cohort_folder = demo
    table = subset_against_every_tumour(run_folder, config, cohort_folder)
    assert table["tumours trained on"].tolist() == [200, 300] and (table["wall (s)"] > 0).all()
    assert (table["subtypes"] == 4).all() and (table["ARI vs truth"] > 0.9).all() and (table["ARI between the two"] > 0.9).all()
