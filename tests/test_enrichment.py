"""Gene-set collections (oncomix.genesets) and enrichment of subtypes and factors (oncomix.enrichment, gseapy)."""

from pathlib import Path

import gseapy
import numpy as np
import pandas as pd
import pytest

import oncomix.enrichment as enrichment_module
from oncomix.enrichment import EnrichmentOptions, by_gene, enrichment, sized_sets, tumour_activity
from oncomix.errors import OncomixInputError
from oncomix.genesets import check_overlap, feature_symbols, gene_views, read_collection
from oncomix.report import activity_summary, pathway_summary

SHARED_GENESETS = Path(__file__).resolve().parents[2] / "shared" / "genesets"
GENES = [f"G{i:03d}" for i in range(200)]
PLANTED = GENES[:20]  # rises in ST1 (falls in ST2, the rest) and falls with Factor1
TYPES = {"rna": "rna_counts", "mut": "mutation"}


def collection() -> dict[str, list[str]]:
    rng = np.random.default_rng(0)
    return {"PLANTED": PLANTED, "RANDOM": sorted(rng.choice(GENES[40:], 20, replace=False)), "TOO_SMALL": GENES[:3]}


def symbols(views=("rna", "mut")) -> pd.DataFrame:
    return feature_symbols(
        {"rna": pd.Index(GENES), "mut": pd.Index(GENES[:10] + GENES[140:180])}, {v: None for v in views}
    )


def marker_table() -> pd.DataFrame:
    """Two subtypes, so ST2's one-vs-rest AUC is 1 - ST1's."""
    rng = np.random.default_rng(1)
    auc = rng.uniform(0.3, 0.7, len(GENES))
    auc[: len(PLANTED)] = rng.uniform(0.8, 0.95, len(PLANTED))
    rows = []
    for subtype, values in (("ST1", auc), ("ST2", 1 - auc)):
        rows += [
            {
                "subtype": subtype,
                "omic": "rna",
                "feature": g,
                "auc": a,
                "q": 1.0,
                "direction": "up" if a > 0.5 else "down",
            }
            for g, a in zip(GENES, values, strict=True)
        ]
        mutated = set(PLANTED[:8]) if subtype == "ST1" else set(GENES[150:152])
        rows += [
            {
                "subtype": subtype,
                "omic": "mut",
                "feature": g,
                "auc": 0.5,
                "q": 0.001 if g in mutated else 0.8,
                "direction": "up",
            }
            for g in GENES[:10] + GENES[140:180]
        ]
    return pd.DataFrame(rows)


def weight_table() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    weights = rng.normal(0, 0.1, len(GENES))
    weights[: len(PLANTED)] = -rng.uniform(0.5, 1.0, len(PLANTED))
    return pd.DataFrame({"view": "rna", "feature": GENES, "factor": "Factor1", "weight": weights})


R2 = pd.DataFrame({"Factor1": [30.0, 0.0], "Factor2": [0.5, 0.0]}, index=["rna", "mut"])  # percent per view


def run(**options) -> pd.DataFrame:
    weights = pd.concat(
        [weight_table(), weight_table().assign(factor="Factor2")]
    )  # Factor2 explains 0.5% of rna: not tested
    return enrichment(
        marker_table(),
        weights,
        R2,
        symbols(),
        {"toy": collection()},
        TYPES,
        EnrichmentOptions(permutations=200, **options),
    )


def test_planted_set_is_found_for_its_subtypes_its_mutations_and_its_factor():
    table = run()
    indexed = table.set_index(["level", "group", "view", "term"])

    def get(level, group, view, term):
        return indexed.loc[(level, group, view, term)]

    st1 = get("subtype", "ST1", "rna", "PLANTED")
    assert st1["method"] == "gsea_prerank" and st1["nes"] > 1.5 and st1["q"] < 0.05 and st1["significant"]
    st2 = get("subtype", "ST2", "rna", "PLANTED")
    assert st2["nes"] < -1.5 and st2["significant"]  # low in the other subtype: negative NES
    assert not get("subtype", "ST1", "rna", "RANDOM")["significant"]
    mutations = get("subtype", "ST1", "mut", "PLANTED")
    assert mutations["method"] == "hypergeometric" and mutations["p"] < 0.01 and mutations["odds_ratio"] > 1
    no_hit = get("subtype", "ST2", "mut", "PLANTED")  # ST2's mutated genes are outside the set
    assert no_hit["p"] == 1.0 and np.isnan(no_hit["odds_ratio"]) and not no_hit["significant"]
    factor = get("factor", "Factor1", "rna", "PLANTED")
    assert factor["nes"] < -1.5 and factor["significant"]  # the genes fall with the factor
    assert "TOO_SMALL" not in set(table.loc[table["method"] == "gsea_prerank", "term"])  # 3 genes < min_size 10
    assert set(table.loc[table["level"] == "factor", "group"]) == {"Factor1"}
    assert table["q"].between(0, 1).all() and (table["q"] >= table["p"] - 1e-12).all()
    pd.testing.assert_frame_equal(table, run())  # the same seed gives the same table


