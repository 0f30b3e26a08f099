"""Snakemake adapter: the sparse multinomial signature with its nested cross-validation."""

import mudata as md

from oncomix.classifier_store import Classifier, save_classifier
from oncomix.logs import run_step
from oncomix.signature import SignatureOptions, fit_signature
from oncomix.tables import read_sample_table, write_indexed, write_long


def main(snakemake):
    options = SignatureOptions.from_config({"signature": snakemake.params.signature, "seed": snakemake.params.seed})
    result = fit_signature(
        md.read_h5mu(snakemake.input.data),
        read_sample_table(snakemake.input.subtypes)["subtype"],
        options,
        snakemake.threads,
    )
    write_long(result.features, snakemake.output.features)
    write_long(result.performance, snakemake.output.performance)
    write_indexed(result.predictions, snakemake.output.predictions)
    classifier = (
        Classifier(
            result.model, list(result.design.columns), dict(snakemake.params.views), result.design, result.subtypes
        )
        if result.model
        else None
    )
    save_classifier(classifier, snakemake.output.classifier)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
