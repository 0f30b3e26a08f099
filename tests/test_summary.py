import numpy as np
import pandas as pd

from oncomix.summary import strongest_first, subtype_cards


def test_a_card_per_subtype_gathers_what_the_sections_found():
    calls = pd.DataFrame(
        {"subtype": ["ST1"] * 5 + ["ST2"] * 3 + ["ST10"] * 2, "confidence": [1.0] * 4 + [0.5] + [0.9] * 5},
        index=[f"t{i}" for i in range(10)],
    )
    markers = pd.DataFrame(
        [
            {"subtype": "ST1", "omic": "rna", "feature": f"G{r}", "rank": r, "direction": "up" if r % 2 else "down"}
            for r in (4, 1, 3, 2)
        ]
        + [{"subtype": "ST2", "omic": "protein", "feature": "HER2_pY1248", "rank": 1, "direction": "up"}]
    )
    targets = pd.DataFrame(
        [
            {
                "subtype": "ST2",
                "target_rank": 1,
                "omic": "protein",
                "gene_symbol": "ERBB2",
                "approved_drugs": "trastuzumab;lapatinib;neratinib",
                "cell_surface": True,
                "positive_rate": 0.8,
            },
            {
                "subtype": "ST2",
                "target_rank": 2,
                "omic": "rna",
                "gene_symbol": "ESR1",
                "approved_drugs": "",
                "cell_surface": False,
                "positive_rate": np.nan,
            },
        ]
    )
    enrichment = pd.DataFrame(
        [
            {
                "level": "subtype",
                "group": "ST1",
                "view": "rna",
                "term": "E2F",
                "nes": -2.5,
                "q": 0.001,
                "significant": True,
            },
            {
                "level": "subtype",
                "group": "ST1",
                "view": "rna",
                "term": "MYC",
                "nes": 1.5,
                "q": 0.01,
                "significant": True,
            },
            {
                "level": "subtype",
                "group": "ST1",
                "view": "rna",
                "term": "KRAS",
                "nes": 3.0,
                "q": 0.3,
                "significant": False,
            },
            {
                "level": "factor",
                "group": "Factor1",
                "view": "rna",
                "term": "P53",
                "nes": 3.0,
                "q": 0.001,
                "significant": True,
            },
            {
                "level": "subtype",
                "group": "ST2",
                "view": "mutation",
                "term": "ERBB",
                "nes": np.nan,
                "q": 0.001,
                "significant": True,
            },
        ]
    )
    survival = {
        "median_survival": pd.DataFrame(
            {
                "subtype": ["ST1", "ST2", "ST10"],
                "median": [50.0, np.nan, 12.0],
                "ci_low": [40.0, 30.0, 6.0],
                "ci_high": [60.0, np.nan, 20.0],
            }
        ),
        "cox_subtypes": pd.DataFrame(
            {"term": ["subtype_ST2", "subtype_ST10", "age"], "hazard_ratio": [0.9, 3.0, 1.0], "p": [0.6, 0.001, 0.5]}
        ),
    }
    response = pd.DataFrame(
        [
            {"drug": "lapatinib", "grouping": "subtype", "group": "ST2", "auc": 0.9, "q": 0.001, "responds": "more"},
            {"drug": "erlotinib", "grouping": "subtype", "group": "ST2", "auc": 0.55, "q": 0.2, "responds": "more"},
            {"drug": "lapatinib", "grouping": "lineage", "group": "ST2", "auc": 0.1, "q": 0.001, "responds": "less"},
        ]
    )
    reference = pd.Series(["LumA"] * 4 + [np.nan] + ["Her2", "Her2", "LumA", "Basal", "Basal"], index=calls.index)
    mutations = {
        "mut": pd.DataFrame({"TP53": [1, 1, 1, 0, np.nan, 0, 0, 1, 0, 0], "PIK3CA": [0] * 5 + [1, 1, 0, 0, 0]})
    }
    mutations["mut"].index = calls.index
    landscape = pd.DataFrame(
        {
            "measure": ["mutated_genes_mut"],
            "q": [0.01],
            "median_ST1": [4.0],
            "median_ST2": [2.0],
            "median_ST10": [np.nan],
        }
    )
    activity = pd.DataFrame(
        {
            "view": "rna",
            "term": ["E2F", "ESTROGEN", "NOISE"],
            "q": [0.001, 0.01, 0.5],
            "effect": [0.2, 0.6, 0.1],
            "median_ST1": [0.9, 0.1, 0.9],
            "median_ST2": [0.5, 0.3, 0.1],
            "median_ST10": [0.2, 0.8, 0.5],
        }
    )
    cards = subtype_cards(
        calls, markers, targets, 0.05, reference, enrichment, survival, response, mutations, landscape, activity
    )
    assert [card["subtype"] for card in cards] == ["ST1", "ST2", "ST10"]  # reading order, not text order
    first, second, tenth = cards
    assert first["tumours"] == 5 and first["share"] == 0.5 and first["confidence"] == 1.0
    assert first["markers"] == {
        "rna": [
            {"name": "G1", "direction": "up"},
            {"name": "G2", "direction": "down"},
            {"name": "G3", "direction": "up"},
        ]
    }
    assert first["pathways"] == [
        {"term": "E2F", "view": "rna", "direction": "down"},
        {"term": "MYC", "view": "rna", "direction": "up"},
    ]
    assert second["pathways"] == [{"term": "ERBB", "view": "mutation", "direction": "over-represented"}]
    assert first["survival"]["reference"] and not first["survival"]["significant"]  # the Cox model's baseline
    assert second["survival"]["median"] is None and second["survival"]["ci_low"] == 30.0  # not reached
    assert (
        not second["survival"]["significant"]
        and tenth["survival"]["significant"]
        and tenth["survival"]["hazard_ratio"] == 3.0
    )
    assert first["composition"] == [{"label": "LumA", "share": 1.0}]  # of the tumours that have a label
    assert second["composition"] == [{"label": "Her2", "share": 2 / 3}, {"label": "LumA", "share": 1 / 3}]
    assert second["targets"][0] == {
        "gene": "ERBB2",
        "view": "protein",
        "drugs": ["trastuzumab", "lapatinib"],
        "surface": True,
        "positive_rate": 0.8,
    }
    assert second["targets"][1]["drugs"] == [] and second["targets"][1]["positive_rate"] is None
    assert second["drugs"] == [{"drug": "lapatinib", "responds": "more", "auc": 0.9}] and first["drugs"] == []
    assert first["mutated"] == [{"gene": "TP53", "view": "mut", "share": 0.75, "rest": 0.2}]  # of tumours with a call
    assert [item["gene"] for item in second["mutated"]] == ["PIK3CA", "TP53"] and tenth["mutated"] == []
    only_st1 = {"mut": mutations["mut"].where(calls["subtype"] == "ST1")}  # no call outside ST1: no share of the rest
    assert subtype_cards(calls, markers, targets, 0.05, mutations=only_st1)[0]["mutated"][0]["rest"] is None
    assert first["landscape"] == [{"measure": "mutated_genes_mut", "median": 4.0, "differs": True}]
    assert tenth["landscape"] == []
    assert first["activity"] == [  # largest effect first; NOISE is not significant
        {"term": "ESTROGEN", "view": "rna", "extreme": "lowest"},
        {"term": "E2F", "view": "rna", "extreme": "highest"},
    ]
    assert second["activity"] == [] and tenth["activity"][0] == {
        "term": "ESTROGEN",
        "view": "rna",
        "extreme": "highest",
    }
    survival["median_survival"] = survival["median_survival"].iloc[1:]  # ST1 without follow-up: ST2 is the reference
    survival["cox_subtypes"] = survival["cox_subtypes"].iloc[1:]
    cards = subtype_cards(calls, markers, targets, 0.05, survival=survival)
    assert (
        cards[0]["survival"] == {"follow_up": False}
        and cards[1]["survival"]["reference"]
        and not cards[2]["survival"]["reference"]
    )
    candidates = pd.concat(
        [markers, pd.DataFrame([{"subtype": "ST10", "omic": "rna", "feature": "G9", "rank": 1, "direction": "up"}])]
    )  # ST10's only marker did not replicate: its card shows it, marked
    with_candidates = subtype_cards(calls, markers, targets, 0.05, candidates=candidates)
    assert with_candidates[2]["markers"] == {"rna": [{"name": "G9", "direction": "up"}]}
    assert not with_candidates[2]["markers_replicated"] and with_candidates[0]["markers"] == first["markers"]
    assert with_candidates[0]["markers_replicated"] and tenth["markers"] == {}
    no_candidate = subtype_cards(calls, markers, targets, 0.05, candidates=markers)[2]  # ST10 has none at all
    assert no_candidate["markers"] == {} and no_candidate["markers_replicated"]
    missing = pd.DataFrame(
        [
            {"subtype": "ST1", "view": "protein", "share": 0.6, "rest": 0.2, "q": 0.01},
            {"subtype": "ST1", "view": "rna", "share": 0.5, "rest": 0.4, "q": 0.3},  # not significant
            {"subtype": "ST2", "view": "protein", "share": 0.0, "rest": 0.5, "q": 0.01},  # lacks it less: fine
        ]
    )
    lacking = [card["lacking"] for card in subtype_cards(calls, markers, targets, 0.05, missing=missing)]
    assert lacking == [[{"view": "protein", "share": 0.6, "rest": 0.2}], [], []]
    bare = subtype_cards(calls, markers, targets, 0.05)
    assert bare[0]["survival"] is None and bare[0]["pathways"] == bare[0]["composition"] == bare[0]["drugs"] == []
    assert bare[0]["mutated"] == bare[0]["landscape"] == bare[0]["activity"] == []


def test_gene_sets_are_listed_by_q_then_by_absolute_nes():
    sets = pd.DataFrame(
        {
            "term": ["weak", "strong_down", "ora", "strong_up", "late"],
            "q": [0.01, 0.01, 0.01, 0.01, 0.02],
            "nes": [1.2, -2.5, np.nan, 2.0, 3.0],
        }
    )
    assert list(strongest_first(sets)["term"]) == ["strong_down", "strong_up", "weak", "ora", "late"]
