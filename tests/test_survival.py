"""Survival by subtype: every table checked against lifelines (and statsmodels) called directly."""

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.exceptions import ConvergenceError
from lifelines.statistics import logrank_test, multivariate_logrank_test
from statsmodels.stats.multitest import multipletests

from oncomix import survival
from oncomix.survival import (
    cox_design,
    cox_factors,
    cox_subtypes,
    kaplan_meier,
    logrank_tests,
    median_survival,
    survival_frame,
)


def cohort(seed=0):
    """Three subtypes with hazards 1, 2 and 4, administrative censoring at 3, an age covariate, two missing times."""
    rng = np.random.default_rng(seed)
    subtypes = pd.Series(np.repeat(["ST1", "ST2", "ST3"], [60, 40, 30]), index=[f"t{i}" for i in range(130)])
    rate = subtypes.map({"ST1": 0.3, "ST2": 0.6, "ST3": 1.2})
    latent = pd.Series(rng.exponential(1 / rate), index=subtypes.index)
    time, event = latent.clip(upper=3.0), (latent < 3.0).astype(int)
    time.iloc[:2] = np.nan
    sheet = pd.DataFrame(
        {"age": rng.normal(60, 10, 130), "stage": rng.choice(["I", "II", "III"], 130)}, index=subtypes.index
    )
    return subtypes, time, event, sheet


def test_kaplan_meier_and_medians_match_lifelines():
    subtypes, time, event, _ = cohort()
    frame = survival_frame(subtypes, time, event)
    assert len(frame) == 128
    table = kaplan_meier(frame)
    group = frame[frame["subtype"] == "ST2"]
    direct = KaplanMeierFitter().fit(group["time"], group["event"])
    ours = table[table["subtype"] == "ST2"].set_index("time")
    np.testing.assert_allclose(ours["survival"], direct.survival_function_.iloc[:, 0].loc[ours.index])
    np.testing.assert_allclose(ours["at_risk"], direct.event_table["at_risk"].loc[ours.index])
    np.testing.assert_allclose(ours["ci_low"], direct.confidence_interval_.iloc[:, 0].loc[ours.index])
    assert ours["events"].sum() == group["event"].sum()
    medians = median_survival(frame).set_index("subtype")
    assert np.isclose(medians.loc["ST2", "median"], direct.median_survival_time_)
    assert medians.loc["ST1", "median"] > medians.loc["ST3", "median"]


def test_logrank_overall_and_pairwise_with_bh():
    subtypes, time, event, _ = cohort()
    frame = survival_frame(subtypes, time, event)
    tests = logrank_tests(frame).set_index("comparison")
    assert np.isclose(
        tests.loc["all subtypes", "p"],
        multivariate_logrank_test(frame["time"], frame["subtype"], frame["event"]).p_value,
    )
    assert tests.loc["all subtypes", "p"] < 1e-4  # hazards 1 : 2 : 4
    pairs = ["ST1 vs ST2", "ST1 vs ST3", "ST2 vs ST3"]
    groups = {subtype: rows for subtype, rows in frame.groupby("subtype")}
    direct = [
        logrank_test(groups[a]["time"], groups[b]["time"], groups[a]["event"], groups[b]["event"]).p_value
        for a, b in (p.split(" vs ") for p in pairs)
    ]
    np.testing.assert_allclose(tests.loc[pairs, "p"], direct)
    np.testing.assert_allclose(tests.loc[pairs, "q"], multipletests(direct, method="fdr_bh")[1])


def test_cox_model_of_subtype_adjusted_for_covariates():
    subtypes, time, event, sheet = cohort()
    frame = survival_frame(subtypes, time, event)
    hazards, assumption = cox_subtypes(frame, sheet[["age", "stage"]])
    hazards = hazards.set_index("term")
    assert set(hazards.index) == {"subtype_ST2", "subtype_ST3", "age", "stage_II", "stage_III"}  # reference: ST1
    assert 1.2 < hazards.loc["subtype_ST2", "hazard_ratio"] < hazards.loc["subtype_ST3", "hazard_ratio"]
    assert (hazards["ci_low"] < hazards["hazard_ratio"]).all() and (hazards["hazard_ratio"] < hazards["ci_high"]).all()
    design = pd.get_dummies(
        frame.assign(age=sheet["age"], stage=sheet["stage"]), columns=["subtype", "stage"], drop_first=True, dtype=float
    )
    direct = CoxPHFitter().fit(design, "time", "event").summary
    assert np.isclose(hazards.loc["subtype_ST3", "hazard_ratio"], direct.loc["subtype_ST3", "exp(coef)"])
    assert set(assumption["term"]) == set(hazards.index) and assumption["p"].between(0, 1).all()
    unadjusted, _ = cox_subtypes(frame, sheet[[]])
    assert list(unadjusted["term"]) == ["subtype_ST2", "subtype_ST3"]


def test_cox_per_factor_finds_the_prognostic_factor():
    subtypes, time, event, _ = cohort()
    rng = np.random.default_rng(1)
    factors = pd.DataFrame(
        {
            "Factor1": subtypes.map({"ST1": 0.0, "ST2": 1.0, "ST3": 2.0}) + rng.normal(0, 0.3, 130),
            "Factor2": rng.normal(size=130),
        }
    )
    table = cox_factors(factors, time, event).set_index("factor")
    assert table.loc["Factor1", "hazard_ratio_per_sd"] > 1.5 and table.loc["Factor1", "q"] < 1e-3
    assert table.loc["Factor2", "q"] > 0.01 and (table["tumours"] == 128).all()


def test_a_cox_model_that_does_not_converge_is_refitted_with_a_penalty_not_a_crash(monkeypatch, caplog):
    class Unpenalised(CoxPHFitter):  # lifelines' failure on the ACC cohort: "delta contains nan value(s)"
        def fit(self, *args, **kwargs):
            if self.penalizer == 0:
                raise ConvergenceError("delta contains nan value(s)")
            return super().fit(*args, **kwargs)

    monkeypatch.setattr(survival, "CoxPHFitter", Unpenalised)
    subtypes, time, event, sheet = cohort()
    frame, covariates = survival_frame(subtypes, time, event), sheet[["age"]]
    hazards, _ = cox_subtypes(frame, covariates)
    expected = CoxPHFitter(penalizer=survival.COX_PENALIZER).fit(
        cox_design(frame, covariates), duration_col="time", event_col="event"
    )
    np.testing.assert_allclose(hazards["hazard_ratio"], expected.summary["exp(coef)"])
    assert "ridge penalty" in caplog.text
