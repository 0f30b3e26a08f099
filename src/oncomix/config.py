"""Load and check a run's configuration against the package's JSON schema, reporting every problem at once.

Typos get the nearest valid key or value suggested; defaults from the schema are filled in.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import re
from collections.abc import Collection, Mapping
from importlib.resources import files
from pathlib import Path
from typing import ClassVar, Self

import jsonschema
import yaml

from oncomix.errors import OncomixInputError, did_you_mean

SCHEMAS = files("oncomix") / "schemas"


def load_schema(name: str) -> dict:
    return yaml.safe_load((SCHEMAS / f"{name}.schema.yaml").read_text())


def view_schema() -> dict:
    """The schema of one ``omics:`` entry: the single source of view types and view option defaults."""
    return load_schema("config")["properties"]["omics"]["additionalProperties"]


def _with_defaults(validator_class):
    """A validator that also fills in schema defaults (the jsonschema FAQ recipe, as Snakemake's validate does)."""
    check_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for key, sub in properties.items():
                if "default" in sub:
                    instance.setdefault(key, copy.deepcopy(sub["default"]))
        yield from check_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


DefaultingValidator = _with_defaults(jsonschema.Draft7Validator)


def refuse_yaml_aliases(text: str, path: Path) -> None:
    """A config has no YAML anchors or aliases (``&name`` / ``*name``): a few hundred bytes of nested aliases
    expand to gigabytes (a "billion laughs"), and no setting needs them."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1
            raise OncomixInputError(
                f"{path}: line {line}: a YAML alias (*{event.anchor}); write the value out instead of using anchors "
                "(&) and aliases (*)"
            )


def load_config(path: Path) -> dict:
    """Read a YAML config file; unreadable YAML is an input error naming the file."""
    path = Path(path)
    if not path.is_file():
        raise OncomixInputError(f"{path}: config file not found")
    try:
        text = path.read_text()
        refuse_yaml_aliases(text, path)
        config = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OncomixInputError(f"{path}: not valid YAML ({str(exc)[:500]})") from exc
    if not isinstance(config, dict):
        raise OncomixInputError(f"{path}: a config must be a mapping of keys to values")
    return config


def check_config(config: dict, source: str = "config", produced: Collection[str] = ()) -> dict:
    """Fill in defaults and check ``config`` in place; returns it, or raises listing every problem.

    Checks the schema (unknown keys and values with a suggestion), cross-key rules and that input files exist
    (except the ``produced`` ones, which a step of the workflow writes: the demo cohort).
    """
    problems = [_schema_message(error, source) for error in _schema_errors(config)]
    if not problems:
        problems = _cross_key_problems(config, source)
    problems += _missing_files(config, source, set(produced))
    if problems:
        raise OncomixInputError(problems)
    return config


def _schema_errors(config: dict) -> list[jsonschema.ValidationError]:
    validator = DefaultingValidator(load_schema("config"))
    return sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))


def _where(error: jsonschema.ValidationError) -> str:
    return ".".join(map(str, error.absolute_path)) or "top level"


def _suggest(word: str, choices) -> str:
    return did_you_mean(word, choices, f"valid: {', '.join(map(str, choices))}")


def _schema_message(error: jsonschema.ValidationError, source: str) -> str:
    where = _where(error)
    if error.validator == "additionalProperties" and "properties" in error.schema:
        known = list(error.schema["properties"])
        unknown = [key for key in error.instance if key not in known]
        return "; ".join(f"{source}: unknown key {key!r} in {where} ({_suggest(key, known)})" for key in unknown)
    if error.validator == "enum":
        return (
            f"{source}: {where} = {error.instance!r} is not allowed ({_suggest(error.instance, error.validator_value)})"
        )
    if error.validator == "required":
        return f"{source}: {where}: {error.message}; add it (see config/README.md)"
    if error.validator == "pattern" and "description" in error.schema:
        return f"{source}: {where}: {error.instance!r} is not a valid value ({error.schema['description']})"
    return f"{source}: {where}: {error.message}"


def _cross_key_problems(config: dict, source: str) -> list[str]:
    problems = []
    clustering = config["clustering"]
    if clustering["k_min"] > clustering["k_max"]:
        problems.append(
            f"{source}: clustering.k_min ({clustering['k_min']}) is larger than clustering.k_max "
            f"({clustering['k_max']}); swap them"
        )
    if pattern := config.get("sample_id_pattern"):
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(f"{source}: sample_id_pattern {pattern!r} is not a valid regular expression ({exc})")
    for name, view in config["omics"].items():
        fmt = view_format(view)
        if fmt == "maf" and view["type"] != "mutation":
            problems.append(f"{source}: omics.{name} is a MAF, which only makes a 'mutation' view; set type: mutation")
        if "modality" in view and fmt != "h5mu":
            problems.append(
                f"{source}: omics.{name}.modality only applies to a .h5mu file; remove it or set format: h5mu"
            )
    return problems


def _missing_files(config: dict, source: str, produced: set[str]) -> list[str]:
    """Input files named in the config that do not exist; checked even when the schema found problems (so every
    problem comes at once), for the entries that have the form the schema asks."""
    views = config.get("omics") if isinstance(config.get("omics"), dict) else {}
    views = {name: view for name, view in views.items() if isinstance(view, dict)}
    paths = {
        "samples": config.get("samples"),
        **{f"omics.{name}.path": view.get("path") for name, view in views.items()},
    }
    paths.update(
        {
            f"omics.{name}.gene_map": view["gene_map"]
            for name, view in views.items()
            if view.get("gene_map", "rppa") != "rppa"
        }
    )
    targeting = config.get("targeting") if isinstance(config.get("targeting"), dict) else {}
    for key in ("surface_tables", "drug_target_tables"):
        tables = targeting.get(key) if isinstance(targeting.get(key), list) else []
        paths.update({f"targeting.{key}[{i}]": path for i, path in enumerate(tables)})
    paths = {key: path for key, path in paths.items() if isinstance(path, str)}
    missing = {key: path for key, path in paths.items() if not Path(path).is_file() and path not in produced}
    return [f"{path}: {_not_a_file(path, key)}; check '{key}' in the {source}" for key, path in missing.items()]


def _not_a_file(path: str, key: str) -> str:
    if Path(path).is_dir():
        return "is a folder, not a file; give the file inside it"
    if key.endswith(".gene_map") and difflib.get_close_matches(str(path), ["rppa"], n=1, cutoff=0.6):
        return "file not found (did you mean 'rppa', the shipped RPPA antibody map?)"
    return "file not found"


class FromConfig:
    """Mixin of a stage's options dataclass: ``from_config`` builds it from the validated config.

    ``SECTION`` is the config section read; ``RENAMED`` maps a section key to the field it sets, where the names
    differ; ``READ_ELSEWHERE`` names the section's keys that other code reads (a rule's params, another options
    class); any other key not a field is an error. A field named like a key of ``TOP_LEVEL`` (the seed) is read
    from the config's top level.
    """

    SECTION: ClassVar[str]
    RENAMED: ClassVar[Mapping[str, str]] = {}
    READ_ELSEWHERE: ClassVar[frozenset[str]] = frozenset()
    TOP_LEVEL: ClassVar[tuple[str, ...]] = ("seed",)

    @classmethod
    def from_config(cls, config: Mapping, **extra) -> Self:
        """The options of ``config`` (the whole config, or the parts of it this class reads); ``extra`` fields
        (e.g. the cores to use) are set over them."""
        return cls(**{**_section_fields(cls, config.get(cls.SECTION, {})), **_top_level(cls, config), **extra})

    @classmethod
    def config_keys(cls) -> dict[str, str]:
        """Each key of the section that this class reads, with the field it sets."""
        names = [name for name in _field_names(cls) if name not in cls.TOP_LEVEL and name not in cls.RENAMED.values()]
        return {name: name for name in names} | dict(cls.RENAMED)


def _field_names(cls) -> list[str]:
    return [field.name for field in dataclasses.fields(cls)]


def _section_fields(cls, section: Mapping) -> dict:
    """The fields set by a config section; lists become tuples (the options are frozen and hashable)."""
    keys = cls.config_keys()
    unknown = [key for key in section if key not in keys and key not in cls.READ_ELSEWHERE]
    if unknown:
        raise OncomixInputError(
            [
                f"config: unknown key {cls.SECTION}.{key} for {cls.__name__} ({_suggest(key, list(keys))})"
                for key in unknown
            ]
        )
    return {
        keys[key]: tuple(value) if isinstance(value, list) else value for key, value in section.items() if key in keys
    }


def _top_level(cls, config: Mapping) -> dict:
    return {key: config[key] for key in cls.TOP_LEVEL if key in config and key in _field_names(cls)}


def view_format(view: dict) -> str:
    """The reader for a view: its ``format``, or one guessed from the file name."""
    if view.get("format", "auto") != "auto":
        return view["format"]
    name = Path(view["path"]).name.lower()
    for suffix, fmt in (
        (".h5ad", "h5ad"),
        (".h5mu", "h5mu"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
        (".maf", "maf"),
        (".maf.gz", "maf"),
    ):
        if name.endswith(suffix):
            return fmt
    return "table"


def view_settings(config: dict) -> dict[str, dict]:
    """Per view, how the workflow transformed it (type, log, batch column): saved with the classifier so that new
    tumours are transformed the same way."""
    return {
        name: {"type": view["type"], "log": view.get("log"), "batch": view.get("batch")}
        for name, view in config["omics"].items()
    }
