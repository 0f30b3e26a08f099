"""One self-contained HTML report: cohort, integration, subtypes, markers, methods and provenance.

Static figures are inlined PNGs; the interactive parts (sortable and searchable tables, the embedding with a
colour picker, per-subtype distributions of the markers) are drawn by the page's own script
(``templates/report.js``) from JSON blocks, so the file opens offline. A Content-Security-Policy lets only that
script run: a fragment of HTML in a sample id or feature name is escaped, and would not run if it were not.
"""

from __future__ import annotations

import base64
import hashlib
import json
import numbers
import re
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

import jinja2
import markupsafe
import mudata as md
import numpy as np
import pandas as pd
import yaml

from oncomix import plots
from oncomix.omics import OMIC_TYPES
from oncomix.resources import TARGETING_RESOURCES
from oncomix.summary import strongest_first, subtype_cards
from oncomix.tables import TEXT_COLUMNS

PACKAGES = (
    "oncomix",
    "mofapy2",
    "snakemake",
    "scanpy",
    "anndata",
    "mudata",
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "statsmodels",
    "lifelines",
    "snfpy",
    "gseapy",
)


RESOURCE_COLUMNS = ["name", "file", "version", "licence", "citation", "fetched", "sha256"]


@dataclass
class ReportInputs:
    cohort: str
    mdata: md.MuData  # preprocessed views, sample sheet in .obs
    factors: pd.DataFrame
    r2: pd.DataFrame
    subtypes: pd.DataFrame
    k_selection: pd.DataFrame
    factor_table: pd.DataFrame  # per factor: total_r2, bic_gain, technical association, status, used
    associations: pd.DataFrame  # factor x covariate tests
    consensus: pd.DataFrame  # consensus matrix of the chosen k, ordered by subtype
    method_comparison: pd.DataFrame  # MOFA and the baselines side by side
    biomarkers: pd.DataFrame  # evidence, replication and targeting columns (biomarkers.tsv)
    targets: pd.DataFrame  # targetable markers per subtype (targets.tsv)
    signature: pd.DataFrame  # features kept by the sparse classifier (signature.tsv)
    signature_performance: pd.DataFrame  # nested cross-validation (signature_performance.tsv)
    replication_halves: pd.DataFrame  # per half: tumours and agreement of its subtypes with the full cohort's
    overlap: pd.DataFrame  # validation: tumours per view and per pair of views
    dropped: pd.DataFrame  # validation: features / samples dropped as uninformative
    config: dict
    clinical: dict[str, pd.DataFrame]  # subtype_associations, factor_associations, table_one, missing_views
    survival: dict[str, pd.DataFrame] | None = None  # kaplan_meier, median_survival, logrank, cox_*: when configured
    mofa_training: pd.DataFrame | None = None  # mofa_training.tsv: tumours, tumours_trained, iterations, ...
    alpha: float = 0.05
    top_n: int = 10
    min_replication: float = 0.5
    warnings: list[str] = field(default_factory=list)  # problems found during validation
    checksums: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["file", "bytes", "sha256"]))
    stage_times: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["stage", "wall_s", "peak_mib"]))
    subtype_tree: pd.DataFrame | None = None  # subtype_tree.tsv: per k, each subtype's parent, size and stability
    targetable_tumours: pd.DataFrame | None = (
        None  # targetable_tumours.tsv: per tumour and targetable feature, positive?
    )
    drugs: dict[str, pd.DataFrame] | None = None  # drug_response, response_markers (oncomix.drugs): when configured
    landscape: pd.DataFrame | None = None  # landscape/tests.tsv: mutation burden and fraction altered against subtype
    enrichment: pd.DataFrame | None = None  # enrichment.tsv (oncomix.enrichment): gene sets per subtype and factor
    activity_tests: pd.DataFrame | None = None  # pathway_activity_tests.tsv: per-tumour set scores against subtype
    # oncomix.resources.describe
    resources: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RESOURCE_COLUMNS))


def versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


