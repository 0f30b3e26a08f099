"""Third-party resources (annotation tables, gene sets): fetched on demand from their official sources into a
folder of the user's, never shipped with oncomix (each keeps its own licence).

A resource folder holds, per resource, the table oncomix reads (``surfaceome.tsv``, ``drug_targets.tsv``,
``hallmark.gmt``, ``reactome.gmt``, ``progeny.tsv``) and ``<name>.json`` beside it: version, source URLs, size
and sha256 of each download and of the table, licence and citation. The folder is the config's ``resources:``,
else ``$ONCOMIX_RESOURCES``, else the user's cache directory. A folder of tables built elsewhere (without the
JSON files) works too: the version is then the table's sha256.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from platformdirs import user_cache_dir

from oncomix import __version__

ENV_VAR = "ONCOMIX_RESOURCES"
TARGETING_RESOURCES = ("surfaceome", "drug_targets")  # the tables the targeting annotation reads
CHUNK = 1 << 16
log = logging.getLogger(__name__)


class ResourceError(RuntimeError):
    """A resource could not be fetched or built; nothing was written."""


@dataclass(frozen=True)
class Download:
    url: str
    sha256: str = ""  # of the published file, to pin a fixed release; else the sha256 seen is recorded


@dataclass(frozen=True)
class Resource:
    name: str
    filename: str  # the table oncomix reads, in the resource folder
    version: str
    content: str
    licence: str
    citation: str
    downloads: tuple[Download, ...]
    build: Callable[[list[Path], Path], None]  # downloaded files -> the table


def resource_folder(configured: str | None = None) -> Path:
    """The config's ``resources:`` if set, else ``$ONCOMIX_RESOURCES``, else ``<user cache>/oncomix/resources``."""
    chosen = configured or os.environ.get(ENV_VAR) or str(Path(user_cache_dir("oncomix")) / "resources")
    return Path(chosen).expanduser()


def available(folder: Path, names: Iterable[str]) -> dict[str, Path]:
    """The tables of ``names`` present in ``folder``, by name."""
    paths = {name: Path(folder) / RESOURCES[name].filename for name in names}
    return {name: path for name, path in paths.items() if path.is_file()}


# builders: downloaded files -> the table oncomix reads -------------------------------------------------------

CSPA_COLUMNS = {
    "ENTREZ gene symbol": "gene_symbol",
    "ID_link": "uniprot",
    "CSPA category": "cspa_category",
    "CD": "cd_antigen",
}
MIN_APPROVED_MATCHED = 3  # fewer approved drugs among the interactions means the approval list was not read right
DRUGCENTRAL_COLUMNS = ["DRUG_NAME", "STRUCT_ID", "GENE", "ACCESSION", "MOA", "ACTION_TYPE", "TARGET_CLASS", "ORGANISM"]


def build_surfaceome(downloads: list[Path], out: Path) -> None:
    """CSPA S2 File, sheet "Table A" (human surface glycoproteins) -> gene_symbol, uniprot, cspa_category,
    cspa_high_confidence (category 1), cd_antigen."""
    table = pd.read_excel(downloads[0], sheet_name="Table A", dtype=str).fillna("")
    _require(table, list(CSPA_COLUMNS), downloads[0])
    if "organism" in table:
        table = table[table["organism"].str.lower() == "human"]
    table = table[list(CSPA_COLUMNS)].rename(columns=CSPA_COLUMNS)
    table["cd_antigen"] = table["cd_antigen"].replace({"0": "", "#N/A": ""})
    table["cspa_high_confidence"] = table["cspa_category"].str.startswith("1").astype(int)
    table.sort_values(["gene_symbol", "uniprot"]).to_csv(out, sep="\t", index=False)


