"""The real workflow, run through Snakemake on the demo cohort and on bad input."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from tests.conftest import DEMO_VIEWS, REPO, SNAKEMAKE, demo_config, run_workflow

OUTPUTS = [
    "subtypes.tsv",
    "factors.tsv",
    "variance_explained.tsv",
    "biomarkers.tsv",
    "k_selection.tsv",
    "consensus.tsv.gz",
    "clustering_factors.tsv",
    "factor_covariates.tsv",
    "method_comparison.tsv",
    "baselines/snf/subtypes.tsv",
    "model.hdf5",
    "mofa_training.tsv",
    "data.h5mu",
    "report.html",
    "targets.tsv",
    "signature.tsv",
    "signature_performance.tsv",
    "markers/replication.tsv",
    "markers/replication_halves.tsv",
    "survival/kaplan_meier.tsv",
    "survival/cox_subtypes.tsv",
    "clinical/subtype_associations.tsv",
    "clinical/table_one.tsv",
    "clinical/missing_views.tsv",
    "subtype_tree.tsv",
    "biomarkers_fine.tsv",
    "targetable_tumours.tsv",
    "landscape/tumours.tsv",
    "landscape/tests.tsv",
    "drug_response.tsv",
    "response_markers.tsv",
    "enrichment.tsv",
    "pathway_activity.tsv",
    "pathway_activity_tests.tsv",
]
pytestmark = pytest.mark.workflow


def test_all_outputs_are_written(demo_run):
    for name in OUTPUTS:
        assert (demo_run / "results" / "demo" / name).stat().st_size > 0, name


def test_long_steps_log_how_far_they_got(demo_run):
    logs = demo_run / "results" / "demo" / "logs"
    halves = re.findall(r"half \d of split \d \((\d+) of (\d+)\)", (logs / "replication.log").read_text())
    assert halves and [int(done) for done, _ in halves] == list(range(1, int(halves[0][1]) + 1))  # each half as it ends
    assert re.search(
        r"outer fold 5 of 5: penalty C = [\d.e-]+, \d+ features kept", (logs / "signature.log").read_text()
    )
    assert all(f"view {view}: " in (logs / "marker_tests.log").read_text() for view in DEMO_VIEWS)
    assert re.search(r"k = 8 \(7 of 7\)", (logs / "cluster.log").read_text())


def test_every_figure_of_the_report_is_written_as_svg_and_pdf(demo_run):
    out = demo_run / "results" / "demo"
    inlined = re.findall(r'src="data:image/png;base64,', (out / "report.html").read_text())
    svg, pdf = sorted(out.glob("figures/*.svg")), sorted(out.glob("figures/*.pdf"))
    assert len(svg) == len(pdf) == len(inlined) >= 8 and [p.stem for p in svg] == [p.stem for p in pdf]
    assert {"kaplan_meier", "consensus", "markers_rna", "oncoprint_mutation", "subtypes_and_reference"} <= {
        p.stem for p in svg
    }
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdf) and all(b"<svg" in p.read_bytes()[:2000] for p in svg)


def test_subtypes_match_the_truth_with_k_chosen_by_the_pipeline(demo_run):
    subtypes = pd.read_csv(demo_run / "results/demo/subtypes.tsv", sep="\t", index_col="sample_id")
    truth = pd.read_csv(demo_run / "resources/demo/truth/subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    k_selection = pd.read_csv(demo_run / "results/demo/k_selection.tsv", sep="\t")
    assert k_selection.loc[k_selection["chosen"], "k"].item() == truth.nunique() == subtypes["subtype"].nunique()
    assert adjusted_rand_score(truth.loc[subtypes.index], subtypes["subtype"]) >= 0.9
    assert subtypes["confidence"].between(0, 1).all()
    assert k_selection["structure_stable"].all() and k_selection["structure_p"].iloc[0] < 0.05


def test_the_finer_level_and_the_tree_nest_in_the_subtypes(demo_run):
    subtypes = pd.read_csv(demo_run / "results/demo/subtypes.tsv", sep="\t", index_col="sample_id")
    assert (subtypes["subtype_fine"].str.split(".").str[0] == subtypes["subtype"]).all()
    assert subtypes["confidence_fine"].between(0, 1).all()
    tree = pd.read_csv(demo_run / "results/demo/subtype_tree.tsv", sep="\t", keep_default_na=False)
    assert (tree.groupby("k")["size"].sum() == len(subtypes)).all() and tree["stability"].between(0, 1).all()
    chosen = tree[tree["chosen"]]
    assert (
        chosen.set_index("subtype")["size"]
        .sort_index()
        .equals(subtypes["subtype"].value_counts().sort_index().rename("size"))
    )
    fine = pd.read_csv(demo_run / "results/demo/biomarkers_fine.tsv", sep="\t", keep_default_na=False, na_values=[""])
    assert set(fine["subtype"]) == set(subtypes["subtype_fine"]) and "targetable" in fine


def test_target_positive_tumours_are_called_for_every_targetable_feature(demo_run):
    tumours = pd.read_csv(
        demo_run / "results/demo/targetable_tumours.tsv", sep="\t", keep_default_na=False, na_values=[""]
    )
    biomarkers = pd.read_csv(demo_run / "results/demo/biomarkers.tsv", sep="\t", keep_default_na=False, na_values=[""])
    targetable = biomarkers.loc[biomarkers["targetable"], ["omic", "feature"]].drop_duplicates()
    assert len(tumours.drop_duplicates(["omic", "feature"])) == len(targetable) > 0
    assert list(tumours.columns[:7]) == [
        "sample_id",
        "omic",
        "feature",
        "gene_symbol",
        "value",
        "percentile",
        "positive",
    ]
    assert 0 < tumours["positive"].mean() < 0.5 and not tumours.duplicated(["sample_id", "omic", "feature"]).any()
    targets = pd.read_csv(demo_run / "results/demo/targets.tsv", sep="\t")
    assert targets["positive_rate"].between(0, 1).all() and targets["positive_rate_rest"].between(0, 1).all()
    # planted up-markers are over-expressed in their subtype: its tumours are positive more often than the others
    assert (targets["positive_rate"] >= targets["positive_rate_rest"]).mean() > 0.8


def planted_and_found(demo_run):
    """biomarkers.tsv with the planted markers of the matching true subtype, per found subtype and view."""
    subtypes = pd.read_csv(demo_run / "results/demo/subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    truth = pd.read_csv(demo_run / "resources/demo/truth/subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    planted = pd.read_csv(demo_run / "resources/demo/truth/markers.tsv", sep="\t")
    markers = pd.read_csv(demo_run / "results/demo/biomarkers.tsv", sep="\t", keep_default_na=False, na_values=[""])
    found_to_true = pd.crosstab(subtypes, truth.loc[subtypes.index]).idxmax(axis=1)
    for (subtype, view), rows in markers.groupby(["subtype", "omic"]):
        yield (
            rows.sort_values("rank"),
            set(planted.loc[(planted["view"] == view) & (planted["subtype"] == found_to_true[subtype]), "feature"]),
        )


def test_the_subtype_that_responds_to_the_simulated_drug_is_named(demo_run):
    """The simulator makes drug_a work better in its second subtype and drug_b in none."""
    results = demo_run / "results/demo"
    subtypes = pd.read_csv(results / "subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    truth = pd.read_csv(demo_run / "resources/demo/truth/subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    responder = subtypes[truth.reindex(subtypes.index) == "S2"].mode().iloc[0]
    groups = pd.read_csv(results / "drug_response.tsv", sep="\t")
    significant = groups[(groups["grouping"] == "subtype") & (groups["q"] < 0.05)]
    assert set(
        zip(
            significant.loc[significant["responds"] == "more", "drug"],
            significant.loc[significant["responds"] == "more", "group"],
            strict=True,
        )
    ) == {("actarea_drug_a", responder)}
    html = (results / "report.html").read_text()
    assert 'id="drugs"' in html and f"{responder} (subtype): more" in html
    assert ">nan<" not in html  # blank cells, e.g. the level of table one's "tumours" row


def test_subtypes_and_factors_are_tested_for_gene_set_enrichment(demo_run):
    """Every subtype and factor against Hallmark and PROGENy in the views with gene symbols; the report shows them."""
    results = demo_run / "results/demo"
    table = pd.read_csv(results / "enrichment.tsv", sep="\t")
    subtypes = set(pd.read_csv(results / "subtypes.tsv", sep="\t")["subtype"])
    assert set(table.loc[table["level"] == "subtype", "group"]) == subtypes
    assert {"rna", "mutation"} <= set(table["view"]) and {"simulated", "hallmark"} <= set(table["collection"])
    assert set(table.loc[(table["view"] == "mutation") & (table["level"] == "subtype"), "method"]) == {"hypergeometric"}
    assert table["q"].between(0, 1).all() and table["p"].le(table["q"] + 1e-12).all()
    truth = pd.read_csv(demo_run / "resources/demo/truth/subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    called = pd.read_csv(results / "subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    simulated = table[(table["collection"] == "simulated") & (table["level"] == "subtype") & (table["view"] == "rna")]
    for subtype, rows in simulated.groupby("group"):  # the planted programme is among the top 3 and the most raised
        planted = f"PATHWAY_{truth[called == subtype].mode().iloc[0]}_UP"
        top = rows[rows["significant"]].assign(size=rows["nes"].abs()).nlargest(3, "size")
        assert planted in set(top["term"]) and rows.loc[rows["nes"].idxmax(), "term"] == planted, (subtype, top)
        assert not rows.loc[rows["term"].str.startswith("DECOY"), "significant"].any()
    activity = pd.read_csv(results / "pathway_activity_tests.tsv", sep="\t")
    assert set(activity["view"]) == {"rna"} and "hallmark" in set(activity["collection"])  # the transcriptome only
    assert {f"median_{s}" for s in subtypes} <= set(activity.columns)
    html = (results / "report.html").read_text()
    assert 'id="pathways"' in html and "pre-ranked GSEA" in html and "single-sample GSEA" in html


def test_top_markers_are_the_planted_ones(demo_run):
    """Per subtype and view: >= 80% of the top-20 markers are planted, >= 80% of the planted are in the top 50."""
    groups = list(planted_and_found(demo_run))
    assert len(groups) == 4 * len(DEMO_VIEWS)
    for rows, truth_set in groups:
        top = rows[rows["is_marker"]].head(20)["feature"]
        assert len(top) > 0 and top.isin(truth_set).mean() >= 0.8, rows.iloc[0][["subtype", "omic"]].tolist()
        assert len(truth_set & set(rows.head(50)["feature"])) / len(truth_set) >= 0.8, rows.iloc[0][
            ["subtype", "omic"]
        ].tolist()


def test_markers_carry_replication_and_targeting_and_the_signature_predicts_held_out_tumours(demo_run):
    results = demo_run / "results/demo"
    markers = pd.read_csv(results / "biomarkers.tsv", sep="\t", keep_default_na=False, na_values=[""])
    assert markers.loc[markers["is_marker"], "replication_rate"].between(0, 1).all()
    assert markers.loc[markers["is_marker"], "replicated"].mean() > 0.8  # planted effects replicate in halves
    assert ((markers["ci_low"] <= markers["effect"]) & (markers["effect"] <= markers["ci_high"])).all()
    targets = pd.read_csv(results / "targets.tsv", sep="\t", keep_default_na=False, na_values=[""])
    assert (
        set(targets["subtype"]) == set(markers["subtype"])
        and (targets["cell_surface"] | targets["approved_drugs"].notna()).all()
    )
    performance = pd.read_csv(results / "signature_performance.tsv", sep="\t").set_index(["scope", "metric"])["value"]
    assert performance[("overall", "held_out_accuracy")] >= 0.95
    signature = pd.read_csv(results / "signature.tsv", sep="\t")
    assert 0 < signature[["omic", "feature"]].drop_duplicates().shape[0] < 200 and set(signature["subtype"]) == set(
        markers["subtype"]
    )
    halves = pd.read_csv(results / "markers/replication_halves.tsv", sep="\t")
    assert len(halves) == 10 and halves["ari_with_full_cohort"].min() > 0.9


def test_mofa_is_compared_with_the_baselines_and_ahead_of_concatenated_pca(demo_run):
    table = pd.read_csv(demo_run / "results/demo/method_comparison.tsv", sep="\t", index_col="method")
    assert list(table.index[:3]) == ["mofa", "concat_pca", "snf"] and set(table.index[3:]) == {
        f"view_{v}" for v in DEMO_VIEWS
    }
    assert table.loc["mofa", "ari"] >= 0.9 and table.loc["mofa", "ari"] > table.loc["concat_pca", "ari"]
    assert table.loc["mofa", "n_labelled"] == table.loc["mofa", "n_tumours"] == 300
    assert table["logrank_p"].between(0, 1).all() and table.loc["mofa", "logrank_p"] < 1e-6  # planted hazard ratios
    assert table.loc["snf", "n_tumours"] < 300  # tumours with every view only


def test_subtypes_separate_survival_as_the_simulator_planted(demo_run):
    survival = demo_run / "results/demo/survival"
    logrank = pd.read_csv(survival / "logrank.tsv", sep="\t").set_index("comparison")
    assert logrank.loc["all subtypes", "p"] < 1e-6
    cox = pd.read_csv(survival / "cox_subtypes.tsv", sep="\t").set_index("term")
    assert {"age", "stage_II"} <= set(cox.index) and (
        cox["tumours"] == 300
    ).all()  # adjusted for the configured covariates
    km = pd.read_csv(survival / "kaplan_meier.tsv", sep="\t")
    assert km.groupby("subtype")["survival"].apply(lambda s: s.is_monotonic_decreasing).all()
    clinical = pd.read_csv(demo_run / "results/demo/clinical/subtype_associations.tsv", sep="\t").set_index("column")
    assert (
        clinical.loc["simulated_subtype", "q"] < 1e-10 and "os_months" not in clinical.index
    )  # survival has its own tests
    html = (demo_run / "results/demo/report.html").read_text()
    assert "Kaplan-Meier curves per subtype" in html and 'id="clinical"' in html


def test_tumours_lacking_views_get_a_subtype_and_are_flagged(demo_run):
    subtypes = pd.read_csv(
        demo_run / "results/demo/subtypes.tsv", sep="\t", index_col="sample_id", keep_default_na=False
    )
    assert len(subtypes) == 300 and (subtypes["subtype"] != "").all()
    for view in DEMO_VIEWS:
        measured = pd.read_csv(demo_run / f"resources/demo/{view}.tsv.gz", sep="\t", index_col=0, nrows=0).columns
        flagged = subtypes.index[subtypes["missing_views"].str.split(",").apply(lambda views, view=view: view in views)]
        assert set(flagged) == set(subtypes.index.difference(measured)), view


def test_bad_input_stops_with_a_clear_error_and_writes_nothing(tmp_path, small_cohort_dir):
    rna = pd.read_csv(small_cohort_dir / "rna.tsv.gz", sep="\t", index_col=0)
    rna.iloc[3, 5] = -7
    rna.to_csv(tmp_path / "rna_bad.tsv", sep="\t")
    config = demo_config("bad", small_cohort_dir)
    config["omics"]["rna"]["path"] = str(tmp_path / "rna_bad.tsv")
    run = run_workflow(tmp_path, config)
    assert run.returncode != 0
    assert "rna_bad.tsv: negative value(s)" in run.stderr and rna.index[3] in run.stderr
    written = [p.relative_to(tmp_path / "results/bad") for p in (tmp_path / "results/bad").rglob("*") if p.is_file()]
    assert all(p.parts[0] == "logs" or p == Path(".lock") for p in written), written  # .lock: the run's cohort lock


def test_config_typo_is_rejected_before_any_job(tmp_path, small_cohort_dir):
    config = demo_config("typo", small_cohort_dir)
    config["clustering"] = {"k_maxx": 5}
    run = run_workflow(tmp_path, config)
    assert run.returncode != 0 and "k_maxx" in run.stderr
    assert not (tmp_path / "results").exists()


ACC = REPO.parent / "shared" / "data" / "tcga_acc_mini"  # third-party data, beside the checkout (see its README.txt)
ANALYTE = {
    "mrna": "01A-11R-A29S-07",
    "mirna": "01A-11R-A29W-13",
    "cnv": "01A-11D-A29H-01",
    "protein": "01A-21-A43K-20",
    "mutations": "01A-11D-A29I-10",
}


def acc_config(cohort: str, folder: Path) -> dict:
    config = yaml.safe_load((REPO / "config/examples/tcga_acc.yaml").read_text())
    config["cohort"] = cohort
    config["samples"] = str(folder / "samples.tsv")
    for view in config["omics"].values():
        view["path"] = str(folder / Path(view["path"]).name)
    config["genesets"] = {name: str(REPO / path) for name, path in config["genesets"].items()}  # ../shared/genesets
    return config


def planned_jobs(run: subprocess.CompletedProcess) -> dict[str, int]:
    """Rule -> number of jobs, from the job table of a dry run."""
    rows = re.findall(r"^(\w+)\s+(\d+)$", run.stdout + run.stderr, flags=re.M)
    return {rule: int(count) for rule, count in rows if rule != "total"}


def test_tcga_aliquot_barcodes_give_the_same_subtypes_and_a_second_cohort_leaves_the_first_alone(tmp_path, demo_run):
    """Views keyed by full aliquot barcodes and a sheet keyed by sample barcodes give the patient-id result. Both ACC
    cohorts run in the demo's folder: the demo's outputs are not touched, and nothing of the demo is to be re-run."""
    assert (ACC / "samples.tsv").exists(), (
        f"{ACC} is missing: the test reads the shared TCGA-ACC cohort beside the checkout"
    )
    barcoded = tmp_path / "acc_barcodes"
    barcoded.mkdir()
    for name, suffix in ANALYTE.items():
        view = pd.read_csv(
            ACC / f"{name}.tsv.gz", sep="\t", index_col=0, dtype=str, keep_default_na=False
        )  # cells copied as text
        view.columns = view.columns + f"-{suffix}"
        view.to_csv(barcoded / f"{name}.tsv.gz", sep="\t")
    sheet = pd.read_csv(ACC / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    sheet.assign(sample_id=sheet["sample_id"] + "-01").to_csv(barcoded / "samples.tsv", sep="\t", index=False)
    with_barcodes = acc_config("acc_barcodes", barcoded) | {"sample_id_pattern": "^(TCGA-[A-Z0-9]{2}-[A-Z0-9]{4})"}
    demo_outputs = {path: path.stat().st_mtime_ns for path in (demo_run / "results/demo").rglob("*") if path.is_file()}
    # the whole workflow on the real cohort once (one replication split, to save time); for the barcoded copy,
    # only what subtypes.tsv needs
    patients = acc_config("acc_patients", ACC) | {"markers": {"replication_splits": 1}}
    for config, targets in ((patients, ()), (with_barcodes, ("results/acc_barcodes/subtypes.tsv",))):
        run = run_workflow(demo_run, config, targets)
        assert run.returncode == 0, run.stderr[-3000:]
    results = demo_run / "results"
    patients = pd.read_csv(results / "acc_patients/subtypes.tsv", sep="\t")
    assert patients["sample_id"].str.fullmatch(r"TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}").all() and len(patients) > 80
    for name in ("subtypes.tsv", "factors.tsv"):
        assert (results / "acc_patients" / name).read_bytes() == (results / "acc_barcodes" / name).read_bytes(), name
    assert {path: path.stat().st_mtime_ns for path in demo_outputs} == demo_outputs
    dry_run = run_workflow(demo_run, demo_config("demo", demo_run / "resources" / "demo"), flags=("--dry-run",))
    assert dry_run.returncode == 0 and "Nothing to be done" in dry_run.stdout + dry_run.stderr


def test_a_changed_setting_re_runs_only_the_stages_it_affects(demo_run):
    """After the demo run, a new clustering setting re-runs clustering and what depends on it, not validation,
    preprocessing or MOFA; a new marker setting leaves the clustering alone too (dry runs)."""
    data = demo_run / "resources" / "demo"
    config = demo_config("demo", data)
    config["clustering"] = config["clustering"] | {"k_max": 6}
    planned = planned_jobs(run_workflow(demo_run, config, flags=("--dry-run",)))
    assert {"cluster", "marker_tests", "signature", "report"} <= set(planned)
    assert not {"validate", "preprocess", "integrate"} & set(planned), planned
    config = demo_config("demo", data) | {"markers": {"report_top": 5}}
    assert set(planned_jobs(run_workflow(demo_run, config, flags=("--dry-run",)))) == {"report", "all"}
    run_workflow(demo_run, demo_config("demo", data), flags=("--dry-run",))  # leave demo.yaml as the demo's config


def test_without_the_targeting_tables_the_workflow_runs_and_the_report_says_how_to_enable_them(tmp_path, demo_run):
    """A machine without fetched resources (in a copy of the demo run): one warning, the steps that use the tables
    re-run and nothing else, targeting is empty and the report says it was skipped and how to enable it. The demo's
    own report (tables from ../shared/annotations) names the versions it used."""
    workdir = tmp_path / "copy"
    shutil.copytree(demo_run, workdir, symlinks=True)
    config = demo_config("demo", demo_run / "resources" / "demo") | {"resources": str(tmp_path / "empty")}
    planned = planned_jobs(run_workflow(workdir, config, flags=("--dry-run",)))
    assert set(planned) == {"biomarkers", "fine_markers", "report", "seal_classifier", "all"}, planned
    run = run_workflow(workdir, config)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (
        f"surfaceome and drug_targets not in the resource folder {tmp_path / 'empty'}: targeting is skipped"
        in run.stderr
    )
    assert run.stderr.count("targeting is skipped") == 1  # one warning
    assert "python -m oncomix resources fetch surfaceome drug_targets" in run.stderr
    assert pd.read_csv(workdir / "results/demo/targets.tsv", sep="\t").empty
    assert not pd.read_csv(workdir / "results/demo/biomarkers.tsv", sep="\t")["targetable"].any()
    html = (workdir / "results/demo/report.html").read_text()
    assert (
        "Targeting was skipped" in html
        and "<code>python -m oncomix resources fetch surfaceome drug_targets</code>" in html
    )
    demo_html = (demo_run / "results/demo/report.html").read_text()
    assert "Targeting was skipped" not in demo_html and "unrecorded (sha256 4d3bce9bd6c2)" in demo_html


def test_a_clinical_column_misspelt_after_a_run_stops_the_clinical_step_with_a_clear_message(demo_run):
    """Only the clinical step re-runs for a new clinical_columns; a name not in the sheet ends it with one readable
    line (no traceback). The demo's clinical tables are then restored with the demo's own config."""
    data = demo_run / "resources" / "demo"
    targets = ("results/demo/clinical/table_one.tsv",)
    run = run_workflow(demo_run, demo_config("demo", data) | {"clinical_columns": ["age", "stagee"]}, targets)
    assert run.returncode != 0 and "'stagee' (did you mean 'stage'?) not in the sample sheet" in run.stderr, run.stderr[
        -3000:
    ]
    assert "Traceback" not in (demo_run / "results/demo/logs/clinical.log").read_text()
    assert run_workflow(demo_run, demo_config("demo", data), targets).returncode == 0


def test_classify_command_assigns_tumours_with_the_saved_classifier(demo_run):
    """Wiring of `python -m oncomix classify`: the demo's own tumours come back in their subtypes (training data:
    an optimistic check of the plumbing, not of accuracy on new tumours; tests/test_classify.py holds that)."""
    config = demo_config("demo_new", demo_run / "resources" / "demo")
    config_path = demo_run / "demo_new.yaml"
    config_path.write_text(yaml.safe_dump(config))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "oncomix",
            "classify",
            "--model",
            "results/demo/classifier",
            "--config",
            str(config_path),
        ],
        cwd=demo_run,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = demo_run / "results/demo_new/classification"
    calls = pd.read_csv(out / "subtypes.tsv", sep="\t", index_col="sample_id")
    subtypes = pd.read_csv(demo_run / "results/demo/subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    assert (calls["subtype"] == subtypes.loc[calls.index]).mean() >= 0.95
    markers = pd.read_csv(out / "targetable_markers.tsv", sep="\t")
    assert set(markers["sample_id"]) == set(calls.index) and markers["cohort_percentile"].between(0, 100).any()
    assert "TUM-0001" in (out / "report.html").read_text()


def test_a_classifier_trained_on_two_thirds_assigns_the_last_third(demo_run):
    """Train the whole workflow on 2/3 of the demo tumours; classify the other 1/3 with `snakemake classify`:
    >= 90% get the subtype the full-cohort run gave them."""
    data, split = demo_run / "resources" / "demo", demo_run / "split"
    sheet = pd.read_csv(data / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    ids = np.random.default_rng(0).permutation(sheet["sample_id"])
    for part, chosen in (("train", set(ids[:200])), ("test", set(ids[200:]))):
        (split / part).mkdir(parents=True)
        sheet[sheet["sample_id"].isin(chosen)].to_csv(split / part / "samples.tsv", sep="\t", index=False)
        for view in DEMO_VIEWS:
            frame = pd.read_csv(data / f"{view}.tsv.gz", sep="\t", index_col=0, dtype=str, keep_default_na=False)
            frame[[c for c in frame.columns if c in chosen]].to_csv(split / part / f"{view}.tsv.gz", sep="\t")
        shutil.copytree(data / "truth", split / part / "truth")  # the simulated pathways the demo config names
    # replication and the structure test do not shape the classifier: left out to save time
    train_config = demo_config("demo_train", split / "train") | {"markers": {"replication_splits": 0}}
    train_config["clustering"] |= {"null_draws": 0}
    run = run_workflow(demo_run, train_config, targets=("results/demo_train/classifier/manifest.json",))
    assert run.returncode == 0, run.stderr[-3000:]
    test_config = demo_config("demo_test", split / "test") | {"classify": {"model": "results/demo_train/classifier"}}
    run = run_workflow(demo_run, test_config, targets=("classify",))
    assert run.returncode == 0, run.stderr[-3000:]
    calls = pd.read_csv(demo_run / "results/demo_test/classification/subtypes.tsv", sep="\t", index_col="sample_id")[
        "subtype"
    ]
    full = pd.read_csv(demo_run / "results/demo/subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    train = pd.read_csv(demo_run / "results/demo_train/subtypes.tsv", sep="\t", index_col="sample_id")["subtype"]
    names = pd.crosstab(train, full.loc[train.index]).idxmax(axis=1)  # the train run's subtype names -> the full run's
    assert len(calls) == 100 and (calls.map(names) == full.loc[calls.index]).mean() >= 0.9


def started(workdir: Path, config: dict, targets: tuple[str, ...], flags: tuple[str, ...] = ()) -> subprocess.Popen:
    """The workflow for ``targets``, started in a session of its own (to be signalled as a whole)."""
    config_path = workdir / f"{config['cohort']}.yaml"
    config_path.write_text(yaml.safe_dump(config))
    command = [*SNAKEMAKE, "--directory", str(workdir), *flags, *targets, "--configfile", str(config_path)]
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=default_sigint
    )


def default_sigint() -> None:
    """Ctrl-C's default action in the run, even when the tests run where SIGINT is ignored (a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_log(path: Path, text: str, run: subprocess.Popen, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while not (path.is_file() and text in path.read_text(errors="replace")):
        assert run.poll() is None and time.monotonic() < deadline, (
            f"the run ended or took too long before {path} said {text!r}"
        )
        time.sleep(0.5)


