"""Clinical context of the subtypes: sample-sheet columns against subtype and against each factor, and a
"table one" per subtype.

* Subtype vs a categorical column: Fisher's exact test for a 2 x 2 table, Pearson's chi-square test otherwise
  (``small_expected`` flags tables with an expected count below 5, where the chi-square p is approximate);
  effect: Cramer's V. Subtype vs a numeric column: Kruskal-Wallis test; effect: eta^2 from H.
  Benjamini-Hochberg over all columns.
* Factor vs column: Spearman (numeric) or Kruskal-Wallis (categorical), as ``oncomix.factors`` does for the
  technical covariates; BH over all factor-column tests.
* Missing views: per subtype and view, the share of the subtype's tumours that lack the view against the other
  tumours' (Fisher's exact test, one subtype against the rest; BH over every subtype and view). A subtype that
  mostly lacks a view may be one of missing data rather than of biology.
* Table one: numeric columns as median [interquartile range], categorical ones as n (% of the subtype's tumours
  with a value), with the number of missing values.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import stats

from oncomix.errors import OncomixInputError, did_you_mean
from oncomix.factors import covariate_associations, kruskal_eta2
from oncomix.multitest import bh
from oncomix.readers import listed

MAX_LEVELS = 50  # a text column with more levels than this is not described by default (a table one too long to read)
ID_LIKE_SHARE = 0.5  # ... nor one with more distinct values than this share of its tumours (ids, free text)
log = logging.getLogger(__name__)


def clinical_columns(sheet: pd.DataFrame, wanted: list[str], exclude: set[str]) -> list[str]:
    """The columns to describe: ``wanted`` if given, else every column but ``exclude`` (e.g. survival time and
    event, which have their own analysis) that has 2+ values and is numeric or a text column of at most
    ``MAX_LEVELS`` levels that is not id-like; the others are named, with why, in one warning."""
    if wanted:
        others = f"columns are {listed(list(sheet.columns))}"
        missing = [f"{c!r} ({did_you_mean(c, sheet.columns, others)})" for c in wanted if c not in sheet.columns]
        if missing:
            raise OncomixInputError(
                f"config clinical_columns: {', '.join(missing)} not in the sample sheet; fix the names in the config"
            )
        return list(wanted)
    reasons = {c: _not_described_because(sheet[c]) for c in sheet.columns if c not in exclude}
    skipped = {c: why for c, why in reasons.items() if why}
    if skipped:
        log.warning(
            "clinical: sample-sheet column(s) not described: "
            + "; ".join(f"{c} ({why})" for c, why in skipped.items())
            + "; name a column in clinical_columns to describe it anyway"
        )
    return [c for c, why in reasons.items() if not why]


def _not_described_because(values: pd.Series) -> str:
    """Why a column is left out of the default description ('' when it is described)."""
    n, levels = int(values.notna().sum()), values.nunique()
    if levels < 2:
        return "a single value" if levels else "empty"
    if is_numeric(values):
        return ""
    if levels > ID_LIKE_SHARE * n:
        return f"{levels} distinct values in {n} tumours, like an id or free text"
    return f"{levels} levels, more than {MAX_LEVELS}" if levels > MAX_LEVELS else ""


def is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def subtype_test(values: pd.Series, subtypes: pd.Series) -> dict:
    """One column against subtype (tumours missing either left out)."""
    both = pd.DataFrame({"value": values, "subtype": subtypes}).dropna()
    if is_numeric(both["value"]):
        h, p, eta2 = kruskal_eta2([rows["value"].to_numpy() for _, rows in both.groupby("subtype")])
        return {
            "test": "Kruskal-Wallis",
            "n": len(both),
            "statistic": h,
            "p": p,
            "effect": eta2,
            "effect_type": "eta^2",
            "small_expected": False,
        }
    table = pd.crosstab(both["value"], both["subtype"])
    chi2, p, _, expected = stats.chi2_contingency(table, correction=False)
    cramers_v = np.sqrt(chi2 / (table.to_numpy().sum() * (min(table.shape) - 1)))
    if table.shape == (2, 2):
        result = stats.fisher_exact(table)
        return {
            "test": "Fisher exact",
            "n": len(both),
            "statistic": result.statistic,
            "p": result.pvalue,
            "effect": cramers_v,
            "effect_type": "Cramer's V",
            "small_expected": False,
        }
    return {
        "test": "chi-square",
        "n": len(both),
        "statistic": chi2,
        "p": p,
        "effect": cramers_v,
        "effect_type": "Cramer's V",
        "small_expected": bool((expected < 5).any()),
    }


def subtype_associations(sheet: pd.DataFrame, subtypes: pd.Series, columns: list[str]) -> pd.DataFrame:
    """Every column against subtype, BH-adjusted over columns, strongest first."""
    labels = subtypes.reindex(sheet.index)
    testable = [c for c in columns if sheet[c].nunique() >= 2 and labels[sheet[c].notna()].nunique() >= 2]
    rows = [{"column": c, **subtype_test(sheet[c], labels)} for c in testable]
    table = pd.DataFrame(
        rows, columns=["column", "test", "n", "statistic", "p", "effect", "effect_type", "small_expected"]
    )
    table["q"] = bh(table["p"])
    return table.sort_values("p", kind="stable").reset_index(drop=True)


def missing_view_tests(missing_views: pd.Series, subtypes: pd.Series, views: list[str]) -> pd.DataFrame:
    """Per subtype and view: share of its tumours lacking the view (``missing_views``: comma-separated names per
    tumour), the rest's share, Fisher's exact p and BH q over all the tests."""
    lacking = pd.DataFrame(
        {v: missing_views.fillna("").str.split(",").apply(lambda names, v=v: v in names) for v in views}
    )
    lacking = lacking.loc[:, lacking.any()]  # a view every tumour has: nothing to test
    views = list(lacking.columns)
    rows = []
    for subtype in subtypes.dropna().unique():
        inside = (subtypes == subtype).reindex(lacking.index, fill_value=False)
        for view in views:
            table = pd.crosstab(inside, lacking[view]).reindex(index=[True, False], columns=[True, False], fill_value=0)
            rows.append(
                {
                    "subtype": subtype,
                    "view": view,
                    "share": lacking.loc[inside, view].mean(),
                    "rest": lacking.loc[~inside, view].mean(),
                    "p": stats.fisher_exact(table.to_numpy())[1],
                }
            )
    tests = pd.DataFrame(rows, columns=["subtype", "view", "share", "rest", "p"])
    return tests.assign(q=bh(tests["p"]))


def factor_associations(factors: pd.DataFrame, sheet: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Every factor against every column (Spearman or Kruskal-Wallis), BH-adjusted over all tests."""
    return covariate_associations(factors, sheet.reindex(factors.index)[columns], technical=set()).drop(
        columns="technical"
    )


