"""Snakemake adapter: clinical associations of subtypes and factors, table one, and missing views per subtype."""

import mudata as md

from oncomix.clinical import (
    clinical_columns,
    factor_associations,
    missing_view_tests,
    subtype_associations,
    table_one,
)
from oncomix.logs import run_step
from oncomix.tables import read_sample_table, write_long


def main(snakemake):
    mdata = md.read_h5mu(snakemake.input.data)
    sheet = mdata.obs
    survival = snakemake.params.survival or {}
    columns = clinical_columns(sheet, list(snakemake.params.columns), {survival.get("time"), survival.get("event")})
    calls = read_sample_table(snakemake.input.subtypes)
    subtypes = calls["subtype"]
    write_long(subtype_associations(sheet, subtypes, columns), snakemake.output.subtypes)
    write_long(
        factor_associations(read_sample_table(snakemake.input.factors), sheet, columns), snakemake.output.factors
    )
    write_long(table_one(sheet, subtypes, columns), snakemake.output.table_one)
    write_long(missing_view_tests(calls["missing_views"], subtypes, list(mdata.mod)), snakemake.output.missing_views)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
