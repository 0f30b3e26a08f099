import numpy as np
from statsmodels.stats.multitest import multipletests

from oncomix.multitest import bh


def test_one_benjamini_hochberg_for_every_table():
    p = [0.01, np.nan, 0.04, 0.03]
    q = bh(p)
    np.testing.assert_allclose(q[[0, 2, 3]], multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1])
    assert np.isnan(q[1]) and bh([]).shape == (0,) and np.isnan(bh([np.nan])).all()  # an untested feature has no q
    counted = bh(p, count_missing=True)  # a fixed family: the untested one counts as p = 1
    np.testing.assert_allclose(counted, multipletests([0.01, 1.0, 0.04, 0.03], method="fdr_bh")[1])
    assert (counted[[0, 2, 3]] >= q[[0, 2, 3]]).all()
