"""One row per subtyping method: its k, internal quality, agreement with a reference labelling, and survival.

- Internal: silhouette (in the method's own space, so not comparable across methods), stability (mean ARI of
  subset fits to the full fit), PAC and prediction strength of the chosen k (see :mod:`oncomix.cluster`).
- Agreement with ``compare_to`` (a sample-sheet column such as PAM50): adjusted Rand index, normalised and
  adjusted mutual information (scikit-learn), over the tumours that have both a subtype and a label.
- Survival: the multivariate log-rank test (lifelines) of equal survival across the method's subtypes. It is
  one p-value per method, not corrected for the number of methods compared, and a small p-value says the
  subtypes differ in outcome, not that one method is better.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines.statistics import multivariate_logrank_test
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score, normalized_mutual_info_score

COLUMNS = [
    "method",
    "representation",
    "clusterer",
    "n_tumours",
    "k",
    "silhouette",
    "stability",
    "pac",
    "prediction_strength",
    "n_labelled",
    "ari",
    "nmi",
    "ami",
    "n_survival",
    "logrank_p",
]


def describe(method: str, clusterer: str) -> tuple[str, str]:
    """What a method clusters, and with which algorithm."""
    if method == "mofa":
        return "MOFA+ factors", clusterer
    if method == "concat_pca":
        return "PCA of the concatenated views", clusterer
    if method == "snf":
        return "SNF fused network", "spectral"
    return f"PCA of view {method.removeprefix('view_')}", clusterer


def agreement(subtypes: pd.Series, reference: pd.Series) -> dict:
    both = pd.concat([subtypes, reference.reindex(subtypes.index)], axis=1).dropna()
    if both.empty:
        return {"n_labelled": 0, "ari": np.nan, "nmi": np.nan, "ami": np.nan}
    truth, called = both.iloc[:, 1].astype(str), both.iloc[:, 0].astype(str)
    return {
        "n_labelled": len(both),
        "ari": adjusted_rand_score(truth, called),
        "nmi": normalized_mutual_info_score(truth, called),
        "ami": adjusted_mutual_info_score(truth, called),
    }


def logrank(subtypes: pd.Series, time: pd.Series, event: pd.Series) -> dict:
    both = pd.DataFrame(
        {"subtype": subtypes, "time": time.reindex(subtypes.index), "event": event.reindex(subtypes.index)}
    ).dropna()
    if both.empty or both["subtype"].nunique() < 2:
        return {"n_survival": len(both), "logrank_p": np.nan}
    result = multivariate_logrank_test(both["time"], both["subtype"], both["event"])
    return {"n_survival": len(both), "logrank_p": float(result.p_value)}


def method_row(
    method: str,
    representation: str,
    clusterer: str,
    calls: pd.DataFrame,
    k_selection: pd.DataFrame,
    reference: pd.Series | None = None,
    survival: pd.DataFrame | None = None,
) -> dict:
    """Scores of one method from its ``subtypes.tsv`` and ``k_selection.tsv`` tables."""
    row = {"method": method, "representation": representation, "clusterer": clusterer, "n_tumours": len(calls)}
    if calls.empty:
        return row
    chosen = k_selection[k_selection["chosen"]].iloc[0]
    row.update({key: chosen[key] for key in ("k", "silhouette", "stability", "pac", "prediction_strength")})
    if reference is not None:
        row.update(agreement(calls["subtype"], reference))
    if survival is not None:
        row.update(logrank(calls["subtype"], survival["time"], survival["event"]))
    return row


def comparison_table(rows: list[dict]) -> pd.DataFrame:
    """The rows in a fixed column order; agreement and survival columns only when they were computed."""
    table = pd.DataFrame(rows)
    always = COLUMNS[: COLUMNS.index("prediction_strength") + 1]
    table = table.reindex(columns=[c for c in COLUMNS if c in always or c in table.columns])
    counts = [c for c in ("n_tumours", "k", "n_labelled", "n_survival") if c in table.columns]
    return table.astype({c: "Int64" for c in counts})  # stay integers when a method has no result
