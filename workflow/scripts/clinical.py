"""Snakemake adapter: clinical associations of subtypes and factors, and table one."""

import mudata as md

from oncomix.clinical import clinical_columns, factor_associations, subtype_associations, table_one
from oncomix.logs import run_step
from oncomix.tables import read_sample_table, write_long


def main(snakemake):
    sheet = md.read_h5mu(snakemake.input.data).obs
    survival = snakemake.params.survival or {}
    columns = clinical_columns(sheet, list(snakemake.params.columns), {survival.get("time"), survival.get("event")})
    subtypes = read_sample_table(snakemake.input.subtypes)["subtype"]
    write_long(subtype_associations(sheet, subtypes, columns), snakemake.output.subtypes)
    write_long(
        factor_associations(read_sample_table(snakemake.input.factors), sheet, columns), snakemake.output.factors
    )
    write_long(table_one(sheet, subtypes, columns), snakemake.output.table_one)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
