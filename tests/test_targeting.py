"""Targeting annotation: gene maps, the surfaceome and drug-target tables (small ones the tests write; the real
ones from ../shared/annotations, where `oncomix resources fetch` would put them), user tables, targets.tsv."""

from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
import yaml

from oncomix.errors import OncomixInputError
from oncomix.targeting import (
    INHIBITING_ACTIONS,
    RPPA,
    TargetingOptions,
    add_positive_rates,
    annotate,
    feature_genes,
    positive_tumours,
    read_gene_map,
    targetable_tumours,
    targets_table,
)

SHARED_ANNOTATIONS = (
    Path(__file__).resolve().parents[2] / "shared" / "annotations"
)  # third-party tables, beside the checkout


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> TargetingOptions:
    """Small surfaceome and drug-target tables in the layout `oncomix resources fetch` writes."""
    folder = tmp_path_factory.mktemp("resources")
    (folder / "surfaceome.tsv").write_text(
        "gene_symbol\tuniprot\tcspa_category\tcspa_high_confidence\tcd_antigen\n"
        "ERBB2\tP04626\t1 - high confidence\t1\tCD340\nCD48\tP09326\t1 - high confidence\t1\tCD48\n"
        "KIT\tP10721\t1 - high confidence\t1\tCD117\nGATA3\tX\t2 - putative\t0\t\n"
    )
    (folder / "drug_targets.tsv").write_text(
        "gene_symbol\tdrug_name\tevidence\tapproved_any\taction_type\n"
        "ERBB2\ttrastuzumab\tmoa\t1\tANTIBODY BINDING\nERBB2\tlapatinib\tmoa\t1\tINHIBITOR\n"
        "EGFR\tcetuximab\tmoa\t1\tANTIBODY BINDING\n"
        "EGFR\tdrug-x\tbioactivity\t1\t\nGATA3\tnot-approved\tmoa\t0\tINHIBITOR\nPTGER1\talprostadil\tmoa\t1\tAGONIST\n"
    )
    return TargetingOptions(surfaceome=str(folder / "surfaceome.tsv"), drug_targets=str(folder / "drug_targets.tsv"))


def marker_rows(rows):
    """Minimal biomarker rows: (subtype, omic, feature, is_marker, direction, one-vs-rest q)."""
    table = pd.DataFrame(rows, columns=["subtype", "omic", "feature", "is_marker", "direction", "q"])
    return table.assign(
        combined_rank=range(1, len(table) + 1),
        passes_floor=True,
        effect=1.0,
        ci_low=0.5,
        ci_high=1.5,
        effect_type="x",
        auc=0.9,
        separation=0.8,
        q_specific=0.001,
        fraction_subtype=0.6,
        fraction_rest=0.1,
        replication_rate=1.0,
        replicated=True,
    )


def test_rppa_antibodies_map_to_genes_by_name_or_by_target():
    rppa = read_gene_map(RPPA)
    genes = feature_genes(
        pd.Index(["HER2", "HER2_pY1248", "ER-alpha", "GATA3", "Akt_pS473", "HER2_pY877", "LBK1", "unknown"]), rppa
    )
    assert list(genes) == ["ERBB2", "ERBB2", "ESR1", "GATA3", "AKT1;AKT2;AKT3", "ERBB2", "STK11", ""]
    assert list(feature_genes(pd.Index(["EGFR", "GATA3"]), None)) == ["EGFR", "GATA3"]  # no map: ids are symbols
    lipids = pd.DataFrame(
        {"gene_symbol": ["PCYT1A"]}, index=pd.Index(["PC"], name="feature_id")
    )  # not an antibody map:
    assert list(feature_genes(pd.Index(["PC", "PC(34:1)", "pc"]), lipids)) == ["PCYT1A", "", ""]  # exact names only


def test_tables_flag_surface_proteins_and_approved_drug_targets(tables):
    table = marker_rows(
        [
            ("S1", "protein", "HER2", True, "up", 0.001),
            ("S1", "protein", "GATA3", True, "up", 0.001),
            ("S1", "rna", "EGFR", True, "up", 0.001),
        ]
    )
    out = annotate(table, {"protein": RPPA, "rna": None}, tables).set_index("feature")
    her2 = out.loc["HER2"]
    assert her2["gene_symbol"] == "ERBB2" and her2["cell_surface"] and her2["cd_antigen"] == "CD340"
    assert her2["approved_drugs"] == "lapatinib;trastuzumab" and her2["targetable"]
    assert (
        not out.loc["GATA3", "cell_surface"]
        and out.loc["GATA3", "approved_drugs"] == ""
        and not out.loc["GATA3", "targetable"]
    )
    assert out.loc["EGFR", "approved_drugs"] == "cetuximab" and out.loc["EGFR", "other_approved_drugs"] == "drug-x"
    assert out.loc["EGFR", "targetable"] and not out.loc["EGFR", "cell_surface"]
    assert her2["approved_drug_actions"] == "lapatinib: inhibitor;trastuzumab: antibody binding"