def build_drug_targets(downloads: list[Path], out: Path) -> None:
    """DrugCentral drug-target interactions (human targets; a complex split into one row per gene) joined with its
    list of approved drugs -> gene_symbol, drug_name, drugcentral_id, evidence (``moa``: mechanism-of-action
    target; ``bioactivity``: any measured activity), action_type, target_class, target_is_complex, approved_any."""
    interactions, approved = downloads
    table = pd.read_csv(
        interactions, sep="\t", dtype=str, keep_default_na=False, compression=_compression(interactions)
    )
    _require(table, DRUGCENTRAL_COLUMNS, interactions)
    table = table[table["ORGANISM"] == "Homo sapiens"]
    genes = table["GENE"].str.split("|")
    table = table.assign(gene_symbol=genes, target_is_complex=(genes.str.len() > 1).astype(int)).explode("gene_symbol")
    approved_ids = set(
        pd.to_numeric(pd.read_csv(approved, header=None, dtype=str).iloc[:, 0], errors="coerce")
        .dropna()
        .astype(int)
        .astype(str)
    )
    if len(approved_ids & set(table["STRUCT_ID"])) < MIN_APPROVED_MATCHED:
        raise ResourceError(
            f"{approved.name}: only {len(approved_ids & set(table['STRUCT_ID']))} approved drug ids match the "
            f"interactions' STRUCT_ID: the approval list's layout has changed; please report it"
        )
    built = pd.DataFrame(
        {
            "gene_symbol": table["gene_symbol"].str.strip(),
            "drug_name": table["DRUG_NAME"].str.lower(),
            "drugcentral_id": table["STRUCT_ID"],
            "evidence": pd.to_numeric(table["MOA"], errors="coerce").eq(1).map({True: "moa", False: "bioactivity"}),
            "action_type": table["ACTION_TYPE"],
            "target_class": table["TARGET_CLASS"],
            "target_is_complex": table["target_is_complex"],
            "approved_any": table["STRUCT_ID"].isin(approved_ids).astype(int),
        }
    )
    built = built[built["gene_symbol"] != ""].sort_values(
        ["gene_symbol", "evidence", "drug_name"], ascending=[True, False, True]
    )
    built.drop_duplicates(["gene_symbol", "drug_name"]).to_csv(out, sep="\t", index=False)  # "moa" sorts first


def build_gmt(downloads: list[Path], out: Path) -> None:
    """A GMT file (name, description, genes; tab-separated), or the one GMT inside a zip, with LF line ends."""
    source = downloads[0]
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            members = [m for m in archive.namelist() if m.endswith(".gmt")]
            if len(members) != 1:
                raise ResourceError(f"{source.name}: expected one .gmt file in the zip, found {members or 'none'}")
            text = archive.read(members[0]).decode("utf-8")
    else:
        text = source.read_text(encoding="utf-8")
    lines = [line.rstrip("\r") for line in text.splitlines() if line.strip()]
    short = [i + 1 for i, line in enumerate(lines) if len(line.split("\t")) < 3]
    if not lines or short:
        raise ResourceError(
            f"{source.name}: not a GMT file (line(s) {short[:5] or 'none'} lack a name, a description and genes)"
        )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_progeny(downloads: list[Path], out: Path, top: int = 100) -> None:
    """PROGENy footprints from OmniPath's annotation table (one row per gene, record and attribute: pathway,
    weight, p_value) -> genes x pathways weights, keeping each pathway's ``top`` genes by p-value (as PROGENy
    recommends) and 0 elsewhere."""
    table = pd.read_csv(downloads[0], sep="\t", dtype=str)
    _require(table, ["genesymbol", "label", "value", "record_id"], downloads[0])
    records = table.pivot_table(
        index=["record_id", "genesymbol"], columns="label", values="value", aggfunc="first"
    ).reset_index()
    _require(records, ["pathway", "weight", "p_value"], downloads[0])
    records[["weight", "p_value"]] = records[["weight", "p_value"]].astype(float)
    # one row per pathway and gene
    records = records.sort_values(["pathway", "p_value", "genesymbol"]).drop_duplicates(["pathway", "genesymbol"])
    kept = records.groupby("pathway").head(top)
    weights = kept.pivot_table(index="genesymbol", columns="pathway", values="weight", aggfunc="first", fill_value=0.0)
    weights.rename_axis(index="gene", columns=None).sort_index().to_csv(out, sep="\t")


def _compression(path: Path) -> str | None:
    with open(path, "rb") as handle:
        return "gzip" if handle.read(2) == b"\x1f\x8b" else None


def _require(table: pd.DataFrame, columns: list[str], source: Path) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ResourceError(
            f"{source.name}: the source lacks column(s) {', '.join(missing)}: its layout has changed; "
            f"please report it (oncomix {__version__} reads the layout documented in oncomix/resources.py)"
        )


