from oncomix.config import view_settings

OUT = f"results/{config['cohort']}"
LOGS = f"{OUT}/logs"
ENV = "../../envs/oncomix.yaml"


def omic_paths():
    """Each input file once: several views may come from one .h5mu."""
    return sorted({view["path"] for view in config["omics"].values()})


def mofa_mem_mb(wildcards, input):
    """MOFA keeps a few dense copies of the data: scale memory with the input size."""
    return max(2000, int(200 * input.size_mb))


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
CLINICAL_TABLES = ["subtype_associations", "factor_associations", "table_one"]


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
    names += ["marker_tests", "replication", "biomarkers", "signature", "clinical"]
    return names + (["survival"] if "survival" in config else [])
