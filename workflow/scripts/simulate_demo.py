"""Snakemake adapter: write the demo cohort (oncomix.simulate with its default settings)."""

from pathlib import Path

from oncomix.logs import run_step
from oncomix.simulate import CohortSpec, simulate_cohort, write_cohort


def main(snakemake):
    write_cohort(simulate_cohort(CohortSpec()), Path(snakemake.output[0]).parent)  # output[0]: <folder>/samples.tsv


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
