"""Simulate a realistic multi-omics tumour cohort with known subtypes and planted markers.

The cohort mimics what real studies bring: unequal subtypes, raw negative-binomial RNA counts with varying
library sizes, continuous within-subtype expression programmes that are *not* subtype signal, log protein
intensities missing more often when low, raw metabolite intensities with a batch shift, tumours lacking
whole views, and survival that depends on subtype. Ground truth is written to ``truth/`` for tests only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class MarkerPlan:
    """How many features per subtype are shifted up and down, and by how much (log2 units or SDs)."""

    up: int
    down: int
    effect: tuple[float, float]


VIEWS = ("mutation", "rna", "protein", "metabolite")  # the views every simulated cohort has, in this order


@dataclass(frozen=True)
class CohortSpec:
    n_tumours: int = 300
    subtype_fractions: tuple[float, ...] = (0.38, 0.27, 0.21, 0.14)
    n_genes: int = 3000
    n_mutation_genes: int = 200
    n_proteins: int = 150
    n_metabolites: int = 120
    n_programmes: int = 6
    programme_size: int = 300
    # fraction of tumours lacking each whole view
    view_dropout: dict[str, float] = field(
        default_factory=lambda: {"mutation": 0.04, "rna": 0.03, "protein": 0.12, "metabolite": 0.18}
    )
    # modest subtype effects beside strong within-subtype programmes, as in real tumours: views must be
    # integrated, and continuous variation kept apart from subtype structure, to recover every subtype
    rna_markers: MarkerPlan = MarkerPlan(up=25, down=15, effect=(0.7, 1.3))
    protein_markers: MarkerPlan = MarkerPlan(up=12, down=6, effect=(0.7, 1.3))
    metabolite_markers: MarkerPlan = MarkerPlan(up=8, down=4, effect=(0.6, 1.1))
    drivers_per_subtype: int = 8
    # hazard ratio of each subtype relative to the first
    hazard_ratios: tuple[float, ...] = (1.0, 0.5, 2.0, 3.5)
    seed: int = 0


@dataclass
class Cohort:
    samples: pd.DataFrame  # clinical sample sheet, one row per tumour
    views: dict[str, pd.DataFrame]  # features x samples, only the tumours that have the view
    truth_subtypes: pd.Series
    truth_markers: pd.DataFrame  # view, feature, subtype, direction, effect


def _subtype_labels(spec: CohortSpec, rng: np.random.Generator) -> np.ndarray:
    fractions = np.asarray(spec.subtype_fractions) / np.sum(spec.subtype_fractions)
    counts = np.floor(fractions * spec.n_tumours).astype(int)
    counts[0] += spec.n_tumours - counts.sum()
    labels = np.repeat(np.arange(len(counts)), counts)
    return rng.permutation(labels)


def _plant_effects(
    n_features: int, n_subtypes: int, plan: MarkerPlan, candidates: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[int, int, str, float]]]:
    """Return a (subtypes x features) shift matrix and the planted (subtype, feature, direction, effect) list.

    Each planted feature is shifted in exactly one subtype, so it is specific to that subtype.
    """
    per_subtype = plan.up + plan.down
    chosen = rng.choice(candidates, size=n_subtypes * per_subtype, replace=False)
    shifts = np.zeros((n_subtypes, n_features))
    planted = []
    for s in range(n_subtypes):
        block = chosen[s * per_subtype : (s + 1) * per_subtype]
        for i, feature in enumerate(block):
            sign = 1.0 if i < plan.up else -1.0
            effect = sign * rng.uniform(*plan.effect)
            shifts[s, feature] = effect
            planted.append((s, int(feature), "up" if sign > 0 else "down", effect))
    return shifts, planted


def _rna_counts(spec, labels, rng) -> tuple[np.ndarray, list]:
    n = len(labels)
    n_subtypes = len(spec.subtype_fractions)
    base_mean = rng.lognormal(mean=np.log(150), sigma=1.6, size=spec.n_genes)
    dispersion = rng.uniform(0.05, 0.35, size=spec.n_genes)
    # markers are planted in expressed genes (the most expressed ones when few genes pass the bar)
    n_needed = n_subtypes * (spec.rna_markers.up + spec.rna_markers.down)
    expressed = np.argsort(-base_mean)[: max(n_needed, int((base_mean > 30).sum()))]
    shifts, planted = _plant_effects(spec.n_genes, n_subtypes, spec.rna_markers, expressed, rng)
    log2_mean = np.log2(base_mean)[None, :] + shifts[labels]
    # continuous programmes (e.g. immune infiltration, proliferation) that vary within every subtype
    planted_set = {f for _, f, _, _ in planted}
    free = np.array([g for g in range(spec.n_genes) if g not in planted_set])
    for _ in range(spec.n_programmes):
        genes = rng.choice(free, size=min(spec.programme_size, len(free)), replace=False)
        loadings = rng.normal(0.0, 0.9, size=len(genes))
        scores = rng.normal(0.0, 1.0, size=n)
        log2_mean[:, genes] += np.outer(scores, loadings)
    library = rng.lognormal(mean=0.0, sigma=0.35, size=n)
    mu = library[:, None] * np.exp2(log2_mean)
    r = 1.0 / dispersion
    counts = rng.negative_binomial(r[None, :], r[None, :] / (r[None, :] + mu))
    return counts, planted


def _mutations(spec, labels, rng) -> tuple[np.ndarray, list]:
    n_subtypes = len(spec.subtype_fractions)
    background = rng.beta(1.0, 45.0, size=spec.n_mutation_genes)
    background[:3] = rng.uniform(0.15, 0.3, size=3)  # common passengers / pan-subtype drivers
    rates = np.tile(background, (n_subtypes, 1))
    drivers = rng.choice(np.arange(3, spec.n_mutation_genes), size=n_subtypes * spec.drivers_per_subtype, replace=False)
    planted = []
    for s in range(n_subtypes):
        for gene in drivers[s * spec.drivers_per_subtype : (s + 1) * spec.drivers_per_subtype]:
            rates[s, gene] = rng.uniform(0.4, 0.75)
            planted.append((s, int(gene), "up", float(rates[s, gene] - background[gene])))
    calls = (rng.random((len(labels), spec.n_mutation_genes)) < rates[labels]).astype(int)
    return calls, planted


def _proteins(spec, labels, rng) -> tuple[np.ndarray, list]:
    n_subtypes = len(spec.subtype_fractions)
    centre = rng.normal(20.0, 2.0, size=spec.n_proteins)
    sd = rng.uniform(0.5, 1.0, size=spec.n_proteins)
    shifts, planted = _plant_effects(spec.n_proteins, n_subtypes, spec.protein_markers, np.arange(spec.n_proteins), rng)
    values = centre + sd * (rng.normal(size=(len(labels), spec.n_proteins)) + shifts[labels])
    # detection limit: low intensities are missing more often (missing not at random)
    z = (values - centre) / sd
    p_missing = 1.0 / (1.0 + np.exp(3.0 * (z + 1.6)))
    values[rng.random(values.shape) < p_missing] = np.nan
    return values, planted


def _metabolites(spec, labels, batch, rng) -> tuple[np.ndarray, list]:
    n_subtypes = len(spec.subtype_fractions)
    centre = rng.normal(13.0, 1.5, size=spec.n_metabolites)  # log2 scale
    sd = rng.uniform(0.4, 0.9, size=spec.n_metabolites)
    shifts, planted = _plant_effects(
        spec.n_metabolites, n_subtypes, spec.metabolite_markers, np.arange(spec.n_metabolites), rng
    )
    log2_values = centre + sd * (rng.normal(size=(len(labels), spec.n_metabolites)) + shifts[labels])
    batch_shift = rng.normal(0.8, 0.3, size=spec.n_metabolites)
    log2_values += np.outer(batch == "B", batch_shift)
    values = np.exp2(log2_values)
    values[rng.random(values.shape) < 0.06] = np.nan
    return values, planted


def _clinical(spec, labels, ids, rng) -> pd.DataFrame:
    n = len(labels)
    hazard = np.asarray(spec.hazard_ratios)[labels] / 60.0  # baseline median ~ 42 months
    event_time = rng.exponential(1.0 / hazard)
    censor_time = rng.uniform(18.0, 120.0, size=n)
    stage_probs = np.array(
        [[0.4, 0.35, 0.2, 0.05], [0.45, 0.35, 0.15, 0.05], [0.2, 0.3, 0.35, 0.15], [0.1, 0.25, 0.4, 0.25]]
    )
    stage = [rng.choice(["I", "II", "III", "IV"], p=stage_probs[s % 4]) for s in labels]
    return pd.DataFrame(
        {
            "sample_id": ids,
            "age": np.round(rng.normal(58.0, 11.0, size=n) + 3.0 * (labels == 0)).astype(int),
            "sex": rng.choice(["female", "male"], size=n),
            "stage": stage,
            "metabolomics_batch": rng.choice(["A", "B"], size=n, p=[0.55, 0.45]),
            "os_months": np.round(np.minimum(event_time, censor_time), 2),
            "os_event": (event_time <= censor_time).astype(int),
            "simulated_subtype": [f"S{s + 1}" for s in labels],  # the truth, as a reference label column (compare_to)
        }
    )


def _drug_response(labels: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Activity areas (higher = more response) of two drugs: drug_a works better in the second subtype, drug_b
    in none. Drawn from a stream of their own, so the rest of the cohort is as it was without them."""
    rng = np.random.default_rng([seed, 1])
    noise = rng.normal(0.0, 0.5, size=(2, len(labels)))
    return {
        "actarea_drug_a": np.round(1.0 + 1.0 * (labels == 1) + noise[0], 3),
        "actarea_drug_b": np.round(1.0 + noise[1], 3),
    }


