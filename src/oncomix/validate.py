"""The validation step: check a config and every input file, report all problems at once, join the views.

Runs first in the workflow (rule ``validate``) and stand-alone as ``python -m oncomix validate CONFIG``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import mudata as md
import numpy as np
import pandas as pd

from oncomix.config import check_config
from oncomix.drugs import drug_columns
from oncomix.errors import OncomixInputError
from oncomix.genesets import check_overlap, read_collection, view_symbols
from oncomix.ingest import ingest
from oncomix.readers import ViewSpec, listed
from oncomix.targeting import read_gene_map, read_table

log = logging.getLogger(__name__)

MIN_TUMOURS_PER_SUBTYPE = 3  # the largest k tried must leave at least this many tumours per subtype on average
MIN_TUMOURS = 10


@dataclass
class Validated:
    mdata: md.MuData
    overlap: pd.DataFrame  # views x (samples, shared with each view), plus summary rows
    dropped: pd.DataFrame  # what was dropped as uninformative: view, axis, reason, count, examples


def validate(config: dict, source: str = "config", clustering: bool = True) -> Validated:
    """Check ``config`` (defaults filled in place) and its inputs; raises ``OncomixInputError`` on any problem.
    ``clustering=False`` (new tumours to classify) skips the minimum cohort size that clustering needs."""
    check_config(config, source)
    check_annotation_tables(config)
    validated = validate_data(config)
    check_settings(validated.mdata, config, source, clustering)
    return validated


def validate_new_tumours(config: dict, source: str = "config") -> md.MuData:
    """A config of new tumours to classify, checked, and its data read and checked: no setting of a cohort's run
    (gene sets, annotation tables, cohort size) applies to them (rule classify runs :func:`validate_data` alone)."""
    check_config(config, source)
    return validate_data(config).mdata


def data_settings(config: dict) -> dict:
    """The part of a checked config that :func:`validate_data` reads: the inputs and the sample-sheet columns the
    config names (checked to exist)."""
    keys = ("samples", "omics", "survival", "sample_id_pattern", "compare_to", "drug_response", "clinical_columns")
    data = {key: config[key] for key in keys if key in config}
    return data | {"clustering": {"technical_covariates": config["clustering"]["technical_covariates"]}}


def validate_data(data: dict) -> Validated:
    """Read and check the sample sheet and every view named in ``data`` (:func:`data_settings`), all problems at
    once, and join the views."""
    specs = [ViewSpec.from_config(name, entry) for name, entry in data["omics"].items()]
    mdata, dropped = ingest(
        Path(data["samples"]), specs, data.get("survival"), data.get("sample_id_pattern"), sheet_columns(data)
    )
    check_batches(mdata, data)
    if "drug_response" in data:  # patterns and numeric columns checked now, not after MOFA
        drug_columns(mdata.obs, data["drug_response"]["columns"], f"{data['samples']} (drug_response.columns)")
    overlap = overlap_table(mdata)
    log.info("samples per view and their overlap:\n%s", overlap.to_string())
    return Validated(mdata, overlap, dropped)


def check_settings(mdata: md.MuData, settings: dict, source: str = "config", clustering: bool = True) -> None:
    """The settings only later stages read fit the validated cohort (annotation tables are checked before it is
    read, by :func:`validate`): gene sets readable, enough tumours for the largest k; raises ``OncomixInputError``
    before any heavy work. Rule validate checks them without taking them as params, so that a change re-runs only
    the stages that read them, not MOFA (a rule of their own would have to run before MOFA without MOFA depending
    on it, which Snakemake cannot express: an ancient() input there stops the stages whose params changed from
    re-running, snakemake/snakemake#4166)."""
    check_gene_sets(mdata, settings, source)
    if clustering:
        check_enough_tumours(mdata.n_obs, settings["clustering"], settings["samples"])


def check_annotation_tables(config: dict) -> None:
    """Gene maps and extra targeting tables have the columns the annotation step needs (read now, not after MOFA)."""
    for view in config["omics"].values():
        if "gene_map" in view:
            read_gene_map(view["gene_map"])
    for path in config["targeting"]["surface_tables"]:
        read_table(path, ["gene_symbol"], "surface")
    for path in config["targeting"]["drug_target_tables"]:
        read_table(path, ["gene_symbol", "drug_name"], "drug target")


def check_gene_sets(mdata: md.MuData, config: dict, source: str = "config") -> None:
    """The gene-set collections can be read and their size limits make sense; a warning names each collection
    none of whose sets could be tested on these views' genes."""
    options = config["enrichment"]
    if options["min_size"] > options["max_size"]:
        raise OncomixInputError(
            f"{source}: enrichment.min_size ({options['min_size']}) is above "
            f"enrichment.max_size ({options['max_size']}); no set could be tested"
        )
    collections = {name: read_collection(path) for name, path in config["genesets"].items()}
    if collections:
        for problem in check_overlap(collections, view_symbols(mdata, config["omics"]), options["min_size"]):
            log.warning(problem)


def sheet_columns(config: dict) -> dict[str, str]:
    """Sample-sheet columns named in the config (other than survival), each with the key that names it."""
    columns = {view["batch"]: f"omics.{name}.batch" for name, view in config["omics"].items() if "batch" in view}
    columns.update(
        {column: "clustering.technical_covariates" for column in config["clustering"]["technical_covariates"]}
    )
    columns.update({column: "survival.covariates" for column in config.get("survival", {}).get("covariates", [])})
    columns.update({column: "clinical_columns" for column in config.get("clinical_columns", [])})
    if "compare_to" in config:
        columns[config["compare_to"]] = "compare_to"
    drugs = config.get("drug_response", {})
    columns.update({column: "drug_response.by" for column in drugs.get("by", [])})
    columns.update(
        {column: "drug_response.adjust_for" for column in drugs.get("adjust_for", []) if column != "subtype"}
    )
    columns.update(
        {column: "drug_response.columns" for column in drugs.get("columns", []) if not any(c in column for c in "*?[")}
    )
    return columns


def check_batches(mdata: md.MuData, config: dict) -> None:
    """Every tumour measured in a view with a batch column has a batch: a missing one is not a batch of its own."""
    problems = []
    for name, view in config["omics"].items():
        if "batch" in view and name in mdata.mod:
            batches = mdata.obs[view["batch"]].reindex(mdata.mod[name].obs_names)
            if unknown := batches.index[batches.isna()].tolist():
                problems.append(
                    f"{config['samples']}: column {view['batch']!r} (the batch of view {name!r}) is empty for "
                    f"{len(unknown)} tumour(s) measured in that view ({listed(unknown)}); fill in their batch (an "
                    "unknown batch as a value of its own, e.g. 'unknown', if that is what it is)"
                )
    if problems:
        raise OncomixInputError(problems)


def missing_views(mdata: md.MuData) -> pd.Series:
    """Per tumour, the views it lacks, comma-separated ('' when it has every view)."""
    present = {name: np.asarray(mdata.obsm[name]).ravel() for name in mdata.mod}
    return pd.Series(
        [",".join(name for name in mdata.mod if not present[name][i]) for i in range(mdata.n_obs)],
        index=mdata.obs_names,
        name="missing_views",
    )


def check_enough_tumours(n_tumours: int, clustering: dict, samples_path: str) -> None:
    largest_k = clustering["k"] or clustering["k_max"]
    needed = max(MIN_TUMOURS, MIN_TUMOURS_PER_SUBTYPE * largest_k)
    if n_tumours < needed:
        raise OncomixInputError(
            f"{samples_path}: only {n_tumours} tumour(s) of the sample sheet have data in at least one view; "
            f"clustering into up to {largest_k} subtypes "
            f"needs at least {needed}; add tumours or lower clustering.k_max (or clustering.k)"
        )


def overlap_table(mdata: md.MuData) -> pd.DataFrame:
    """Tumours per view, tumours shared by each pair of views, and those in every view / any view."""
    present = pd.DataFrame(
        {name: np.asarray(mdata.obsm[name]).ravel() for name in mdata.mod}, index=mdata.obs_names
    ).astype(int)
    shared = present.T @ present
    table = pd.concat([pd.Series(present.sum().to_numpy(), index=shared.index, name="samples"), shared], axis=1)
    summary = pd.DataFrame(
        {"samples": [int(present.all(axis=1).sum()), len(present)]}, index=["in_every_view", "in_any_view"]
    )
    table = pd.concat([table, summary])
    table.index.name = "view"
    return table.astype("Int64")
