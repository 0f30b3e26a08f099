"""Drug response: which subtype (or lineage) responds to each drug, and which features track the response.

Responses are sample-sheet columns, one per drug (e.g. activity area or IC50, as in CCLE). ``higher_means`` says
whether a higher value means more response (activity area) or more resistance (IC50); values are turned so that
higher always means more response before any test.

* **group association**: per drug and grouping (the subtypes, and each sheet column in ``by``, e.g. lineage),
  each group against the other tumours with the Mann-Whitney U test; effect: the AUC (probability that a tumour of
  the group responds more than one of the rest, ties counting half) and both medians (in the column's own units);
  Benjamini-Hochberg over every test of the grouping. ``responds`` is "more" when AUC > 0.5, "less" below.
* **response markers**: per drug, Spearman's rank correlation of each feature of every view with the response over
  the tumours that have both (p from the t approximation with n - 2 degrees of freedom), Benjamini-Hochberg within
  the drug (all views), ranked by p. Positive rho: higher values go with more response. With ``adjust_for``
  (sheet columns such as lineage, or ``subtype``), a partial Spearman correlation instead: both ranks are
  regressed on the columns (one indicator per group of a text column, numeric columns as they are) and the
  residuals correlated, over the tumours with every value; p from t with n - 2 - (rank of the covariates' design)
  degrees of freedom, the test of the feature's coefficient in the rank regression on feature and covariates. It
  asks whether the feature tracks response *within* the lineages, so a feature that only marks a responding
  lineage drops out.
A drug with fewer than ``MIN_TUMOURS`` tumours with a response, or one value for all, is not tested (a warning names
it).
Associations, not causes: a feature correlated with response may mark a lineage that responds for other reasons.
"""

from __future__ import annotations

import fnmatch
import logging

import mudata as md
import numpy as np
import pandas as pd
from scipy import stats

from oncomix.errors import OncomixInputError
from oncomix.multitest import bh
from oncomix.readers import listed

MIN_TUMOURS = 10  # fewer tumours with a response (or with a feature and a response): not tested
log = logging.getLogger(__name__)


def drug_columns(sheet: pd.DataFrame, patterns: list[str], source: str = "config drug_response.columns") -> list[str]:
    """The sheet columns named by ``patterns`` (names, or shell patterns such as ``actarea_*``), in sheet order."""
    unmatched = [p for p in patterns if not fnmatch.filter(map(str, sheet.columns), p)]
    if unmatched:
        raise OncomixInputError(
            f"{source}: {', '.join(map(repr, unmatched))} match no sample-sheet column (columns are "
            f"{listed(list(sheet.columns))}); fix the names or patterns in the config"
        )
    chosen = [c for c in sheet.columns if any(fnmatch.fnmatchcase(str(c), p) for p in patterns)]
    text = [c for c in chosen if not pd.api.types.is_numeric_dtype(sheet[c])]
    if text:
        raise OncomixInputError(
            f"{source}: column(s) {', '.join(map(repr, text))} hold text, not responses; name numeric columns only"
        )
    return chosen


def oriented(sheet: pd.DataFrame, columns: list[str], higher_means: str) -> pd.DataFrame:
    """The testable response columns, negated when higher values mean resistance; the others named in a warning."""
    values = sheet[columns].astype(float)
    untestable = [c for c in columns if values[c].notna().sum() < MIN_TUMOURS or values[c].nunique() < 2]
    if untestable:
        log.warning(
            f"drug response: {', '.join(untestable)} not tested (fewer than {MIN_TUMOURS} tumours with a value, or one "
            "value for all)"
        )
    values = values.drop(columns=untestable)
    return values if higher_means == "response" else -values


def group_associations(response: pd.DataFrame, groups: pd.Series, grouping: str, units: float = 1.0) -> pd.DataFrame:
    """Each drug, each group against the rest (Mann-Whitney U, AUC, medians), BH over the grouping's tests;
    ``units`` (-1 for a response given as resistance) turns the medians back into the column's own units."""
    rows = []
    for drug in response.columns:
        both = pd.DataFrame({"value": response[drug], "group": groups.reindex(response.index)}).dropna()
        if len(both) < MIN_TUMOURS or both["group"].nunique() < 2:
            continue
        for group in sorted(both["group"].unique(), key=str):
            inside = both["group"] == group
            a, b = both.loc[inside, "value"], both.loc[~inside, "value"]
            if len(a) < 2 or len(b) < 2:
                continue
            u, p = stats.mannwhitneyu(a, b, alternative="two-sided")
            rows.append(
                {
                    "drug": drug,
                    "grouping": grouping,
                    "group": group,
                    "n_group": len(a),
                    "n_rest": len(b),
                    "median_group": units * a.median(),
                    "median_rest": units * b.median(),
                    "auc": u / (len(a) * len(b)),
                    "p": p,
                }
            )
    table = pd.DataFrame(
        rows, columns=["drug", "grouping", "group", "n_group", "n_rest", "median_group", "median_rest", "auc", "p"]
    )
    table["q"] = bh(table["p"])
    table["responds"] = np.select([table["auc"] > 0.5, table["auc"] < 0.5], ["more", "less"], "same")
    return table


