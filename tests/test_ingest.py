import hashlib

import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncomix.errors import OncomixInputError
from oncomix.ingest import ingest, load_view, read_samples
from oncomix.readers import ViewSpec
from tests.conftest import view_specs


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def sheet(tmp_path, ids=("s1", "s2", "s3")):
    return write(tmp_path, "samples.tsv", "sample_id\tage\n" + "".join(f"{s}\t50\n" for s in ids))


def test_ingest_joins_views_and_sample_sheet(small_mdata, small_cohort):
    assert set(small_mdata.mod) == {"mutation", "rna", "protein", "metabolite"}
    assert small_mdata.n_obs == len(small_cohort.samples)
    rna = small_cohort.views["rna"]
    np.testing.assert_array_equal(small_mdata["rna"][rna.columns, rna.index].X, rna.T.to_numpy())
    assert small_mdata["rna"].uns["omic_type"] == "rna_counts"
    assert "os_months" in small_mdata.obs.columns


def test_inputs_are_not_modified(small_cohort_dir):
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in small_cohort_dir.glob("*.*")}
    ingest(small_cohort_dir / "samples.tsv", view_specs(small_cohort_dir))
    assert digest == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in small_cohort_dir.glob("*.*")}


@pytest.mark.parametrize("suffix", [".tsv", ".csv", ".tsv.gz", ".parquet"])
def test_formats_and_orientation_load_the_same_values(tmp_path, suffix):
    frame = pd.DataFrame(
        {"s1": [1.5, np.nan], "s2": [3.0, 4.0], "s3": [0.25, 7.0]}, index=pd.Index(["g1", "g2"], name="feature_id")
    )
    path = tmp_path / f"view{suffix}"
    if suffix == ".parquet":
        frame.reset_index().to_parquet(path)
    else:
        frame.to_csv(path, sep="," if suffix == ".csv" else "\t")
    values, _ = load_view(ViewSpec("v", path, "generic"))
    pd.testing.assert_frame_equal(values, frame.T, check_names=False)
    flipped = tmp_path / "flipped.tsv"
    frame.T.rename_axis("sample_id").to_csv(flipped, sep="\t")
    pd.testing.assert_frame_equal(load_view(ViewSpec("v", flipped, "generic", "samples_x_features"))[0], values)


