"""Does sequencing depth become a MOFA factor? For simulated cohorts of the accuracy grid, the largest absolute
Spearman correlation of a MOFA factor with the tumours' log library size (total RNA count).

    .venv/bin/python bench/depth_factor.py factor:null demo:null demo:base factor:strong_effect factor:base --seed 1
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import SCENARIOS, integrate, scenario_config  # noqa: E402
from generators import cohort  # noqa: E402

from oncomix.simulate import write_cohort  # noqa: E402


def largest_depth_correlation(name: str, seed: int) -> float:
    """The MOFA factor most correlated with log library size: its Spearman rho."""
    drawn = cohort(SCENARIOS[name], seed)
    with tempfile.TemporaryDirectory() as folder:
        write_cohort(drawn, Path(folder))
        factors = integrate(scenario_config(SCENARIOS[name], Path(folder)), seed, Path(folder))[2].factors
    depth = np.log(drawn.views["rna"].sum())
    shared = depth.index.intersection(factors.index)
    rhos = [stats.spearmanr(factors.loc[shared, f], depth[shared])[0] for f in factors.columns]
    return float(rhos[int(np.argmax(np.abs(rhos)))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="+")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    for name in args.scenarios:
        print(f"{name}\t{largest_depth_correlation(name, args.seed):.2f}")


if __name__ == "__main__":
    main()
