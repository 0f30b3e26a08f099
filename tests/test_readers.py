"""Readers for every supported format, id harmonisation, duplicate features and uninformative data."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import sparse

from oncomix.config import check_config
from oncomix.errors import OncomixInputError
from oncomix.ingest import drop_uninformative, harmonise_ids, ingest, load_view, to_numeric
from oncomix.readers import NA_STRINGS, MafColumns, ViewSpec, read_view
from oncomix.validate import overlap_table

TCGA_PATIENT = "^(TCGA-[A-Z0-9]{2}-[A-Z0-9]{4})"


def features_x_samples(values, features, samples) -> pd.DataFrame:
    return pd.DataFrame(values, index=pd.Index(features, name="feature_id"), columns=samples)


def test_h5ad_and_a_sparse_layer_load_as_samples_x_features(tmp_path):
    x = np.array([[1.0, 0.0, 3.0], [0.0, 5.0, 6.0]])
    adata = ad.AnnData(x, obs=pd.DataFrame(index=["s1", "s2"]), var=pd.DataFrame(index=["g1", "g2", "g3"]))
    adata.layers["counts"] = sparse.csr_matrix(x * 10)
    adata.write_h5ad(tmp_path / "v.h5ad")
    spec = ViewSpec("rna", tmp_path / "v.h5ad", "generic", format="h5ad")
    pd.testing.assert_frame_equal(read_view(spec), pd.DataFrame(x, index=["s1", "s2"], columns=["g1", "g2", "g3"]))
    layered = ViewSpec("rna", tmp_path / "v.h5ad", "generic", format="h5ad", layer="counts")
    np.testing.assert_array_equal(read_view(layered).to_numpy(), x * 10)
    adata.layers["mutated"] = x > 0
    adata.write_h5ad(tmp_path / "v.h5ad")
    path = tmp_path / "v.h5ad"
    mutated = to_numeric(read_view(ViewSpec("mut", path, "mutation", format="h5ad", layer="mutated")), path)
    np.testing.assert_array_equal(mutated.to_numpy(), (x > 0).astype(float))


def test_one_h5mu_holds_several_views(tmp_path, small_mdata):
    path = tmp_path / "cohort.h5mu"
    md.MuData({"rna": small_mdata["rna"].copy(), "prot": small_mdata["protein"].copy()}).write(path)
    config = {
        "cohort": "c",
        "samples": "x",
        "omics": {
            "rna": {"path": str(path), "type": "rna_counts"},
            "protein": {"path": str(path), "type": "protein", "modality": "prot"},
        },
    }
    specs = [ViewSpec.from_config(name, entry) for name, entry in config["omics"].items()]
    assert [s.reader for s in specs] == ["h5mu", "h5mu"]
    rna, _ = load_view(specs[0])
    protein, _ = load_view(specs[1])
    np.testing.assert_array_equal(rna.to_numpy(), small_mdata["rna"].X)
    assert list(protein.columns) == list(small_mdata["protein"].var_names)


def test_maf_becomes_a_binary_gene_by_sample_view(tmp_path):
    maf = pd.DataFrame(
        {
            "Hugo_Symbol": ["TP53", "TP53", "KRAS", "BRAF", "TTN"],
            "Tumor_Sample_Barcode": ["s1", "s2", "s1", "s3", "s4"],
            "Variant_Classification": [
                "Missense_Mutation",
                "Nonsense_Mutation",
                "Silent",
                "Missense_Mutation",
                "Silent",
            ],
        }
    )
    path = tmp_path / "cohort.maf"
    path.write_text("#version 2.4\n" + maf.to_csv(sep="\t", index=False))
    view = read_view(ViewSpec("mut", path, "mutation", format="maf"))
    expected = pd.DataFrame({"BRAF": [0.0, 0, 1, 0], "TP53": [1.0, 1, 0, 0]}, index=["s1", "s2", "s3", "s4"])
    pd.testing.assert_frame_equal(view.sort_index(axis=1), expected, check_names=False)
    silent_too = ViewSpec(
        "mut", path, "mutation", format="maf", maf=MafColumns.from_config({"variant_classes": ["Silent"]})
    )
    assert read_view(silent_too).loc["s1", "KRAS"] == 1.0


def test_cbioportal_matrix_with_annotation_columns_and_duplicate_symbols(tmp_path):
    text = (
        "Hugo_Symbol\tEntrez_Gene_Id\tS1\tS2\tS3\nERBB2\t2064\t10\t1\t4\nERBB2\t2064\t11\t9\t1\n"
        "\t999\t1\t2\t3\nESR1\t2099\t1\t5\t3\n"
    )
    (tmp_path / "data_mrna.txt").write_text(text)
    base = {
        "path": str(tmp_path / "data_mrna.txt"),
        "type": "expression",
        "id_column": "Hugo_Symbol",
        "drop_columns": ["Entrez_Gene_Id"],
    }
    with pytest.raises(OncomixInputError, match="duplicate feature id.*ERBB2.*duplicate_features"):
        load_view(ViewSpec.from_config("mrna", base))
    mean, dropped = load_view(ViewSpec.from_config("mrna", {**base, "duplicate_features": "mean"}))
    assert mean.loc["S1", "ERBB2"] == 10.5 and list(mean.columns) == ["ERBB2", "ESR1"]
    assert dropped[0]["reason"] == "no feature id" and dropped[0]["count"] == 1
    most_variable, _ = load_view(ViewSpec.from_config("mrna", {**base, "duplicate_features": "max_variance"}))
    assert most_variable["ERBB2"].tolist() == [11.0, 9.0, 1.0]


def test_ids_keep_leading_zeros_and_look_alike_numbers(tmp_path):
    (tmp_path / "v.tsv").write_text("feature_id\t007\t1.0\t1e3\n0042\t1\t2\t3\n0043\t2\t1\t4\n")
    values, _ = load_view(ViewSpec("v", tmp_path / "v.tsv", "generic"))
    assert list(values.index) == ["007", "1.0", "1e3"] and list(values.columns) == ["0042", "0043"]


def test_tcga_barcodes_are_cut_to_the_patient_and_collisions_are_named():
    ids = pd.Index(["TCGA-OR-A5J1-01A-11R-A29S-07", "TCGA-OR-A5J2-01A-11R-A29S-07"])
    assert list(harmonise_ids(ids, TCGA_PATIENT, "f.tsv")) == ["TCGA-OR-A5J1", "TCGA-OR-A5J2"]
    assert harmonise_ids(ids, None, "f.tsv") is ids
    with pytest.raises(
        OncomixInputError, match="f.tsv: 1 sample id.*'TCGA-OR-A5J1-01A' and 'TCGA-OR-A5J1-06A' -> 'TCGA-OR-A5J1'"
    ):
        harmonise_ids(pd.Index(["TCGA-OR-A5J1-01A", "TCGA-OR-A5J1-06A"]), TCGA_PATIENT, "f.tsv")


def test_uninformative_features_and_samples_are_dropped_and_recorded():
    values = pd.DataFrame(
        {"flat": [1.0, 1, np.nan, 1], "gone": [np.nan] * 4, "ok": [1.0, 2, np.nan, 4], "ok2": [3.0, 1, np.nan, 3]},
        index=["s1", "s2", "unmeasured", "s4"],
    )
    kept, records = drop_uninformative(values, ViewSpec("p", "p.tsv", "protein"))
    assert list(kept.columns) == ["ok", "ok2"] and list(kept.index) == ["s1", "s2", "s4"]
    assert {(r["axis"], r["reason"], r["count"]) for r in records} == {
        ("feature", "all values missing", 1), ("feature", "constant", 1), ("sample", "all values missing", 1)
    }  # fmt: skip
    flat_sample = pd.DataFrame({"a": [0.0, 1, 0], "b": [0.0, 0, 1]}, index=["none", "x", "y"])
    assert len(drop_uninformative(flat_sample, ViewSpec("p", "p.tsv", "protein"))[0]) == 2  # a failed assay
    assert len(drop_uninformative(flat_sample, ViewSpec("m", "m.tsv", "mutation"))[0]) == 3  # no mutation is data


def test_overlap_table_counts_tumours_per_view_and_pair(tmp_path):
    (tmp_path / "samples.tsv").write_text("sample_id\n" + "\n".join(["a", "b", "c", "d"]) + "\n")
    (tmp_path / "x.tsv").write_text("feature_id\ta\tb\tc\nf1\t1\t2\t3\nf2\t3\t1\t2\n")
    (tmp_path / "y.tsv").write_text("feature_id\tb\tc\td\nf1\t1\t2\t3\nf2\t3\t1\t2\n")
    mdata, _ = ingest(
        tmp_path / "samples.tsv",
        [ViewSpec("x", tmp_path / "x.tsv", "generic"), ViewSpec("y", tmp_path / "y.tsv", "generic")],
    )
    table = overlap_table(mdata)
    assert table.loc["x", "samples"] == 3 and table.loc["x", "y"] == 2
    assert table.loc["in_every_view", "samples"] == 2 and table.loc["in_any_view", "samples"] == 4


def test_config_defaults_are_filled_and_typos_get_a_suggestion(tmp_path):
    (tmp_path / "s.tsv").write_text("sample_id\n")
    config = {
        "cohort": "c",
        "samples": str(tmp_path / "s.tsv"),
        "omics": {"m": {"path": str(tmp_path / "s.tsv"), "type": "mutation"}},
    }
    checked = check_config(config)
    assert checked["clustering"]["k_max"] == 8 and checked["omics"]["m"]["duplicate_features"] == "error"
    assert checked["omics"]["m"]["maf"]["sample_column"] == "Tumor_Sample_Barcode"
    with pytest.raises(
        OncomixInputError, match="unknown key 'orientaton' in omics.m \\(did you mean 'orientation'\\?\\)"
    ):
        check_config({**config, "omics": {"m": {**config["omics"]["m"], "orientaton": "x"}}})
    later = str(tmp_path / "demo" / "m.tsv.gz")  # written by a step of the workflow (the demo cohort)
    with pytest.raises(OncomixInputError, match="m.tsv.gz: file not found; check 'omics.m.path'"):
        check_config({**config, "omics": {"m": {"path": later, "type": "mutation"}}})
    assert (
        check_config({**config, "omics": {"m": {"path": later, "type": "mutation"}}}, produced=[later])["omics"]["m"][
            "path"
        ]
        == later
    )


# --- property: a reader returns the values it was given, or the package's own error, never another exception ---

# Ids are printable text (no control characters such as newlines or NUL, which no omics file uses and h5py cannot
# store) other than the strings that mean "missing"; cells are numbers, infinities, NaN or text.
ID_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8).filter(
    lambda s: s not in NA_STRINGS
)
NUMBER = st.floats(allow_nan=True, allow_infinity=True, width=64)
CELL = st.one_of(NUMBER, NUMBER, NUMBER, st.sampled_from(["abc", "1,5", "TRUE", " 2 x", "--1"]))


@st.composite
def tables(draw):
    n_features = draw(st.integers(0, 5))
    n_samples = draw(st.integers(1, 5))
    features = draw(st.lists(ID_TEXT, min_size=n_features, max_size=n_features))
    samples = draw(st.lists(ID_TEXT, min_size=n_samples, max_size=n_samples))
    cells = draw(
        st.lists(st.lists(CELL, min_size=n_samples, max_size=n_samples), min_size=n_features, max_size=n_features)
    )
    return features_x_samples(cells if cells else np.empty((0, n_samples)), features, samples).astype(object)


def write_table(frame: pd.DataFrame, path, fmt: str) -> None:
    if fmt == "parquet":
        frame.astype(float).reset_index().to_parquet(path)
    elif fmt == "h5ad":
        ad.AnnData(
            frame.T.astype(float).to_numpy(),
            obs=pd.DataFrame(index=list(frame.columns)),
            var=pd.DataFrame(index=list(frame.index)),
        ).write_h5ad(path)
    else:
        frame.to_csv(path, sep="," if fmt == ".csv" else "\t")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=tables(), fmt=st.sampled_from([".tsv", ".csv", ".tsv.gz", "parquet", "h5ad"]))
def test_readers_round_trip_or_raise_their_own_error(tmp_path, frame, fmt):
    numeric = all(isinstance(v, float) for v in frame.to_numpy().ravel())
    if fmt in ("parquet", "h5ad"):
        assume(numeric and frame.columns.is_unique and (fmt == "parquet" or frame.index.is_unique))
    path = tmp_path / f"view{fmt if fmt.startswith('.') else '.' + fmt}"
    write_table(frame, path, fmt)
    try:
        loaded = to_numeric(read_view(ViewSpec("v", path, "generic")), path)
    except OncomixInputError:
        assert not numeric, "a table of numbers must load"
        return
    assert numeric, "a table with text cells must not load"
    assert list(loaded.index) == list(frame.columns) and list(loaded.columns) == list(frame.index)
    np.testing.assert_array_equal(loaded.to_numpy(), frame.T.to_numpy(dtype=float))