DRUGCENTRAL = "https://unmtid-dbs.net/download/DrugCentral/2021_09_01"
RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource(
            "surfaceome",
            "surfaceome.tsv",
            "CSPA 2015 (S2 File, Table A)",
            "Cell Surface Protein Atlas: 1,492 human surface glycoproteins by mass spectrometry on 41 cell types",
            "CC BY 4.0",
            "Bausch-Fluck D et al. (2015) PLoS One 10:e0121314",
            (Download("https://wlab.ethz.ch/cspa/data/S2_File.xlsx"),),
            build_surfaceome,
        ),
        Resource(
            "drug_targets",
            "drug_targets.tsv",
            "DrugCentral 2021-09-01",
            "DrugCentral drug-target interactions (mechanism-of-action flags, action types) and approved drugs",
            "CC BY-SA 4.0",
            "Avram S et al. (2023) Nucleic Acids Res 51:D1276; Ursu O et al. (2017) Nucleic Acids Res 45:D932",
            (
                Download(f"{DRUGCENTRAL}/drug.target.interaction.tsv.gz"),
                Download("https://drugcentral.org/static/FDA+EMA+PMDA_Approved.csv"),
            ),
            build_drug_targets,
        ),
        Resource(
            "hallmark",
            "hallmark.gmt",
            "MSigDB 2024.1.Hs",
            "MSigDB Hallmark gene sets (50), human gene symbols",
            "CC BY 4.0",
            "Liberzon A et al. (2015) Cell Systems 1:417",
            (
                Download(
                    "https://data.broadinstitute.org/gsea-msigdb/msigdb/release/2024.1.Hs/h.all.v2024.1.Hs.symbols.gmt"
                ),
            ),
            build_gmt,
        ),
        Resource(
            "reactome",
            "reactome.gmt",
            "Reactome, current release on the day fetched",
            "Reactome human pathways as gene sets",
            "CC0 1.0",
            "Milacic M et al. (2024) Nucleic Acids Res 52:D672",
            (Download("https://reactome.org/download/current/ReactomePathways.gmt.zip"),),
            build_gmt,
        ),
        Resource(
            "progeny",
            "progeny.tsv",
            "PROGENy human model via OmniPath, top 100 genes per pathway",
            "PROGENy pathway footprints (14 pathways), gene weights",
            "Apache-2.0",
            "Schubert M et al. (2018) Nat Commun 9:20",
            (Download("https://omnipathdb.org/annotations?resources=PROGENy&genesymbols=yes&format=tsv"),),
            build_progeny,
        ),
    )
}


# fetching ----------------------------------------------------------------------------------------------------


def fetch(
    names: Iterable[str], folder: Path, registry: dict[str, Resource] = RESOURCES, timeout: float = 120
) -> list[Path]:
    """Download, check and build each named resource into ``folder``; a resource is written whole or not at all.
    Every resource is tried; the failures are reported together at the end."""
    names = list(names)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ResourceError(f"unknown resource(s) {', '.join(unknown)}; known: {', '.join(registry)}")
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ResourceError(
            f"cannot write the resource folder {folder}: {error}; choose another with --folder"
        ) from error
    written, failures = [], []
    for name in names:
        try:
            written.append(_fetch_one(registry[name], Path(folder), timeout))
        except ResourceError as error:
            failures.append(str(error))
    if failures:
        raise ResourceError("\n".join(failures))
    return written


def _fetch_one(resource: Resource, folder: Path, timeout: float) -> Path:
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix=f".{resource.name}-") as work:
            paths = [Path(work) / f"{i}-{_basename(d.url)}" for i, d in enumerate(resource.downloads)]
            seen = [
                _download(d, path, resource.name, timeout) for d, path in zip(resource.downloads, paths, strict=True)
            ]
            table = Path(work) / resource.filename
            _build(resource, paths, table)
            record = {
                "name": resource.name,
                "version": resource.version,
                "content": resource.content,
                "licence": resource.licence,
                "citation": resource.citation,
                "downloads": seen,
                "table_sha256": _sha256(table),
                "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
                "oncomix": __version__,
            }
            (Path(work) / "record.json").write_text(json.dumps(record, indent=2) + "\n")
            os.replace(table, folder / resource.filename)  # a record whose table_sha256 does not match is ignored
            os.replace(Path(work) / "record.json", folder / f"{resource.name}.json")
    except OSError as error:
        raise ResourceError(f"{resource.name}: cannot write to {folder}: {error}") from error
    log.info("%s: %s written to %s", resource.name, resource.filename, folder)
    return folder / resource.filename


