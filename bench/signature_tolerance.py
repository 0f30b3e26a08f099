"""The signature's held-out accuracy and fitting time with saga's stopping tolerance at scikit-learn's default
(1e-4) and at oncomix's (``SignatureOptions.tolerance``), on finished runs: for each run, against its own
subtypes and, where a sample sheet column is given, against those labels (classes of at least 10 tumours).

    .venv/bin/python bench/signature_tolerance.py results/demo \\
        results/tcga_brca:../shared/data/tcga_brca_mixomics/samples.tsv:subtype ...
"""

from __future__ import annotations

import argparse
import logging
import time

import mudata as md
import pandas as pd

from oncomix.signature import SignatureOptions, fit_signature
from oncomix.tables import read_sample_table

TOLERANCES = (1e-4, SignatureOptions().tolerance)


def labelings(spec: str) -> tuple[str, dict[str, pd.Series]]:
    """A run folder and its labelings, from ``run[:sheet:column]``."""
    run, *labels = spec.split(":")
    found = {"oncomix subtypes": read_sample_table(f"{run}/subtypes.tsv")["subtype"]}
    if labels:
        sheet, column = labels
        values = pd.read_csv(sheet, sep="\t", index_col="sample_id", dtype=str)[column].dropna()
        counts = values.value_counts()
        found[column] = values[values.isin(counts.index[counts >= 10])]
    return run, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="run folder, optionally :sample sheet:label column")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rows = []
    for spec in args.runs:
        run, found = labelings(spec)
        mdata = md.read_h5mu(f"{run}/data.h5mu")
        for name, labels in found.items():
            for tolerance in TOLERANCES:
                start = time.perf_counter()
                fitted = fit_signature(mdata, labels, SignatureOptions(tolerance=tolerance), threads=2)
                seconds = time.perf_counter() - start
                overall = fitted.performance.set_index(["scope", "metric"])["value"]["overall"]
                rows.append(
                    {
                        "run": run, "labels": name, "classes": labels.nunique(), "tolerance": tolerance,
                        "s": round(seconds, 1), "held-out accuracy": round(overall["held_out_accuracy"], 4),
                        "balanced": round(overall["held_out_balanced_accuracy"], 4),
                        "features": int(overall["features_in_signature"]),
                    }
                )  # fmt: skip
                print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
