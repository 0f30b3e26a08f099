"""``make bench``: simulated cohorts of 300, 1,000, 2,000 and 10,000 tumours through the whole workflow.

Per size: simulate the cohort (4 views: 5,000 RNA genes, 500 mutation genes, 300 proteins, 200 metabolites) once
under ``results/bench/data``, run every stage with Snakemake on ``--cores`` cores (forced, so every stage is
timed), read wall time and peak memory per stage from the rules' ``benchmark:`` files, sample the peak memory of
all concurrent jobs together, and score the subtypes against the simulated truth. Then, on one size, the
integration step side by side with mofapy2's defaults, and on the largest, MOFA as configured (trained on at most
``mofa.max_tumours`` tumours) against MOFA trained on every tumour (``bench/integration.py``). Writes
``bench/results.md``.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pandas as pd
import psutil
import yaml
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from integration import side_by_side, subset_against_every_tumour  # noqa: E402

from oncomix.config import check_config, load_config
from oncomix.simulate import CohortSpec, simulate_cohort, write_cohort
from oncomix.tables import read_sample_table

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "results" / "bench" / "data"
SPEC = CohortSpec(n_genes=5000, n_mutation_genes=500, n_proteins=300, n_metabolites=200)
VIEWS = {"mutation": "mutation", "rna": "rna_counts", "protein": "protein", "metabolite": "metabolite"}


def cohort_folder(n: int) -> Path:
    """The simulated cohort of ``n`` tumours, written once (its samples.tsv is written last)."""
    folder = DATA / f"sim{n}"
    if not (folder / "samples.tsv").exists():
        write_cohort(simulate_cohort(CohortSpec(**{**SPEC.__dict__, "n_tumours": n})), folder)
    return folder


def bench_config(n: int, folder: Path) -> Path:
    """The demo's settings on the simulated cohort (cohort name ``bench_<n>``), with the targeting tables."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["cohort"] = f"bench_{n}"
    config["samples"] = str(folder / "samples.tsv")
    # targeting runs, as on a machine that fetched its tables
    config["resources"] = str(REPO.parent / "shared" / "annotations")
    config["genesets"] = {"simulated": str(folder / "truth" / "pathways.gmt")}
    for view, omic_type in VIEWS.items():
        config["omics"][view] = {**config["omics"][view], "path": str(folder / f"{view}.tsv.gz"), "type": omic_type}
    path = DATA / f"bench_{n}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


class PeakMemory:
    """Samples the summed resident memory of a process and all its children (every concurrent job)."""

    def __init__(self, pid: int, every: float = 0.5):
        self.process, self.every, self.peak, self._stop = psutil.Process(pid), every, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(_rss(p) for p in tree))
            except psutil.NoSuchProcess:
                return

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def run_workflow(config: Path, cores: int) -> tuple[float, int]:
    """Run every stage (forced); return wall seconds and the sampled peak memory of all jobs together (bytes)."""
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--forceall", "--configfile", str(config)]
    start = time.perf_counter()
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        sampler = PeakMemory(proc.pid)
        _, stderr = proc.communicate()
    peak = sampler.stop()
    if proc.returncode != 0:
        sys.exit(f"snakemake failed on {config}:\n{stderr[-3000:]}")
    return time.perf_counter() - start, peak


def stage_table(run_folder: Path) -> pd.DataFrame:
    """Wall seconds and peak resident memory (MiB) of every stage, from the Snakemake benchmark files."""
    rows = []
    for path in sorted((run_folder / "benchmarks").glob("*.tsv")):
        bench = pd.read_csv(path, sep="\t")
        rows.append(
            {"stage": path.stem, "s": float(bench["s"].iloc[0]), "max_rss_mib": float(bench["max_rss"].iloc[0])}
        )
    return pd.DataFrame(rows).set_index("stage")


def subtype_ari(run_folder: Path, cohort_folder: Path) -> tuple[float, int]:
    """ARI of the called subtypes against the simulated truth, and the number of subtypes called."""
    calls = read_sample_table(run_folder / "subtypes.tsv")["subtype"]
    truth = read_sample_table(cohort_folder / "truth" / "subtypes.tsv")["subtype"].reindex(calls.index)
    return float(adjusted_rand_score(truth, calls)), int(calls.nunique())


def machine() -> str:
    """CPU model and last-level cache size, where Linux says them."""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
        cache = Path("/sys/devices/system/cpu/cpu0/cache/index3/size").read_text().strip()
        return f"{model} (L3 cache {cache})"
    except (OSError, StopIteration):
        return platform.machine()


def markdown(frame: pd.DataFrame, floatfmt: str = ".1f") -> str:
    """A markdown table; integer columns are printed whole (tabulate would give them the float format)."""
    integers = frame.select_dtypes("integer").columns
    return frame.astype({column: str for column in integers}).to_markdown(floatfmt=floatfmt)


