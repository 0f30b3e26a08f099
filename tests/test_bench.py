"""The benchmark code (bench/) on the demo run: it reads what the workflow wrote and runs each integration."""

import sys

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import pdist

from oncomix.config import check_config, load_config
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import accuracy  # noqa: E402
import compare  # noqa: E402
from accuracy import simulated_run, summary  # noqa: E402
from generators import Scenario, cohort, scenarios, shares, simplex_means  # noqa: E402
from integration import side_by_side, subset_against_every_tumour  # noqa: E402
from run import stage_table, subtype_ari  # noqa: E402


@pytest.fixture(scope="module")
def demo(demo_run):
    return demo_run / "results" / "demo", demo_run / "resources" / "demo"


def demo_config_without_structure_test(demo_run) -> dict:
    """The demo run's config without the Gaussian structure test (null_draws 0): half the time of each
    clustering of these tests, which check the benchmark code, not the test (tests/test_cluster.py does)."""
    config = check_config(load_config(demo_run / "demo.yaml"))
    config["clustering"]["null_draws"] = 0
    return config


def test_stage_table_has_every_stage_with_time_and_memory(demo):
    run_folder, _ = demo
    table = stage_table(run_folder)
    assert {
        "validate",
        "preprocess",
        "integrate",
        "cluster",
        "marker_tests",
        "replication",
        "signature",
        "report",
    } <= set(table.index)
    assert (table["s"] > 0).all() and (table["max_rss_mib"] > 50).all()


def test_subtypes_are_scored_against_the_simulated_truth(demo):
    ari, k = subtype_ari(*demo)
    assert k == 4 and ari > 0.9


def test_integration_side_by_side_runs_both_on_the_same_input(demo_run, demo):
    run_folder, cohort_folder = demo
    table = side_by_side(run_folder, demo_config_without_structure_test(demo_run), cohort_folder)
    assert list(table.index) == ["oncomix", "mofapy2 defaults", "mofapy2 defaults, oncomix's features"]
    features = table["features"]
    assert features["oncomix"] == features["mofapy2 defaults, oncomix's features"] < features["mofapy2 defaults"]
    assert table["converged"].all() and (table["wall (s)"] > 0).all() and table.loc["oncomix", "time vs oncomix"] == 1
    assert table.loc["oncomix", "ARI vs truth"] > 0.9 and table.loc["oncomix", "subtypes"] == 4


def test_mofa_on_a_subset_is_set_beside_mofa_on_every_tumour(demo_run, demo):
    config = demo_config_without_structure_test(demo_run)
    config["mofa"]["max_tumours"] = 200  # of the demo's 300
    run_folder, cohort_folder = demo
    table = subset_against_every_tumour(run_folder, config, cohort_folder)
    assert table["tumours trained on"].tolist() == [200, 300] and (table["wall (s)"] > 0).all()
    assert (
        (table["subtypes"] == 4).all()
        and (table["ARI vs truth"] > 0.9).all()
        and (table["ARI between the two"] > 0.9).all()
    )


def test_generators_draw_the_scenario_they_are_given():
    grid = scenarios()
    assert (
        len(grid) >= 40
        and len({s.name for s in grid}) == len(grid)
        and {s.generator for s in grid} == {"demo", "factor"}
    )
    assert {s.true_k for s in grid} >= {1, 2, 3, 4, 5, 6, 8} and min(min(s.fractions) for s in grid) <= 0.03
    for generator in ("demo", "factor"):
        drawn = cohort(Scenario("t", generator, n_tumours=120, fractions=shares(3, rare=0.1)), seed=1)
        assert drawn.truth_subtypes.value_counts().sort_index().tolist() == [
            62,
            46,
            12,
        ]  # shares 0.514, 0.386, 0.1 of 120, rounded down, the rest to the first
        assert (
            set(drawn.views) == {"mutation", "rna", "protein", "metabolite"}
            and (drawn.views["rna"].to_numpy() >= 0).all()
        )
        assert set(drawn.samples["sample_id"]) == set(drawn.truth_subtypes.index)
    null = cohort(Scenario("t", "factor", n_tumours=50, fractions=(1.0,)), seed=1)
    assert null.truth_subtypes.nunique() == 1
    assert np.allclose(pdist(simplex_means(5, 4, 3.0, np.random.default_rng(0))), 3.0)


def test_accuracy_benchmark_scores_every_method_on_one_small_scenario(tmp_path, monkeypatch):
    monkeypatch.setattr(accuracy, "WORK", tmp_path)
    rows = pd.DataFrame(simulated_run(Scenario("demo:tiny", "demo", n_tumours=100, fractions=(0.5, 0.5)), seed=1))
    assert (tmp_path / "runs" / "demo_tiny_1" / "factors.tsv").exists()  # the integration is cached
    assert {"oncomix", "reference", "concatenated PCA", "SNF", "oncomix, finer level"} <= set(rows["method"])
    assert rows["ari"].between(-1, 1).all() and (rows["true_k"] == 2).all()
    assert rows.set_index("method").loc["oncomix", "ari"] > 0.9
    report = summary(rows, {"demo:tiny"})
    assert "chosen k equals true k: 100.0%" in report and "| demo:tiny" in report


def test_stages_at_two_commits_are_set_side_by_side_with_ratios():
    base = pd.DataFrame({"s": [10.0, 4.0], "max_rss_mib": [200.0, 100.0]}, index=["cluster", "validate"])
    head = pd.DataFrame(
        {"s": [5.0, 4.0, 1.0], "max_rss_mib": [300.0, 100.0, 50.0]}, index=["cluster", "validate", "new"]
    )
    table = compare.side_by_side(base, head)
    assert list(table.index) == ["cluster", "validate", "new"]  # slowest now first; a new stage has no ratio
    assert table.loc["cluster", "time_ratio"] == 0.5 and table.loc["cluster", "memory_ratio"] == 1.5
    assert np.isnan(table.loc["new", "time_ratio"]) and table.loc["validate", "time_ratio"] == 1.0
    assert compare.cohort_config("tcga_brca", REPO) == REPO / "config/examples/tcga_brca.yaml"
