"""One card per subtype for the top of the report: what the subtype is, in numbers a reader takes in at a glance.

Each card gathers what the detailed sections establish, with their own rules: the top replicated markers of each
view (``markers.tsv`` order), the strongest significant gene sets of the subtype (``enrichment.tsv``), median
survival and the Cox hazard ratio against the reference subtype (``survival/``), the reference labels of its
tumours (``compare_to``), its targetable markers with their drugs and the share of its tumours that are
target-positive (``targets.tsv``), the drugs its tumours respond to differently (``drug_response.tsv``), the
gene sets whose per-tumour activity is highest or lowest in it (``pathway_activity_tests.tsv``, q < alpha), and
its mutational landscape: its most often mutated genes (share of its tumours against the other tumours') and the
medians of the landscape measures (``landscape/tests.tsv``: mutated genes, fraction of the genome altered).
Nothing is tested here: a card only selects and formats.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncomix.naming import subtype_order

PER_FIELD = 3  # items per card field (markers per view, gene sets, targets, drugs, reference labels)


def subtype_cards(
    calls: pd.DataFrame,
    markers: pd.DataFrame,
    targets: pd.DataFrame,
    alpha: float,
    reference: pd.Series | None = None,
    enrichment: pd.DataFrame | None = None,
    survival: dict[str, pd.DataFrame] | None = None,
    drug_response: pd.DataFrame | None = None,
    mutations: dict[str, pd.DataFrame] | None = None,
    landscape: pd.DataFrame | None = None,
    activity: pd.DataFrame | None = None,
    candidates: pd.DataFrame | None = None,
    missing: pd.DataFrame | None = None,
) -> list[dict]:
    """Per subtype (in reading order: ST1, ST2, ..., ST10): its card as a dict of plain values.

    ``markers`` are the replicated markers the report lists (``report.shown_markers``), ``targets`` the targetable
    ones it shows; ``reference`` the sample-sheet labels to compare with (``compare_to``); ``mutations`` the 0/1
    calls (tumours x genes) of each mutation view; ``candidates`` every marker, replicated or not: a subtype with no
    replicated marker shows its best candidates instead, marked as not replicated (``markers_replicated``);
    ``missing`` the missing-view tests (``clinical.missing_view_tests``): a view the subtype lacks more often than
    the rest at q < alpha is named on its card."""
    sizes = calls["subtype"].value_counts()
    cards = []
    for name in subtype_order(sizes.index):
        members = calls.index[calls["subtype"] == name]
        cards.append(
            {
                "subtype": name,
                "tumours": int(sizes[name]),
                "share": float(sizes[name] / len(calls)),
                "confidence": float(calls.loc[members, "confidence"].median()),
                **_card_markers(markers, candidates, name),
                "pathways": _pathways(enrichment, name),
                "survival": _survival(survival, name, alpha),
                "composition": _composition(reference, members),
                "targets": _targets(targets[targets["subtype"] == name]),
                "drugs": _drugs(drug_response, name, alpha),
                "mutated": _mutated(mutations or {}, members),
                "landscape": _landscape(landscape, name, alpha),
                "activity": _activity(activity, name, alpha),
                "lacking": _lacking(missing, name, alpha),
            }
        )
    return cards


def _card_markers(markers: pd.DataFrame, candidates: pd.DataFrame | None, subtype: str) -> dict:
    """The subtype's replicated markers, or its candidates when none replicated (a partition that does not
    reproduce in half-cohorts leaves nothing to replicate, yet what defines it is still worth seeing)."""
    shown = _markers(markers[markers["subtype"] == subtype])
    fallback = {} if shown or candidates is None else _markers(candidates[candidates["subtype"] == subtype])
    return {"markers": fallback or shown, "markers_replicated": not fallback}


def _markers(markers: pd.DataFrame) -> dict[str, list[dict]]:
    """Per view, its best-ranked markers with their direction (up: higher in the subtype than in the rest)."""
    return {
        view: [
            {"name": row.feature, "direction": row.direction}
            for row in rows.sort_values("rank").head(PER_FIELD).itertuples()
        ]
        for view, rows in markers.groupby("omic", sort=False)
    }


def strongest_first(sets: pd.DataFrame) -> pd.DataFrame:
    """Gene sets in the order the report lists them: lowest q first, then the largest |NES| (over-representation
    has no NES: it ranks by q alone)."""
    keys = pd.DataFrame({"q": sets["q"].to_numpy(), "size": sets["nes"].abs().fillna(0).to_numpy()})
    return sets.iloc[keys.sort_values(["q", "size"], ascending=[True, False], kind="stable").index]


def _pathways(enrichment: pd.DataFrame | None, subtype: str) -> list[dict]:
    """The subtype's significant gene sets, lowest q first (then the largest |NES|): set, view and direction (up,
    down, or over-represented for a mutation view)."""
    if enrichment is None:
        return []
    found = enrichment[
        (enrichment["level"] == "subtype") & (enrichment["group"] == subtype) & enrichment["significant"].astype(bool)
    ]
    return [
        {
            "term": row.term,
            "view": row.view,
            "direction": "over-represented" if pd.isna(row.nes) else ("up" if row.nes > 0 else "down"),
        }
        for row in strongest_first(found).drop_duplicates("term").head(PER_FIELD).itertuples()
    ]


def _survival(survival: dict[str, pd.DataFrame] | None, subtype: str, alpha: float) -> dict | None:
    """Median survival with its 95% CI (None where the curve does not fall that far), and the hazard ratio against
    the Cox model's reference subtype with its p and whether p < ``alpha`` (uncorrected); None without survival
    data, ``{"follow_up": False}`` for a subtype none of whose tumours has follow-up."""
    if not survival:
        return None
    medians = survival["median_survival"].set_index("subtype")
    if subtype not in medians.index:
        return {"follow_up": False}
    cox = survival["cox_subtypes"].set_index("term")
    reference = cox_reference(medians.index, cox.index)
    row = cox.reindex([f"subtype_{subtype}"]).iloc[0]
    reached = {
        key: None if pd.isna(medians.loc[subtype, key]) else float(medians.loc[subtype, key])
        for key in ("median", "ci_low", "ci_high")
    }
    return {
        "follow_up": True,
        **reached,
        "reference": subtype == reference,
        "hazard_ratio": None if pd.isna(row["hazard_ratio"]) else float(row["hazard_ratio"]),
        "p": row["p"],
        "significant": bool(subtype != reference and row["p"] < alpha),
    }


def cox_reference(subtypes: pd.Index, terms: pd.Index) -> str | None:
    """The subtype the Cox model compares the others with: the one with follow-up but no ``subtype_`` term (None
    when the model has no subtype term, e.g. a single subtype with follow-up)."""
    left_out = [name for name in subtypes if f"subtype_{name}" not in terms]
    return left_out[0] if len(left_out) == 1 and len(subtypes) > 1 else None


def _composition(reference: pd.Series | None, members: pd.Index) -> list[dict]:
    """The most common reference labels among the subtype's tumours that have one, with their shares."""
    if reference is None:
        return []
    labels = reference.reindex(members).dropna().astype(str)
    shares = labels.value_counts(normalize=True).head(PER_FIELD)
    return [{"label": label, "share": float(share)} for label, share in shares.items()]


