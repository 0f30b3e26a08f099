"""Every malformed input in tests/data/bad/ stops the real workflow with a clear message and writes nothing.

Each case folder holds a config, the bad file(s) and expect.txt (see tests/data/make_bad_inputs.py).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

DATA = REPO / "tests" / "data"
BAD_CASES = sorted(p.name for p in (DATA / "bad").iterdir())
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--cores", "1"]


def expected_fragments(case: str) -> list[str]:
    lines = (DATA / "bad" / case / "expect.txt").read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def workdir(tmp_path) -> Path:
    shutil.copytree(DATA / "good", tmp_path / "good")
    return tmp_path


def test_there_are_at_least_25_bad_inputs():
    assert len(BAD_CASES) >= 25


@dataclass
class BadRun:
    run: subprocess.CompletedProcess
    folder: Path  # the run's working folder: good/, the case's folder and what the run wrote
    inputs_before: dict[str, str]


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory) -> dict[str, BadRun]:
    """The workflow on every bad case, each in a folder of its own, two cases at a time (each run is one process
    at a time, so two share the machine's two cores without changing what a run does)."""

    def run(case: str) -> BadRun:
        folder = tmp_path_factory.mktemp(case)
        shutil.copytree(DATA / "good", folder / "good")
        shutil.copytree(DATA / "bad" / case, folder / case)
        before = checksums(folder)
        completed = subprocess.run(
            [*SNAKEMAKE, "--configfile", f"{case}/config.yaml"], cwd=folder, capture_output=True, text=True
        )
        return BadRun(completed, folder, before)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(BAD_CASES, pool.map(run, BAD_CASES), strict=True))


@pytest.mark.workflow
@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_stops_the_workflow_with_a_clear_message(bad_runs, case):
    run, folder = bad_runs[case].run, bad_runs[case].folder
    assert run.returncode != 0
    for fragment in expected_fragments(case):
        assert fragment in run.stderr, f"{fragment!r} not in:\n{run.stderr[-3000:]}"
    assert "Traceback" not in run.stderr
    results = folder / "results" / case
    written = [p.relative_to(results) for p in results.rglob("*") if p.is_file()] if results.exists() else []
    assert all(p.parts[0] == "logs" or p == Path(".lock") for p in written), written  # .lock: the run's cohort lock
    inputs_now = {name: digest for name, digest in checksums(folder).items() if name.split("/")[0] in ("good", case)}
    assert inputs_now == bad_runs[case].inputs_before


def run_cli(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "oncomix", "validate", *args], cwd=workdir, capture_output=True, text=True
    )


def test_validate_command_accepts_a_good_cohort_and_prints_the_overlap(workdir):
    run = run_cli(workdir, "good/config.yaml")
    assert run.returncode == 0, run.stderr
    assert "OK, 30 tumours" in run.stdout and "in_every_view" in run.stdout


def test_validate_command_accepts_a_config_of_new_tumours_to_classify(workdir):
    """8 new tumours are too few to cluster (bad case too_few_tumours) but fine to classify, as classify does."""
    shutil.copytree(DATA / "bad" / "too_few_tumours", workdir / "too_few_tumours")
    config = yaml.safe_load((workdir / "too_few_tumours/config.yaml").read_text()) | {
        "classify": {"model": "results/good/classifier"}
    }
    (workdir / "new.yaml").write_text(yaml.safe_dump(config))
    run = run_cli(workdir, "new.yaml")
    assert run.returncode == 0 and "OK, 8 tumours" in run.stdout, run.stderr


def test_validate_command_reports_every_problem_once_without_traceback(workdir):
    for case in ("negative_counts", "survival_bad_event"):
        shutil.copytree(DATA / "bad" / case, workdir / case)
    config = (workdir / "negative_counts/config.yaml").read_text()
    config = config.replace("good/samples.tsv", "survival_bad_event/samples.tsv")
    (workdir / "both.yaml").write_text(config + "seeed: 3\n")
    run = run_cli(workdir, "both.yaml")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "unknown key 'seeed'" in run.stderr and "did you mean 'seed'" in run.stderr
    (workdir / "both.yaml").write_text(config)
    run = run_cli(workdir, "both.yaml")
    assert run.returncode == 1 and "2 input problem(s)" in run.stderr
    assert "negative value(s)" in run.stderr and "0 (censored) or 1 (event)" in run.stderr
    verbose = run_cli(workdir, "both.yaml", "--verbose")
    assert verbose.returncode != 0 and "Traceback" in verbose.stderr


def test_validate_command_checks_the_drug_response_columns_before_any_work(workdir):
    """A pattern that names no sample-sheet column, or a text column, is found by validation (not after MOFA)."""
    config = yaml.safe_load((workdir / "good/config.yaml").read_text())
    for columns, message in (
        (["auc_*"], "'auc_*' match no sample-sheet column"),
        (["stage"], "column(s) 'stage' hold text, not responses"),
    ):
        (workdir / "drugs.yaml").write_text(yaml.safe_dump(config | {"drug_response": {"columns": columns}}))
        run = run_cli(workdir, "drugs.yaml")
        assert (
            run.returncode == 1 and "good/samples.tsv (drug_response.columns)" in run.stderr and message in run.stderr
        ), run.stderr


def test_validate_command_checks_the_gene_sets_before_any_work(workdir):
    """A missing or malformed collection stops validation; one whose genes no view names is a warning; the size
    limits must leave something to test."""
    config = yaml.safe_load((workdir / "good/config.yaml").read_text())
    (workdir / "mouse.gmt").write_text("MOUSE_SET\tmouse genes\tTrp53\tEgfr\tKras\n")
    cases = (
        ({"h": "missing.gmt"}, {}, 1, "missing.gmt: gene-set file not found"),
        ({"m": "mouse.gmt"}, {"min_size": 2}, 0, "gene-set collection 'm': no set has 2 genes among the features"),
        (
            {"m": "mouse.gmt"},
            {"min_size": 20, "max_size": 10},
            1,
            "enrichment.min_size (20) is above enrichment.max_size (10)",
        ),
    )
    for genesets, enrichment, code, message in cases:
        (workdir / "sets.yaml").write_text(yaml.safe_dump(config | {"genesets": genesets, "enrichment": enrichment}))
        run = run_cli(workdir, "sets.yaml")
        assert run.returncode == code and message in run.stderr + run.stdout, run.stderr
