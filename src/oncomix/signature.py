"""A compact multi-omic signature per subtype: a sparse (L1) multinomial logistic regression, with nested
cross-validation for an honest estimate of how well it assigns tumours to subtypes.

Inside every training set (so nothing is learnt from held-out tumours): mean imputation of missing values
(a missing view counts as average), standardisation, an ANOVA F screen to ``screen_features`` features, then
the L1 model. The inner cross-validation picks the strongest penalty whose accuracy is within one standard
error of the best (the one-standard-error rule: the sparsest model that is about as accurate). The outer
folds give the held-out accuracy and per-subtype AUCs; the final signature is refitted on every tumour.

In cohorts of more than ``max_tumours`` tumours, all of this runs on a random subset of that many, stratified
by subtype (the time of nested cross-validation grows faster than the cohort); the final signature then
classifies the other tumours, which were never used for fitting: ``accuracy_outside_fitting_subset``.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import ClassVar

import mudata as md
import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from oncomix.cluster import stratified_subset
from oncomix.config import FromConfig

log = logging.getLogger(__name__)
MIN_TUMOURS = 6  # a subtype needs this many tumours to be part of a cross-validated signature


@dataclass(frozen=True)
class SignatureOptions(FromConfig):
    SECTION: ClassVar[str] = "signature"
    screen_features: int = 300  # features kept by the ANOVA F screen inside each training set
    penalties: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3)  # values of C tried (smaller = sparser)
    outer_folds: int = 5
    inner_folds: int = 3
    max_iter: int = 3000
    # saga's stopping tolerance: 1e-3 instead of scikit-learn's 1e-4 fits 1.9-3.4x faster, with held-out accuracies
    # within 0.007 of those at 1e-4 on the demo, TCGA-ACC, TCGA-BRCA and CCLE (bench/signature_tolerance.py)
    tolerance: float = 1e-3
    max_tumours: int = 2000  # larger cohorts: fitted and cross-validated on a stratified random subset this large
    seed: int = 42


@dataclass
class Signature:
    features: pd.DataFrame  # omic, feature, subtype, coefficient (per standard deviation), selection_frequency
    performance: pd.DataFrame  # scope (overall or a subtype), metric, value
    predictions: pd.DataFrame  # per tumour: subtype, held-out predicted subtype and probabilities
    model: Pipeline | None = None  # the signature refitted on every tumour (None when none could be fitted)
    design: pd.DataFrame | None = None  # its input: tumours x ``view:feature``
    subtypes: pd.Series | None = None  # its labels, aligned with ``design``


def design_matrix(mdata: md.MuData) -> pd.DataFrame:
    """Tumours x ``view:feature`` over every preprocessed view; NaN where a value or a whole view is missing."""
    frames = [
        pd.DataFrame(
            np.asarray(view.X, dtype=float), index=view.obs_names, columns=[f"{name}:{f}" for f in view.var_names]
        )
        for name, view in mdata.mod.items()
    ]
    return pd.concat(frames, axis=1).reindex(mdata.obs_names)


def one_standard_error(cv_results: dict) -> int:
    """Index of the smallest C whose mean accuracy is within one standard error of the best one."""
    means = np.asarray(cv_results["mean_test_score"])
    n_splits = sum(key.startswith("split") and key.endswith("_test_score") for key in cv_results)
    standard_errors = np.asarray(cv_results["std_test_score"]) / np.sqrt(n_splits)
    best = int(np.argmax(means))
    good_enough = np.flatnonzero(means >= means[best] - standard_errors[best])
    penalties = np.asarray(cv_results["param_model__C"], dtype=float)
    return int(good_enough[np.argmin(penalties[good_enough])])


def tuned_model(n_features: int, n_inner: int, options: SignatureOptions, threads: int) -> GridSearchCV:
    pipeline = Pipeline(
        [
            ("impute", SimpleImputer(strategy="mean", keep_empty_features=True)),
            ("scale", StandardScaler()),
            ("screen", SelectKBest(f_classif, k=min(options.screen_features, n_features))),
            (
                "model",
                LogisticRegression(
                    l1_ratio=1.0,
                    solver="saga",
                    tol=options.tolerance,
                    max_iter=options.max_iter,
                    random_state=options.seed,
                ),
            ),
        ]
    )
    inner = StratifiedKFold(n_inner, shuffle=True, random_state=options.seed)
    return GridSearchCV(
        pipeline, {"model__C": list(options.penalties)}, cv=inner, refit=one_standard_error, n_jobs=threads
    )


def kept_coefficients(search: GridSearchCV, columns: pd.Index) -> pd.DataFrame:
    """Non-zero coefficients of a fitted search's best model: feature x subtype (per standard deviation)."""
    pipeline = search.best_estimator_
    screened = columns[pipeline["screen"].get_support()]
    model = pipeline["model"]
    # binary: one row of coefficients, for the second class
    weights = model.coef_.T if len(model.classes_) > 2 else np.hstack([-model.coef_.T, model.coef_.T])
    coefficients = pd.DataFrame(weights, index=screened, columns=model.classes_)
    return coefficients.loc[(coefficients != 0).any(axis=1)]


