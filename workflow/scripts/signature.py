"""Snakemake adapter: the sparse multinomial signature with its nested cross-validation."""

import mudata as md

from oncomix.classify import Classifier, save_classifier
from oncomix.logs import run_step
from oncomix.signature import SignatureOptions, fit_signature
from oncomix.tables import read_sample_table


def main(snakemake):
    options = SignatureOptions.from_config({"signature": snakemake.params.signature, "seed": snakemake.params.seed})
    result = fit_signature(
        md.read_h5mu(snakemake.input.data),
        read_sample_table(snakemake.input.subtypes)["subtype"],
        options,
        snakemake.threads,
    )
    result.features.to_csv(snakemake.output.features, sep="\t", index=False)
    result.performance.to_csv(snakemake.output.performance, sep="\t", index=False)
    result.predictions.to_csv(snakemake.output.predictions, sep="\t")
    classifier = (
        Classifier(
            result.model, list(result.design.columns), dict(snakemake.params.views), result.design, result.subtypes
        )
        if result.model
        else None
    )
    save_classifier(classifier, snakemake.output.classifier)


run_step(lambda: main(snakemake), snakemake.log[0], snakemake.threads)  # noqa: F821
