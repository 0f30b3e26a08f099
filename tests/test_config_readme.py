"""config/README.md documents every key of the config schema, with the schema's default."""

from __future__ import annotations

import re

import yaml

from tests.conftest import REPO

SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())


def schema_keys(node: dict, prefix: str = "") -> dict[str, dict]:
    """Every leaf key as a dotted path ('<view>' for the per-view entries), with its schema node."""
    found = {}
    for name, child in node.get("properties", {}).items():
        nested = child.get("type") == "object" and (
            "properties" in child or isinstance(child.get("additionalProperties"), dict)
        )
        found |= schema_keys(child, f"{prefix}{name}.") if nested else {f"{prefix}{name}": child}
    if isinstance(node.get("additionalProperties"), dict) and "properties" in node["additionalProperties"]:
        found |= schema_keys(node["additionalProperties"], f"{prefix}<view>.")
    return found


def readme_rows() -> dict[str, str]:
    """Key -> the default column of its row in the README's table."""
    rows = {}
    for line in (REPO / "config/README.md").read_text().splitlines():
        if line.startswith("| `"):
            cells = line.split("|")
            rows |= {key: cells[2] for key in re.findall(r"`([^`]+)`", cells[1])}
    return rows


def written(default) -> list[str]:
    """The ways the README may write a default."""
    if isinstance(default, bool):
        return [str(default).lower()]
    if isinstance(default, list):
        return ["[" + ", ".join(map(str, default)) + "]"]
    if isinstance(default, float):
        return [str(default), f"{default:g}"]
    return ["none", "null"] if default is None else [str(default)]


def test_every_config_key_is_documented_with_its_default():
    rows = readme_rows()
    keys = schema_keys(SCHEMA)
    assert len(keys) > 50 and "clustering.k_max" in keys and "omics.<view>.path" in keys
    assert not sorted(set(keys) - set(rows)), "keys missing from config/README.md"
    for key, node in keys.items():
        if "default" in node:
            assert any(form in rows[key] for form in written(node["default"])), (
                f"{key}: README does not give the default {node['default']!r}"
            )