def _folds(labels: pd.Series, wanted: int) -> int:
    return max(2, min(wanted, int(labels.value_counts().min())))


def fit_signature(mdata: md.MuData, subtypes: pd.Series, options: SignatureOptions, threads: int = 1) -> Signature:
    """Nested cross-validation of the sparse signature, then the signature refitted on every tumour (of the
    fitting subset, see the module's docstring).

    Subtypes with fewer than ``MIN_TUMOURS`` tumours are left out (with a warning and NaN AUC rows)."""
    x = design_matrix(mdata)
    y = subtypes.reindex(x.index).dropna().astype(str)
    sizes = y.value_counts().sort_index()
    small = list(sizes.index[sizes < MIN_TUMOURS])
    if small:
        log.warning(
            "subtype(s) %s have fewer than %d tumours and are left out of the signature", ", ".join(small), MIN_TUMOURS
        )
        y = y[~y.isin(small)]
    if y.nunique() < 2:
        log.warning("fewer than two subtypes have %d tumours: no signature was fitted", MIN_TUMOURS)
        return Signature(
            _feature_table(pd.DataFrame(), []), _performance(y, y, pd.DataFrame(), [], np.nan, 0, sizes), pd.DataFrame()
        )
    x = x.loc[y.index]
    fit_ids = stratified_subset(y, options.max_tumours, options.seed)
    if len(fit_ids) < len(y):
        log.info(
            "the signature is fitted and cross-validated on a random %d of %d tumours (signature.max_tumours)",
            len(fit_ids),
            len(y),
        )
    with warnings.catch_warnings(), parallel_config(backend="loky", inner_max_num_threads=1):
        # rare at max_iter; held-out accuracy judges every fit
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)  # F screen of constant features
        warnings.simplefilter("ignore", category=UserWarning)  # folds with few tumours of a subtype
        probabilities, kept_in_fold, chosen = _cross_validate(x.loc[fit_ids], y.loc[fit_ids], options, threads)
        final = tuned_model(x.shape[1], _folds(y.loc[fit_ids], options.inner_folds), options, threads).fit(
            x.loc[fit_ids], y.loc[fit_ids]
        )
    rest = y.index.difference(fit_ids, sort=False)
    outside = pd.DataFrame(final.predict_proba(x.loc[rest]), index=rest, columns=final.classes_) if len(rest) else None
    coefficients = kept_coefficients(final, x.columns)
    predicted = probabilities.idxmax(axis=1)
    held_out = pd.concat([probabilities, outside]).loc[y.index]  # concat skips a None
    predictions = held_out.add_prefix("p_").assign(
        subtype=y,
        predicted=held_out.idxmax(axis=1),
        held_out_by=np.where(y.index.isin(fit_ids), "outer_fold", "not_in_fitting_subset"),
    )
    outside_accuracy = accuracy_score(y.loc[rest], outside.idxmax(axis=1)) if outside is not None else np.nan
    performance = _performance(
        y.loc[fit_ids],
        predicted,
        probabilities,
        chosen,
        final.best_params_["model__C"],
        len(coefficients),
        sizes,
        outside_accuracy,
    )
    return Signature(
        features=_feature_table(coefficients, kept_in_fold),
        performance=performance,
        predictions=predictions[["subtype", "predicted", "held_out_by", *[f"p_{c}" for c in final.classes_]]],
        model=final.best_estimator_,
        design=x,
        subtypes=y,
    )


