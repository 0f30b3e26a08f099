"""Snakemake adapter: one baseline method, clustered like the MOFA factors."""

import logging

import mudata as md
import pandas as pd

from oncomix.baselines import baseline_space
from oncomix.cluster import ClusterOptions, find_subtypes
from oncomix.logs import run_step


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
        pd.DataFrame(columns=["sample_id", "subtype", "confidence"]).to_csv(
            snakemake.output.subtypes, sep="\t", index=False
        )
        pd.DataFrame(columns=["k", "chosen"]).to_csv(snakemake.output.k_selection, sep="\t", index=False)
        return
    result = find_subtypes(space, ClusterOptions.from_config({"clustering": params.clustering, "seed": params.seed}))
    result.calls.to_csv(snakemake.output.subtypes, sep="\t")
    result.k_selection.to_csv(snakemake.output.k_selection, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
