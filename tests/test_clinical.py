"""Clinical association: tests recomputed with scipy, the factor tests, and table one."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from oncomix.clinical import (
    clinical_columns,
    factor_associations,
    missing_view_tests,
    subtype_associations,
    table_one,
)
from oncomix.errors import OncomixInputError


def cohort(seed=0):
    rng = np.random.default_rng(seed)
    subtypes = pd.Series(np.repeat(["ST1", "ST2", "ST3"], [50, 30, 20]), index=[f"t{i}" for i in range(100)])
    sheet = pd.DataFrame(
        {
            "age": rng.normal(60, 8, 100) + np.where(subtypes == "ST3", 10, 0),  # older in ST3
            "stage": rng.choice(["I", "II", "III"], 100),
            "er_status": np.where(subtypes == "ST1", "positive", rng.choice(["positive", "negative"], 100)),
            "sex": rng.choice(["female", "male"], 100),
            "patient_id": [f"p{i}" for i in range(100)],  # an id column: not tested
            "os_months": rng.exponential(40, 100),
        },
        index=subtypes.index,
    )
    sheet.loc["t0", "age"] = np.nan
    return subtypes, sheet


def test_columns_default_to_testable_sheet_columns_except_the_excluded():
    _, sheet = cohort()
    assert clinical_columns(sheet, [], {"os_months"}) == ["age", "stage", "er_status", "sex"]
    assert clinical_columns(sheet, ["age"], set()) == ["age"]


def test_a_text_column_of_many_levels_is_described_and_id_like_or_constant_ones_are_named(caplog):
    rng = np.random.default_rng(1)
    sheet = pd.DataFrame(
        {
            "lineage": rng.choice([f"lineage{i}" for i in range(23)], 300),  # 23 values, as in a cell-line cohort
            "cell_line": [f"line{i}" for i in range(300)],
            "centre": "one",
            "free_text": rng.choice([f"note {i}" for i in range(60)], 300),  # 60 levels: more than MAX_LEVELS
        },
        index=[f"t{i}" for i in range(300)],
    )
    with caplog.at_level("WARNING"):
        assert clinical_columns(sheet, [], set()) == ["lineage"]
    assert (
        "clinical: sample-sheet column(s) not described: cell_line (300 distinct values in 300 tumours, like an id or "
        "free text); centre (a single value); free_text (60 levels, more than 50); name a column in clinical_columns"
    ) in caplog.text


def test_a_misspelt_clinical_column_is_an_input_error_naming_it_and_the_fix():
    _, sheet = cohort()
    with pytest.raises(
        OncomixInputError, match=r"clinical_columns: 'stge' \(did you mean 'stage'\?\), 'xyz' \(columns are age, stage"
    ):
        clinical_columns(sheet, ["age", "stge", "xyz"], set())


def test_subtype_tests_match_scipy_and_find_the_planted_differences():
    subtypes, sheet = cohort()
    table = subtype_associations(sheet, subtypes, ["age", "stage", "er_status", "sex"]).set_index("column")
    ok = sheet["age"].notna()
    h, p = stats.kruskal(*(sheet.loc[ok & (subtypes == s), "age"] for s in ("ST1", "ST2", "ST3")))
    assert (
        np.isclose(table.loc["age", "p"], p)
        and table.loc["age", "n"] == 99
        and table.loc["age", "test"] == "Kruskal-Wallis"
    )
    chi2, p_stage, _, _ = stats.chi2_contingency(pd.crosstab(sheet["stage"], subtypes), correction=False)
    assert np.isclose(table.loc["stage", "p"], p_stage) and table.loc["stage", "test"] == "chi-square"
    assert (
        table.loc["er_status", "test"] == "chi-square"
        and table.loc["er_status", "q"] < 0.01
        and table.loc["age", "q"] < 0.01
    )
    np.testing.assert_allclose(table["q"], multipletests(table["p"], method="fdr_bh")[1])
    two = subtype_associations(sheet, subtypes.where(subtypes == "ST1", "other"), ["sex"]).iloc[0]
    assert two["test"] == "Fisher exact" and np.isclose(
        two["p"], stats.fisher_exact(pd.crosstab(sheet["sex"], subtypes.where(subtypes == "ST1", "other"))).pvalue
    )


def test_factor_associations_and_table_one():
    subtypes, sheet = cohort()
    factors = pd.DataFrame(
        {"Factor1": sheet["age"].fillna(60) + np.random.default_rng(1).normal(0, 2, 100)}, index=sheet.index
    )
    associations = factor_associations(factors, sheet, ["age", "stage"]).set_index("covariate")
    assert associations.loc["age", "test"] == "spearman" and associations.loc["age", "q"] < 1e-10
    one = table_one(sheet, subtypes, ["age", "er_status"]).set_index(["variable", "level"])
    assert one.loc[("tumours", ""), "ST1"] == "50" and one.loc[("tumours", ""), "all"] == "100"
    assert one.loc[("er_status", "positive"), "ST1"] == "50 (100%)"
    assert one.loc[("age", "missing"), "ST1"] == "1"
    median = sheet.loc[subtypes == "ST3", "age"].median()
    assert one.loc[("age", "median [IQR]"), "ST3"].startswith(f"{median:.3g} [")


def test_a_column_measured_in_one_subtype_only_is_not_tested():
    subtypes, sheet = cohort()
    sheet = sheet.assign(ki67=np.where(subtypes == "ST1", sheet["age"], np.nan))  # measured in ST1 alone
    table = subtype_associations(sheet, subtypes, ["age", "ki67"])
    assert list(table["column"]) == ["age"]


def test_a_subtype_that_mostly_lacks_a_view_is_found():
    subtypes = pd.Series(["ST1"] * 30 + ["ST2"] * 30, index=[f"t{i}" for i in range(60)])
    missing = pd.Series([""] * 60, index=subtypes.index)
    missing.iloc[:20] = "protein"  # 20 of ST1's 30 lack protein, none of ST2's
    missing.iloc[40:42] = "rna,protein"
    tests = missing_view_tests(missing, subtypes, ["rna", "protein", "mutation"]).set_index(["subtype", "view"])
    st1 = tests.loc[("ST1", "protein")]
    assert st1["share"] == 20 / 30 and st1["rest"] == 2 / 30 and st1["q"] < 1e-4
    assert st1["p"] == pytest.approx(stats.fisher_exact([[20, 10], [2, 28]])[1])
    assert tests.loc[("ST2", "rna"), "q"] > 0.05 and len(tests) == 4  # no tumour lacks mutation: not tested
