import hashlib
import json
import re

import matplotlib.colors
import numpy as np
import pandas as pd

from oncomix.clinical import factor_associations, subtype_associations, table_one
from oncomix.cluster import ClusterOptions, find_subtypes
from oncomix.compare import comparison_table, method_row
from oncomix.factors import FactorOptions, covariate_associations, factor_space, factor_table
from oncomix.integrate import MofaOptions, train_mofa, training_summary, weights_long
from oncomix.landscape import landscape_tests, tumour_landscape
from oncomix.markers import find_markers
from oncomix.plots import (
    alluvial,
    category_colours,
    cohort_heatmap,
    embed,
    factor_scatter,
    subtype_colours,
    subtype_order,
    time_ticks,
)
from oncomix.plots import (
    kaplan_meier as km_plot,
)
from oncomix.preprocess import PreprocessOptions, preprocess
from oncomix.replication_rates import Replication, add_replication
from oncomix.report import (
    ReportInputs,
    _format_number,
    embedding_data,
    file_checksums,
    log_warnings,
    render,
    report_script,
    safe_json,
    stage_times,
)
from oncomix.resources import describe
from oncomix.signature import SignatureOptions, fit_signature
from oncomix.survival import cox_factors, cox_subtypes, kaplan_meier, logrank_tests, median_survival, survival_frame
from oncomix.targeting import TargetingOptions, annotate, targets_table
from tests.conftest import SHARED_ANNOTATIONS

EVIL = "<img src=x onerror=alert(1)>"


