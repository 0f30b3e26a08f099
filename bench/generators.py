"""Cohort generators and the scenario grid of the accuracy benchmark (``bench/accuracy.py``).

Two generators, built differently, so that no method choice is tuned to one of them:

- ``demo``: :func:`oncomix.simulate.simulate_cohort`, the demo's simulator (subtype shifts planted in chosen
  features of each view, negative-binomial RNA counts, continuous expression programmes, MNAR proteins,
  metabolite batch).
- ``factor``: :func:`factor_cohort`, a low-rank factor model. Tumours have latent factors; the subtypes move
  the means of a random subset of them, the other factors are continuous programmes shared by every subtype.
  Each view's features load on the factors in correlated blocks, noise is Student-t (heavy-tailed), RNA counts
  are Poisson-lognormal (not negative binomial), mutations are logistic-Bernoulli, proteins miss values below
  a detection limit, metabolites are log-normal intensities with a batch shift that is not a subtype.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from oncomix.simulate import Cohort, CohortSpec, MarkerPlan, gene_symbols, simulate_cohort

VIEW_TYPES = {"mutation": "mutation", "rna": "rna_counts", "protein": "protein", "metabolite": "metabolite"}
SMALL_VIEWS = ("mutation", "protein", "metabolite")


@dataclass(frozen=True)
class Scenario:
    name: str
    generator: str  # demo or factor
    n_tumours: int = 300
    fractions: tuple[float, ...] = (0.38, 0.27, 0.21, 0.14)  # one entry: no subtypes (the null scenario)
    signal_views: tuple[str, ...] = tuple(VIEW_TYPES)  # views in which the subtypes differ
    effect: float = 1.0  # multiplies the subtype effect sizes
    noise: float = 1.0  # multiplies the noise (factor generator) / the programme strength (demo generator)
    programmes: int = 6  # continuous programmes that are not subtypes
    missing: float | None = None  # fraction of tumours lacking each whole view; None: the generator's default
    batch: float = 1.0  # multiplies the metabolite batch shift (factor generator)

    @property
    def true_k(self) -> int:
        return len(self.fractions)


def shares(k: int, rare: float | None = None) -> tuple[float, ...]:
    """``k`` unequal subtype shares (largest first); with ``rare``, the last one has that share."""
    weights = np.linspace(1.6, 0.8, k)
    if rare is None:
        return tuple(np.round(weights / weights.sum(), 4))
    rest = weights[:-1] / weights[:-1].sum() * (1 - rare)
    return tuple(np.round(np.append(rest, rare), 4))


def scenarios() -> list[Scenario]:
    """The grid: each generator varies size, k, rare subtypes, where the signal is, effect, noise, programmes,
    batch and missing views, and has a null scenario without subtypes."""
    grid = []
    for gen in ("demo", "factor"):
        s = lambda name, gen=gen, **kw: Scenario(f"{gen}:{name}", gen, **kw)  # noqa: E731
        grid += [
            s("base"),
            s("n100_k3", n_tumours=100, fractions=shares(3)),
            s("n1000", n_tumours=1000),
            s("k2", fractions=shares(2)),
            s("k3", fractions=shares(3)),
            s("k5", n_tumours=400, fractions=shares(5)),
            s("k6", n_tumours=500, fractions=shares(6)),
            s("k8", n_tumours=800, fractions=shares(8)),
            s("rare5pct_k5", n_tumours=600, fractions=shares(5, rare=0.05)),
            s("rare3pct_k4", n_tumours=1000, fractions=shares(4, rare=0.03)),
            # a view that carries the signal alone carries it 1.5 times as strongly per feature
            s("signal_rna_only", signal_views=("rna",), effect=1.5),
            s("signal_small_views", signal_views=SMALL_VIEWS),
            s("signal_protein_only", signal_views=("protein",), effect=1.5),
            s("signal_metabolite_only", signal_views=("metabolite",), effect=1.5),
            s("weak_effect", effect=0.7),
            s("strong_effect", effect=1.5),
            s("noisy", noise=1.6),
            s("many_programmes", programmes=14),
            s("missing40pct", missing=0.4),
            s("null", fractions=(1.0,)),
        ]
    grid += [
        Scenario("demo:signal_mutation_only", "demo", signal_views=("mutation",), effect=1.5),
        Scenario("factor:strong_batch", "factor", batch=3.0),
        Scenario("factor:null_batch", "factor", fractions=(1.0,), batch=3.0),
        Scenario("demo:n10000", "demo", n_tumours=10000),
    ]
    return grid


def cohort(scenario: Scenario, seed: int) -> Cohort:
    return (demo_cohort if scenario.generator == "demo" else factor_cohort)(scenario, seed)


def demo_cohort(scenario: Scenario, seed: int) -> Cohort:
    """The demo simulator with the scenario's settings (views outside ``signal_views`` get no subtype effect)."""
    base = CohortSpec(n_genes=1500, n_mutation_genes=150, n_proteins=150, n_metabolites=100)

    def plan(view: str, default: MarkerPlan) -> MarkerPlan:
        if view not in scenario.signal_views:
            return MarkerPlan(0, 0, default.effect)
        return MarkerPlan(default.up, default.down, tuple(e * scenario.effect for e in default.effect))

    k = scenario.true_k
    dropout = base.view_dropout if scenario.missing is None else dict.fromkeys(VIEW_TYPES, scenario.missing)
    spec = dataclasses.replace(
        base,
        n_tumours=scenario.n_tumours,
        subtype_fractions=scenario.fractions,
        n_programmes=scenario.programmes,
        programme_size=int(300 * scenario.noise),
        view_dropout=dropout,
        rna_markers=plan("rna", base.rna_markers),
        protein_markers=plan("protein", base.protein_markers),
        metabolite_markers=plan("metabolite", base.metabolite_markers),
        drivers_per_subtype=base.drivers_per_subtype if "mutation" in scenario.signal_views else 0,
        hazard_ratios=tuple(np.linspace(1.0, 3.0, k)),
        seed=seed,
    )
    return simulate_cohort(spec)