def write_results(
    runs: dict[int, dict],
    integration: pd.DataFrame | None,
    integration_n: int,
    subset: pd.DataFrame | None,
    subset_n: int,
    cores: int,
) -> None:
    sizes = sorted(runs)
    summary = pd.DataFrame(
        {
            f"{n:,} tumours": {
                "wall (min)": f"{runs[n]['wall'] / 60:.1f}",
                "peak memory, all jobs (GiB)": f"{runs[n]['peak'] / 2**30:.2f}",
                "largest stage peak (GiB)": f"{runs[n]['stages']['max_rss_mib'].max() / 1024:.2f}",
                "MOFA trained on (tumours)": f"{runs[n]['trained_on']:,}",
                "subtypes called": str(runs[n]["k"]),
                "ARI vs simulated truth": f"{runs[n]['ari']:.3f}",
            }
            for n in sizes
        }
    )
    seconds = pd.DataFrame({f"{n:,}": runs[n]["stages"]["s"] for n in sizes})
    memory = pd.DataFrame({f"{n:,}": runs[n]["stages"]["max_rss_mib"] for n in sizes})
    lines = [
        "# oncomix benchmarks",
        "",
        f"Generated by `make bench` (`bench/run.py --cores {cores}`) on {date.today()}: {machine()}, "
        f"{psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GiB memory, Python "
        f"{platform.python_version()}.",
        "Simulated cohorts (`oncomix.simulate`, 4 subtypes): 5,000 RNA genes (counts), 500 mutation genes, 300 "
        "proteins, 200 metabolites; the demo's config (`config/config.yaml`) with every stage run (`--forceall`).",
        "",
        "## Whole workflow",
        "",
        summary.to_markdown(),
        "",
        "Peak memory, all jobs: the summed resident memory of Snakemake and every job running at the same time, "
        "sampled every 0.5 s. Largest stage peak: the highest `max_rss` of one stage in its benchmark file.",
        "",
        "## Wall time per stage (s)",
        "",
        markdown(seconds),
    ]
    if {2000, 10000} <= set(sizes):
        ratio = seconds["10,000"] / seconds["2,000"]
        lines += [
            "",
            "Growth from 2,000 to 10,000 tumours (5x the tumours): time ratio per stage (5 or less is at most "
            "linear; `bench/README.md` discusses any stage above it):",
            "",
            markdown(ratio.rename("time ratio").to_frame(), ".2f"),
        ]
    lines += ["", "## Peak memory per stage (MiB, `max_rss`)", "", markdown(memory, ".0f")]
    if integration is not None:
        lines += [
            "",
            f"## Integration side by side ({integration_n:,} tumours)",
            "",
            "The same preprocessed input (`results/bench_<n>/data.h5mu`: every view after normalisation and quality "
            "filtering), factors clustered by the same oncomix clustering (`oncomix.factors.cluster_factors`, the "
            "config's settings) and scored against the simulated truth. "
            "`bench/integration.py` says what each row runs.",
            "",
            markdown(integration, ".3g"),
        ]
    if subset is not None:
        lines += [
            "",
            f"## MOFA on a subset or on every tumour ({subset_n:,} tumours)",
            "",
            "The integrate step as configured (above `mofa.max_tumours`, trained on a random subset and the other "
            "tumours projected onto the trained model) against the same step trained on every tumour, on the same "
            "input; both factor matrices clustered the same way.",
            "",
            markdown(subset, ".3g"),
        ]
    (REPO / "bench" / "results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 2000, 10000])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument(
        "--integration-size", type=int, default=2000, help="cohort for the side-by-side integration (0: none)"
    )
    parser.add_argument(
        "--subset-size", type=int, default=10000, help="cohort for MOFA on a subset vs every tumour (0: none)"
    )
    args = parser.parse_args(argv)
    runs = {}
    for n in args.sizes:
        folder = cohort_folder(n)
        wall, peak = run_workflow(bench_config(n, folder), args.cores)
        run_folder = REPO / "results" / f"bench_{n}"
        ari, k = subtype_ari(run_folder, folder)
        trained_on = int(pd.read_csv(run_folder / "mofa_training.tsv", sep="\t").loc[0, "tumours_trained"])
        runs[n] = {
            "wall": wall,
            "peak": peak,
            "stages": stage_table(run_folder),
            "ari": ari,
            "k": k,
            "trained_on": trained_on,
        }
        print(f"{n} tumours: {wall / 60:.1f} min, peak {peak / 2**30:.2f} GiB, ARI {ari:.3f}", flush=True)
    integration = None
    if args.integration_size:
        folder = cohort_folder(args.integration_size)
        config = bench_config(args.integration_size, folder)
        integration = side_by_side(
            REPO / "results" / f"bench_{args.integration_size}", check_config(load_config(config)), folder
        )
    subset = None
    if args.subset_size:
        folder = cohort_folder(args.subset_size)
        config = bench_config(args.subset_size, folder)
        subset = subset_against_every_tumour(
            REPO / "results" / f"bench_{args.subset_size}", check_config(load_config(config)), folder
        )
    write_results(runs, integration, args.integration_size, subset, args.subset_size, args.cores)


if __name__ == "__main__":
    main()