def response_markers(mdata: md.MuData, response: pd.DataFrame, covariates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Spearman's rho (partial, given ``covariates``, when there are any) of every feature of every view with each
    drug's response; BH within the drug; ranked by p."""
    design = None if covariates is None or covariates.empty else covariate_design(covariates)
    tables = []
    for drug in response.columns:
        values = response[drug].dropna()
        if design is not None:
            values = values[values.index.isin(design.index)]
        for name in mdata.mod:
            view = mdata[name]
            shared = view.obs_names.intersection(values.index)
            if len(shared) < MIN_TUMOURS:
                continue
            x = pd.DataFrame(np.asarray(view[shared].X, dtype=float), index=shared, columns=view.var_names)
            table = (
                _spearman(x, values.loc[shared])
                if design is None
                else _partial_spearman(x, values.loc[shared], design.loc[shared])
            )
            tables.append(table.assign(drug=drug, omic=name))
    adjusted = "" if design is None else ", ".join(map(str, covariates.columns))
    columns = ["drug", "omic", "feature", "rho", "n", "p", "q", "adjusted_for"]
    if not tables:
        return pd.DataFrame(columns=[*columns, "rank"])
    table = pd.concat(tables, ignore_index=True).assign(adjusted_for=adjusted)
    table["q"] = table.groupby("drug")["p"].transform(bh)
    table = table[columns]
    table = table.sort_values(["drug", "p", "omic", "feature"], kind="stable")
    table["rank"] = table.groupby("drug").cumcount() + 1
    return table.reset_index(drop=True)


def covariate_design(covariates: pd.DataFrame) -> pd.DataFrame:
    """Tumours with every covariate x design columns: an indicator per group of each text column (the first group
    left out) and each numeric column as it is; no intercept."""
    complete = covariates.dropna()
    parts = [
        complete[[c]].astype(float)
        if pd.api.types.is_numeric_dtype(complete[c])
        else pd.get_dummies(complete[c].astype(str), prefix=str(c), drop_first=True, dtype=float)
        for c in complete.columns
    ]
    return pd.concat(parts, axis=1)


def drug_response(mdata: md.MuData, subtypes: pd.Series, settings: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The config's ``drug_response`` analysis: group associations (the subtypes, then each ``by`` column; medians
    in the columns' own units) and response markers."""
    response = oriented(mdata.obs, drug_columns(mdata.obs, list(settings["columns"])), settings["higher_means"])
    groupings = {"subtype": subtypes} | {column: mdata.obs[column] for column in settings["by"]}
    units = 1.0 if settings["higher_means"] == "response" else -1.0
    groups = pd.concat(
        [group_associations(response, labels, name, units) for name, labels in groupings.items()], ignore_index=True
    )
    adjust = {c: subtypes if c == "subtype" else mdata.obs[c] for c in settings.get("adjust_for", [])}
    covariates = pd.DataFrame(adjust).reindex(mdata.obs_names) if adjust else None
    return groups, response_markers(mdata, response, covariates)


def _partial_spearman(x: pd.DataFrame, y: pd.Series, design: pd.DataFrame) -> pd.DataFrame:
    """Per column of ``x``: the partial Spearman rho with ``y`` given ``design`` over the rows where the feature is
    measured, its n and p (features with the same missing rows share one regression)."""
    rows = []
    for mask, features in x.columns.groupby(x.notna().apply(lambda c: c.to_numpy().tobytes())).items():
        measured = x.index[np.frombuffer(mask, dtype=bool)]
        if len(measured) < MIN_TUMOURS:
            continue
        z = np.column_stack([np.ones(len(measured)), design.loc[measured].to_numpy()])
        residual = _residuals(
            np.column_stack([stats.rankdata(y.loc[measured]), stats.rankdata(x.loc[measured, features], axis=0)]), z
        )
        rho = _correlations(residual[:, 0], residual[:, 1:])
        df = len(measured) - np.linalg.matrix_rank(z) - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * stats.t.sf(np.abs(rho * np.sqrt(df / (1 - rho**2))), df) if df > 0 else np.full(len(rho), np.nan)
        rows.append(pd.DataFrame({"feature": features, "rho": rho, "n": len(measured), "p": p}))
    if not rows:
        return pd.DataFrame(columns=["feature", "rho", "n", "p"])
    order = {feature: i for i, feature in enumerate(x.columns)}
    table = pd.concat(rows, ignore_index=True).dropna(subset=["p"])
    return table.sort_values("feature", key=lambda f: f.map(order), kind="stable").reset_index(drop=True)


def _residuals(values: np.ndarray, design: np.ndarray) -> np.ndarray:
    """``values`` (columns) less their least-squares fit on ``design``."""
    coefficients, *_ = np.linalg.lstsq(design, values, rcond=None)
    return values - design @ coefficients


def _correlations(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Pearson's r of ``y`` with each column of ``x``; NaN where a column (or ``y``) is constant up to rounding,
    as a feature the covariates explain whole leaves only rounding noise."""
    y, x = y - y.mean(), x - x.mean(axis=0)
    spread_x, spread_y = (x**2).sum(axis=0), (y**2).sum()
    flat = (spread_x < 1e-12 * len(x) ** 3) | (spread_y < 1e-12 * len(y) ** 3)  # ranks: sum of squares ~ n^3 / 12
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(flat, np.nan, (x.T @ y) / np.sqrt(spread_x * spread_y))


def _spearman(x: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Per column of ``x``: rho with ``y`` over the rows where both are measured, its n and p."""
    n = x.notna().sum()
    rho = x.corrwith(y, method="spearman")
    with np.errstate(divide="ignore", invalid="ignore"):
        t = rho * np.sqrt((n - 2) / (1 - rho**2))
    p = pd.Series(2 * stats.t.sf(np.abs(t), n - 2), index=x.columns).where((n >= MIN_TUMOURS) & rho.notna())
    return pd.DataFrame({"feature": x.columns, "rho": rho.to_numpy(), "n": n.to_numpy(), "p": p.to_numpy()}).dropna(
        subset=["p"]
    )