def test_report_is_self_contained_and_escapes_input_strings(small_mdata, tmp_path):
    mdata = small_mdata.copy()
    mdata.obs["note"] = EVIL
    data = preprocess(mdata, {name: PreprocessOptions(n_features=200) for name in mdata.mod})
    data.mod["rna"].var_names = [EVIL if i == 0 else v for i, v in enumerate(data.mod["rna"].var_names)]
    result = train_mofa(data, tmp_path / "m.hdf5", MofaOptions(factors=5, max_tumours=100))  # 20 tumours projected
    associations = covariate_associations(result.factors, data.obs[["note", "stage"]], {"note"})
    table = factor_table(result.factors, result.r2, associations, FactorOptions()).assign(
        weighting="standardised"
    )  # as cluster_factors writes it
    found = find_subtypes(
        factor_space(result.factors, table), ClusterOptions(resamples=5, prediction_strength_splits=3)
    )
    subtypes = found.calls.assign(missing_views=["protein"] + [""] * (data.n_obs - 1))
    comparison = comparison_table(
        [method_row("mofa", "MOFA+ factors", "kmeans", subtypes, found.k_selection, data.obs["stage"])]
    )
    markers = find_markers(data, subtypes["subtype"], factors=result.factors, weights=weights_long(result.weights))
    markers.loc[markers["feature"] == EVIL, ["is_marker", "q"]] = True, 0.001  # make sure it is shown
    # every candidate replicated in 2 of 2 halves, except one marker that replicated in none
    candidates = markers.loc[markers["is_marker"] | (markers["q"] < 0.05), ["subtype", "omic", "feature", "direction"]]
    hidden = markers[markers["is_marker"] & (markers["feature"] != EVIL)].iloc[0]
    counts = candidates.assign(halves_replicated=np.where(candidates["feature"] == hidden["feature"], 0, 2))
    halves = pd.DataFrame({"split": [1, 1], "half": [1, 2], "tumours": [50, 50], "ari_with_full_cohort": [0.9, 1.0]})
    markers = add_replication(markers, Replication(counts, halves), 0.05, 0.5)
    tables = {name: SHARED_ANNOTATIONS / f"{name}.tsv" for name in ("surfaceome", "drug_targets")}  # as fetched
    markers = annotate(markers, {}, TargetingOptions(**{name: str(path) for name, path in tables.items()}))
    markers.loc[markers["feature"] == EVIL, ["targetable", "direction", "approved_drugs", "passes_floor"]] = (
        True,
        "up",
        EVIL,
        True,
    )
    targets = targets_table(markers, 0.05)
    signature = fit_signature(
        data, subtypes["subtype"], SignatureOptions(screen_features=30, penalties=(0.1,), outer_folds=3, inner_folds=2)
    )
    overlap = pd.DataFrame({"samples": [data.n_obs]}, index=pd.Index([EVIL], name="view"))
    dropped = pd.DataFrame([{"view": "rna", "axis": "feature", "reason": "constant", "count": 1, "examples": EVIL}])
    frame = survival_frame(subtypes["subtype"], data.obs["os_months"].astype(float), data.obs["os_event"].astype(float))
    hazards, assumption = cox_subtypes(frame, data.obs[["age"]])
    survival = {
        "kaplan_meier": kaplan_meier(frame),
        "median_survival": median_survival(frame),
        "logrank": logrank_tests(frame),
        "cox_subtypes": hazards,
        "cox_proportional_hazards": assumption,
        "cox_factors": cox_factors(result.factors, frame["time"], frame["event"]),
    }
    config = {
        "cohort": EVIL,
        "survival": {"time": "os_months", "event": "os_event", "covariates": ["age"]},
        "compare_to": "stage",
        "clustering": {**ClusterOptions().__dict__, **FactorOptions().__dict__, "technical_covariates": ["note"]},
        "markers": {
            "replication_splits": 1,
            "min_effect": {"expression": 0.5, "rna_counts": 0.5, "metabolite": 0.25},
            "min_auc": 0.6,
        },
        "signature": SignatureOptions().__dict__,
        "preprocess": PreprocessOptions().__dict__,
        "mofa": MofaOptions().__dict__,
    }
    html = render(
        ReportInputs(
            "cohort<script>x()</script>",
            data,
            result.factors,
            result.r2,
            subtypes,
            found.k_selection,
            table,
            associations,
            found.consensus,
            comparison,
            markers,
            targets,
            signature.features,
            signature.performance,
            halves,
            overlap,
            dropped,
            config,
            clinical={
                "table_one": table_one(data.obs, subtypes["subtype"], ["note", "stage"]),
                "subtype_associations": subtype_associations(data.obs, subtypes["subtype"], ["note", "stage"]),
                "factor_associations": factor_associations(result.factors, data.obs, ["stage"]),
            },
            survival=survival,
            mofa_training=training_summary(result),
            warnings=[f"validate: dropped 1 feature(s) with constant values: {EVIL}"],
            resources=describe(tables),
            landscape=landscape_tests(tumour_landscape(data), subtypes["subtype"]),
        )
    )
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    code = [body for attributes, body in scripts if "application/json" not in attributes]
    assert len(code) == 1  # the report's own script, and only it may run:
    assert f"script-src '{report_script()[1]}'" in html and report_script()[0] == code[0]
    assert all(
        "<" not in body for attributes, body in scripts if "application/json" in attributes
    )  # data blocks cannot close early
    plotted = json.loads(re.search(r'id="distribution-data">(.*?)</script>', html, flags=re.S).group(1))
    embedded = json.loads(re.search(r'id="embedding-data">(.*?)</script>', html, flags=re.S).group(1))
    assert plotted["colours"] == embedded["colours"] == subtype_colours(subtypes["subtype"])  # the figures' colours
    assert f"rna: {EVIL}" in plotted["features"] and len(plotted["subtypes"]) == data.n_obs  # escaped JSON reads back
    for section in (
        "summary",
        "cohort",
        "integration",
        "subtypes",
        "comparison",
        "biomarkers",
        "targeting",
        "signature",
        "survival",
        "landscape",
        "clinical",
        "interpretation",
        "methods",
        "warnings",
    ):
        assert f'id="{section}"' in html
    assert not re.search(r'src="(?!data:)', html)  # every image inlined: opens offline
    assert f"<td>{data.n_obs}</td>" in html  # overlap counts shown as integers
    assert "mofapy2" in html and f"k = <strong>{subtypes['subtype'].nunique()}</strong>" in html
    assert np.all([f">{s}<" in html for s in subtypes["subtype"].unique()])
    assert all(f'id="card-{s}"' in html for s in subtypes["subtype"].unique())  # one summary card per subtype
    assert "1 tumour(s) lack at least one view" in html
    words = " ".join(html.split())
    assert f"MOFA+ ran {result.iterations} iterations (converged)" in words
    assert (
        "trained on a random 100 of the 120 tumours" in words
        and "The factors of the other 20 are their posterior means" in words
    )
    assert f"<td>{comparison.loc[0, 'ari']:.3g}</td>" in html  # agreement with the reference labels shown
    assert (
        f">{hidden['feature']}<" not in html.split('id="signature"')[0]
    )  # a marker that did not replicate is not shown
    first_target = targets[(targets["feature"] != EVIL) & targets["replicated"]].iloc[0]
    assert f'<td class="text">{first_target["gene_symbol"]}</td>' in html  # targetable markers listed
    assert "an AUC of at least 0.6 (at most 0.4 for lower values)" in words and "0.5 (rna_counts)" in words
    assert "(expression)" not in words  # floors of view types the cohort has
    assert '<td class="text">mutated_genes_mutation</td>' in html and 'alt="oncoprint of mutation"' in html  # landscape
    assert (
        "Targeting was skipped" not in html and '<td class="text">unrecorded (sha256 4d3bce9bd6c2)</td>' in html
    )  # versions named
    accuracy = signature.performance.set_index("metric").loc["held_out_accuracy", "value"]
    assert f"accuracy\n<strong>{accuracy:.3g}</strong>" in html
    assert (
        "Kaplan-Meier curves per subtype" in html and f'<td class="text">{hazards.loc[0, "term"]}</td>' in html
    )  # KM plot and Cox table
    assert (
        '<td class="text">&lt;img src=x onerror=alert(1)&gt;</td>' in html
    )  # an evil clinical value, escaped in table one
    predictable = found.chosen["prediction_strength"] >= ClusterOptions().min_prediction_strength
    assert (
        "No number of subtypes is predictable" in words
    ) != predictable  # the tentative-subtypes warning, only when due