def simulate_cohort(spec: CohortSpec = CohortSpec()) -> Cohort:
    """Draw one cohort from ``spec``; the same spec always gives the same cohort."""
    rng = np.random.default_rng(spec.seed)
    labels = _subtype_labels(spec, rng)
    ids = np.array([f"TUM-{i + 1:04d}" for i in range(spec.n_tumours)])
    samples = _clinical(spec, labels, ids, rng).assign(**_drug_response(labels, spec.seed))
    batch = samples["metabolomics_batch"].to_numpy()

    rna, rna_planted = _rna_counts(spec, labels, rng)
    mut, mut_planted = _mutations(spec, labels, rng)
    prot, prot_planted = _proteins(spec, labels, rng)
    metab, metab_planted = _metabolites(spec, labels, batch, rng)

    genes = gene_symbols(max(spec.n_genes, spec.n_mutation_genes, spec.n_proteins))
    names = {
        "rna": genes[: spec.n_genes],
        "mutation": genes[: spec.n_mutation_genes],
        "protein": genes[: spec.n_proteins],
        "metabolite": [f"MET{m + 1:04d}" for m in range(spec.n_metabolites)],
    }
    matrices = dict(zip(VIEWS, (mut, rna, prot, metab), strict=True))
    planted = {"mutation": mut_planted, "rna": rna_planted, "protein": prot_planted, "metabolite": metab_planted}

    views = {}
    for view, matrix in matrices.items():
        present = rng.random(spec.n_tumours) >= spec.view_dropout.get(view, 0.0)
        views[view] = pd.DataFrame(
            matrix[present].T, index=pd.Index(names[view], name="feature_id"), columns=ids[present]
        )

    subtype_names = np.array([f"S{s + 1}" for s in range(len(spec.subtype_fractions))])
    truth_markers = pd.DataFrame(
        [
            (view, names[view][f], subtype_names[s], direction, round(effect, 4))
            for view, rows in planted.items()
            for s, f, direction, effect in rows
        ],
        columns=["view", "feature", "subtype", "direction", "effect"],
    )
    truth = pd.Series(subtype_names[labels], index=pd.Index(ids, name="sample_id"), name="subtype")
    return Cohort(samples=samples, views=views, truth_subtypes=truth, truth_markers=truth_markers)


