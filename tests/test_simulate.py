import numpy as np
import pandas as pd
from lifelines.statistics import multivariate_logrank_test

from oncomix.genesets import read_collection
from oncomix.simulate import CohortSpec, cohort_files, simulate_cohort, write_cohort


def test_same_seed_same_cohort():
    spec = CohortSpec(n_tumours=60, n_genes=200, seed=3)
    a, b = simulate_cohort(spec), simulate_cohort(spec)
    pd.testing.assert_frame_equal(a.views["rna"], b.views["rna"])
    pd.testing.assert_frame_equal(a.samples, b.samples)


def test_demo_cohort_has_the_realistic_properties_asked_for():
    cohort = simulate_cohort(CohortSpec())
    sizes = cohort.truth_subtypes.value_counts()
    assert len(sizes) == 4 and sizes.max() > 2 * sizes.min()  # unequal subtypes
    rna = cohort.views["rna"]
    assert rna.shape[0] >= 3000 and (rna.to_numpy() % 1 == 0).all() and (rna.to_numpy() >= 0).all()
    library = rna.sum(axis=0)
    assert library.max() / library.min() > 2  # varying library sizes
    assert set(np.unique(cohort.views["mutation"])) == {0, 1}
    # every view lacks some tumours
    assert all(view.shape[1] < len(cohort.samples) for view in cohort.views.values())
    # protein: low values go missing more often (missing not at random)
    protein = cohort.views["protein"]
    assert 0.02 < protein.isna().mean().mean() < 0.3
    assert (cohort.views["metabolite"].stack() > 0).all()


def test_protein_missingness_depends_on_abundance():
    """Where a protein is planted low in a subtype, it is missing there more often than elsewhere."""
    cohort = simulate_cohort(CohortSpec())
    protein = cohort.views["protein"]
    labels = cohort.truth_subtypes.loc[protein.columns]
    down = cohort.truth_markers.query("view == 'protein' and direction == 'down'")
    in_low = [protein.loc[row.feature, labels == row.subtype].isna().mean() for row in down.itertuples()]
    elsewhere = [protein.loc[row.feature, labels != row.subtype].isna().mean() for row in down.itertuples()]
    assert np.mean(in_low) > 3 * np.mean(elsewhere)


def test_metabolite_batch_shift_is_present():
    cohort = simulate_cohort(CohortSpec())
    metab = np.log2(cohort.views["metabolite"])
    batch = cohort.samples.set_index("sample_id").loc[metab.columns, "metabolomics_batch"]
    shift = metab.loc[:, batch == "B"].mean(axis=1) - metab.loc[:, batch == "A"].mean(axis=1)
    assert shift.median() > 0.5


def test_rna_programmes_are_not_subtype_signal():
    """Planted subtype markers are disjoint from programme genes, which vary within every subtype."""
    cohort = simulate_cohort(CohortSpec())
    planted = set(cohort.truth_markers.query("view == 'rna'")["feature"])
    log_cpm = np.log2(cohort.views["rna"] / cohort.views["rna"].sum() * 1e6 + 1)
    labels = cohort.truth_subtypes.loc[log_cpm.columns]
    unplanted = log_cpm.drop(index=list(planted))
    within = unplanted.T.groupby(labels.to_numpy()).var().mean()
    assert (within > 1.0).sum() >= 100  # many genes with large within-subtype variation


def test_survival_depends_on_subtype():
    cohort = simulate_cohort(CohortSpec())
    samples = cohort.samples.set_index("sample_id")
    result = multivariate_logrank_test(
        samples["os_months"], cohort.truth_subtypes.loc[samples.index], samples["os_event"]
    )
    assert result.p_value < 1e-3


def test_pathway_programmes_hold_each_subtypes_raised_genes_and_decoys_none(tmp_path):
    cohort = simulate_cohort(CohortSpec(n_tumours=60, n_genes=400, seed=5))
    write_cohort(cohort, tmp_path)
    sets = read_collection(tmp_path / "truth" / "pathways.gmt")
    rna = cohort.truth_markers[cohort.truth_markers["view"] == "rna"]
    for subtype, rows in rna[rna["direction"] == "up"].groupby("subtype"):
        members = set(sets[f"PATHWAY_{subtype}_UP"])
        assert set(rows["feature"]) <= members and len(members) == len(rows) + int(0.6 * len(rows))
    decoys = [genes for name, genes in sets.items() if name.startswith("DECOY")]
    assert len(decoys) == 8 and not set().union(*decoys) & set(rna["feature"])
    assert set().union(*sets.values()) <= set(cohort.views["rna"].index)


def test_the_files_a_cohort_is_written_to_are_known_in_advance(tmp_path):
    spec = CohortSpec(n_tumours=40, n_genes=200)
    write_cohort(simulate_cohort(spec), tmp_path)
    written = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file())
    assert written == sorted(cohort_files())  # the outputs of rule simulate_demo
