"""Snakemake adapter: one baseline method, clustered like the MOFA factors."""

import logging

import mudata as md
import pandas as pd

from oncomix.baselines import baseline_space
from oncomix.cluster import ClusterOptions, find_subtypes
from oncomix.logs import run_step
from oncomix.tables import write_indexed, write_long


def main(snakemake):
    method = snakemake.wildcards.method
    params = snakemake.params
    space = baseline_space(
        method, md.read_h5mu(snakemake.input[0]), params.components, params.seed, params.snf_max_tumours
    )
    if space is None:
        logging.getLogger("oncomix").warning(
            "baseline %s: the view was dropped by preprocessing; nothing to cluster", method
        )
        write_long(pd.DataFrame(columns=["sample_id", "subtype", "confidence"]), snakemake.output.subtypes)
        write_long(pd.DataFrame(columns=["k", "chosen"]), snakemake.output.k_selection)
        return
    result = find_subtypes(space, ClusterOptions.from_config({"clustering": params.clustering, "seed": params.seed}))
    write_indexed(result.calls, snakemake.output.subtypes)
    write_long(result.k_selection, snakemake.output.k_selection)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