def _cross_validate(
    x: pd.DataFrame, y: pd.Series, options: SignatureOptions, threads: int
) -> tuple[pd.DataFrame, list[set[str]], list[float]]:
    """Held-out class probabilities of the outer folds, the features each fold kept, and each fold's penalty."""
    outer = StratifiedKFold(_folds(y, options.outer_folds), shuffle=True, random_state=options.seed)
    probabilities = pd.DataFrame(np.nan, index=y.index, columns=np.sort(y.unique()))
    kept_in_fold, chosen = [], []
    # a long step on large cohorts: say how far it got
    for fold, (train, test) in enumerate(outer.split(x, y), start=1):
        search = tuned_model(x.shape[1], _folds(y.iloc[train], options.inner_folds), options, threads)
        search.fit(x.iloc[train], y.iloc[train])
        probabilities.iloc[test] = search.predict_proba(x.iloc[test])
        kept_in_fold.append(set(kept_coefficients(search, x.columns).index))
        chosen.append(search.best_params_["model__C"])
        log.info(
            "outer fold %d of %d: penalty C = %g, %d features kept, held-out accuracy %.3f",
            fold,
            outer.get_n_splits(),
            chosen[-1],
            len(kept_in_fold[-1]),
            (probabilities.iloc[test].idxmax(axis=1) == y.iloc[test]).mean(),
        )
    return probabilities, kept_in_fold, chosen


def _feature_table(coefficients: pd.DataFrame, kept_in_fold: list[set[str]]) -> pd.DataFrame:
    columns = ["subtype", "omic", "feature", "coefficient", "selection_frequency"]
    if coefficients.empty:
        return pd.DataFrame(columns=columns)
    long = (
        coefficients.rename_axis("key").reset_index().melt(id_vars="key", var_name="subtype", value_name="coefficient")
    )
    long = long[long["coefficient"] != 0]
    parts = long["key"].str.split(":", n=1)
    long["omic"], long["feature"] = parts.str[0], parts.str[1]
    long["selection_frequency"] = long["key"].map(lambda key: np.mean([key in kept for kept in kept_in_fold]))
    long = long.sort_values(
        ["subtype", "coefficient"], ascending=[True, False], key=lambda c: c.abs() if c.name == "coefficient" else c
    )
    return long[columns].reset_index(drop=True)


def _performance(
    y, predicted, probabilities, chosen, final_c, n_features, sizes, outside_accuracy=np.nan
) -> pd.DataFrame:
    """Overall held-out figures (``y``: the tumours fitted), then per subtype its AUC (NaN when it was left out) and
    size."""
    fitted = len(chosen) > 0
    rows = [
        ("overall", "held_out_accuracy", accuracy_score(y, predicted) if fitted else np.nan),
        ("overall", "held_out_balanced_accuracy", balanced_accuracy_score(y, predicted) if fitted else np.nan),
        ("overall", "outer_folds", len(chosen)),
        ("overall", "features_in_signature", n_features),
        ("overall", "penalty_C", final_c),
        ("overall", "penalty_C_lowest_in_folds", min(chosen, default=np.nan)),
        ("overall", "penalty_C_highest_in_folds", max(chosen, default=np.nan)),
        ("overall", "tumours_fitted", len(y) if fitted else 0),
        ("overall", "accuracy_outside_fitting_subset", outside_accuracy),
    ]
    for subtype, size in sizes.items():
        auc = roc_auc_score(y == subtype, probabilities[subtype]) if subtype in probabilities.columns else np.nan
        rows += [(subtype, "held_out_auc", auc), (subtype, "tumours", int(size))]
    return pd.DataFrame(rows, columns=["scope", "metric", "value"])