def test_agonists_are_listed_but_not_counted_unless_asked(tables):
    table = marker_rows([("S1", "rna", "PTGER1", True, "up", 0.001)])
    out = annotate(table, {}, tables).iloc[0]
    assert out["approved_drugs"] == "" and out["drugs_other_action"] == "alprostadil: agonist" and not out["targetable"]
    asked = annotate(table, {}, replace(tables, drug_actions=("INHIBITOR", "agonist"))).iloc[0]  # any case
    assert asked["approved_drugs"] == "alprostadil" and asked["targetable"]
    schema = yaml.safe_load((files("oncomix") / "schemas" / "config.schema.yaml").read_text())
    assert tuple(schema["properties"]["targeting"]["properties"]["drug_actions"]["default"]) == INHIBITING_ACTIONS


def test_rppa_naming_variants_map_and_unmapped_features_are_named(caplog):
    names = [
        "HER2_pY1248_Caution",
        "B-Raf_Caution",
        "c-myc",
        "C-Raf(BD610151)_Caution",
        "CD20 _Caution",
        "PARP_cleaved_Caution",
        "XYZ-9",
    ]
    assert list(feature_genes(pd.Index(names), read_gene_map(RPPA))) == [
        "ERBB2",
        "BRAF",
        "MYC",
        "RAF1",
        "MS4A1",
        "PARP1",
        "",
    ]
    with caplog.at_level("WARNING"):
        annotate(
            marker_rows([("S1", "protein", name, True, "up", 0.001) for name in names]),
            {"protein": RPPA},
            TargetingOptions(),
        )
    assert (
        "protein: 1 of 7 feature(s) have no gene in the gene map 'rppa', so they are not annotated for targeting: "
        "XYZ-9;" in caplog.text
    )


def test_every_antibody_of_the_shared_rppa_panels_maps_to_a_gene():
    panels = {
        "ccle_metabolomics": "rppa.tsv.gz",
        "tcga_brca_mixomics": "protein.tsv.gz",
        "tcga_acc_mini": "protein.tsv.gz",
    }
    for cohort, name in panels.items():
        path = SHARED_ANNOTATIONS.parent / "data" / cohort / name
        assert path.exists(), f"{path} is missing: the test reads the shared cohorts beside the checkout"
        antibodies = pd.read_csv(path, sep="\t", index_col=0, usecols=[0]).index
        genes = feature_genes(antibodies, read_gene_map(RPPA))
        assert list(antibodies[genes == ""]) == [], cohort


def test_the_real_tables_flag_her2_and_egfr():
    assert SHARED_ANNOTATIONS.is_dir(), (
        f"{SHARED_ANNOTATIONS} is missing: this test reads the real tables beside the checkout"
    )
    options = TargetingOptions(
        surfaceome=str(SHARED_ANNOTATIONS / "surfaceome.tsv"), drug_targets=str(SHARED_ANNOTATIONS / "drug_targets.tsv")
    )
    table = marker_rows([("S1", "protein", "HER2", True, "up", 0.001), ("S1", "rna", "EGFR", True, "up", 0.001)])
    out = annotate(table, {"protein": RPPA, "rna": None}, options).set_index("feature")
    assert out.loc["HER2", "cd_antigen"] == "CD340" and "trastuzumab" in out.loc["HER2", "approved_drugs"].split(";")
    assert "cetuximab" in out.loc["EGFR", "approved_drugs"].split(";")


def test_without_tables_nothing_is_flagged():
    out = annotate(marker_rows([("S1", "rna", "ERBB2", True, "up", 0.001)]), {}, TargetingOptions())
    assert (
        not out["targetable"].any()
        and (out[["approved_drugs", "other_approved_drugs", "cd_antigen"]] == "").all().all()
    )


def test_user_tables_extend_the_fetched_ones(tmp_path):
    (tmp_path / "surface.tsv").write_text("gene_symbol\nGATA3\n")
    (tmp_path / "drugs.tsv").write_text("gene_symbol\tdrug_name\nGATA3\tmy-ligand-np\n")
    (tmp_path / "metabolites.tsv").write_text("feature_id\tgene_symbol\nlactate\tLDHA;SLC16A3\n")
    options = TargetingOptions(
        surface_tables=(str(tmp_path / "surface.tsv"),), drug_target_tables=(str(tmp_path / "drugs.tsv"),)
    )
    table = marker_rows(
        [("S1", "protein", "GATA3", True, "up", 0.001), ("S1", "metabolite", "lactate", True, "up", 0.001)]
    )
    out = annotate(table, {"metabolite": str(tmp_path / "metabolites.tsv")}, options).set_index("feature")
    assert out.loc["GATA3", "cell_surface"] and out.loc["GATA3", "approved_drugs"] == "my-ligand-np"
    assert out.loc["lactate", "gene_symbol"] == "LDHA;SLC16A3"


