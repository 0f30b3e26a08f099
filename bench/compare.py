"""Each stage's time and memory at two commits, on the same cohorts, in one run (issue 25): a change's cost or gain
as ratios measured side by side on one machine, not against seconds measured on another day.

    .venv/bin/python bench/compare.py                                  # HEAD~1 against the working tree, 4 cohorts
    .venv/bin/python bench/compare.py --base 3c7b90f --cohorts demo tcga_brca

The base commit is checked out once as a git worktree beside the repository (``../oncomix-base-<sha>``, so that
``../shared`` resolves as in the checkout) and run with its own Snakefile and package (``PYTHONPATH=<tree>/src``)
in the same virtual environment. Each cohort runs whole (``--forceall``) in each tree, the base first: the demo
(``config/config.yaml``), the shared TCGA-BRCA cohort (``config/examples/tcga_brca.yaml``), the shared CCLE
cohort (939 lines, 4 views, drug response, lineage as reference) and the 1,000-tumour simulated cohort of
``make bench``. Writes ``bench/compare.md``: per cohort the wall time, and per stage the seconds and peak memory
(``max_rss`` of the rules' benchmark files) at both commits with their ratio (working tree / base).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import real_cohorts  # noqa: E402
from run import bench_config, cohort_folder, machine, markdown, stage_table  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "results" / "bench" / "data"
COHORTS = ("demo", "tcga_brca", "ccle", "sim1000")


def cohort_config(name: str, tree: Path) -> Path:
    """The config of ``name`` as a user would run it from ``tree`` (the repository's own configs are the tree's)."""
    if name == "demo":
        return tree / "config" / "config.yaml"
    if name == "tcga_brca":
        return tree / "config" / "examples" / "tcga_brca.yaml"
    if name == "sim1000":
        return bench_config(1000, cohort_folder(1000))
    config = real_cohorts()["CCLE lineage"][0] | {
        "compare_to": "site_primary",
        "drug_response": {"columns": ["actarea_*"], "by": ["site_primary"]},
        "resources": str(REPO.parent / "shared" / "annotations"),
    }
    path = DATA / "ccle.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def base_tree(revision: str) -> Path:
    """A worktree of ``revision`` beside the repository, made once."""
    sha = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", revision], capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = REPO.parent / f"oncomix-base-{sha}"
    if not tree.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), sha], check=True)
    return tree


def run_cohort(tree: Path, config: Path, cores: int) -> float:
    """Every stage of the cohort with ``tree``'s workflow and package; the wall time in seconds."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(tree / "Snakefile"), "--directory", str(tree)]
    command += ["--cores", str(cores), "--forceall", "--configfile", str(config)]
    environment = os.environ | {"PYTHONPATH": str(tree / "src")}
    imported = subprocess.run(
        [sys.executable, "-c", "import oncomix; print(oncomix.__file__)"],
        env=environment,
        capture_output=True,
        text=True,
    ).stdout
    assert Path(imported.strip()).is_relative_to(tree), f"{tree} runs the package at {imported}"
    start = time.perf_counter()
    subprocess.run(command, env=environment, check=True, capture_output=True)
    return time.perf_counter() - start


def side_by_side(base: pd.DataFrame, head: pd.DataFrame) -> pd.DataFrame:
    """Per stage of either run (``run.stage_table``): base and head seconds and MiB and the ratios head / base."""
    table = base.join(head, how="outer", lsuffix="_base", rsuffix="_head")
    table["time_ratio"] = table["s_head"] / table["s_base"]
    table["memory_ratio"] = table["max_rss_mib_head"] / table["max_rss_mib_base"]
    columns = ["s_base", "s_head", "time_ratio", "max_rss_mib_base", "max_rss_mib_head", "memory_ratio"]
    return table[columns].sort_values("s_head", ascending=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="HEAD~1", help="the commit to compare with (default: HEAD~1)")
    parser.add_argument("--cohorts", nargs="+", choices=COHORTS, default=list(COHORTS))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "compare.md")
    args = parser.parse_args(argv)
    tree = base_tree(args.base)
    walls, tables = [], []
    for name in args.cohorts:
        timed = {}
        for label, root in (("base", tree), ("head", REPO)):
            config = cohort_config(name, root)
            timed[label] = run_cohort(root, config, args.cores)
            cohort = yaml.safe_load(config.read_text())["cohort"]
            timed[f"{label}_stages"] = stage_table(root / "results" / cohort)
        walls.append({"cohort": name, "base_s": timed["base"], "head_s": timed["head"]})
        tables.append((name, side_by_side(timed["base_stages"], timed["head_stages"])))
        print(f"{name}: {timed['base']:.0f} s at the base, {timed['head']:.0f} s now", flush=True)
    wall = pd.DataFrame(walls).assign(ratio=lambda t: t["head_s"] / t["base_s"])
    head = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True)
    lines = [
        "# Stage times and memory at two commits (`bench/compare.py`)",
        "",
        f"Base {tree.name.removeprefix('oncomix-base-')} ({args.base}) against {head.stdout.strip()}, run one after "
        f"the other on {machine()}, --cores {args.cores}, every stage forced. Ratios are now / base.",
        "",
        "## Whole runs (seconds)",
        "",
        markdown(wall.set_index("cohort"), ".2f"),
    ]
    for name, table in tables:
        lines += ["", f"## {name}: per stage (seconds, peak MiB)", "", markdown(table, ".2f")]
    args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
