"""The workflow's own tables: written and read back as they were."""

import pandas as pd

from oncomix.tables import read_sample_table


def test_result_tables_keep_sample_ids_as_text(tmp_path):
    path = tmp_path / "subtypes.tsv"
    pd.DataFrame({"subtype": ["ST1", "ST2"]}, index=pd.Index(["007", "1e3"], name="sample_id")).to_csv(path, sep="\t")
    assert list(read_sample_table(path).index) == ["007", "1e3"]
