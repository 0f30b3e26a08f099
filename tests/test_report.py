import re

import numpy as np
import pandas as pd

from oncomix.clinical import factor_associations, subtype_associations, table_one
from oncomix.cluster import ClusterOptions, find_subtypes
from oncomix.compare import comparison_table, method_row
from oncomix.factors import FactorOptions, covariate_associations, factor_space, factor_table
from oncomix.integrate import MofaOptions, train_mofa, weights_long
from oncomix.markers import find_markers
from oncomix.preprocess import PreprocessOptions, preprocess
from oncomix.replication import Replication, add_replication
from oncomix.report import ReportInputs, render
from oncomix.signature import SignatureOptions, fit_signature
from oncomix.survival import cox_factors, cox_subtypes, kaplan_meier, logrank_tests, median_survival, survival_frame
from oncomix.targeting import TargetingOptions, annotate, targets_table

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
    markers = find_markers(data, subtypes["subtype"], factors=result.factors, weights=weights_long(result.weights))
    markers.loc[markers["feature"] == EVIL, ["is_marker", "q"]] = True, 0.001  # make sure it is shown
    # every candidate replicated in 2 of 2 halves, except one marker that replicated in none
    candidates = markers.loc[markers["is_marker"] | (markers["q"] < 0.05), ["subtype", "omic", "feature", "direction"]]
    hidden = markers[markers["is_marker"] & (markers["feature"] != EVIL)].iloc[0]
    counts = candidates.assign(halves_replicated=np.where(candidates["feature"] == hidden["feature"], 0, 2))
    halves = pd.DataFrame({"split": [1, 1], "half": [1, 2], "tumours": [50, 50], "ari_with_full_cohort": [0.9, 1.0]})
    markers = add_replication(markers, Replication(counts, halves), 0.05, 0.5)
    markers = annotate(markers, {}, TargetingOptions())
    markers.loc[markers["feature"] == EVIL, ["targetable", "direction", "approved_drugs"]] = True, "up", EVIL
    targets = targets_table(markers, 0.05)
    signature = fit_signature(data, subtypes["subtype"], SignatureOptions(screen_features=30, penalties=(0.1,), outer_folds=3, inner_folds=2))
    overlap = pd.DataFrame({"samples": [data.n_obs]}, index=pd.Index([EVIL], name="view"))
    dropped = pd.DataFrame([{"view": "rna", "axis": "feature", "reason": "constant", "count": 1, "examples": EVIL}])
    frame = survival_frame(subtypes["subtype"], data.obs["os_months"].astype(float), data.obs["os_event"].astype(float))
    hazards, assumption = cox_subtypes(frame, data.obs[["age"]])
    survival = {"kaplan_meier": kaplan_meier(frame), "median_survival": median_survival(frame), "logrank": logrank_tests(frame),
                "cox_subtypes": hazards, "cox_proportional_hazards": assumption, "cox_factors": cox_factors(result.factors, frame["time"], frame["event"])}
    config = {
        "cohort": EVIL, "survival": {"time": "os_months", "event": "os_event", "covariates": ["age"]}, "compare_to": "stage", "clustering": {**ClusterOptions().__dict__, **FactorOptions().__dict__, "technical_covariates": ["note"]},
        "markers": {"replication_splits": 1}, "signature": SignatureOptions().__dict__,
    }
    html = render(ReportInputs(
        "cohort<script>x()</script>", data, result.factors, result.r2, subtypes, found.k_selection, table, associations,
        found.consensus, comparison, markers, targets, signature.features, signature.performance, halves, overlap, dropped, config,
        clinical={"table_one": table_one(data.obs, subtypes["subtype"], ["note", "stage"]),
                  "subtype_associations": subtype_associations(data.obs, subtypes["subtype"], ["note", "stage"]),
                  "factor_associations": factor_associations(result.factors, data.obs, ["stage"])},
        survival=survival,
    ))
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html  # no script at all, injected or not
    for section in ("cohort", "integration", "subtypes", "comparison", "biomarkers", "targets", "signature", "survival", "clinical", "interpretation", "methods"):
        assert f'id="{section}"' in html
    assert not re.search(r'src="(?!data:)', html)  # every image inlined: opens offline
    assert f"<td>{data.n_obs}</td>" in html  # overlap counts shown as integers
    assert "mofapy2" in html and f"k = <strong>{subtypes['subtype'].nunique()}</strong>" in html
    assert np.all([f">{s}<" in html for s in subtypes["subtype"].unique()])
    assert "1 tumour(s) lack at least one view" in html
    assert f"<td>{comparison.loc[0, 'ari']:.3g}</td>" in html  # agreement with the reference labels shown
    assert f">{hidden['feature']}<" not in html.split('id="signature"')[0]  # a marker that did not replicate is not shown
    first_target = targets[(targets["feature"] != EVIL) & targets["replicated"]].iloc[0]
    assert f'<td class="text">{first_target["gene_symbol"]}</td>' in html  # targetable markers listed
    accuracy = signature.performance.set_index("metric").loc["held_out_accuracy", "value"]
    assert f"accuracy\n<strong>{accuracy:.3g}</strong>" in html
    assert "Kaplan-Meier curves per subtype" in html and f"<td class=\"text\">{hazards.loc[0, 'term']}</td>" in html  # KM plot and Cox table
    assert "<td class=\"text\">&lt;img src=x onerror=alert(1)&gt;</td>" in html  # an evil clinical value, escaped in table one