def test_without_testable_sets_the_table_is_empty_with_its_columns():
    table = enrichment(
        marker_table(), weight_table(), R2, symbols(), {"tiny": {"A": GENES[:2]}}, TYPES, EnrichmentOptions()
    )
    assert table.empty and {"nes", "q", "significant"} <= set(table.columns)


def test_only_views_that_name_genes_are_tested_and_multi_gene_features_count_for_each_gene(tmp_path):
    omics = {
        "rna": {"type": "rna_counts"},
        "metab": {"type": "metabolite"},
        "rppa": {"type": "protein", "gene_map": "rppa"},
        "probes": {"type": "methylation"},
    }
    assert gene_views(omics) == {"rna": None, "rppa": "rppa"}
    found = feature_symbols(
        {"rna": pd.Index(["TP53"]), "rppa": pd.Index(["Akt", "HER2_pY1248_Caution", "unknown_ab"])}, gene_views(omics)
    )
    rppa = found[found["view"] == "rppa"]
    assert {"AKT1", "AKT2", "AKT3"} <= set(rppa.loc[rppa["feature"] == "Akt", "gene"]) and "unknown_ab" not in set(
        rppa["feature"]
    )
    assert set(rppa.loc[rppa["feature"] == "HER2_pY1248_Caution", "gene"]) == {"ERBB2"}


def test_one_gene_per_feature_group_and_a_stable_order():
    ranked = by_gene(pd.Series([0.1, -0.4, 0.3, 0.3]), pd.Series(["A", "A", "B", "C"]))
    assert ranked.to_dict() == {"B": 0.3, "C": 0.3, "A": -0.4}  # A keeps its strongest feature; ties by gene name
    assert sized_sets({"S": ["A", "B", "X"]}, pd.Index(["A", "B"]), EnrichmentOptions(min_size=2)) == {"S": ["A", "B"]}


def test_collections_are_read_from_gmt_long_and_weight_tables(tmp_path):
    gmt = tmp_path / "sets.GMT"
    gmt.write_text("SET_A\tdescription\tTP53\tEGFR\n\nSET_B\thttp://x\tMYC\n")
    assert read_collection(gmt) == {"SET_A": ["EGFR", "TP53"], "SET_B": ["MYC"]}
    long = tmp_path / "long.tsv"
    pd.DataFrame({"source": ["P", "P", "Q"], "target": ["A", "B", "C"], "weight": [1.0, -2.0, 1.0]}).to_csv(
        long, sep="\t", index=False
    )
    assert read_collection(long) == {"P up": ["A"], "P down": ["B"], "Q up": ["C"]}  # weighted: always up / down
    unweighted = tmp_path / "unweighted.tsv"
    pd.DataFrame({"source": ["P", "P"], "target": ["A", "B"]}).to_csv(unweighted, sep="\t", index=False)
    assert read_collection(unweighted) == {"P": ["A", "B"]}
    wide = tmp_path / "wide.tsv"
    pd.DataFrame({"gene": ["A", "B", "C"], "EGFR": [2.0, -1.0, 0.0], "MAPK": [0.0, 0.0, 3.0]}).to_csv(
        wide, sep="\t", index=False
    )
    assert read_collection(wide) == {"EGFR up": ["A"], "EGFR down": ["B"], "MAPK up": ["C"]}


def test_bad_collections_are_named_with_the_fix(tmp_path):
    with pytest.raises(OncomixInputError, match="missing.gmt.*not found.*genesets"):
        read_collection(tmp_path / "missing.gmt")
    bad = tmp_path / "bad.gmt"
    bad.write_text("SET_A\tonly a description\n")
    with pytest.raises(OncomixInputError, match="bad.gmt, line 1"):
        read_collection(bad)
    twice = tmp_path / "twice.gmt"
    twice.write_text("S\td\tA\nS\td\tB\n")
    with pytest.raises(OncomixInputError, match="twice.gmt, line 2.*named twice"):
        read_collection(twice)
    text = tmp_path / "text.tsv"
    pd.DataFrame({"gene": ["A", "B"], "EGFR": [1.0, "high"]}).to_csv(text, sep="\t", index=False)
    with pytest.raises(OncomixInputError, match="text.tsv.*'EGFR' holds text \\(first at row 'B'\\)"):
        read_collection(text)
    weights = tmp_path / "weights.tsv"
    pd.DataFrame({"source": ["P"], "target": ["A"], "weight": ["strong"]}).to_csv(weights, sep="\t", index=False)
    with pytest.raises(OncomixInputError, match="weights.tsv.*'weight' holds text"):
        read_collection(weights)