@pytest.mark.parametrize(
    ("omic_type", "text", "expected"),
    [
        ("generic", "feature_id\ts1\ts2\ng1\t1\tabc\n", ["non-numeric", "'s2'", "'g1'", "'abc'"]),
        ("generic", "feature_id\ts1\ts1\ng1\t1\t2\n", ["duplicate sample id", "s1"]),
        ("generic", "feature_id\ts1\ts2\ng1\t1\t2\ng1\t3\t4\n", ["duplicate feature id", "g1"]),
        ("generic", "feature_id\ts1\ts2\ng1\t1\tinf\n", ["infinite", "'s2'"]),
        ("rna_counts", "feature_id\ts1\ts2\ng1\t1\t-4\n", ["negative", "'s2'", "'g1'"]),
        ("mutation", "feature_id\ts1\ts2\ng1\t1\t2\n", ["other than 0/1", "'s2'"]),
        ("methylation", "feature_id\ts1\ts2\ng1\t0.5\t1.7\n", ["outside 0..1"]),
        ("generic", "feature_id\n", ["empty"]),
    ],
)
def test_bad_values_name_file_place_and_fix(tmp_path, omic_type, text, expected):
    path = write(tmp_path, "view.tsv", text)
    with pytest.raises(OncomixInputError) as error:
        load_view(ViewSpec("v", path, omic_type))
    message = str(error.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message


def test_every_problem_is_reported_at_once(tmp_path):
    bad_counts = write(tmp_path, "rna.tsv", "feature_id\ts1\ts2\ng1\t1\t-4\n")
    bad_mut = write(tmp_path, "mut.tsv", "feature_id\ts1\ts2\ng1\t1\t7\n")
    specs = [
        ViewSpec("rna", bad_counts, "rna_counts"),
        ViewSpec("mut", bad_mut, "mutation"),
        ViewSpec("x", tmp_path / "nope.tsv", "generic"),
    ]
    with pytest.raises(OncomixInputError) as error:
        ingest(sheet(tmp_path), specs)
    assert len(error.value.problems) == 3
    assert "nope.tsv: file not found" in str(error.value)


def test_samples_missing_from_sheet_are_an_error(tmp_path):
    view = write(tmp_path, "v.tsv", "feature_id\ts1\tzz9\ng1\t1\t2\n")
    with pytest.raises(OncomixInputError, match="zz9.*add them to the sample sheet"):
        ingest(sheet(tmp_path), [ViewSpec("v", view, "generic")])


def test_sample_sheet_checks(tmp_path):
    duplicated = write(tmp_path, "dup.tsv", "sample_id\tos\tev\ns1\t1\t0\ns1\t2\t1\n")
    with pytest.raises(OncomixInputError, match="duplicate sample_id"):
        read_samples(duplicated)
    bad_survival = write(tmp_path, "surv.tsv", "sample_id\tos\tev\ns1\t-1\t0\ns2\t2\t3\n")
    with pytest.raises(OncomixInputError) as error:
        read_samples(bad_survival, {"time": "os", "event": "ev"})
    assert "time >= 0" in str(error.value) and "0 (censored) or 1 (event)" in str(error.value)
    no_id = write(tmp_path, "noid.tsv", "patient\tage\np1\t3\n")
    with pytest.raises(OncomixInputError, match="no 'sample_id' column"):
        read_samples(no_id)


def test_unknown_type_is_named(tmp_path):
    view = write(tmp_path, "v.tsv", "feature_id\ts1\ng1\t1\n")
    with pytest.raises(OncomixInputError, match="unknown type 'rna_count'"):
        load_view(ViewSpec("v", view, "rna_count"))


def test_a_sheet_column_of_all_distinct_text_is_kept_and_written(tmp_path):
    samples = write(
        tmp_path, "samples.tsv", "sample_id\tpatient_alias\tsite\ns1\tPA-1\tlung\ns2\tPA-2\t\ns3\tPA-3\tlung\n"
    )
    view = write(tmp_path, "v.tsv", "feature_id\ts1\ts2\ts3\ng1\t1\t2\t3\ng2\t4\t6\t5\n")
    mdata, _ = ingest(samples, [ViewSpec("v", view, "generic")])
    mdata.write(tmp_path / "raw.h5mu")  # anndata refuses nullable string columns of distinct values
    back = md.read_h5mu(tmp_path / "raw.h5mu")
    assert back.obs["patient_alias"].astype(str).tolist() == ["PA-1", "PA-2", "PA-3"]
    assert back.obs["site"].isna().tolist() == [False, True, False]


def test_a_trailing_tab_in_the_sheet_is_dropped_with_a_warning(tmp_path, caplog):
    samples = write(tmp_path, "samples.tsv", "sample_id\tage\t\ns1\t50\t\ns2\t61\t\n")
    sheet = read_samples(samples)
    assert list(sheet.columns) == ["age"] and "dropped empty column(s) 3 without a name" in caplog.text


def test_ids_spelt_like_missing_values_are_names_in_views_and_sheet(tmp_path):
    samples = write(tmp_path, "samples.tsv", "sample_id\tage\nNA\t50\nNULL\t61\nnan\tNA\n")
    view = write(tmp_path, "v.tsv", "feature_id\tNA\tNULL\tnan\nNA\t1\t2\t3\nNULL\t4\tNA\t5\nnan\t7\t9\t8\n")
    mdata, _ = ingest(samples, [ViewSpec("v", view, "generic")])
    assert list(mdata.obs_names) == ["NA", "NULL", "nan"] and list(mdata["v"].var_names) == ["NA", "NULL", "nan"]
    assert np.isnan(mdata["v"]["NULL", "NULL"].X[0, 0]) and mdata.obs["age"].isna().tolist() == [False, False, True]
