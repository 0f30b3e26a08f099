"""Snakemake adapter: assign this config's tumours to the subtypes of a finished run's classifier."""

import copy
from pathlib import Path

from oncomix.classify import classify_new, write_classification
from oncomix.logs import run_step


def main(snakemake):
    result = classify_new(Path(snakemake.input.manifest).parent, copy.deepcopy(dict(snakemake.config)), "config")
    write_classification(result, snakemake.output.calls, snakemake.output.markers, snakemake.output.report)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