# HGNC symbols of well-known cancer genes (surface proteins, drug targets, drivers, lineage markers), chosen by
# hand for oncomix, so that markers of simulated cohorts can be annotated for targeting when resources are fetched
KNOWN_GENES = """
ERBB2 EGFR ERBB3 ERBB4 MET KIT PDGFRA PDGFRB FGFR1 FGFR2 FGFR3 FGFR4 KDR FLT1 FLT3 FLT4 TEK NTRK1 NTRK2 ALK ROS1 RET
IGF1R INSR EPHA2 AXL CSF1R CD19 MS4A1 CD22 CD33 CD38 CD274 PDCD1 CTLA4 CD80 CD86 EPCAM TACSTD2 NECTIN4 FOLR1 MSLN
CEACAM5 MUC1 GPC3 CD44 CD47 ITGB1 ITGAV ITGB3 ITGA5 ITGB4 CD70 CD276 DLL3 TNFRSF8 TNFRSF17 TNFRSF4 TNFRSF9 SLC7A5
SLC3A2 TFRC PTK7 ROR1 ROR2 CDH1 CDH2 CDH3 L1CAM NCAM1 ENPP3 SLC34A2 CD52 IL2RA IL3RA IL6R CXCR4 CCR4 SSTR2 GRPR
FOLH1 DPP4 ANPEP MME PROM1 CD34 PTPRC CD2 CD3E CD4 CD8A LAG3 HAVCR2 TIGIT VTCN1 NT5E ADORA2A SDC1 BCAM LRRC15
BRAF RAF1 ARAF MAP2K1 MAP2K2 MAPK1 MAPK3 MTOR PIK3CA PIK3CB PIK3CD AKT1 AKT2 AKT3 CDK4 CDK6 CDK2 CDK7 CDK9 PARP1
PARP2 ESR1 PGR AR TOP1 TOP2A TUBB HDAC1 HDAC2 HDAC3 HDAC6 DNMT1 ABL1 JAK1 JAK2 BTK SRC PTGS2 DHFR TYMS RRM1 BCL2
MCL1 MDM2 XPO1 PSMB5 AURKA AURKB PLK1 WEE1 ATR CHEK1 IDH1 IDH2 EZH2 BRD4 KRAS NRAS HRAS SMO PTCH1 NOTCH1 VEGFA
HIF1A CA9 SRD5A2 CYP17A1 CYP19A1 TP53 PTEN APC RB1 CDKN2A NF1 BRCA1 BRCA2 ARID1A KMT2D KEAP1 STK11 SMAD4 CTNNB1
GATA3 FOXA1 KRT5 KRT14 KRT8 KRT18 KRT19 VIM MKI67 PCNA MYC MYCN CCND1 CCNE1 SOX2 SOX10 MITF PAX8 NKX2-1 CDX2
""".split()


