"""The workflow's own tables: written and read back as they were."""

import gzip

import numpy as np
import pandas as pd

from oncomix.tables import read_indexed, read_long, read_sample_table, write_indexed, write_long


def test_result_tables_keep_sample_ids_as_text(tmp_path):
    path = tmp_path / "subtypes.tsv"
    write_indexed(pd.DataFrame({"subtype": ["ST1", "ST2"]}, index=pd.Index(["007", "1e3"], name="sample_id")), path)
    assert path.read_text() == "sample_id\tsubtype\n007\tST1\n1e3\tST2\n"
    assert list(read_sample_table(path).index) == ["007", "1e3"]


def test_long_tables_keep_feature_names_as_text(tmp_path):
    path = tmp_path / "markers.tsv"
    write_long(pd.DataFrame({"feature": ["NA", "007"], "gene_symbol": ["NA", None], "p": [0.5, 1e-9]}), path)
    assert path.read_text() == "feature\tgene_symbol\tp\nNA\tNA\t0.5\n007\t\t1e-09\n"
    back = read_long(path)
    assert list(back["feature"]) == ["NA", "007"] and back["gene_symbol"].isna().tolist() == [False, True]


def test_indexed_tables_read_back_with_their_index(tmp_path):
    path = tmp_path / "variance_explained.tsv"
    r2 = pd.DataFrame(
        {"Factor1": [11.3, np.nan], "Factor2": [0.0, 8.5]}, index=pd.Index(["mutation", "rna"], name="view")
    )
    write_indexed(r2, path)
    pd.testing.assert_frame_equal(read_indexed(path, "view"), r2)


def test_long_tables_read_back_as_written(tmp_path):
    path = tmp_path / "signature_performance.tsv"
    table = pd.DataFrame(
        {"scope": ["1", "2"], "metric": ["NA", "tumours"], "value": [np.nan, 81.0], "fitted": [True, False]}
    )
    write_long(table.assign(genes=["", "NA;007"]), path)
    back = read_long(path)
    pd.testing.assert_frame_equal(back.drop(columns="genes"), table)  # "NA" as text, a subtype "1" as text
    assert back["genes"].isna().tolist() == [True, False] and back["genes"].iloc[1] == "NA;007"


def test_gzipped_tables_carry_no_timestamp(tmp_path):
    path = tmp_path / "consensus.tsv.gz"
    write_indexed(pd.DataFrame({"a": [1.0]}, index=pd.Index(["t1"], name="sample_id")), path)
    assert path.read_bytes()[4:8] == bytes(4)  # the gzip header's mtime
    with gzip.open(path, "rt") as handle:
        assert handle.read() == "sample_id\ta\nt1\t1.0\n"