def test_input_checksums_stage_times_and_warnings_for_the_methods_and_warnings_sections(tmp_path):
    data = tmp_path / "rna.tsv"
    data.write_bytes(b"gene\ts1\nTP53\t1\n")
    checksums = file_checksums([str(data), str(data)])
    assert checksums.to_dict("records") == [
        {"file": str(data), "bytes": 15, "sha256": hashlib.sha256(data.read_bytes()).hexdigest()}
    ]
    benchmark = pd.DataFrame({"s": [12.5], "h:m:s": ["0:00:12"], "max_rss": [812.3]})
    assert stage_times({"integrate": benchmark}).to_dict("records") == [
        {"stage": "integrate", "wall_s": 12.5, "peak_mib": 812.3}
    ]
    log = tmp_path / "validate.log"
    log.write_text(
        "2026-11-23 18:11:52,020 INFO oncomix.validate: samples per view\n"
        f"2026-11-23 18:11:52,021 WARNING oncomix.ingest: rna.tsv: dropped 2 feature(s) with constant: {EVIL}\n"
        "2026-11-23 18:11:52,022 WARNING py.warnings: FutureWarning: a library's own warning\n"
    )
    assert log_warnings({"validate": log}) == [f"validate: rna.tsv: dropped 2 feature(s) with constant: {EVIL}"]


def test_data_for_the_page_cannot_close_its_script_block_and_reads_back():
    value = {"ids": ["</script><script>alert(1)</script>", "a & b"], "x": [1.5, None]}
    text = str(safe_json(value))
    assert "<" not in text and ">" not in text and "&" not in text and json.loads(text) == value


def test_embedding_data_orders_factors_by_variance_and_types_the_columns():
    factors = pd.DataFrame({"Factor1": [0.1, 0.2, np.nan], "Factor2": [1.0, 2.0, 3.0]}, index=["a", "b", "c"])
    r2 = pd.DataFrame({"Factor1": [1.0], "Factor2": [5.0]}, index=["rna"])
    obs = pd.DataFrame(
        {"age": [50.0 + i for i in range(3)], "stage": ["I", None, "II"], "subtype": ["LumA", "Basal", "Her2"]},
        index=["c", "b", "a"],
    )
    data = embedding_data(factors, r2, pd.Series(["ST1", "ST2", "ST1"], index=["a", "b", "c"]), obs)
    assert data["factor_order"] == ["Factor2", "Factor1"] and data["factors"]["Factor1"] == [0.1, 0.2, None]
    assert data["columns"]["subtype"] == {"kind": "categorical", "values": ["ST1", "ST2", "ST1"]}
    assert data["columns"]["subtype (sample sheet)"]["values"] == ["Her2", "Basal", "LumA"]  # PAM50 kept apart
    assert data["columns"]["stage"]["values"] == ["II", None, "I"]  # aligned with the factors' tumours
    assert data["columns"]["age"]["kind"] == "categorical"  # numeric with <= 10 values: shown as levels


