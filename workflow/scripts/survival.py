"""Snakemake adapter: survival tables by subtype and per factor."""

import mudata as md

from oncomix.logs import run_step
from oncomix.survival import cox_factors, cox_subtypes, kaplan_meier, logrank_tests, median_survival, survival_frame
from oncomix.tables import read_sample_table, write_long


def main(snakemake):
    settings, sheet = snakemake.params.survival, md.read_h5mu(snakemake.input.data).obs
    time, event = sheet[settings["time"]].astype(float), sheet[settings["event"]].astype(float)
    frame = survival_frame(read_sample_table(snakemake.input.subtypes)["subtype"], time, event)
    write_long(kaplan_meier(frame), snakemake.output.kaplan_meier)
    write_long(median_survival(frame), snakemake.output.medians)
    write_long(logrank_tests(frame), snakemake.output.logrank)
    hazards, assumption = cox_subtypes(frame, sheet[list(settings["covariates"])])
    write_long(hazards, snakemake.output.cox)
    write_long(assumption, snakemake.output.proportional_hazards)
    write_long(cox_factors(read_sample_table(snakemake.input.factors), time, event), snakemake.output.factors)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
