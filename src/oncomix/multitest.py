"""Benjamini-Hochberg false discovery rate, the one multiple-testing correction of every table oncomix writes."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from statsmodels.stats.multitest import multipletests


def bh(p: ArrayLike, count_missing: bool = False) -> np.ndarray:
    """Benjamini-Hochberg q-values of ``p`` (statsmodels' ``fdr_bh``), in its order. A NaN p-value (a test that
    could not be run) gets a NaN q and is not counted among the tests, unless ``count_missing``: then it counts as
    a test with p = 1 (for a family fixed in advance, such as the candidates a replication half re-tests)."""
    p = np.asarray(p, dtype=float)
    if count_missing:
        p = np.where(np.isnan(p), 1.0, p)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        q[tested] = multipletests(p[tested], method="fdr_bh")[1]
    return q