FAILED_REASONS = {
    "too_missing": "too often missing",
    "constant": "constant",
    "rare_mutation": "rarely mutated",
    "low_expression": "low expression",
}


def cohort_table(mdata: md.MuData) -> pd.DataFrame:
    """One row per configured view with its QC counts and why features failed; views dropped by QC are marked."""
    table = pd.DataFrame.from_dict(mdata.uns["qc"], orient="index").rename_axis("view").reset_index()
    table["why_failed"] = [
        ", ".join(f"{int(n)} {FAILED_REASONS[reason]}" for reason, n in failed.items() if n)
        for failed in table["failed"]
    ]
    table["tumours_lacking"] = [
        mdata.n_obs - int(np.asarray(mdata.obsm[view]).sum()) if view in mdata.mod else mdata.n_obs
        for view in table["view"]
    ]
    table["status"] = ["used" if view in mdata.mod else "dropped: no feature passed QC" for view in table["view"]]
    return table


def file_checksums(paths: list[str]) -> pd.DataFrame:
    """Size and SHA-256 of each input file, so that a reader can tell which data a report came from."""
    rows = []
    for path in dict.fromkeys(paths):
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        rows.append({"file": str(path), "bytes": Path(path).stat().st_size, "sha256": digest.hexdigest()})
    return pd.DataFrame(rows, columns=["file", "bytes", "sha256"])


