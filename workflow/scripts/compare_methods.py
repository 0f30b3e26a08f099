"""Snakemake adapter: method_comparison.tsv from the MOFA subtypes and every baseline's."""

import mudata as md

from oncomix.compare import comparison_table, describe, method_row
from oncomix.logs import run_step
from oncomix.tables import read_long, read_sample_table, write_long


def main(snakemake):
    obs = md.read_h5mu(snakemake.input.data).obs
    reference = obs[snakemake.params.compare_to] if snakemake.params.compare_to else None
    survival = snakemake.params.survival
    outcome = obs[[survival["time"], survival["event"]]].set_axis(["time", "event"], axis=1) if survival else None
    methods = ["mofa", *snakemake.params.methods]  # in the order of the rule's inputs
    subtypes = [snakemake.input.subtypes, *snakemake.input.baseline_subtypes]
    k_selections = [snakemake.input.k_selection, *snakemake.input.baseline_k_selection]
    rows = [
        method_row(
            method,
            *describe(method, snakemake.params.clusterer),
            read_sample_table(calls),
            read_long(k_selection),
            reference,
            outcome,
        )
        for method, calls, k_selection in zip(methods, subtypes, k_selections, strict=True)
    ]
    write_long(comparison_table(rows), snakemake.output[0])


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
