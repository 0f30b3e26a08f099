"""Mutational and copy-number landscape of the subtypes.

Both are computed on the validated input values (``raw.h5mu``), before preprocessing drops rare mutations.

* **Mutation burden** (per mutation view): the number of mutated genes of the view in each tumour. It counts the
  genes the view holds (a panel, or every gene with a call), so it is comparable between the subtypes of one
  cohort, not a tumour mutational burden in mutations per megabase.
* **Fraction altered** (per copy-number view): the share of the view's features altered in each tumour: GISTIC
  calls other than 0 when the values are thresholded calls (-2..2), else an absolute log2 ratio of at least
  ``LOG2_ALTERED``. A proxy for the fraction of the genome altered when the features are genes or segments.
* **Tests**: each measure against subtype with the Kruskal-Wallis test (eta^2 from H; ``oncomix.clinical``),
  Benjamini-Hochberg over the measures.

The report's oncoprint of each mutation view is ``oncomix.plots.oncoprint``.
"""

from __future__ import annotations

import mudata as md
import numpy as np
import pandas as pd

from oncomix.clinical import subtype_associations
from oncomix.omics import OMIC_TYPES

LOG2_ALTERED = 0.3  # |log2 copy-number ratio| called a gain or a loss (about 23% above or 19% below the ploidy)


def is_gistic(values: np.ndarray) -> bool:
    """Thresholded GISTIC calls: every measured value an integer from -2 to 2."""
    finite = values[np.isfinite(values)]
    return finite.size > 0 and bool(np.all((finite == np.round(finite)) & (np.abs(finite) <= 2)))


def tumour_landscape(mdata: md.MuData) -> pd.DataFrame:
    """Per tumour (rows: every tumour of ``mdata``): ``mutated_genes_<view>`` for each mutation view and
    ``fraction_altered_<view>`` for each copy-number view; NaN where the tumour lacks the view."""
    table = pd.DataFrame(index=pd.Index(mdata.obs_names, name="sample_id"))
    for name in mdata.mod:
        view, omic_type = mdata[name], mdata[name].uns["omic_type"]
        x = np.asarray(view.X, dtype=float)
        measured = np.isfinite(x)
        if OMIC_TYPES[omic_type].binary:
            values = np.nansum(x == 1, axis=1).astype(float)
            table[f"mutated_genes_{name}"] = pd.Series(
                np.where(measured.any(axis=1), values, np.nan), index=view.obs_names
            )
        elif omic_type == "copy_number":
            altered = (x != 0) if is_gistic(x) else (np.abs(x) >= LOG2_ALTERED)
            with np.errstate(invalid="ignore", divide="ignore"):
                share = (altered & measured).sum(axis=1) / measured.sum(axis=1)
            table[f"fraction_altered_{name}"] = pd.Series(share, index=view.obs_names)
    return table


def landscape_tests(landscape: pd.DataFrame, subtypes: pd.Series) -> pd.DataFrame:
    """Each landscape measure against subtype (Kruskal-Wallis, eta^2, BH over the measures), with its median per
    subtype."""
    tests = subtype_associations(landscape, subtypes, list(landscape.columns)).rename(columns={"column": "measure"})
    medians = landscape.groupby(subtypes.reindex(landscape.index)).median().T.add_prefix("median_")
    return tests.merge(medians, left_on="measure", right_index=True, how="left")
