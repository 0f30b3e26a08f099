"""Why the finer level does not isolate HER2-enriched breast tumours (issue 26), on the shared TCGA-BRCA cohort.

Reads the MOFA factors that ``make bench-accuracy`` cached (``results/bench_accuracy/runs/TCGA-BRCA_PAM50_1``),
takes the coarse level as oncomix calls it (k-means, k = 2, on every factor as MOFA gives them: the space and k the
benchmark chooses), and clusters the larger (luminal-rich) subtype again with ``find_subtypes`` (k 2 to 4) in
candidate spaces: the factors as they are, re-standardised within the subtype, and the factors the selection keeps
within the subtype. Prints per space and k: silhouette, prediction strength, structure p, the share of HER2 tumours
in the best cluster and the ARI with PAM50 over the whole cohort when that split is the finer level.

    .venv/bin/python bench/her2_split.py
"""

import logging
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from oncomix.cluster import ClusterOptions, Space, find_subtypes, fit_labels
from oncomix.factors import FactorOptions, covariate_associations, factor_table

RUN = Path(__file__).resolve().parents[1] / "results" / "bench_accuracy" / "runs" / "TCGA-BRCA_PAM50_1"


def main() -> None:
    logging.disable(logging.WARNING)
    if not (RUN / "done").exists():
        sys.exit(f"{RUN} is missing: run `make bench-accuracy` first")
    factors = pd.read_csv(RUN / "factors.tsv", sep="\t", index_col=0)
    r2 = pd.read_csv(RUN / "r2.tsv", sep="\t", index_col=0)
    pam50 = pd.read_csv(RUN / "truth.tsv", sep="\t", index_col=0)["truth"].reindex(factors.index)
    coarse = fit_labels(Space(factors.index, coords=factors.to_numpy()), 2, "kmeans", 1)
    inside = coarse == np.bincount(coarse).argmax()
    members = factors[inside]
    print(
        f"coarse level: ARI {adjusted_rand_score(pam50, coarse):.3f}; larger subtype: "
        f"{pam50[inside].value_counts().to_dict()}"
    )
    selected = factor_table(
        members, r2, covariate_associations(members, pd.DataFrame(index=members.index), set()), FactorOptions()
    )
    standardised = (members - members.mean()) / members.std()
    spaces = {
        "as MOFA gives them": members,
        "re-standardised": standardised,
        "selected, re-standardised": standardised.loc[:, selected["used"]],
    }
    rows = []
    for name, values in spaces.items():
        found = find_subtypes(Space(members.index, coords=values.to_numpy()), ClusterOptions(k_max=4, seed=1))
        for _, row in found.k_selection.iterrows():
            fine = pd.Series(coarse.astype(str), index=factors.index)
            fine[inside] = "fine" + found.labels[row["k"]]
            her2 = pd.crosstab(found.labels[row["k"]], pam50[inside]).get("Her2", pd.Series([0]))
            rows.append(
                {
                    "space": name,
                    "k": row["k"],
                    "silhouette": row["silhouette"],
                    "prediction_strength": row["prediction_strength"],
                    "structure_p": row["structure_p"],
                    "her2_in_best_cluster": int(her2.max()),
                    "ari_pam50": adjusted_rand_score(pam50, fine),
                }
            )
    print(pd.DataFrame(rows).round(3).to_string(index=False))


if __name__ == "__main__":
    with threadpool_limits(1):
        main()