def test_a_gene_map_without_the_needed_columns_is_named_with_the_fix(tmp_path):
    bad = tmp_path / "map.tsv"
    bad.write_text("metabolite\tgene\nlactate\tLDHA\n")
    with pytest.raises(OncomixInputError, match=r"map.tsv: gene map table lacks column\(s\) feature_id, gene_symbol"):
        read_gene_map(str(bad))


def test_targets_are_targetable_features_higher_in_the_subtype_specific_ones_first(tables):
    table = marker_rows(
        [
            ("S1", "protein", "HER2", True, "up", 0.001),  # surface + drugs
            ("S1", "protein", "GATA3", True, "up", 0.001),  # not targetable
            ("S1", "rna", "EGFR", True, "down", 0.001),  # targetable but down
            ("S1", "rna", "KIT", False, "up", 0.2),  # not higher than in the rest
            ("S1", "rna", "CD48", False, "up", 0.01),  # higher than in the rest, not specific
            ("S2", "rna", "EGFR", True, "up", 0.001),
            ("S2", "rna", "KIT", False, "up", 0.001),  # higher than in the rest, but below the marker floor
        ]
    )
    table.loc[table.index[-1], "passes_floor"] = False
    targets = targets_table(annotate(table, {"protein": RPPA}, tables), alpha=0.05)
    assert list(
        zip(targets["subtype"], targets["feature"], targets["target_rank"], targets["specific"], strict=True)
    ) == [
        ("S1", "HER2", 1, True),
        ("S1", "CD48", 2, False),
        ("S2", "EGFR", 1, True),
    ]


def test_positive_tumours_by_each_rule():
    rng = np.random.default_rng(0)
    ids = pd.Index([f"t{i}" for i in range(200)])
    # an amplified-like upper mode in 15% of tumours
    values = pd.Series(np.where(np.arange(200) < 30, rng.normal(4, 0.5, 200), rng.normal(0, 0.5, 200)), index=ids)
    positive, rule = positive_tumours(values, "protein")
    assert rule == "upper mixture mode" and positive.iloc[:30].all() and not positive.iloc[30:].any()
    unimodal = pd.Series(rng.normal(0, 1, 200), index=ids)
    positive, rule = positive_tumours(unimodal, "rna_counts")
    assert (
        rule == "above upper fence"
        and positive.sum()
        == (unimodal > np.percentile(unimodal, 75) + 1.5 * np.subtract(*np.percentile(unimodal, [75, 25]))).sum()
    )
    gistic = pd.Series(rng.choice([-1, 0, 0, 1, 2], 200), index=ids)
    positive, rule = positive_tumours(gistic, "copy_number")
    assert rule == "amplified" and (positive == (gistic == 2)).all()
    log2_ratio = pd.Series(rng.normal(0, 0.6, 200), index=ids)
    assert (positive_tumours(log2_ratio, "copy_number")[0] == (log2_ratio >= 1)).all()
    mutated = pd.Series(rng.integers(0, 2, 200), index=ids)
    assert (positive_tumours(mutated, "mutation")[0] == (mutated == 1)).all()


def test_targetable_tumours_and_positive_rates_per_subtype(tables):
    rng = np.random.default_rng(1)
    ids = [f"t{i}" for i in range(120)]
    her2 = np.where(np.arange(120) < 20, rng.normal(5, 0.4, 120), rng.normal(0, 0.4, 120))
    protein = ad.AnnData(
        np.column_stack([her2, rng.normal(size=120)]),
        obs=pd.DataFrame(index=ids),
        var=pd.DataFrame(index=["HER2", "GATA3"]),
    )
    protein.uns["omic_type"] = "protein"
    biomarkers = annotate(
        marker_rows([("S1", "protein", "HER2", True, "up", 0.001), ("S1", "protein", "GATA3", True, "up", 0.001)]),
        {"protein": RPPA},
        tables,
    )
    tumours = targetable_tumours(md.MuData({"protein": protein}), biomarkers)
    assert list(tumours.columns[:7]) == [
        "sample_id",
        "omic",
        "feature",
        "gene_symbol",
        "value",
        "percentile",
        "positive",
    ]
    assert set(tumours["feature"]) == {"HER2"} and len(tumours) == 120 and tumours["gene_symbol"].iloc[0] == "ERBB2"
    assert tumours["positive"].sum() == 20 and tumours["percentile"].between(0, 100).all()
    subtypes = pd.Series(["S1"] * 30 + ["S2"] * 90, index=ids)  # S1 holds all 20 positive tumours
    rates = add_positive_rates(targets_table(biomarkers, 0.05), tumours, subtypes)
    assert rates["positive_rate"].item() == pytest.approx(20 / 30, abs=1e-4) and rates["positive_rate_rest"].item() == 0
