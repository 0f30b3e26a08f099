"""How many features count as markers with and without the effect floor (markers.min_effect, markers.min_auc) on
a large real cohort: the shared CCLE lines split into haematopoietic and solid lineages, markers of the solid group
in the HILIC-negative metabolite and RPPA views (as preprocessed by the workflow's defaults).

    .venv/bin/python bench/marker_floor.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oncomix.ingest import ingest
from oncomix.markers import find_markers
from oncomix.preprocess import PreprocessOptions, preprocess
from oncomix.readers import ViewSpec

CCLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "ccle_metabolomics"
VIEWS = [
    ViewSpec("metab_hilic_neg", CCLE / "metab_hilic_neg.tsv.gz", "metabolite"),
    ViewSpec("rppa", CCLE / "rppa.tsv.gz", "protein"),
]
NO_FLOOR = {"min_effect": {"protein": 0.0, "metabolite": 0.0}, "min_auc": 0.5}


def main() -> None:
    mdata, _ = ingest(CCLE / "samples.tsv", VIEWS)
    mdata = preprocess(mdata, {view.name: PreprocessOptions() for view in VIEWS})
    site = mdata.obs["site_primary"].astype(object).fillna("")
    groups = pd.Series(
        ["haematopoietic" if s == "haematopoietic_and_lymphoid_tissue" else "solid" for s in site],
        index=mdata.obs_names,
    )
    print(f"lines per group: {groups.value_counts().to_dict()}")
    for name, settings in (("with the floor (defaults)", {}), ("without it (q < 0.05 only)", NO_FLOOR)):
        solid = find_markers(mdata, groups, **settings).query("subtype == 'solid'")
        counts = {view: f"{int(rows['is_marker'].sum())} of {len(rows)}" for view, rows in solid.groupby("omic")}
        print(f"markers of the solid group {name}: {counts}")


if __name__ == "__main__":
    main()
