"""Targeting annotation: gene maps, the shipped surfaceome and drug-target tables, user tables, targets.tsv."""

import pandas as pd
import pytest

from oncomix.errors import OncomixInputError
from oncomix.targeting import RPPA, TargetingOptions, annotate, feature_genes, read_gene_map, targets_table


def marker_rows(rows):
    """Minimal biomarker rows: (subtype, omic, feature, is_marker, direction, one-vs-rest q)."""
    table = pd.DataFrame(rows, columns=["subtype", "omic", "feature", "is_marker", "direction", "q"])
    return table.assign(combined_rank=range(1, len(table) + 1), effect=1.0, ci_low=0.5, ci_high=1.5, effect_type="x", auc=0.9,
                        separation=0.8, q_specific=0.001, fraction_subtype=0.6, fraction_rest=0.1, replication_rate=1.0, replicated=True)


def test_rppa_antibodies_map_to_genes_by_name_or_by_target():
    rppa = read_gene_map(RPPA)
    genes = feature_genes(pd.Index(["HER2", "HER2_pY1248", "ER-alpha", "GATA3", "Akt_pS473", "HER2_pY877", "LBK1", "unknown"]), rppa)
    assert list(genes) == ["ERBB2", "ERBB2", "ESR1", "GATA3", "AKT1;AKT2;AKT3", "ERBB2", "STK11", ""]
    assert list(feature_genes(pd.Index(["EGFR", "GATA3"]), None)) == ["EGFR", "GATA3"]  # no map: ids are symbols


def test_shipped_tables_flag_surface_proteins_and_approved_drug_targets():
    table = marker_rows([("S1", "protein", "HER2", True, "up", 0.001), ("S1", "protein", "GATA3", True, "up", 0.001), ("S1", "rna", "EGFR", True, "up", 0.001)])
    out = annotate(table, {"protein": RPPA, "rna": None}, TargetingOptions()).set_index("feature")
    her2 = out.loc["HER2"]
    assert her2["gene_symbol"] == "ERBB2" and her2["cell_surface"] and her2["cd_antigen"] == "CD340"
    assert "trastuzumab" in her2["approved_drugs"].split(";") and her2["targetable"]
    assert not out.loc["GATA3", "cell_surface"] and out.loc["GATA3", "approved_drugs"] == "" and not out.loc["GATA3", "targetable"]
    assert "cetuximab" in out.loc["EGFR", "approved_drugs"].split(";")


def test_user_tables_extend_the_shipped_ones(tmp_path):
    (tmp_path / "surface.tsv").write_text("gene_symbol\nGATA3\n")
    (tmp_path / "drugs.tsv").write_text("gene_symbol\tdrug_name\nGATA3\tmy-ligand-np\n")
    (tmp_path / "metabolites.tsv").write_text("feature_id\tgene_symbol\nlactate\tLDHA;SLC16A3\n")
    options = TargetingOptions(surface_tables=(str(tmp_path / "surface.tsv"),), drug_target_tables=(str(tmp_path / "drugs.tsv"),))
    table = marker_rows([("S1", "protein", "GATA3", True, "up", 0.001), ("S1", "metabolite", "lactate", True, "up", 0.001)])
    out = annotate(table, {"metabolite": str(tmp_path / "metabolites.tsv")}, options).set_index("feature")
    assert out.loc["GATA3", "cell_surface"] and out.loc["GATA3", "approved_drugs"] == "my-ligand-np"
    assert out.loc["lactate", "gene_symbol"] == "LDHA;SLC16A3"


def test_a_gene_map_without_the_needed_columns_is_named_with_the_fix(tmp_path):
    bad = tmp_path / "map.tsv"
    bad.write_text("metabolite\tgene\nlactate\tLDHA\n")
    with pytest.raises(OncomixInputError, match=r"map.tsv: gene map table lacks column\(s\) feature_id, gene_symbol"):
        read_gene_map(str(bad))


def test_targets_are_targetable_features_higher_in_the_subtype_specific_ones_first():
    table = marker_rows([
        ("S1", "protein", "HER2", True, "up", 0.001),  # surface + drugs
        ("S1", "protein", "GATA3", True, "up", 0.001),  # not targetable
        ("S1", "rna", "EGFR", True, "down", 0.001),  # targetable but down
        ("S1", "rna", "KIT", False, "up", 0.2),  # not higher than in the rest
        ("S1", "rna", "CD48", False, "up", 0.01),  # higher than in the rest, not specific
        ("S2", "rna", "EGFR", True, "up", 0.001),
    ])
    targets = targets_table(annotate(table, {"protein": RPPA}, TargetingOptions()), alpha=0.05)
    assert list(zip(targets["subtype"], targets["feature"], targets["target_rank"], targets["specific"])) == [
        ("S1", "HER2", 1, True), ("S1", "CD48", 2, False), ("S2", "EGFR", 1, True),
    ]
