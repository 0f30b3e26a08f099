"""Snakemake adapter: manifest.json of the classifier folder, with the sha256 of every file the run wrote there."""

from pathlib import Path

from oncomix.classifier_store import write_manifest
from oncomix.logs import run_step


def main(snakemake):
    folder = Path(snakemake.output[0]).parent
    write_manifest(folder, [Path(path).name for path in snakemake.input])


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
