"""Command line: ``python -m oncomix simulate --out DIR`` writes the demo cohort."""

from __future__ import annotations

import argparse
from pathlib import Path

from oncomix.simulate import CohortSpec, simulate_cohort, write_cohort


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="oncomix", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sim = commands.add_parser("simulate", help="write a simulated multi-omics cohort with its ground truth")
    sim.add_argument("--out", type=Path, required=True, help="folder to write the cohort to")
    sim.add_argument("--tumours", type=int, default=CohortSpec.n_tumours)
    sim.add_argument("--genes", type=int, default=CohortSpec.n_genes, help="RNA genes")
    sim.add_argument("--seed", type=int, default=CohortSpec.seed)
    args = parser.parse_args(argv)
    if args.command == "simulate":
        spec = CohortSpec(n_tumours=args.tumours, n_genes=args.genes, seed=args.seed)
        write_cohort(simulate_cohort(spec), args.out)
        print(f"wrote a {spec.n_tumours}-tumour cohort to {args.out}")