def test_numbers_read_as_a_reader_expects():
    assert [_format_number(v) for v in (3, 3812.0, 1234.5, 0.98765, 2e-5, 250000.0, float("nan"))] == [
        "3",
        "3812",
        "1234",
        "0.988",
        "2.00e-05",
        "2.50e+05",
        "NA",
    ]


def test_survival_axis_ticks_fall_on_round_times():
    assert list(time_ticks(95.4)) == [0, 20, 40, 60, 80] and list(time_ticks(4673)) == [0, 1000, 2000, 3000, 4000]
    assert list(time_ticks(23.8)) == [0, 6, 12, 18]  # months: half-years, not 23.8 / 5


def _png_colours(image: str) -> np.ndarray:
    """The distinct RGB colours (0-255) of a base64 PNG."""
    import base64
    import io

    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(image)), format="png")[..., :3]
    return np.unique(np.round(pixels.reshape(-1, 3) * 255).astype(int), axis=0)


def test_one_colour_per_subtype_in_the_figures_and_the_page(tmp_path):
    names = ["ST10", "ST2", "ST1"]
    colours = subtype_colours(names)
    assert subtype_order(names) == ["ST1", "ST2", "ST10"] and list(colours) == ["ST1", "ST2", "ST10"]
    assert len(set(colours.values())) == 3 and colours["ST1"] == "#0072B2"  # colour-blind-safe set, in reading order
    rgb = {name: np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for name, c in colours.items()}
    km = pd.DataFrame(
        [
            {
                "subtype": name,
                "time": t,
                "survival": 1 - 0.1 * t - 0.05 * i,
                "ci_low": 0.5,
                "ci_high": 1.0,
                "censored": 0,
                "at_risk": 10 - t,
            }
            for i, name in enumerate(names)
            for t in range(5)
        ]
    )
    in_curves = _png_colours(embed(km_plot(km, "months"), "kaplan_meier", tmp_path))
    factors = pd.DataFrame(np.random.default_rng(0).normal(size=(30, 2)), columns=["Factor1", "Factor2"])
    subtypes = pd.Series(np.repeat(names, 10), index=factors.index)
    in_scatter = _png_colours(embed(factor_scatter(factors, subtypes, [("Factor1", "Factor2")]), "factors"))
    for name, colour in rgb.items():
        assert (np.abs(in_curves - colour).max(axis=1) <= 1).any(), name  # the curve, drawn opaque
        blended = 0.8 * colour + 0.2 * 255  # the points, at 80% opacity on white
        assert (np.abs(in_scatter - blended).max(axis=1) <= 2).any(), name
    page = embedding_data(
        factors, pd.DataFrame({"Factor1": [2.0], "Factor2": [1.0]}), subtypes, pd.DataFrame(index=factors.index)
    )
    assert page["colours"] == colours
    svg = (tmp_path / "kaplan_meier.svg").read_text()  # the file for publication, in the same colours
    assert all(colour.lower() in svg.lower() for colour in colours.values()) and "months" in svg
    assert (tmp_path / "kaplan_meier.pdf").read_bytes().startswith(b"%PDF")


def test_figures_for_publication_are_the_same_files_on_every_run(tmp_path):
    km = pd.DataFrame(
        [
            {
                "subtype": f"ST{i}",
                "time": t,
                "survival": 1 - 0.1 * t,
                "ci_low": 0.5,
                "ci_high": 1.0,
                "censored": 0,
                "at_risk": 10 - t,
            }
            for i in (1, 2)
            for t in range(5)
        ]
    )
    written = []
    for run in ("first", "second"):
        (tmp_path / run).mkdir()
        embed(km_plot(km, "months"), "kaplan_meier", tmp_path / run)
        written.append([(tmp_path / run / f"kaplan_meier.{suffix}").read_bytes() for suffix in ("svg", "pdf")])
    assert written[0] == written[1] and b"<svg" in written[0][0]  # no date, no random element ids