def test_a_collection_that_no_view_can_test_is_named():
    problems = check_overlap({"toy": collection(), "mouse": {"M": ["Trp53", "Egfr"]}}, symbols(), min_size=10)
    assert len(problems) == 1 and "'mouse'" in problems[0] and "gene_map" in problems[0]


def test_pathway_activity_per_tumour_differs_where_the_subtype_raises_the_set():
    rng = np.random.default_rng(3)
    values = pd.DataFrame(rng.normal(0, 1, (60, len(GENES))), index=[f"T{i:02d}" for i in range(60)], columns=GENES)
    subtypes = pd.Series(["A"] * 30 + ["B"] * 30, index=values.index)
    values.loc[subtypes == "A", PLANTED] += 2.0  # the planted genes are higher in every tumour of A
    values.iloc[0, 150] = np.nan  # a gene with a missing value is left out
    sets = collection() | {"PATH up": PLANTED[:12], "PATH down": GENES[40:52]}
    scores, tests = tumour_activity({"rna": values}, symbols(("rna",)), {"toy": sets}, subtypes, EnrichmentOptions())
    assert (
        set(scores.columns) == {"sample_id", "view", "collection", "term", "score"}
        and scores["sample_id"].nunique() == 60
    )
    tests = tests.set_index("term")
    assert tests.loc["PLANTED", "q"] < 1e-6 and tests.loc["PLANTED", "median_A"] > tests.loc["PLANTED", "median_B"]
    assert tests.loc["RANDOM", "q"] > 0.01 and "TOO_SMALL" not in tests.index
    assert "PATH (up - down)" in tests.index and "PATH up" not in tests.index  # one signed score per weighted pathway
    assert tests.loc["PATH (up - down)", "median_A"] > tests.loc["PATH (up - down)", "median_B"]
    summary = activity_summary(tests.reset_index(), 0.05, 1)
    assert list(summary["term"]) == [tests["effect"].idxmax()]
    empty_scores, empty_tests = tumour_activity(
        {"rna": values}, symbols(("rna",)), {"tiny": {"S": GENES[:2]}}, subtypes, EnrichmentOptions()
    )
    assert empty_scores.empty and empty_tests.empty and "q" in empty_tests.columns


def test_gene_values_average_each_genes_features_and_leave_out_genes_with_a_missing_value():
    values = pd.DataFrame(
        {"f1": [1.0, 2.0, 3.0], "f2": [3.0, 4.0, np.nan], "f3": [5.0, 6.0, 7.0], "f4": [1.0, np.nan, 1.0]},
        index=["T1", "T2", "T3"],
    )
    pairs = pd.DataFrame(  # f1 and f2 name A; f3 names B and C (a multi-gene antibody); f4 names D; f5 is not measured
        {"feature": ["f1", "f2", "f3", "f3", "f4", "f5"], "gene": ["A", "A", "B", "C", "D", "E"]}
    )
    genes = enrichment_module.gene_values(values, pairs)
    assert list(genes.columns) == ["A", "B", "C"] and list(genes.index) == ["T1", "T2", "T3"]  # D has a gap
    assert genes["A"].tolist() == [2.0, 3.0, 3.0]  # the mean of the features observed in each tumour
    assert genes["B"].tolist() == genes["C"].tolist() == [5.0, 6.0, 7.0]
    complete = enrichment_module.gene_values(values.fillna(0.0), pairs)  # no gap: the other branch
    assert complete["A"].tolist() == [2.0, 3.0, 1.5] and complete["D"].tolist() == [1.0, 0.0, 1.0]


def test_tumours_scored_in_chunks_get_the_scores_of_one_gseapy_call(monkeypatch):
    rng = np.random.default_rng(4)
    values = pd.DataFrame(rng.normal(0, 1, (30, len(GENES))), index=[f"T{i:02d}" for i in range(30)], columns=GENES)
    sets, options = collection(), EnrichmentOptions()
    monkeypatch.setattr(enrichment_module, "SSGSEA_CHUNK", 7)  # 5 calls, the last of 2 tumours
    chunked = enrichment_module.pathway_activity(values, sets, options)
    one_call = (
        gseapy.ssgsea(
            data=values.T,
            gene_sets=sized_sets(sets, pd.Index(GENES), options),
            sample_norm_method="rank",
            permutation_num=0,
            min_size=options.min_size,
            seed=options.seed,
            **enrichment_module.GSEAPY_QUIET,
        )
        .res2d.pivot(index="Name", columns="Term", values="NES")
        .astype(float)
    )
    assert list(chunked.columns) == ["PLANTED", "RANDOM"] and list(chunked.index) == list(values.index)
    pd.testing.assert_frame_equal(chunked, one_call.loc[values.index, chunked.columns], check_names=False, atol=1e-12)


