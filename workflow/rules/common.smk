from snakemake.logging import logger

from oncomix.config import view_settings
from oncomix.resources import TARGETING_RESOURCES, available, resource_folder
from oncomix.validate import data_settings

OUT = f"results/{config['cohort']}"
LOGS = f"{OUT}/logs"
# One small conda environment per rule family (--software-deployment-method conda). They hold third-party
# packages only: the scripts import oncomix from this checkout through the link workflow/scripts/oncomix
# (Snakemake puts a script's folder on its sys.path).
# The longest chain (integrate, cluster, marker tests, replication, signature) gets free cores first; the
# baselines and small stages fill the gaps beside it.
CRITICAL_PATH = 10
ENVS = {family: f"../../envs/{family}.yaml" for family in ("ingest", "mofa", "cluster", "markers", "outcome", "report")}


# Targeting tables fetched by `python -m oncomix resources fetch` (oncomix.resources): inputs of the rules that
# use them, so a new version re-runs only those. Without them the workflow runs and targeting is skipped.
RESOURCE_FOLDER = resource_folder(config["resources"])
TARGETING_TABLES = {name: str(path) for name, path in available(RESOURCE_FOLDER, TARGETING_RESOURCES).items()}
MISSING_TABLES = [name for name in TARGETING_RESOURCES if name not in TARGETING_TABLES]
if MISSING_TABLES and workflow.is_main_process:  # once per run, not again in each cluster job
    logger.warning(
        f"oncomix: {' and '.join(MISSING_TABLES)} not in the resource folder {RESOURCE_FOLDER}: targeting is skipped for "
        f"them. Enable it with `python -m oncomix resources fetch {' '.join(MISSING_TABLES)}` (or set resources: in the config)."
    )


def targeting_tables(wildcards):
    return TARGETING_TABLES


def omic_paths():
    """Each input file once: several views may come from one .h5mu."""
    return sorted({view["path"] for view in config["omics"].values()})


def mofa_mem_mb(wildcards, input, attempt):
    """MOFA keeps a few dense copies of the data: memory grows with the input size (measured peaks: 264 MiB for
    the 8 MB demo, 336 MiB for a 27 MB 1,000-tumour cohort), and with each retry after a failure."""
    return int(1000 + 20 * input.size_mb) * attempt


def replication_mem_mb(wildcards, input, attempt):
    """Two half-cohort MOFA models in parallel processes (measured peak: 1.1 GiB for the demo)."""
    return int(2000 + 40 * input.size_mb) * attempt


def baseline_methods():
    """The baselines named in the config, with single_view expanded to one per view."""
    methods = []
    for baseline in config["baselines"]:
        methods += [f"view_{name}" for name in config["omics"]] if baseline == "single_view" else [baseline]
    return methods


SURVIVAL_TABLES = [
    "kaplan_meier",
    "median_survival",
    "logrank",
    "cox_subtypes",
    "cox_proportional_hazards",
    "cox_factors",
]
CLINICAL_TABLES = ["subtype_associations", "factor_associations", "table_one", "missing_views"]


def drug_outputs():
    """The drug-response tables, when the config names drug-response columns."""
    return [f"{OUT}/drug_response.tsv", f"{OUT}/response_markers.tsv"] if "drug_response" in config else []


def enrichment_outputs():
    """The gene-set tables, when the config names gene-set collections."""
    names = ["enrichment", "pathway_activity", "pathway_activity_tests"]
    return [f"{OUT}/{name}.tsv" for name in names] if config["genesets"] else []


def survival_outputs():
    """The survival tables, when the config names survival columns."""
    return [f"{OUT}/survival/{name}.tsv" for name in SURVIVAL_TABLES] if "survival" in config else []


def stages() -> list[str]:
    """The stages before the report: each writes logs/<stage>.log and benchmarks/<stage>.tsv."""
    names = [
        "validate",
        "preprocess",
        "integrate",
        "cluster",
        *[f"baseline_{method}" for method in baseline_methods()],
        "compare_methods",
    ]
    names += [
        "marker_tests",
        "fine_markers",
        "replication",
        "biomarkers",
        "signature",
        "clinical",
        "landscape",
    ]
    return (
        names
        + (["survival"] if "survival" in config else [])
        + (["drug_response"] if "drug_response" in config else [])
        + (["enrichment"] if config["genesets"] else [])
    )