def _basename(url: str) -> str:
    """A file name for a download: the last part of its URL path, in safe characters."""
    name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
    return "".join(c if c.isalnum() or c in "._+-" else "_" for c in name) or "download"


def _build(resource: Resource, paths: list[Path], table: Path) -> None:
    """The resource's builder; any failure (a changed layout, an error page saved as the file) is named with its
    source."""
    try:
        resource.build(paths, table)
    except ResourceError:
        raise
    except Exception as error:  # noqa: BLE001 (pandas, openpyxl and zipfile each raise their own types)
        sources = ", ".join(d.url for d in resource.downloads)
        raise ResourceError(
            f"{resource.name}: could not build {resource.filename} from {sources}: {error!r}; the source may "
            f"have changed: please report it"
        ) from error


def _download(download: Download, target: Path, name: str, timeout: float) -> dict:
    """Stream ``download.url`` to ``target``; check its length against the server's and the pinned sha256."""
    digest, size = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(download.url, timeout=timeout) as response, open(target, "wb") as out:
            announced = response.headers.get("Content-Length")
            while chunk := response.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except urllib.error.HTTPError as error:
        raise ResourceError(
            f"{name}: {download.url} answered HTTP {error.code} ({error.reason}): the source may have moved; "
            f"please report it"
        ) from error
    except http.client.HTTPException as error:
        raise ResourceError(f"{name}: download of {download.url} broke off ({error!r}); run the fetch again") from error
    except (urllib.error.URLError, OSError) as error:
        raise ResourceError(
            f"{name}: could not download {download.url}: {getattr(error, 'reason', error)}. Check the network "
            f"(a machine without one: fetch elsewhere and copy the resource folder, see the README)"
        ) from error
    if announced is not None and size != int(announced):
        raise ResourceError(
            f"{name}: download of {download.url} was cut off ({size} of {announced} bytes); run the fetch again"
        )
    sha256 = digest.hexdigest()
    if download.sha256 and sha256 != download.sha256:
        raise ResourceError(
            f"{name}: {download.url} is not the file oncomix expects (size {size}, sha256 {sha256}; expected "
            f"sha256 {download.sha256}); the source may have changed: please report it"
        )
    return asdict(download) | {"sha256": sha256, "size": size, "pinned": bool(download.sha256)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# what is there -----------------------------------------------------------------------------------------------


def describe(paths: dict[str, Path]) -> pd.DataFrame:
    """One row per resource table: name, file, version, licence, citation, fetched, sha256 (from its JSON record
    where there is one; a table without one, e.g. built by hand, is named by its sha256)."""
    rows = []
    for name, path in paths.items():
        record_path = Path(path).with_name(f"{name}.json")
        record = json.loads(record_path.read_text()) if record_path.is_file() else {}
        known, sha256 = RESOURCES.get(name), _sha256(Path(path))
        if record.get("table_sha256") != sha256:  # no record, or the table was replaced since
            record = {}
        rows.append(
            {
                "name": name,
                "file": str(path),
                "version": record.get("version", f"unrecorded (sha256 {sha256[:12]})"),
                "licence": record.get("licence", known.licence if known else ""),
                "citation": record.get("citation", known.citation if known else ""),
                "fetched": record.get("fetched", ""),
                "sha256": sha256,
            }
        )
    return pd.DataFrame(rows, columns=["name", "file", "version", "licence", "citation", "fetched", "sha256"])


def listing(folder: Path) -> str:
    """`oncomix resources list`: every known resource, with its version where it is in ``folder``."""
    present = available(folder, RESOURCES)
    table = describe(present).set_index("name") if present else pd.DataFrame()
    lines = [f"resource folder: {folder}"]
    for name, resource in RESOURCES.items():
        if name in present:
            row = table.loc[name]
            lines.append(
                f"  {name:<13} {resource.filename:<17} {row['version']}  (fetched {row['fetched'] or '?'}, "
                f"{row['licence']})"
            )
        else:
            lines.append(f"  {name:<13} {resource.filename:<17} missing: python -m oncomix resources fetch {name}")
    return "\n".join(lines)
