"""Outcome by subtype, with lifelines: Kaplan-Meier curves, log-rank tests, median survival and Cox models.

* Kaplan-Meier estimate per subtype with numbers at risk and pointwise 95% CIs (lifelines' exponential
  Greenwood intervals); median survival with its 95% CI (NaN when the curve does not fall below 0.5).
* Log-rank tests: the multivariate test of equal survival across all subtypes, and every pair of subtypes,
  Benjamini-Hochberg adjusted over the pairs.
* Cox proportional hazards model of subtype (reference: the largest subtype, ST1) adjusted for the configured
  covariates (numeric as they are, categorical as indicator columns), with hazard ratios, 95% CIs and Wald p;
  the proportional-hazards assumption is checked per term with the Grambsch-Therneau test (rank time).
* A univariate Cox model per MOFA factor (hazard ratio per standard deviation), BH adjusted over factors.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.exceptions import ConvergenceError
from lifelines.statistics import multivariate_logrank_test, pairwise_logrank_test, proportional_hazard_test
from lifelines.utils import median_survival_times

from oncomix.multitest import bh

log = logging.getLogger(__name__)
COX_PENALIZER = 0.1  # ridge penalty of a Cox model refitted after a failure to converge


def survival_frame(subtypes: pd.Series, time: pd.Series, event: pd.Series) -> pd.DataFrame:
    """Tumours with a subtype, a follow-up time and an event indicator: columns subtype, time, event."""
    frame = pd.DataFrame(
        {"subtype": subtypes, "time": time.reindex(subtypes.index), "event": event.reindex(subtypes.index)}
    )
    return frame.dropna().astype({"time": float, "event": int})


def kaplan_meier(frame: pd.DataFrame) -> pd.DataFrame:
    """Per subtype and event or censoring time: at risk, events, censored, survival and its 95% CI."""
    tables = []
    for subtype, group in frame.groupby("subtype"):
        fit = KaplanMeierFitter().fit(group["time"], group["event"], label="survival")
        table = fit.event_table.rename(columns={"observed": "events"})[["at_risk", "events", "censored"]]
        table = table.join(fit.survival_function_).join(
            fit.confidence_interval_.set_axis(["ci_low", "ci_high"], axis=1)
        )
        tables.append(table.rename_axis("time").reset_index().assign(subtype=subtype))
    return pd.concat(tables, ignore_index=True)[
        ["subtype", "time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]
    ]


def median_survival(frame: pd.DataFrame) -> pd.DataFrame:
    """Per subtype: tumours, events, median survival time and its 95% CI."""
    rows = []
    for subtype, group in frame.groupby("subtype"):
        fit = KaplanMeierFitter().fit(group["time"], group["event"])
        low, high = median_survival_times(fit.confidence_interval_).iloc[0]
        median = fit.median_survival_time_
        rows.append(
            {
                "subtype": subtype,
                "tumours": len(group),
                "events": int(group["event"].sum()),
                "median": median if np.isfinite(median) else np.nan,
                "ci_low": low if np.isfinite(low) else np.nan,
                "ci_high": high if np.isfinite(high) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def logrank_tests(frame: pd.DataFrame) -> pd.DataFrame:
    """The multivariate log-rank test across subtypes, then each pair with BH-adjusted q-values."""
    overall = multivariate_logrank_test(frame["time"], frame["subtype"], frame["event"])
    rows = [
        {
            "comparison": "all subtypes",
            "statistic": overall.test_statistic,
            "df": overall.degrees_of_freedom,
            "p": overall.p_value,
            "q": np.nan,
        }
    ]
    pairs = pairwise_logrank_test(frame["time"], frame["subtype"], frame["event"]).summary
    q = bh(pairs["p"])
    for ((first, second), row), q_value in zip(pairs.iterrows(), q, strict=True):
        rows.append(
            {
                "comparison": f"{first} vs {second}",
                "statistic": row["test_statistic"],
                "df": 1,
                "p": row["p"],
                "q": q_value,
            }
        )
    return pd.DataFrame(rows)


def cox_design(frame: pd.DataFrame, covariates: pd.DataFrame) -> pd.DataFrame:
    """time, event, one indicator per subtype other than the reference (the largest) and the covariates
    (categorical ones as indicators of each level but the first); tumours missing a covariate are left out."""
    reference = frame["subtype"].value_counts().sort_index().idxmax()
    subtype = pd.Categorical(frame["subtype"], categories=[reference, *sorted(set(frame["subtype"]) - {reference})])
    design = pd.get_dummies(
        pd.Series(subtype, index=frame.index, name="subtype"), prefix="subtype", drop_first=True, dtype=float
    )
    extra = (
        pd.get_dummies(covariates.reindex(frame.index), drop_first=True, dtype=float) if covariates.shape[1] else None
    )
    return pd.concat([frame[["time", "event"]], design, extra], axis=1).dropna()


def fit_cox(design: pd.DataFrame) -> CoxPHFitter:
    """A Cox model of ``design`` (columns time, event and the terms). Where the likelihood has no finite maximum (a
    subtype without events: complete separation), lifelines' advice is followed: a ridge penalty of
    ``COX_PENALIZER``, said in a warning, since its hazard ratios are then shrunk towards 1."""
    try:
        return CoxPHFitter().fit(design, duration_col="time", event_col="event")
    except ConvergenceError:
        log.warning(
            "the Cox model of %s did not converge (a group without events?); refitted with a ridge penalty of %s, "
            "which shrinks its hazard ratios towards 1",
            ", ".join(design.columns.drop(["time", "event"])),
            COX_PENALIZER,
        )
        return CoxPHFitter(penalizer=COX_PENALIZER).fit(design, duration_col="time", event_col="event")


def cox_subtypes(frame: pd.DataFrame, covariates: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hazard ratios (95% CI, Wald p) of each term of the adjusted Cox model, and the proportional-hazards test."""
    design = cox_design(frame, covariates)
    model = fit_cox(design)
    summary = model.summary
    hazards = pd.DataFrame(
        {
            "term": summary.index,
            "hazard_ratio": summary["exp(coef)"].to_numpy(),
            "ci_low": summary["exp(coef) lower 95%"].to_numpy(),
            "ci_high": summary["exp(coef) upper 95%"].to_numpy(),
            "p": summary["p"].to_numpy(),
            "tumours": len(design),
        }
    )
    ph = proportional_hazard_test(model, design, time_transform="rank").summary
    assumption = pd.DataFrame({"term": ph.index, "statistic": ph["test_statistic"].to_numpy(), "p": ph["p"].to_numpy()})
    return hazards, assumption


def cox_factors(factors: pd.DataFrame, time: pd.Series, event: pd.Series) -> pd.DataFrame:
    """Per factor, a univariate Cox model of the standardised factor: hazard ratio per SD, 95% CI, p, BH q."""
    rows = []
    for factor in factors.columns:
        frame = pd.DataFrame(
            {"value": factors[factor], "time": time.reindex(factors.index), "event": event.reindex(factors.index)}
        ).dropna()
        frame["value"] = (frame["value"] - frame["value"].mean()) / frame["value"].std()
        summary = fit_cox(frame).summary.loc["value"]
        rows.append(
            {
                "factor": factor,
                "hazard_ratio_per_sd": summary["exp(coef)"],
                "ci_low": summary["exp(coef) lower 95%"],
                "ci_high": summary["exp(coef) upper 95%"],
                "p": summary["p"],
                "tumours": len(frame),
            }
        )
    table = pd.DataFrame(rows)
    table["q"] = bh(table["p"])
    return table