def stage_times(benchmarks: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Wall time and peak resident memory of each stage, from Snakemake ``benchmark:`` files (by stage name)."""
    rows = [
        {"stage": stage, "wall_s": float(table["s"].iloc[0]), "peak_mib": float(table["max_rss"].iloc[0])}
        for stage, table in benchmarks.items()
    ]
    return pd.DataFrame(rows, columns=["stage", "wall_s", "peak_mib"])


WARNING_LINE = re.compile(r"^\S+ \S+ WARNING (oncomix[\w.]*): (.*)$")


def log_warnings(logs: dict[str, str | Path]) -> list[str]:
    """oncomix's warnings in the stages' logs (by stage name), as 'stage: message'; library warnings are left out."""
    found = []
    for stage, path in logs.items():
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            if match := WARNING_LINE.match(line):
                found.append(f"{stage}: {match.group(2)}")
    return found


def safe_json(value) -> markupsafe.Markup:
    """JSON to embed in a <script type="application/json"> block: '<', '>' and '&' escaped, so that no input
    string can close the block (``value`` holds no NaN: missing numbers are None)."""
    text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    return markupsafe.Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _values(series: pd.Series, digits: int = 4) -> list:
    """Numbers rounded for the page, missing as None."""
    values = pd.to_numeric(series, errors="coerce").astype(float)
    return [None if not np.isfinite(v) else float(f"{v:.{digits}g}") for v in values]


def embedding_data(factors: pd.DataFrame, r2: pd.DataFrame, subtypes: pd.Series, obs: pd.DataFrame) -> dict:
    """Factor values (most variance explained first), the subtype and every sample-sheet column per tumour, and
    each subtype's colour (the figures' colours)."""
    order = [f for f in r2.sum().sort_values(ascending=False).index if f in factors.columns]
    columns = {"subtype": {"kind": "categorical", "values": subtypes.loc[factors.index].astype(str).tolist()}}
    for name in obs.columns:
        column, key = obs[name].reindex(factors.index), str(name)
        key = f"{key} (sample sheet)" if key in columns else key  # a sheet column called "subtype" (e.g. PAM50)
        if pd.api.types.is_numeric_dtype(column) and column.nunique() > 10:
            columns[key] = {"kind": "numeric", "values": _values(column)}
        else:
            columns[key] = {"kind": "categorical", "values": [None if pd.isna(v) else str(v) for v in column]}
    return {
        "ids": [str(i) for i in factors.index],
        "factor_order": order,
        "factors": {f: _values(factors[f]) for f in order},
        "columns": columns,
        "colours": plots.subtype_colours(subtypes.unique()),
    }


def distribution_data(mdata: md.MuData, features: pd.DataFrame, subtypes: pd.Series) -> dict:
    """Values of the given (view, feature) pairs (columns ``omic``, ``feature``) per tumour with the tumours'
    subtypes, for the distribution plots."""
    tumours = mdata.obs_names
    data = {}
    for view, feature in features[["omic", "feature"]].drop_duplicates().itertuples(index=False):
        adata = mdata.mod[view]
        values = pd.Series(np.asarray(adata[:, feature].X, dtype=float).ravel(), index=adata.obs_names).reindex(tumours)
        data[f"{view}: {feature}"] = _values(values)
    return {
        "subtypes": subtypes.loc[tumours].astype(str).tolist(),
        "order": plots.subtype_order(subtypes.unique()),
        "colours": plots.subtype_colours(subtypes.unique()),
        "features": data,
    }


def report_script() -> tuple[markupsafe.Markup, str]:
    """The page's script and its CSP hash."""
    script = resources.files("oncomix").joinpath("templates/report.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return markupsafe.Markup(script), f"sha256-{digest}"


def _top_factor_pairs(r2: pd.DataFrame) -> list[tuple[str, str]]:
    ranked = r2.sum().sort_values(ascending=False).index.tolist()
    if len(ranked) < 2:
        return []
    return [(ranked[0], ranked[1])] + ([(ranked[2], ranked[3])] if len(ranked) >= 4 else [])


def shown_markers(biomarkers: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The ``top_n`` best-ranked replicated markers of each subtype and view, by subtype and overall rank."""
    markers = biomarkers[biomarkers["is_marker"] & biomarkers["replicated"]].sort_values(["subtype", "rank"])
    return markers.groupby(["subtype", "omic"], sort=False).head(top_n).sort_values(["subtype", "combined_rank"])


def marker_counts(biomarkers: pd.DataFrame) -> pd.DataFrame:
    """Per subtype and view: 'replicated / markers'."""
    flags = biomarkers.assign(replicated_marker=biomarkers["is_marker"] & biomarkers["replicated"])
    sums = flags.groupby(["subtype", "omic"])[["replicated_marker", "is_marker"]].sum()
    return (sums["replicated_marker"].astype(str) + " / " + sums["is_marker"].astype(str)).unstack(fill_value="0 / 0")


def signature_summary(performance: pd.DataFrame) -> dict:
    """Overall figures by metric name, and per-subtype AUCs and sizes."""
    overall = performance[performance["scope"] == "overall"].set_index("metric")["value"]
    per_subtype = performance[performance["scope"] != "overall"].pivot(index="scope", columns="metric", values="value")
    on_subset = pd.notna(overall.get("accuracy_outside_fitting_subset", np.nan))  # signature.max_tumours applied
    return {"overall": overall.to_dict(), "per_subtype": per_subtype, "on_subset": on_subset}


def fine_summary(subtypes: pd.DataFrame) -> pd.DataFrame:
    """Per fine subtype: its subtype, tumours and median confidence (empty without a finer level)."""
    if "subtype_fine" not in subtypes:
        return pd.DataFrame(columns=["subtype", "subtype_fine", "tumours", "confidence"])
    grouped = subtypes.groupby(["subtype", "subtype_fine"])["confidence_fine"]
    return pd.DataFrame({"tumours": grouped.size(), "confidence": grouped.median()}).reset_index()


def positive_summary(tumours: pd.DataFrame | None, subtypes: pd.Series, top: int) -> pd.DataFrame:
    """The ``top`` targetable features with the most target-positive tumours, with the share positive per subtype."""
    if tumours is None or tumours.empty:
        return pd.DataFrame()
    calls = tumours.assign(subtype=tumours["sample_id"].map(subtypes))
    rates = calls.pivot_table(
        index=["omic", "feature", "gene_symbol", "rule"], columns="subtype", values="positive", aggfunc="mean"
    )
    counts = calls.groupby(["omic", "feature", "gene_symbol", "rule"])["positive"].agg(["sum", "size"])
    table = counts.join(rates).sort_values("sum", ascending=False).head(top).reset_index()
    return table.rename(columns={"sum": "positive", "size": "tumours"})


def render(inputs: ReportInputs, figure_folder: Path | None = None) -> str:
    """The report's HTML; with ``figure_folder``, every figure is also written there as SVG and PDF."""
    subtypes = inputs.subtypes["subtype"]
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("oncomix", "templates"),
        autoescape=True,  # every string from the input (ids, names, config) is shown as text
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["num"] = _format_number
    sizes = subtypes.value_counts().sort_index()
    biomarkers, targets = _blank_text(inputs.biomarkers), _blank_text(inputs.targets)
    replication_ran = not inputs.replication_halves.empty
    missing_resources = [name for name in TARGETING_RESOURCES if name not in set(inputs.resources["name"])]
    own_tables = any(inputs.config.get("targeting", {}).get(key) for key in ("surface_tables", "drug_target_tables"))
    shown_targets = targets[targets["replicated"].astype(bool)] if replication_ran else targets
    markers = shown_markers(biomarkers, inputs.top_n)
    script, script_hash = report_script()
    chosen = inputs.k_selection.loc[inputs.k_selection["chosen"]].iloc[0]
    return environment.get_template("report.html.j2").render(
        cohort=inputs.cohort,
        script=script,
        script_hash=script_hash,
        embedding=safe_json(embedding_data(inputs.factors, inputs.r2, subtypes, inputs.mdata.obs)),
        distributions=safe_json(distribution_data(inputs.mdata, markers, subtypes)),
        warnings=inputs.warnings,
        checksums=inputs.checksums,
        stage_times=inputs.stage_times,
        alpha=inputs.alpha,
        top_n=inputs.top_n,
        cohort_table=cohort_table(inputs.mdata),
        overlap=inputs.overlap.astype("Int64").astype("string").fillna(""),  # counts; pairs are blank on summary rows
        dropped=inputs.dropped,
        id_pattern=inputs.config.get("sample_id_pattern"),
        n_tumours=inputs.mdata.n_obs,
        n_complete=int(np.logical_and.reduce([np.asarray(inputs.mdata.obsm[view]) for view in inputs.mdata.mod]).sum()),
        r2=inputs.r2,
        training=None if inputs.mofa_training is None else inputs.mofa_training.iloc[0],
        k_selection=inputs.k_selection,
        factor_table=inputs.factor_table,
        # the adaptive space used a factor the selection had left out
        every_informative=bool((inputs.factor_table["used"] & inputs.factor_table["status"].ne("used")).any()),
        weighting=inputs.factor_table["weighting"].iloc[0],  # of the space kept (cluster_in_chosen_space)
        associations=inputs.associations.sort_values(["technical", "q"], ascending=[False, True]),
        method_comparison=inputs.method_comparison,
        compare_to=inputs.config.get("compare_to"),
        n_lacking=int((inputs.subtypes["missing_views"].fillna("") != "").sum()),
        chosen=chosen,
        chosen_k=int(chosen["k"]),
        structure=inputs.k_selection.iloc[0] if "structure_p" in inputs.k_selection else None,
        tree=inputs.subtype_tree,
        fine=fine_summary(inputs.subtypes),
        positives=positive_summary(inputs.targetable_tumours, subtypes, inputs.top_n),
        cards=subtype_cards(
            inputs.subtypes,
            markers,
            shown_targets,
            inputs.alpha,
            _reference_labels(inputs),
            inputs.enrichment,
            inputs.survival,
            (inputs.drugs or {}).get("drug_response"),
            {view: inputs.mdata[view].to_df() for view in mutation_views(inputs.mdata)},
            inputs.landscape,
            inputs.activity_tests,
            biomarkers[biomarkers["is_marker"]] if replication_ran else None,
            inputs.clinical.get("missing_views"),
        ),
        colours=plots.subtype_colours(subtypes.unique()),
        sizes=sizes,
        confidence=inputs.subtypes.groupby("subtype")["confidence"].median(),
        marker_counts=marker_counts(biomarkers),
        markers=markers,
        targets=shown_targets.groupby("subtype").head(inputs.top_n),
        n_targets_hidden=len(targets) - len(shown_targets),
        replication_ran=replication_ran,
        replication_halves=inputs.replication_halves,
        min_replication=inputs.min_replication,
        signature_features={
            subtype: list(rows.head(12).itertuples()) for subtype, rows in inputs.signature.groupby("subtype")
        },
        signature_summary=signature_summary(inputs.signature_performance),
        clinical=inputs.clinical,
        landscape=inputs.landscape,
        drugs=drug_summary(inputs.drugs, inputs.top_n, inputs.alpha),
        pathways=pathway_summary(inputs.enrichment),
        activity=activity_summary(inputs.activity_tests, inputs.alpha, inputs.top_n),
        survival=_with_ph_test(inputs.survival),
        versions=versions(),
        resources=inputs.resources,
        missing_resources=missing_resources,
        targeting_ran=len(missing_resources) < len(TARGETING_RESOURCES) or own_tables,
        floors=marker_floors(
            inputs.config.get("markers", {}), {inputs.mdata[view].uns["omic_type"] for view in inputs.mdata.mod}
        ),
        drug_actions=inputs.config.get("targeting", {}).get("drug_actions", []),
        own_tables=own_tables,
        config=inputs.config,
        config_yaml=yaml.safe_dump(inputs.config, sort_keys=False),
        **figures(inputs, biomarkers, figure_folder),
    )


def mutation_views(mdata: md.MuData) -> list[str]:
    """The views of 0/1 mutation calls."""
    return [view for view in mdata.mod if OMIC_TYPES[mdata[view].uns["omic_type"]].binary]


def figures(inputs: ReportInputs, biomarkers: pd.DataFrame, folder: Path | None) -> dict:
    """Every static figure as an inlined PNG, by template variable (also written to ``folder`` as SVG and PDF,
    named after the figure and its view)."""
    subtypes, mdata = inputs.subtypes["subtype"], inputs.mdata
    replicated, reference = biomarkers[biomarkers["replicated"]], _reference_labels(inputs)
    return {
        "r2_plot": plots.embed(plots.variance_explained(inputs.r2), "variance_explained", folder),
        "k_plot": plots.embed(plots.k_selection(inputs.k_selection), "k_selection", folder),
        "consensus_plot": plots.embed(plots.consensus_heatmap(inputs.consensus, subtypes), "consensus", folder),
        "scatter": plots.embed(
            plots.factor_scatter(inputs.factors, subtypes, _top_factor_pairs(inputs.r2)), "factors", folder
        )
        if inputs.r2.shape[1] >= 2
        else None,
        "cohort_plot": plots.embed(
            plots.cohort_heatmap(mdata, replicated, subtypes, reference), "cohort_heatmap", folder
        ),
        "heatmaps": {
            view: plots.embed(plots.marker_heatmap(mdata, view, replicated, subtypes, 8), f"markers_{view}", folder)
            for view in mdata.mod
        },
        "oncoprints": {
            view: plots.embed(
                plots.oncoprint(mdata, view, plots.oncoprint_genes(mdata, view, biomarkers, inputs.top_n), subtypes),
                f"oncoprint_{view}",
                folder,
            )
            for view in mutation_views(mdata)
        },
        "reference_flow": plots.embed(
            plots.alluvial(subtypes, reference, ("subtypes", f"reference labels ({inputs.config['compare_to']})")),
            "subtypes_and_reference",
            folder,
        )
        if reference is not None
        else None,
        "fine_flow": plots.embed(
            plots.alluvial(subtypes, inputs.subtypes["subtype_fine"], ("subtypes", "finer level")),
            "subtypes_and_finer_level",
            folder,
        )
        if "subtype_fine" in inputs.subtypes and inputs.subtypes["subtype_fine"].dropna().ne(subtypes).any()
        else None,
        "km_plot": plots.embed(
            plots.kaplan_meier(inputs.survival["kaplan_meier"], inputs.config["survival"]["time"]),
            "kaplan_meier",
            folder,
        )
        if inputs.survival
        else None,
    }


def _reference_labels(inputs: ReportInputs) -> pd.Series | None:
    """The sample-sheet column the subtypes are compared with (``compare_to``), when there is one."""
    column = inputs.config.get("compare_to")
    return inputs.mdata.obs[column] if column in inputs.mdata.obs else None


def pathway_summary(enrichment: pd.DataFrame | None, per_group: int = 5) -> dict[str, list[dict]] | None:
    """Per level (subtype, factor): the ``per_group`` strongest significant sets of each group (``strongest_first``,
    as the subtype cards); None when no gene sets were configured."""
    if enrichment is None:
        return None
    significant = enrichment[enrichment["significant"].astype(bool)]
    groups = significant.groupby(["level", "group"], sort=False).ngroup()  # as enrichment.tsv: ST2 before ST10
    found = strongest_first(significant.assign(group_order=groups)).sort_values("group_order", kind="stable")
    found = found.groupby(["level", "group"], sort=False).head(per_group)
    return {level: found[found["level"] == level].to_dict("records") for level in ("subtype", "factor")}


def activity_summary(tests: pd.DataFrame | None, alpha: float, top_n: int) -> pd.DataFrame | None:
    """The ``top_n`` gene sets whose per-tumour activity differs most between subtypes (largest eta squared, q <
    ``alpha``), with their medians per subtype; None when no collection was configured."""
    if tests is None:
        return None
    return tests[tests["q"] < alpha].sort_values("effect", ascending=False, kind="stable").head(top_n)


def drug_summary(drugs: dict[str, pd.DataFrame] | None, top_n: int, alpha: float) -> list[dict] | None:
    """Per drug: its group associations and its (up to ``top_n``) response markers with q < ``alpha``, strongest
    first."""
    if not drugs:
        return None
    groups, markers = drugs["drug_response"], drugs["response_markers"]
    summary = []
    for drug in sorted(set(groups["drug"]) | set(markers["drug"])):
        found = groups[(groups["drug"] == drug) & (groups["q"] < alpha)].sort_values("p")
        tracking = markers[(markers["drug"] == drug) & (markers["q"] < alpha)].head(top_n)
        summary.append({"drug": drug, "groups": found.to_dict("records"), "markers": tracking.to_dict("records")})
    return summary


def marker_floors(settings: dict, view_types: set[str]) -> dict | None:
    """The effect floors of the cohort's view types and the AUC floor, as the marker tests used them."""
    if "min_effect" not in settings:
        return None
    return {
        "min_effect": {t: f for t, f in settings["min_effect"].items() if t in view_types},
        "min_auc": settings["min_auc"],
    }


def _with_ph_test(survival: dict[str, pd.DataFrame] | None) -> dict[str, pd.DataFrame] | None:
    """The survival tables with each Cox term's proportional-hazards test p-value beside its hazard ratio."""
    if not survival:
        return survival
    ph = survival["cox_proportional_hazards"].rename(columns={"p": "ph_p"})[["term", "ph_p"]]
    return survival | {"cox_subtypes": survival["cox_subtypes"].merge(ph, on="term", how="left")}


def _blank_text(table: pd.DataFrame) -> pd.DataFrame:
    """Missing names (no gene, no drug) shown as empty cells rather than 'nan'."""
    return table.fillna({column: "" for column in TEXT_COLUMNS if column in table.columns})


def _format_number(value) -> str:
    """Integers as they are, other numbers to 3 significant digits (whole from 1,000; scientific when very small
    or from 100,000)."""
    if isinstance(value, (bool, numbers.Integral)) or not isinstance(value, numbers.Real):
        return str(value)
    if value != value:  # NaN
        return "NA"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.2e}"
    if abs(value) >= 1000:  # counts stored as floats, days: whole numbers rather than 3.8e+03
        return f"{value:.0f}"
    return f"{value:.3g}"