@dataclass(frozen=True)
class FactorViews:
    features: dict[str, int] = field(
        default_factory=lambda: {"rna": 1500, "mutation": 150, "protein": 120, "metabolite": 100}
    )
    block: int = 20  # features per correlated block: a block loads on one factor with one sign
    t_df: float = 4.0  # degrees of freedom of the Student-t noise


def _loadings(n_features: int, n_factors: int, rng: np.random.Generator, settings: FactorViews) -> np.ndarray:
    """Sparse block loadings: each block of features loads on one factor; a few features load on two."""
    w = np.zeros((n_features, n_factors))
    blocks = np.arange(n_features) // settings.block
    factor_of_block = rng.integers(0, n_factors, size=blocks.max() + 1)
    w[np.arange(n_features), factor_of_block[blocks]] = rng.choice([-1, 1], size=blocks.max() + 1)[
        blocks
    ] * rng.uniform(0.5, 1.2, n_features)
    extra = rng.random(n_features) < 0.1
    w[extra, rng.integers(0, n_factors, size=extra.sum())] += rng.normal(0, 0.6, extra.sum())
    return w


SEPARATION = 5.0


def simplex_means(k: int, dims: int, separation: float, rng: np.random.Generator) -> np.ndarray:
    """``k`` points in ``dims`` dimensions, every pair ``separation`` apart (a regular simplex, randomly rotated)."""
    vertices = np.eye(k) * separation / np.sqrt(2)
    vertices -= vertices.mean(axis=0)
    basis = np.linalg.svd(vertices, full_matrices=False)[2][: k - 1]  # the simplex spans k - 1 dimensions
    coords = vertices @ basis.T
    rotation = np.linalg.qr(rng.normal(size=(dims, dims)))[0]
    return np.pad(coords, ((0, 0), (0, dims - coords.shape[1]))) @ rotation


