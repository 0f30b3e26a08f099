"""Time the clustering stage (``oncomix.factors.cluster_factors``, as the cluster rule calls it) on a finished run's
factors, and write its calls, so that two versions of oncomix can be compared on the same input:

    .venv/bin/python bench/cluster_stage.py results/<cohort> <config.yaml> > new.tsv
    PYTHONPATH=<checkout of another commit>/src .venv/bin/python bench/cluster_stage.py ... > old.tsv
    cmp old.tsv new.tsv

The wall time (seconds) goes to stderr; ``--threads`` is the rule's (BLAS limit and, where the version has it,
``ClusterOptions.jobs``).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import mudata as md
import pandas as pd
from threadpoolctl import threadpool_limits

from oncomix.cluster import ClusterOptions
from oncomix.config import check_config, load_config
from oncomix.factors import FactorOptions, cluster_factors
from oncomix.tables import read_sample_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_folder", type=Path, help="results/<cohort> of a finished run")
    parser.add_argument("config", type=Path, help="the run's config")
    parser.add_argument("--threads", type=int, default=2, help="the cluster rule's threads (default 2)")
    args = parser.parse_args()
    config = check_config(load_config(args.config))
    jobs = {"jobs": args.threads} if "jobs" in {f.name for f in dataclasses.fields(ClusterOptions)} else {}
    factors = read_sample_table(args.run_folder / "factors.tsv")
    r2 = pd.read_csv(args.run_folder / "variance_explained.tsv", sep="\t", index_col="view")
    sheet = md.read_h5mu(args.run_folder / "data.h5mu").obs
    start = time.perf_counter()
    with threadpool_limits(limits=args.threads):
        result = cluster_factors(
            factors, r2, sheet, config.get("compare_to"),
            FactorOptions.from_config(config),
            ClusterOptions.from_config(config, **jobs),
        )  # fmt: skip
    print(f"{time.perf_counter() - start:.1f}", file=sys.stderr)
    result.subtypes.calls.join(result.fine).to_csv(sys.stdout, sep="\t")


if __name__ == "__main__":
    main()
