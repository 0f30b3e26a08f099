"""Command line: ``python -m oncomix simulate --out DIR`` writes the demo cohort;
``python -m oncomix validate CONFIG`` checks a config and all its input files without running anything;
``python -m oncomix classify --model results/<cohort>/classifier --config new.yaml`` assigns new tumours;
``python -m oncomix resources fetch [NAME ...]`` downloads annotation tables and gene sets, ``resources list`` shows
them."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from oncomix.classify import classify_new, write_classification
from oncomix.config import load_config
from oncomix.errors import OncomixInputError
from oncomix.resources import ENV_VAR, RESOURCES, ResourceError, fetch, listing, resource_folder
from oncomix.simulate import CohortSpec, simulate_cohort, write_cohort
from oncomix.validate import validate, validate_new_tumours


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="oncomix", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sim = commands.add_parser("simulate", help="write a simulated multi-omics cohort with its ground truth")
    sim.add_argument("--out", type=Path, required=True, help="folder to write the cohort to")
    sim.add_argument("--tumours", type=int, default=CohortSpec.n_tumours)
    sim.add_argument("--genes", type=int, default=CohortSpec.n_genes, help="RNA genes")
    sim.add_argument("--seed", type=int, default=CohortSpec.seed)
    check = commands.add_parser(
        "validate", help="check a config and every input file; paths are relative to the current folder"
    )
    check.add_argument("config", type=Path)
    check.add_argument("--verbose", action="store_true", help="show the traceback of an error")
    assign = commands.add_parser(
        "classify", help="assign the tumours of a new config to the subtypes of a finished run"
    )
    assign.add_argument(
        "--model", type=Path, required=True, help="the classifier folder of a finished run: results/<cohort>/classifier"
    )
    assign.add_argument(
        "--config", type=Path, required=True, help="config of the new tumours (same view names as the cohort's)"
    )
    assign.add_argument("--out", type=Path, help="output folder (default: results/<new cohort>/classification)")
    resources = commands.add_parser("resources", help="fetch or list annotation tables and gene sets")
    resources.add_argument("action", choices=["fetch", "list"])
    resources.add_argument(
        "names", nargs="*", metavar="NAME", help=f"resources to fetch (default: all): {', '.join(RESOURCES)}"
    )
    resources.add_argument(
        "--folder", type=Path, help=f"resource folder (default: ${ENV_VAR}, else the user cache folder)"
    )
    args = parser.parse_args(argv)
    if args.command == "simulate":
        spec = CohortSpec(n_tumours=args.tumours, n_genes=args.genes, seed=args.seed)
        write_cohort(simulate_cohort(spec), args.out)
        print(f"wrote a {spec.n_tumours}-tumour cohort to {args.out}")
    elif args.command == "validate":
        sys.exit(run_validate(args.config, args.verbose))
    elif args.command == "resources":
        sys.exit(run_resources(args.action, args.names, resource_folder(args.folder and str(args.folder))))
    else:
        sys.exit(run_classify(args.model, args.config, args.out))


def run_validate(config_path: Path, verbose: bool) -> int:
    """Print every problem (exit status 1) or the overlap table and what would be dropped (exit status 0)."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        config = load_config(config_path)
        # new tumours need no cohort size
        result = validate(config, source=str(config_path), clustering="classify" not in config)
    except OncomixInputError as error:
        if verbose:
            raise
        print(error, file=sys.stderr)
        return 1
    print(
        f"{config_path}: OK, {result.mdata.n_obs} tumours\n\nsamples per view and their overlap:\n"
        f"{result.overlap.to_string()}"
    )
    if len(result.dropped):
        print(f"\ndropped as uninformative:\n{result.dropped.to_string(index=False)}")
    return 0


def run_classify(model: Path, config_path: Path, out: Path | None) -> int:
    """Write subtypes.tsv, targetable_markers.tsv and report.html of the new tumours (exit 1 on bad input)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        config = load_config(config_path)
        result = classify_new(model, validate_new_tumours(config, str(config_path)), str(config_path))
    except OncomixInputError as error:
        print(error, file=sys.stderr)
        return 1
    out = out or Path("results") / config["cohort"] / "classification"
    out.mkdir(parents=True, exist_ok=True)
    write_classification(result, out / "subtypes.tsv", out / "targetable_markers.tsv", out / "report.html")
    print(
        f"{len(result.calls)} tumours assigned: {result.calls['subtype'].value_counts().sort_index().to_dict()}; see "
        f"{out}"
    )
    return 0


def run_resources(action: str, names: list[str], folder: Path) -> int:
    """Fetch the named resources (all by default) into ``folder``, or list what it holds (exit 1 on a failed fetch)."""
    if action == "fetch":
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        try:
            fetch(names or list(RESOURCES), folder)
        except ResourceError as error:
            print(error, file=sys.stderr)
            return 1
    print(listing(folder))
    return 0
