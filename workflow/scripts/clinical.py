"""Snakemake adapter: clinical associations of subtypes and factors, and table one."""

import mudata as md

from oncomix.clinical import clinical_columns, factor_associations, subtype_associations, table_one
from oncomix.logs import run_step
from oncomix.tables import read_sample_table


def main(snakemake):
    sheet = md.read_h5mu(snakemake.input.data).obs
    survival = snakemake.params.survival or {}
    columns = clinical_columns(sheet, list(snakemake.params.columns), {survival.get("time"), survival.get("event")})
    subtypes = read_sample_table(snakemake.input.subtypes)["subtype"]
    subtype_associations(sheet, subtypes, columns).to_csv(snakemake.output.subtypes, sep="\t", index=False)
    factor_associations(read_sample_table(snakemake.input.factors), sheet, columns).to_csv(
        snakemake.output.factors, sep="\t", index=False
    )
    table_one(sheet, subtypes, columns).to_csv(snakemake.output.table_one, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