def table_one(sheet: pd.DataFrame, subtypes: pd.Series, columns: list[str]) -> pd.DataFrame:
    """Rows: column (and level); columns: each subtype and all tumours, as text ready to show."""
    labels = subtypes.reindex(sheet.index)
    groups = {name: sheet[labels == name] for name in sorted(labels.dropna().unique())} | {"all": sheet[labels.notna()]}
    rows = [{"variable": "tumours", "level": "", **{name: str(len(group)) for name, group in groups.items()}}]
    for column in columns:
        if is_numeric(sheet[column]):
            rows.append(
                {
                    "variable": column,
                    "level": "median [IQR]",
                    **{name: _median_iqr(group[column]) for name, group in groups.items()},
                }
            )
        else:
            for level in sorted(sheet[column].dropna().unique(), key=str):
                rows.append(
                    {
                        "variable": column,
                        "level": str(level),
                        **{name: _count(group[column], level) for name, group in groups.items()},
                    }
                )
        rows.append(
            {
                "variable": column,
                "level": "missing",
                **{name: str(int(group[column].isna().sum())) for name, group in groups.items()},
            }
        )
    return pd.DataFrame(rows)


def _median_iqr(values: pd.Series) -> str:
    values = values.dropna()
    if values.empty:
        return ""
    low, median, high = values.quantile([0.25, 0.5, 0.75])
    return f"{median:.3g} [{low:.3g}, {high:.3g}]"


def _count(values: pd.Series, level) -> str:
    present = values.dropna()
    n = int((present == level).sum())
    return f"{n} ({100 * n / len(present):.0f}%)" if len(present) else "0"
