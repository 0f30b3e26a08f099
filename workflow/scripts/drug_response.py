"""Snakemake adapter: drug_response.tsv (each drug against the subtypes and the drug_response.by groupings) and
response_markers.tsv (features correlated with each drug's response)."""

import mudata as md
import pandas as pd

from oncomix.drugs import drug_columns, group_associations, oriented, response_markers
from oncomix.logs import run_step
from oncomix.readers import read_sample_table


def main(snakemake):
    settings = snakemake.params.settings
    mdata = md.read_h5mu(snakemake.input.data)
    response = oriented(mdata.obs, drug_columns(mdata.obs, list(settings["columns"])), settings["higher_means"])
    groupings = {"subtype": read_sample_table(snakemake.input.subtypes)["subtype"]} | {c: mdata.obs[c] for c in settings["by"]}
    units = 1.0 if settings["higher_means"] == "response" else -1.0  # medians in the columns' own units
    groups = pd.concat([group_associations(response, labels, name, units) for name, labels in groupings.items()], ignore_index=True)
    groups.to_csv(snakemake.output.groups, sep="\t", index=False)
    response_markers(mdata, response).to_csv(snakemake.output.markers, sep="\t", index=False)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