def factor_cohort(scenario: Scenario, seed: int, settings: FactorViews = FactorViews()) -> Cohort:
    """A cohort from the low-rank factor model (see the module docstring)."""
    rng = np.random.default_rng(seed + 7919)
    n, k = scenario.n_tumours, scenario.true_k
    counts = np.floor(np.asarray(scenario.fractions) / sum(scenario.fractions) * n).astype(int)
    counts[0] += n - counts.sum()
    labels = rng.permutation(np.repeat(np.arange(k), counts))
    # k - 1 subtype factors (at least 2): subtype means at the vertices of a regular simplex, randomly rotated,
    # SEPARATION x effect within-subtype SDs apart; unit within-subtype spread
    subtype_factors = max(2, k - 1)
    z_subtype = simplex_means(k, subtype_factors, SEPARATION * scenario.effect, rng)[labels] + rng.normal(
        size=(n, subtype_factors)
    )
    z_programme = rng.normal(size=(n, scenario.programmes)) * rng.uniform(0.8, 1.6, scenario.programmes)
    batch = rng.choice(["A", "B"], size=n, p=[0.5, 0.5])
    ids = np.array([f"FT-{i + 1:05d}" for i in range(n)])
    genes = gene_symbols(settings.features["rna"])
    views = {}
    for view, n_features in settings.features.items():
        signal = view in scenario.signal_views
        w_subtype = _loadings(n_features, subtype_factors, rng, settings) * (0.5 if signal else 0.0)
        w_programme = _loadings(n_features, max(scenario.programmes, 1), rng, settings)[:, : scenario.programmes] * 0.6
        noise = rng.standard_t(settings.t_df, size=(n, n_features)) * 0.8 * scenario.noise
        latent = z_subtype @ w_subtype.T + z_programme @ w_programme.T + noise
        views[view] = _observe(view, latent, batch, scenario, rng)
    dropout = 0.08 if scenario.missing is None else scenario.missing
    frames = {}
    for view, matrix in views.items():
        present = rng.random(n) >= dropout
        names = (
            genes[: matrix.shape[1]] if view != "metabolite" else [f"MET{m + 1:04d}" for m in range(matrix.shape[1])]
        )
        frames[view] = pd.DataFrame(matrix[present].T, index=pd.Index(names, name="feature_id"), columns=ids[present])
    subtype_names = np.array([f"S{s + 1}" for s in range(k)])
    samples = pd.DataFrame({"sample_id": ids, "metabolomics_batch": batch, "simulated_subtype": subtype_names[labels]})
    truth = pd.Series(subtype_names[labels], index=pd.Index(ids, name="sample_id"), name="subtype")
    return Cohort(
        samples=samples,
        views=frames,
        truth_subtypes=truth,
        truth_markers=pd.DataFrame(columns=["view", "feature", "subtype", "direction", "effect"]),
    )


def _observe(
    view: str, latent: np.ndarray, batch: np.ndarray, scenario: Scenario, rng: np.random.Generator
) -> np.ndarray:
    """Measured values of one view from its latent (log-scale) signal."""
    n, p = latent.shape
    if view == "rna":
        base = rng.normal(np.log(80), 1.5, size=p)
        library = rng.lognormal(0, 0.3, size=n)
        return rng.poisson(library[:, None] * np.exp(np.clip(base + 0.7 * latent, -20, 15)))
    if view == "mutation":
        offset = rng.normal(-3.2, 0.6, size=p)
        return (rng.random((n, p)) < 1 / (1 + np.exp(-(offset + 1.2 * latent)))).astype(int)
    if view == "protein":
        values = rng.normal(18, 2, size=p) + latent
        z = (values - values.mean(axis=0)) / values.std(axis=0)
        values[rng.random((n, p)) < 1 / (1 + np.exp(3.0 * (z + 1.8)))] = np.nan
        return values
    shift = np.outer(batch == "B", rng.normal(0.8, 0.3, size=p)) * scenario.batch
    values = np.exp2(rng.normal(13, 1.5, size=p) + 0.7 * latent + shift)
    values[rng.random((n, p)) < 0.05] = np.nan
    return values