def gene_symbols(n: int) -> list[str]:
    """``n`` gene names: the known cancer genes first (in a fixed shuffled order), then GENE00001-style names."""
    chosen = [KNOWN_GENES[i] for i in np.random.default_rng(0).permutation(len(KNOWN_GENES))[:n]]
    return chosen + [f"GENE{g:05d}" for g in range(len(chosen) + 1, n + 1)]


def pathway_sets(cohort: Cohort, decoys: int = 8, seed: int = 0) -> dict[str, list[str]]:
    """Gene sets with a known answer for enrichment: per subtype its pathway programme, ``PATHWAY_<subtype>_UP``
    (the RNA genes planted up in the subtype, which move together there, and 60% as many genes that do not move),
    and ``decoys`` sets of as many random genes that move in no subtype (``DECOY_01``...)."""
    rng = np.random.default_rng(seed)
    rna = cohort.truth_markers[cohort.truth_markers["view"] == "rna"]
    unshifted = np.array(sorted(set(cohort.views["rna"].index) - set(rna["feature"])))
    sets = {}
    for subtype, rows in rna[rna["direction"] == "up"].groupby("subtype"):
        members = [*rows["feature"], *rng.choice(unshifted, size=int(0.6 * len(rows)), replace=False)]
        sets[f"PATHWAY_{subtype}_UP"] = sorted(members)
    size = max((len(members) for members in sets.values()), default=20)
    sets |= {f"DECOY_{d + 1:02d}": sorted(rng.choice(unshifted, size=size, replace=False)) for d in range(decoys)}
    return sets


def cohort_files() -> list[str]:
    """The files :func:`write_cohort` writes for any simulated cohort, relative to its folder."""
    truth = [f"truth/{name}" for name in ("subtypes.tsv", "markers.tsv", "pathways.gmt")]
    return ["samples.tsv", *(f"{view}.tsv.gz" for view in VIEWS), *truth]


def write_cohort(cohort: Cohort, out_dir: Path) -> None:
    """Write the cohort in the layout the workflow reads; ground truth goes to ``out_dir/truth`` (subtypes,
    planted markers, and ``pathways.gmt``, the gene sets of :func:`pathway_sets`)."""
    out_dir = Path(out_dir)
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    cohort.samples.to_csv(out_dir / "samples.tsv", sep="\t", index=False)
    for view, frame in cohort.views.items():
        frame.to_csv(out_dir / f"{view}.tsv.gz", sep="\t", float_format="%.6g")
    cohort.truth_subtypes.to_csv(out_dir / "truth" / "subtypes.tsv", sep="\t")
    cohort.truth_markers.to_csv(out_dir / "truth" / "markers.tsv", sep="\t", index=False)
    lines = [f"{name}\tsimulated by oncomix\t" + "\t".join(genes) for name, genes in pathway_sets(cohort).items()]
    (out_dir / "truth" / "pathways.gmt").write_text("\n".join(lines) + "\n")