def test_the_flows_between_subtypes_and_reference_labels_add_up():
    subtypes = pd.Series(["ST1"] * 50 + ["ST2"] * 30 + ["ST10"] * 20)
    labels = pd.Series(["LumA"] * 45 + ["Her2"] * 5 + ["Basal"] * 28 + ["Her2"] * 2 + ["Her2"] * 18 + [None] * 2)
    ax = alluvial(subtypes, labels, ("subtypes", "PAM50")).axes[0]
    flows = pd.crosstab(subtypes, labels)
    assert len(ax.collections) == int((flows > 0).sum().sum())  # one band per pair that shares tumours
    heights = sorted(round(patch.get_height()) for patch in ax.patches)
    assert heights == sorted([*flows.sum(axis=1), *flows.sum(axis=0)])  # one block per label, as tall as its tumours
    assert "98 tumours" in ax.get_title() and "ST10 (18)" in [
        text.get_text() for text in ax.texts
    ]  # labelled ones only
    assert alluvial(subtypes, pd.Series([None] * 100, dtype=object), ("subtypes", "none")) is None
    unlabelled_st2 = labels.where(subtypes != "ST2").replace(
        "Her2", "$\\foo$"
    )  # ST2 has no label; a label that is not maths
    ax = alluvial(subtypes, unlabelled_st2, ("subtypes", "$\\bar$")).axes[0]
    bands = {matplotlib.colors.to_hex(band.get_facecolor()[0][:3]) for band in ax.collections}
    assert bands == {
        subtype_colours(subtypes.unique())[name].lower() for name in ("ST1", "ST10")
    }  # the report's colours
    assert embed(ax.figure, "flows")  # drawn, with "$" read as text


def test_cohort_heatmap_stacks_every_view_under_annotation_tracks(small_mdata):
    mdata, views = small_mdata, list(small_mdata.mod)
    lacking = [f"no {view}" for view in views if mdata[view].n_obs < mdata.n_obs]  # the small cohort lacks some
    subtypes = pd.Series(np.resize(["ST2", "ST1"], mdata.n_obs), index=mdata.obs_names)
    reference = pd.Series(np.resize(list("abcdefghijklmnopqrstuvwxyz"), mdata.n_obs), index=mdata.obs_names, name="lab")
    markers = pd.DataFrame(
        [
            {"omic": view, "subtype": subtype, "feature": feature, "is_marker": True}
            for view in views
            for subtype in ("ST1", "ST2")
            for feature in mdata[view].var_names[:5]
        ]
    )
    fig = cohort_heatmap(mdata, markers, subtypes, reference, per_subtype=2)
    rows = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    tracks = ["subtype", "reference: lab", *lacking]
    assert lacking and [ax.get_yticklabels()[0].get_text() for ax in rows[: len(tracks)]] == tracks
    blocks = rows[len(tracks) :]  # one per view, its top markers (the same 2 for both subtypes) as rows
    assert [ax.get_ylabel() for ax in blocks] == views and [len(ax.get_yticklabels()) for ax in blocks] == [2] * 4
    assert [t.get_text() for t in blocks[-1].get_xticklabels()] == ["ST1", "ST2"]  # tumours ordered by subtype
    image = blocks[1].get_images()[0].get_array()
    assert image.mask.any() and not image.mask.all()  # grey where a tumour lacks the view
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert len(legend) == 17 and legend[-1] == "other"  # 16 commonest labels keep a colour of their own


def test_category_colours_keep_the_commonest_levels():
    labels = pd.Series(["x"] * 5 + ["y"] * 3 + [None])
    shown, colours = category_colours(labels)
    assert (
        shown.tolist()[:8] == ["x"] * 5 + ["y"] * 3 and pd.isna(shown.iloc[-1]) and set(colours) == {"x", "y", "other"}
    )
