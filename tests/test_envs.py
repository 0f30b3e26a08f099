"""The conda environments in envs/ (one per rule family, for --software-deployment-method conda) agree with
the versions pyproject.toml pins, and each holds every third-party package its rules' scripts import,
directly or through oncomix's own modules."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import yaml

from tests.conftest import REPO

RULE = re.compile(r'^rule (\w+):.*?conda:\s+ENVS\["(\w+)"\].*?script:\s+"\.\./scripts/(\w+\.py)"', re.S | re.M)
RUNTIME_ONLY = {"cluster": {"igraph", "leidenalg"}}  # imported by scanpy's Leiden clustering when it runs
# imported only when present (mofa.gpu: true; pyproject's "gpu" extra): GPU users add it to the mofa environment
OPTIONAL = {"cupy"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines: list[str]) -> dict[str, str]:
    return {normalised(name): version for name, version in (line.split("==") for line in lines if "==" in line)}


def env_packages(path: Path) -> dict[str, str]:
    dependencies = yaml.safe_load(path.read_text())["dependencies"]
    pip = next(entry["pip"] for entry in dependencies if isinstance(entry, dict))
    return pins([line for line in pip if not line.startswith("-")])


def rules() -> list[tuple[str, str, str]]:
    """(rule, environment family, script) of every rule."""
    found = []
    for path in sorted((REPO / "workflow/rules").glob("*.smk")):
        for block in re.split(r"(?m)^(?=rule )", path.read_text()):
            found += RULE.findall(block)
    return found


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names |= {node.module} | (
                {f"oncomix.{alias.name}" for alias in node.names} if node.module == "oncomix" else set()
            )
    return names


def third_party_imports(script: Path) -> set[str]:
    """Top-level third-party modules imported by the script and, transitively, by the oncomix modules it uses."""
    seen, pending, found = set(), ["oncomix", *imported(script)], set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        if module.split(".")[0] != "oncomix":
            found.add(module.split(".")[0])
            continue
        source = REPO / "src" / Path(*module.split("."))
        source = source / "__init__.py" if source.is_dir() else source.with_suffix(".py")
        if source.is_file():
            pending += imported(source)
    return found - set(sys.stdlib_module_names) - OPTIONAL


def test_every_rule_has_a_family_environment_and_every_environment_is_used():
    found = rules()
    assert len(found) == 20, found  # every rule of the workflow, each with conda: and script:
    assert {family for _, family, _ in found} == {path.stem for path in (REPO / "envs").glob("*.yaml")}


def test_environments_pin_the_versions_of_pyproject_and_the_lock():
    project = pins(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])
    lock = pins((REPO / "requirements.lock").read_text().splitlines())
    for path in sorted((REPO / "envs").glob("*.yaml")):
        for package, version in env_packages(path).items():
            assert version == project.get(package, lock.get(package)), f"{path.name}: {package}=={version}"
        assert "-c ../requirements.lock" in path.read_text()  # transitive packages at the lock's versions too


def test_each_environment_holds_what_its_rules_import():
    distributions = {module: {normalised(d) for d in names} for module, names in packages_distributions().items()}
    for rule, family, script in rules():
        available = set(env_packages(REPO / "envs" / f"{family}.yaml"))
        needed = set().union(
            *(distributions[module] for module in third_party_imports(REPO / "workflow/scripts" / script))
        )
        assert needed <= available, f"rule {rule} (envs/{family}.yaml) lacks {sorted(needed - available)}"
        assert RUNTIME_ONLY.get(family, set()) <= available


def test_optional_imports_are_declared_as_an_extra():
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {normalised(name).split("-")[0] for name in pins(extras["gpu"])} == OPTIONAL


def test_the_check_sees_imports_through_oncomix_modules():
    """The report's script imports matplotlib only through oncomix.report -> oncomix.plots."""
    assert "matplotlib" in third_party_imports(REPO / "workflow/scripts/report.py")
    assert "mofapy2" in third_party_imports(REPO / "workflow/scripts/integrate.py")


def test_rules_in_conda_environments_import_oncomix_from_this_checkout():
    """The environments hold no oncomix: Snakemake puts workflow/scripts on a script's sys.path, and
    workflow/scripts/oncomix links to the package's source."""
    assert (REPO / "workflow/scripts/oncomix").resolve() == (REPO / "src/oncomix").resolve()
    assert all("oncomix" not in env_packages(path) for path in (REPO / "envs").glob("*.yaml"))
