"""Snakemake adapter: read and check all inputs, write raw.h5mu."""

from pathlib import Path

from oncomix.ingest import ViewSpec, ingest
from oncomix.logs import run_step


def main(snakemake):
    specs = [
        ViewSpec(name, Path(view["path"]), view["type"], view.get("orientation", "features_x_samples"))
        for name, view in snakemake.params.omics.items()
    ]
    mdata = ingest(Path(snakemake.input.samples), specs, snakemake.params.survival)
    mdata.write(snakemake.output[0])


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
