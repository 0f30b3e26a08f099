import re

import numpy as np
import pandas as pd

from oncomix.cluster import ClusterOptions, find_subtypes
from oncomix.compare import comparison_table, method_row
from oncomix.factors import FactorOptions, covariate_associations, factor_space, factor_table
from oncomix.integrate import MofaOptions, train_mofa
from oncomix.markers import find_markers
from oncomix.preprocess import PreprocessOptions, preprocess
from oncomix.report import ReportInputs, render

EVIL = "<img src=x onerror=alert(1)>"


def test_report_is_self_contained_and_escapes_input_strings(small_mdata, tmp_path):
    mdata = small_mdata.copy()
    mdata.obs["note"] = EVIL
    data = preprocess(mdata, {name: PreprocessOptions(n_features=200) for name in mdata.mod})
    data.mod["rna"].var_names = [EVIL if i == 0 else v for i, v in enumerate(data.mod["rna"].var_names)]
    result = train_mofa(data, tmp_path / "m.hdf5", MofaOptions(factors=5))
    associations = covariate_associations(result.factors, data.obs[["note", "stage"]], {"note"})
    table = factor_table(result.factors, result.r2, associations, FactorOptions())
    found = find_subtypes(factor_space(result.factors, table), ClusterOptions(resamples=5, prediction_strength_splits=3))
    subtypes = found.calls.assign(missing_views=["protein"] + [""] * (data.n_obs - 1))
    comparison = comparison_table([method_row("mofa", "MOFA+ factors", "kmeans", subtypes, found.k_selection, data.obs["stage"])])
    markers = find_markers(data, subtypes["subtype"])
    markers.loc[markers["feature"] == EVIL, "is_marker"] = True  # make sure it is shown
    overlap = pd.DataFrame({"samples": [data.n_obs]}, index=pd.Index([EVIL], name="view"))
    dropped = pd.DataFrame([{"view": "rna", "axis": "feature", "reason": "constant", "count": 1, "examples": EVIL}])
    config = {"cohort": EVIL, "compare_to": "stage", "clustering": {**ClusterOptions().__dict__, **FactorOptions().__dict__, "technical_covariates": ["note"]}}
    html = render(ReportInputs(
        "cohort<script>x()</script>", data, result.factors, result.r2, subtypes, found.k_selection, table, associations,
        found.consensus, comparison, markers, overlap, dropped, config,
    ))
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html  # no script at all, injected or not
    for section in ("cohort", "integration", "subtypes", "comparison", "biomarkers", "interpretation", "methods"):
        assert f'id="{section}"' in html
    assert not re.search(r'src="(?!data:)', html)  # every image inlined: opens offline
    assert f"<td>{data.n_obs}</td>" in html  # overlap counts shown as integers
    assert "mofapy2" in html and f"k = <strong>{subtypes['subtype'].nunique()}</strong>" in html
    assert np.all([f">{s}<" in html for s in subtypes["subtype"].unique()])
    assert "1 tumour(s) lack at least one view" in html
    assert f"<td>{comparison.loc[0, 'ari']:.3g}</td>" in html  # agreement with the reference labels shown
