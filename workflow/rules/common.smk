import pandas as pd
from pathlib import Path

from snakemake.exceptions import WorkflowError

OUT = f"results/{config['cohort']}"
LOGS = f"{OUT}/logs"
ENV = "../../envs/oncomix.yaml"


def read_sample_sheet(path):
    """Read the sample sheet as text and validate it against the schema, before any job runs."""
    if not Path(path).is_file():
        raise WorkflowError(f"sample sheet {path} not found: check 'samples' in the config")
    sep = "," if ".csv" in Path(path).suffixes else "\t"
    sheet = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    if "sample_id" not in sheet.columns:
        raise WorkflowError(f"{path}: no 'sample_id' column; name the tumour id column 'sample_id'")
    validate(sheet, "../schemas/samples.schema.yaml")
    return sheet


SAMPLES = read_sample_sheet(config["samples"])


def omic_paths():
    return [view["path"] for view in config["omics"].values()]


def mofa_mem_mb(wildcards, input):
    """MOFA keeps a few dense copies of the data: scale memory with the input size."""
    return max(2000, int(200 * input.size_mb))
