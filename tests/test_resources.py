"""`oncomix resources`: fetch from a local HTTP server serving small files the tests write (the real sources'
layouts), check, build and record; a failed fetch writes nothing and leaves what was there."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import socket
import threading
import zipfile
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from oncomix.cli import main
from oncomix.resources import (
    ENV_VAR,
    RESOURCES,
    Download,
    ResourceError,
    available,
    build_gmt,
    build_progeny,
    describe,
    fetch,
    listing,
    resource_folder,
)
from oncomix.targeting import TargetingOptions, annotate

CSPA = pd.DataFrame(
    {
        "ID_link": ["P04626", "P00533", "P08575", "Q99999"],
        "ENTREZ gene symbol": ["ERBB2", "EGFR", "PTPRC", "MYPROT"],
        "CSPA category": ["1 - high confidence", "1 - high confidence", "1 - high confidence", "2 - putative"],
        "CD": ["CD340", "0", "CD45", "#N/A"],
        "organism": ["Human"] * 4,
    }
)
DRUGCENTRAL_HEADER = [
    "DRUG_NAME",
    "STRUCT_ID",
    "TARGET_NAME",
    "TARGET_CLASS",
    "ACCESSION",
    "GENE",
    "SWISSPROT",
    "ACT_VALUE",
    "ACT_UNIT",
    "ACT_TYPE",
    "ACT_COMMENT",
    "ACT_SOURCE",
    "RELATION",
    "MOA",
    "MOA_SOURCE",
    "ACT_SOURCE_URL",
    "MOA_SOURCE_URL",
    "ACTION_TYPE",
    "TDL",
    "ORGANISM",
]


def interaction(drug, struct_id, gene, moa, action, organism="Homo sapiens"):
    row = dict.fromkeys(DRUGCENTRAL_HEADER, "")
    return row | {
        "DRUG_NAME": drug,
        "STRUCT_ID": struct_id,
        "GENE": gene,
        "MOA": moa,
        "ACTION_TYPE": action,
        "TARGET_CLASS": "Kinase",
        "ORGANISM": organism,
    }


INTERACTIONS = pd.DataFrame(
    [
        interaction("trastuzumab", "5000", "ERBB2", "1", "ANTIBODY BINDING"),
        interaction("Cetuximab", "5001", "EGFR", "1", "ANTIBODY BINDING"),
        interaction("lapatinib", "5002", "EGFR", "", ""),  # bioactivity only
        interaction("diazepam", "5003", "GABRA1|GABRB2", "1", "POSITIVE ALLOSTERIC MODULATOR"),  # a complex
        interaction("ratdrug", "5004", "Erbb2", "1", "INHIBITOR", organism="Rattus norvegicus"),
        interaction("trial-drug", "5005", "ERBB2", "1", "INHIBITOR"),  # not approved
    ]
)


def files() -> dict[str, bytes]:
    """What the test server serves, by path."""
    cspa = io.BytesIO()
    CSPA.to_excel(cspa, sheet_name="Table A", index=False)
    gmt = b"SET_A\thttp://a\tERBB2\tEGFR\r\nSET_B\thttp://b\tTP53\r\n"
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("ReactomePathways.gmt", gmt)
    return {
        "/S2_File.xlsx": cspa.getvalue(),
        "/drug.target.interaction.tsv.gz": gzip.compress(
            INTERACTIONS.to_csv(sep="\t", index=False, quoting=1).encode()
        ),
        "/approved.csv": b'"ID","DRUG_NAME"\n5000,trastuzumab\n5001,cetuximab\n5002,lapatinib\n'
        b"5003,diazepam\n5004,ratdrug\n",
        "/h.gmt": gmt,
        "/reactome.gmt.zip": zipped.getvalue(),
        "/truncated": b"only part of it",
    }


@pytest.fixture(scope="module")
def server():
    served = files()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = served.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            announced = len(body) + 1000 if self.path == "/truncated" else len(body)  # the connection ends early
            self.send_header("Content-Length", str(announced))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", served
    httpd.shutdown()


def local(server_url: str) -> dict:
    """The real registry, its downloads pointed at the test server."""
    urls = {
        "surfaceome": ["/S2_File.xlsx"],
        "drug_targets": ["/drug.target.interaction.tsv.gz", "/approved.csv"],
        "hallmark": ["/h.gmt"],
        "reactome": ["/reactome.gmt.zip"],
    }
    return {
        name: replace(RESOURCES[name], downloads=tuple(Download(server_url + path) for path in paths))
        for name, paths in urls.items()
    }


def test_fetch_builds_the_targeting_tables_and_records_what_it_downloaded(tmp_path, server):
    url, served = server
    fetch(["surfaceome", "drug_targets"], tmp_path, registry=local(url))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "drug_targets.json",
        "drug_targets.tsv",
        "surfaceome.json",
        "surfaceome.tsv",
    ]
    surface = pd.read_csv(tmp_path / "surfaceome.tsv", sep="\t", keep_default_na=False)
    assert dict(zip(surface["gene_symbol"], surface["cspa_high_confidence"], strict=True)) == {
        "EGFR": 1,
        "ERBB2": 1,
        "MYPROT": 0,
        "PTPRC": 1,
    }
    assert dict(zip(surface["gene_symbol"], surface["cd_antigen"], strict=True))["EGFR"] == ""
    drugs = pd.read_csv(tmp_path / "drug_targets.tsv", sep="\t", keep_default_na=False)
    assert "ratdrug" not in set(drugs["drug_name"]) and set(
        drugs.loc[drugs["drug_name"] == "diazepam", "gene_symbol"]
    ) == {"GABRA1", "GABRB2"}
    assert drugs.set_index("drug_name").loc["lapatinib", "evidence"] == "bioactivity"
    assert drugs.set_index("drug_name").loc["trial-drug", "approved_any"] == 0

    record = json.loads((tmp_path / "drug_targets.json").read_text())
    assert record["licence"] == "CC BY-SA 4.0" and record["version"] == RESOURCES["drug_targets"].version
    assert record["table_sha256"] == hashlib.sha256((tmp_path / "drug_targets.tsv").read_bytes()).hexdigest()
    assert [d["sha256"] for d in record["downloads"]] == [
        hashlib.sha256(served[p]).hexdigest() for p in ("/drug.target.interaction.tsv.gz", "/approved.csv")
    ]
    assert "DrugCentral 2021-09-01" in listing(
        tmp_path
    ) and "missing: python -m oncomix resources fetch progeny" in listing(tmp_path)

    tables = available(tmp_path, ["surfaceome", "drug_targets"])
    markers = pd.DataFrame({"subtype": "S1", "omic": "rna", "feature": ["ERBB2", "EGFR", "MYPROT"]})
    out = annotate(
        markers, {}, TargetingOptions(surfaceome=str(tables["surfaceome"]), drug_targets=str(tables["drug_targets"]))
    )
    out = out.set_index("feature")
    assert out.loc["ERBB2", "cd_antigen"] == "CD340" and out.loc["ERBB2", "approved_drugs"] == "trastuzumab"
    assert out.loc["EGFR", "approved_drugs"] == "cetuximab" and out.loc["EGFR", "other_approved_drugs"] == "lapatinib"
    assert not out.loc["MYPROT", "targetable"]  # putative only
    assert describe(tables).set_index("name").loc["surfaceome", "version"] == RESOURCES["surfaceome"].version
    (tmp_path / "surfaceome.tsv").write_text(
        "gene_symbol\tcspa_high_confidence\tcd_antigen\n"
    )  # replaced by hand: record ignored
    assert describe(tables).set_index("name").loc["surfaceome", "version"].startswith("unrecorded (sha256 ")


def existing_table(folder) -> bytes:
    """A resource fetched before: a failed fetch must leave it as it was."""
    (folder / "surfaceome.tsv").write_text("gene_symbol\tcspa_high_confidence\tcd_antigen\nERBB2\t1\t\n")
    return (folder / "surfaceome.tsv").read_bytes()


def assert_nothing_written(folder, before: bytes) -> None:
    assert (
        sorted(p.name for p in folder.iterdir()) == ["surfaceome.tsv"]
        and (folder / "surfaceome.tsv").read_bytes() == before
    )


def test_a_checksum_mismatch_is_refused_and_writes_nothing(tmp_path, server):
    url, served = server
    before = existing_table(tmp_path)
    registry = {
        "surfaceome": replace(RESOURCES["surfaceome"], downloads=(Download(url + "/S2_File.xlsx", sha256="0" * 64),))
    }
    with pytest.raises(
        ResourceError,
        match=r"surfaceome: .*S2_File.xlsx is not the file oncomix expects \(size \d+, sha256 [0-9a-f]{64}; expected",
    ):
        fetch(["surfaceome"], tmp_path, registry=registry)
    assert_nothing_written(tmp_path, before)
    right = hashlib.sha256(served["/S2_File.xlsx"]).hexdigest()  # the pinned checksum passes
    registry = {
        "surfaceome": replace(RESOURCES["surfaceome"], downloads=(Download(url + "/S2_File.xlsx", sha256=right),))
    }
    fetch(["surfaceome"], tmp_path, registry=registry)
    assert json.loads((tmp_path / "surfaceome.json").read_text())["downloads"][0]["pinned"] is True


def test_a_truncated_download_is_refused_and_writes_nothing(tmp_path, server):
    url, _ = server
    before = existing_table(tmp_path)
    registry = {"surfaceome": replace(RESOURCES["surfaceome"], downloads=(Download(url + "/truncated"),))}
    with pytest.raises(
        ResourceError,
        match=r"surfaceome: download of .*/truncated was cut off \(15 of 1015 bytes\); run the fetch again",
    ):
        fetch(["surfaceome"], tmp_path, registry=registry)
    assert_nothing_written(tmp_path, before)


def test_no_network_gives_a_clear_error_and_writes_nothing(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = existing_table(tmp_path)
    registry = {
        "surfaceome": replace(RESOURCES["surfaceome"], downloads=(Download(f"http://127.0.0.1:{port}/S2_File.xlsx"),))
    }
    with pytest.raises(
        ResourceError,
        match=r"surfaceome: could not download .* Check the network \(a machine without one: fetch elsewhere",
    ):
        fetch(["surfaceome"], tmp_path, registry=registry, timeout=5)
    assert_nothing_written(tmp_path, before)


def test_a_source_with_another_layout_is_named(tmp_path, server):
    url, _ = server
    registry = {
        "drug_targets": replace(
            RESOURCES["drug_targets"], downloads=(Download(url + "/h.gmt"), Download(url + "/approved.csv"))
        )
    }
    with pytest.raises(
        ResourceError, match=r"0-h.gmt: the source lacks column\(s\) DRUG_NAME, STRUCT_ID.*layout has changed"
    ):
        fetch(["drug_targets"], tmp_path, registry=registry)
    assert list(tmp_path.iterdir()) == []


def test_gene_sets_are_fetched_plain_or_zipped_with_unix_line_ends(tmp_path, server):
    url, _ = server
    fetch(["hallmark", "reactome"], tmp_path, registry=local(url))
    expected = "SET_A\thttp://a\tERBB2\tEGFR\nSET_B\thttp://b\tTP53\n"
    assert (tmp_path / "hallmark.gmt").read_text() == expected == (tmp_path / "reactome.gmt").read_text()
    (tmp_path / "bad.gmt").write_text("SET_A\tERBB2\n")
    with pytest.raises(ResourceError, match=r"bad.gmt: not a GMT file \(line\(s\) \[1\]"):
        build_gmt([tmp_path / "bad.gmt"], tmp_path / "out.gmt")


def test_progeny_keeps_each_pathways_top_genes_by_p_value(tmp_path):
    rows = []
    for record, (gene, pathway, weight, p) in enumerate(
        [("A", "EGFR", 2.0, 1e-9), ("B", "EGFR", 1.0, 1e-3), ("C", "EGFR", -3.0, 1e-6), ("A", "p53", -1.5, 1e-4)]
    ):
        rows += [
            {
                "uniprot": "",
                "genesymbol": gene,
                "entity_type": "protein",
                "source": "PROGENy",
                "label": label,
                "value": value,
                "record_id": record,
            }
            for label, value in (("pathway", pathway), ("weight", weight), ("p_value", p))
        ]
    (tmp_path / "omnipath.tsv").write_text(pd.DataFrame(rows).to_csv(sep="\t", index=False))
    build_progeny([tmp_path / "omnipath.tsv"], tmp_path / "progeny.tsv", top=2)
    weights = pd.read_csv(tmp_path / "progeny.tsv", sep="\t", index_col="gene")
    assert weights.to_dict() == {
        "EGFR": {"A": 2.0, "C": -3.0},
        "p53": {"A": -1.5, "C": 0.0},
    }  # B is not in EGFR's top 2


def test_the_folder_is_the_configs_else_the_environment_else_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert str(resource_folder("given")) == "given"  # the config wins over the environment
    assert resource_folder("") == tmp_path / "env"
    monkeypatch.delenv(ENV_VAR)
    assert resource_folder(None).parts[-2:] == ("oncomix", "resources")


def test_the_command_line_names_an_unknown_resource(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["resources", "fetch", "surfacome", "--folder", str(tmp_path)])
    assert stop.value.code == 1 and "unknown resource(s) surfacome; known: surfaceome" in capsys.readouterr().err


def test_a_moved_or_broken_source_is_named_and_the_other_resources_are_still_fetched(tmp_path, server):
    url, _ = server
    registry = local(url) | {
        "surfaceome": replace(RESOURCES["surfaceome"], downloads=(Download(url + "/h.gmt"),)),  # not a spreadsheet
        "reactome": replace(RESOURCES["reactome"], downloads=(Download(url + "/gone.gmt.zip"),)),
    }
    with pytest.raises(ResourceError) as error:
        fetch(["surfaceome", "reactome", "hallmark"], tmp_path, registry=registry)
    lines = str(error.value).splitlines()
    assert (
        lines[0].startswith(f"surfaceome: could not build surfaceome.tsv from {url}/h.gmt: ")
        and "please report it" in lines[0]
    )
    assert (
        lines[1]
        == f"reactome: {url}/gone.gmt.zip answered HTTP 404 (Not Found): the source may have moved; please report it"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hallmark.gmt", "hallmark.json"]
