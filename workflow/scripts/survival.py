"""Snakemake adapter: survival tables by subtype and per factor."""

import mudata as md

from oncomix.logs import run_step
from oncomix.survival import cox_factors, cox_subtypes, kaplan_meier, logrank_tests, median_survival, survival_frame
from oncomix.tables import read_sample_table


def main(snakemake):
    settings, sheet = snakemake.params.survival, md.read_h5mu(snakemake.input.data).obs
    time, event = sheet[settings["time"]].astype(float), sheet[settings["event"]].astype(float)
    frame = survival_frame(read_sample_table(snakemake.input.subtypes)["subtype"], time, event)
    kaplan_meier(frame).to_csv(snakemake.output.kaplan_meier, sep="\t", index=False)
    median_survival(frame).to_csv(snakemake.output.medians, sep="\t", index=False)
    logrank_tests(frame).to_csv(snakemake.output.logrank, sep="\t", index=False)
    hazards, assumption = cox_subtypes(frame, sheet[list(settings["covariates"])])
    hazards.to_csv(snakemake.output.cox, sep="\t", index=False)
    assumption.to_csv(snakemake.output.proportional_hazards, sep="\t", index=False)
    cox_factors(read_sample_table(snakemake.input.factors), time, event).to_csv(
        snakemake.output.factors, sep="\t", index=False
    )


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