def test_the_report_shows_the_strongest_significant_sets_per_group():
    shown = pathway_summary(run(), per_group=1)
    assert [(row["group"], row["term"]) for row in shown["subtype"]][:1] == [("ST1", "PLANTED")]
    assert all(row["significant"] for rows in shown.values() for row in rows)
    assert pathway_summary(None) is None


def test_the_shared_collections_load():
    hallmark = read_collection(SHARED_GENESETS / "h.all.v7.0.symbols.gmt")
    assert len(hallmark) == 50 and len(hallmark["HALLMARK_E2F_TARGETS"]) == 200
    reactome = read_collection(SHARED_GENESETS / "ReactomePathways_2024-09-18.gmt")
    assert len(reactome) > 1000
    progeny = read_collection(SHARED_GENESETS / "progeny_human_top100_14pathways.tsv")
    assert {"EGFR up", "EGFR down", "JAK-STAT up"} <= set(
        progeny
    ) and "JAK-STAT down" not in progeny  # no negative weights


def brca_pam50_hallmark() -> pd.DataFrame:
    """Hallmark enrichment of the shared TCGA-BRCA mRNA (200 genes) for PAM50 basal-like and luminal A tumours,
    each against the rest (one-vs-rest AUC from the Mann-Whitney rank sum; sets of 5+ genes: a small panel),
    indexed by group and term. Prints with: .venv/bin/python -c "from tests.test_enrichment import *;
    print(brca_pam50_hallmark()[['nes', 'p', 'q']])"."""
    folder = SHARED_GENESETS.parent / "data" / "tcga_brca_mixomics"
    mrna = pd.read_csv(folder / "mrna.tsv.gz", sep="\t", index_col=0).T
    pam50 = pd.read_csv(folder / "samples.tsv", sep="\t", index_col=0)["subtype"].reindex(mrna.index)
    hallmark = read_collection(SHARED_GENESETS / "h.all.v7.0.symbols.gmt")
    ranks = mrna.rank()
    rows = []
    for subtype in ("Basal", "LumA"):
        inside = pam50 == subtype
        auc = (ranks[inside].sum() - inside.sum() * (inside.sum() + 1) / 2) / (inside.sum() * (~inside).sum())
        rows += [
            {"subtype": subtype, "omic": "mrna", "feature": gene, "auc": value, "q": 1.0, "direction": ""}
            for gene, value in auc.items()
        ]
    symbols = feature_symbols({"mrna": pd.Index(mrna.columns)}, {"mrna": None})
    return enrichment(
        pd.DataFrame(rows),
        pd.DataFrame(columns=["view", "feature", "factor", "weight"]),
        R2,
        symbols,
        {"hallmark": hallmark},
        {"mrna": "expression"},
        EnrichmentOptions(min_size=5),
    ).set_index(["group", "term"])


def test_breast_cancer_subtypes_show_their_textbook_pathways():
    """Shared TCGA-BRCA, PAM50 labels: basal-like tumours have G2M checkpoint genes up and early estrogen response
    down against the rest, the two most significant Hallmark sets; luminal A the reverse."""
    table = brca_pam50_hallmark()
    for subtype, sign in (("Basal", 1), ("LumA", -1)):
        g2m, estrogen = (
            table.loc[(subtype, "HALLMARK_G2M_CHECKPOINT")],
            table.loc[(subtype, "HALLMARK_ESTROGEN_RESPONSE_EARLY")],
        )
        assert sign * estrogen["nes"] < -1.5 and estrogen["q"] < 0.05, estrogen
        assert sign * g2m["nes"] > 1.5 and g2m["p"] < 0.05, g2m  # 6 genes of the panel: q 0.13 to 0.24 over 16 sets
        assert set(table.loc[subtype].sort_values("p").index[:2]) == {
            "HALLMARK_G2M_CHECKPOINT",
            "HALLMARK_ESTROGEN_RESPONSE_EARLY",
        }


def test_the_pathways_section_keeps_the_group_order_of_the_table_and_lists_each_group_by_q_then_nes():
    table = pd.DataFrame(
        {
            "level": ["subtype"] * 4 + ["factor"],
            "group": ["ST2", "ST2", "ST10", "ST10", "Factor1"],
            "term": ["a", "b", "c", "d", "e"],
            "q": [0.02, 0.01, 0.01, 0.01, 0.01],
            "nes": [3.0, 1.0, -1.0, 2.0, 1.5],
            "significant": [True] * 5,
        },
        index=[0, 0, 1, 1, 2],  # labels repeated, as in a concatenation of tables
    )
    shown = pathway_summary(table, per_group=1)
    assert [(row["group"], row["term"]) for row in shown["subtype"]] == [("ST2", "b"), ("ST10", "d")]
    assert [row["term"] for row in shown["factor"]] == ["e"]
