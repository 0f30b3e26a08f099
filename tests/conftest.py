"""Shared fixtures: small simulated cohorts (real simulator, smaller than the demo) for fast unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncomix.ingest import ingest
from oncomix.readers import ViewSpec
from oncomix.simulate import CohortSpec, MarkerPlan, simulate_cohort, write_cohort

REPO = Path(__file__).resolve().parents[1]
DEMO_TYPES = {"mutation": "mutation", "rna": "rna_counts", "protein": "protein", "metabolite": "metabolite"}
# clearer subtypes than the demo's (larger marker effects, fewer programmes), so 120 tumours suffice
SMALL = CohortSpec(
    n_tumours=120, n_genes=600, n_programmes=2, programme_size=60, seed=7,
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
    mdata, _ = ingest(small_cohort_dir / "samples.tsv", view_specs(small_cohort_dir), {"time": "os_months", "event": "os_event"})
    return mdata