def _targets(targets: pd.DataFrame) -> list[dict]:
    """The subtype's first targetable markers: gene, drugs (the first two named), share of its tumours positive."""
    rows = []
    for row in targets.sort_values("target_rank").drop_duplicates("gene_symbol").head(PER_FIELD).itertuples():
        drugs = row.approved_drugs.split(";")[:2] if isinstance(row.approved_drugs, str) and row.approved_drugs else []
        positive = getattr(row, "positive_rate", np.nan)
        rows.append(
            {
                "gene": row.gene_symbol,
                "view": row.omic,
                "drugs": drugs,
                "surface": bool(row.cell_surface),
                "positive_rate": None if pd.isna(positive) else float(positive),
            }
        )
    return rows


def _drugs(response: pd.DataFrame | None, subtype: str, alpha: float) -> list[dict]:
    """Drugs the subtype's tumours respond to more or less than the rest's (q < ``alpha``), largest AUC shift first."""
    if response is None:
        return []
    found = response[(response["grouping"] == "subtype") & (response["group"] == subtype) & (response["q"] < alpha)]
    found = found.assign(shift=(found["auc"] - 0.5).abs()).sort_values("shift", ascending=False).head(PER_FIELD)
    return [{"drug": row.drug, "responds": row.responds, "auc": row.auc} for row in found.itertuples()]


def _mutated(mutations: dict[str, pd.DataFrame], members: pd.Index) -> list[dict]:
    """Per mutation view, the genes mutated in most of the subtype's tumours (at least one), with the share of its
    tumours and of the other tumours that carry them (of those with a call)."""
    rows = []
    for view, calls in mutations.items():
        inside = calls.index.isin(members)
        share, rest = calls[inside].mean(), calls[~inside].mean()
        top = share[share > 0].sort_index().sort_values(ascending=False, kind="stable").head(PER_FIELD)
        rows += [
            {
                "gene": gene,
                "view": view,
                "share": float(top[gene]),
                "rest": None if pd.isna(rest[gene]) else float(rest[gene]),
            }
            for gene in top.index
        ]
    return rows


def _landscape(tests: pd.DataFrame | None, subtype: str, alpha: float) -> list[dict]:
    """Each landscape measure's median in the subtype, and whether the subtypes differ in it (q < ``alpha``)."""
    column = f"median_{subtype}"
    if tests is None or column not in tests:
        return []
    return [
        {"measure": row["measure"], "median": float(row[column]), "differs": bool(row["q"] < alpha)}
        for _, row in tests.iterrows()
        if pd.notna(row[column])
    ]


def _activity(tests: pd.DataFrame | None, subtype: str, alpha: float) -> list[dict]:
    """The gene sets whose activity differs between subtypes (q < ``alpha``) and is highest or lowest in this one
    (its median against the other subtypes' medians), largest effect (eta squared) first."""
    column = f"median_{subtype}"
    if tests is None or column not in tests:
        return []
    medians = tests.filter(like="median_")
    found = tests.assign(
        extreme=np.select(
            [tests[column] >= medians.max(axis=1), tests[column] <= medians.min(axis=1)], ["highest", "lowest"], ""
        )
    )
    found = found[(found["q"] < alpha) & (found["extreme"] != "")].sort_values("effect", ascending=False, kind="stable")
    return [{"term": row.term, "view": row.view, "extreme": row.extreme} for row in found.head(PER_FIELD).itertuples()]


def _lacking(tests: pd.DataFrame | None, subtype: str, alpha: float) -> list[dict]:
    """The views the subtype lacks more often than the other tumours do (q < alpha), largest share first."""
    if tests is None:
        return []
    rows = tests[(tests["subtype"] == subtype) & (tests["q"] < alpha) & (tests["share"] > tests["rest"])]
    return [
        {"view": row.view, "share": float(row.share), "rest": float(row.rest)}
        for row in rows.sort_values("share", ascending=False).itertuples()
    ]
