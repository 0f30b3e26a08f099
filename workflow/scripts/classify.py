"""Snakemake adapter: assign this config's tumours to the subtypes of a finished run's classifier."""

from pathlib import Path

from oncomix.classify import classify_new, write_classification
from oncomix.logs import run_step
from oncomix.validate import validate_data


def main(snakemake):
    raw = validate_data(snakemake.params.data).mdata
    result = classify_new(Path(snakemake.input.manifest).parent, raw, "config")
    write_classification(result, snakemake.output.calls, snakemake.output.markers, snakemake.output.report)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
