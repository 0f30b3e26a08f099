"""Shared fixtures: small simulated cohorts (real simulator, smaller than the demo) for fast unit tests, and the
demo cohort run through the real workflow (once per session) for the workflow, browser and report tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from oncomix.ingest import ingest
from oncomix.readers import ViewSpec
from oncomix.simulate import CohortSpec, MarkerPlan, simulate_cohort, write_cohort

REPO = Path(__file__).resolve().parents[1]
SHARED_ANNOTATIONS = REPO.parent / "shared" / "annotations"  # third-party tables, beside the checkout (CI has them)
SHARED_GENESETS = {  # gene-set collections, beside the checkout
    "hallmark": str(REPO.parent / "shared" / "genesets" / "h.all.v7.0.symbols.gmt"),
    "progeny": str(REPO.parent / "shared" / "genesets" / "progeny_human_top100_14pathways.tsv"),
}
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--cores", "2"]
DEMO_VIEWS = ("mutation", "rna", "protein", "metabolite")
DEMO_TYPES = {"mutation": "mutation", "rna": "rna_counts", "protein": "protein", "metabolite": "metabolite"}
# clearer subtypes than the demo's (larger marker effects, fewer programmes), so 120 tumours suffice
SMALL = CohortSpec(
    n_tumours=120,
    n_genes=600,
    n_programmes=2,
    programme_size=60,
    seed=7,
    rna_markers=MarkerPlan(up=25, down=15, effect=(1.2, 2.2)),
    protein_markers=MarkerPlan(up=12, down=6, effect=(1.2, 2.2)),
    metabolite_markers=MarkerPlan(up=8, down=4, effect=(1.0, 1.8)),
)


@pytest.fixture(scope="session")
def small_cohort():
    return simulate_cohort(SMALL)


@pytest.fixture(scope="session")
def small_cohort_dir(tmp_path_factory, small_cohort) -> Path:
    out = tmp_path_factory.mktemp("cohort")
    write_cohort(small_cohort, out)
    return out


def view_specs(folder: Path) -> list[ViewSpec]:
    return [ViewSpec(view, folder / f"{view}.tsv.gz", omic_type) for view, omic_type in DEMO_TYPES.items()]


@pytest.fixture(scope="session")
def small_mdata(small_cohort_dir):
    mdata, _ = ingest(
        small_cohort_dir / "samples.tsv", view_specs(small_cohort_dir), {"time": "os_months", "event": "os_event"}
    )
    return mdata


def run_workflow(
    workdir: Path, config: dict, targets: tuple[str, ...] = (), flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """Snakemake on ``config`` in ``workdir``: the whole workflow, or only what ``targets`` need."""
    config_path = workdir / f"{config['cohort']}.yaml"
    config_path.write_text(yaml.safe_dump(config))
    command = [*SNAKEMAKE, "--directory", str(workdir), *flags, *targets, "--configfile", str(config_path)]
    return subprocess.run(command, capture_output=True, text=True)


def demo_config(cohort: str, data: Path) -> dict:
    """config/config.yaml (what `make demo` runs) with its inputs moved to ``data``, the real targeting tables
    (as `oncomix resources fetch` writes them) from ../shared/annotations and gene sets from ../shared/genesets."""
    text = (REPO / "config/config.yaml").read_text().replace("resources/demo", str(data))
    config = yaml.safe_load(text)
    return config | {
        "cohort": cohort,
        "resources": str(SHARED_ANNOTATIONS),
        "genesets": config["genesets"] | SHARED_GENESETS,
    }


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo cohort exactly as `make demo` simulates it, run on 2 cores (tests/test_workflow.py runs it again
    on 1 core, interrupted, and compares)."""
    workdir = tmp_path_factory.mktemp("workflow")
    write_cohort(simulate_cohort(CohortSpec()), workdir / "resources" / "demo")
    run = run_workflow(workdir, demo_config("demo", workdir / "resources" / "demo"))
    assert run.returncode == 0, run.stderr[-3000:]
    return workdir