def test_one_run_per_cohort_and_a_killed_run_resumes_on_one_core_with_the_results_of_two(tmp_path, demo_run):
    """While a run of the demo trains MOFA, a second run of the cohort (-F) is refused and harms nothing; the run
    killed there (SIGKILL), started again on 1 core and killed in the replication step (Ctrl-C, SIGINT), ends after
    the same plain command again (1 core) with the tables of the uninterrupted 2-core run, byte for byte: results
    depend on neither interruptions nor the cores given. Only the steps these tables need are run (not the
    single-threaded baselines, method_comparison.tsv)."""
    config = demo_config("demo_resumed", demo_run / "resources" / "demo")
    logs = tmp_path / "results/demo_resumed/logs"
    compared = (
        "subtypes.tsv",
        "k_selection.tsv",
        "consensus.tsv.gz",
        "factors.tsv",
        "weights.tsv",
        "variance_explained.tsv",
        "biomarkers.tsv",
        "targets.tsv",
        "signature.tsv",
        "signature_performance.tsv",
        "markers/replication.tsv",
    )
    targets, one_core = tuple(f"results/demo_resumed/{name}" for name in compared), ("--cores", "1")
    first = started(tmp_path, config, targets)
    try:
        wait_for_log(logs / "integrate.log", "MOFA trains", first)
        second = run_workflow(tmp_path, config, targets, flags=("-F",))
        assert (
            second.returncode != 0 and f"another run of this cohort is going on (pid {first.pid} on" in second.stderr
        ), second.stderr[-2000:]
        assert first.poll() is None and (tmp_path / "results/demo_resumed/data.h5mu").is_file()
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    again = started(tmp_path, config, targets, one_core)
    try:
        wait_for_log(logs / "replication.log", "", again)  # the step has started (it logs nothing before its end)
        time.sleep(5)
    finally:
        os.killpg(again.pid, signal.SIGINT)
    assert again.wait(timeout=120) != 0
    last = run_workflow(tmp_path, config, targets, one_core)
    assert last.returncode == 0, last.stderr[-3000:]
    for name in compared:
        assert (tmp_path / "results/demo_resumed" / name).read_bytes() == (
            demo_run / "results/demo" / name
        ).read_bytes(), name
