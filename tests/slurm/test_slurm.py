"""The workflow on a real SLURM cluster (`make test-slurm`; not part of `make test`): a one-node cluster on
localhost with accounting (tests/slurm/cluster.sh), the small cohort run with the shipped SLURM profile, every
step a SLURM job that sacct lists, and the results equal to a local run's."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from oncomix.simulate import write_cohort
from tests.conftest import DEMO_TYPES, REPO, run_workflow

CLUSTER = ["bash", str(REPO / "tests/slurm/cluster.sh")]
# the shipped profile; the test cluster has no SLURM accounts, and its jobs are short: check status early
SLURM_FLAGS = (
    "--workflow-profile",
    str(REPO / "workflow/profiles/slurm"),
    "--slurm-no-account",
    "--slurm-init-seconds-before-status-checks",
    "5",
)
COMPARED = (
    "subtypes.tsv",
    "factors.tsv",
    "k_selection.tsv",
    "biomarkers.tsv",
    "targets.tsv",
    "signature.tsv",
    "survival/logrank.tsv",
    "clinical/table_one.tsv",
)
pytestmark = pytest.mark.slurm


@pytest.fixture(scope="module")
def slurm_cluster():
    """Install (if needed) and start the cluster; stop every daemon it started, whatever the test did."""
    subprocess.run([*CLUSTER, "install"], check=True)
    try:
        started = subprocess.run([*CLUSTER, "start"], capture_output=True, text=True)
        assert started.returncode == 0, started.stdout + started.stderr
        yield
    finally:
        subprocess.run([*CLUSTER, "stop"], check=False)
    assert not Path(
        "/etc/slurm/slurm.conf"
    ).exists()  # removed again: a config without a controller slows every Snakemake start


def small_config(folder: Path) -> dict:
    return {
        "cohort": "small",
        "samples": str(folder / "samples.tsv"),
        "seed": 3,
        "omics": {view: {"path": str(folder / f"{view}.tsv.gz"), "type": kind} for view, kind in DEMO_TYPES.items()},
        "survival": {"time": "os_months", "event": "os_event"},
        "compare_to": "simulated_subtype",
        "baselines": ["concat_pca"],
        "markers": {"replication_splits": 1},
        "clustering": {"k_max": 5, "resamples": 10, "null_draws": 0},
        "signature": {
            "outer_folds": 2,
            "inner_folds": 2,
            "penalties": [0.1],
        },  # the plumbing is tested, not these steps
    }


def sacct_jobs(since: str) -> list[dict[str, str]]:
    fields = ["JobID", "State", "Comment", "AllocCPUS", "ReqMem"]
    listing = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-S", since, "-o", ",".join(fields)], capture_output=True, text=True, check=True
    )
    return [dict(zip(fields, line.split("|"), strict=True)) for line in listing.stdout.splitlines() if line]


def test_every_step_runs_as_a_slurm_job_and_gives_the_local_results(tmp_path, small_cohort, slurm_cluster):
    write_cohort(small_cohort, tmp_path / "data")
    config = small_config(tmp_path / "data")
    (tmp_path / "local").mkdir()
    (tmp_path / "cluster").mkdir()
    local = run_workflow(tmp_path / "local", config)
    assert local.returncode == 0, local.stderr[-3000:]
    since = datetime.now().strftime("%Y-%m-%dT%H:%M:%S")
    on_slurm = run_workflow(tmp_path / "cluster", config, flags=SLURM_FLAGS)
    assert on_slurm.returncode == 0, on_slurm.stderr[-3000:]
    jobs = sacct_jobs(since)
    rules = {job["Comment"].removeprefix("rule_").split("_wildcards_")[0] for job in jobs}
    assert {
        "validate",
        "preprocess",
        "integrate",
        "cluster",
        "baseline",
        "marker_tests",
        "replication",
        "signature",
        "report",
    } <= rules, jobs
    assert all(job["State"] == "COMPLETED" for job in jobs), jobs
    cpus = {job["Comment"].removeprefix("rule_"): job["AllocCPUS"] for job in jobs}
    assert (cpus["integrate"], cpus["cluster"]) == ("1", "2"), cpus  # each rule's threads (MOFA runs on one)
    for name in COMPARED:
        local_file, cluster_file = (tmp_path / where / "results/small" / name for where in ("local", "cluster"))
        assert cluster_file.read_bytes() == local_file.read_bytes(), name
    assert (tmp_path / "cluster/results/small/report.html").stat().st_size > 100_000
