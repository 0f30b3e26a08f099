"""oncomix as a user gets it. A fresh checkout (no demo data, no results) dry-runs, lints and runs with plain
`snakemake` and finds its default profile. The wheel built from the sources, installed with pip (not editable),
carries every file the package reads (templates, the report's script, schemas, annotation maps), and the demo's
report step renders with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from oncomix.simulate import CohortSpec, cohort_files, simulate_cohort, write_cohort
from tests.conftest import REPO, SNAKEMAKE

pytestmark = pytest.mark.workflow


def fresh_checkout(folder: Path) -> Path:
    """The files git tracks (what a clone holds: a file never added to git is missing here too)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, map(os.fsdecode, listed.split(b"\0"))):
        source, target = REPO / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, target)
    return folder


def test_a_fresh_checkout_dry_runs_lints_and_simulates_the_demo_with_no_other_step(tmp_path):
    checkout = fresh_checkout(tmp_path / "oncomix")
    assert (checkout / "Snakefile").is_file() and not (checkout / "resources").exists()
    snakemake = [sys.executable, "-m", "snakemake"]
    dry = subprocess.run([*snakemake, "-n"], cwd=checkout, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr[-3000:]
    said = dry.stdout + dry.stderr
    assert "profile profiles/default" in said and "simulate_demo" in said and "report" in said
    lint = subprocess.run([*snakemake, "--lint"], cwd=checkout, capture_output=True, text=True)
    assert lint.returncode == 0, (lint.stdout + lint.stderr)[-3000:]
    run = subprocess.run(
        [*snakemake, "--cores", "2", "results/demo/validation/overlap.tsv"],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    write_cohort(
        simulate_cohort(CohortSpec()), tmp_path / "by_the_command"
    )  # as `python -m oncomix simulate` writes it
    for name in cohort_files():
        assert (checkout / "resources/demo" / name).is_file(), name
    for name in ("samples.tsv", "truth/subtypes.tsv", "truth/pathways.gmt"):
        assert (checkout / "resources/demo" / name).read_bytes() == (tmp_path / "by_the_command" / name).read_bytes(), (
            name
        )


def installed_wheel(folder: Path) -> tuple[Path, Path]:
    """The wheel built from a copy of the sources (so no build folder lands in the checkout) and the folder pip
    installed it into (no dependencies: they are the test environment's)."""
    source = folder / "source"
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    build = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(folder / "dist"),
        str(source),
    ]
    subprocess.run(build, check=True)  # with the test environment's setuptools (the [test] extra): no download
    wheel = next((folder / "dist").glob("oncomix-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(folder / "site"), str(wheel)],
        check=True,
    )
    return wheel, folder / "site"


def test_a_wheel_install_renders_the_demo_report(tmp_path, demo_run):
    wheel, site = installed_wheel(tmp_path)
    packaged = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        path.relative_to(REPO / "src").as_posix()
        for folder in ("templates", "schemas", "annotations")
        for path in (REPO / "src/oncomix" / folder).iterdir()
        if path.is_file()
    }
    assert shipped and shipped <= packaged, shipped - packaged  # report.js among them
    env = {**os.environ, "PYTHONPATH": str(site)}  # the installed package before the checkout's editable one
    where = subprocess.run(
        [sys.executable, "-c", "import oncomix; print(oncomix.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(site)
    run = tmp_path / "run"
    shutil.copytree(demo_run, run, symlinks=True)
    out = run / "results" / "demo"
    (out / "report.html").unlink()
    shutil.rmtree(out / "figures")
    command = [
        *SNAKEMAKE,
        "--directory",
        str(run),
        "results/demo/report.html",
        "--allowed-rules",
        "report",
        "--configfile",
        str(run / "demo.yaml"),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "report.html").read_text() == (
        demo_run / "results/demo/report.html"
    ).read_text()  # as the checkout renders it
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        p.name for p in (demo_run / "results/demo/figures").iterdir()
    )
