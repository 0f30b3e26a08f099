"""What oncomix reads inside a trained mofapy2 model, in one place.

mofapy2 has no public API for whether training finished, how many iterations it ran, or the posterior
expectations of a model still in memory: its public ``entry_point`` builds, trains and saves a model, and the
saved file holds only part of what projecting new tumours needs (no E[w^2], no Bernoulli centring), with the
factors re-sorted. ``integrate`` therefore reads the private attributes below, and only through these functions.

Relied on in mofapy2 0.7.5, for an ``entry_point`` after ``build()`` and ``run()`` with one group (``fit_mofa``
trains every cohort as the single group "cohort"; ``m`` is a view's index in the order the data were given):

* ``entry_point.model``: the ``mofapy2.core.BayesNet.BayesNet`` that ``build()`` made.
* ``model.trained``: set ``True`` at the end of ``BayesNet.iterate``; ``False`` when it caught a
  ``KeyboardInterrupt`` (SIGINT) and returned a half-trained model.
* ``model.train_stats["elbo"]``: the total ELBO per iteration, NaN where not computed; with ``startELBO=1`` and
  ``freqELBO=1`` (``fit_mofa``'s options) its first finite entry precedes iteration 1.
* ``model.nodes``: node name -> node. ``"W"``, ``"Tau"`` and ``"Y"`` are multi-view nodes whose ``.nodes[m]``
  is view m's node; ``"Z"`` is one node over every sample.
* ``nodes["W"].nodes[m].getExpectations()``: ``{"E": E[w], "E2": E[w^2], ...}``, each features x factors
  (spike-and-slab weights: the expectations of the product s w).
* ``nodes["Tau"].nodes[m].Q.getExpectations()["E"]``: groups x features, the Gaussian noise precisions; row 0 is
  the one group (the node's own ``getExpectations()`` expands it to samples x features instead).
* ``nodes["Y"].nodes[m].means``: features, for a Bernoulli view (``Bernoulli_PseudoY_Jaakkola``): the mean
  Jaakkola pseudo-datum per feature, subtracted from the pseudo-data at each update.
* ``nodes["Z"].getExpectations()["E"]``: samples x factors, E[z] in training order (the saved model sorts the
  factors by variance explained; ``integrate.saved_order`` matches the two orders).

On a mofapy2 upgrade: check these attribute paths and shapes (``core/BayesNet.py``, ``core/nodes/W_nodes.py``,
``Tau_nodes.py``, ``Z_nodes.py``, ``nongaussian_nodes.py``), whether ``iterate`` still swallows an interrupt,
whether a public API now gives any of this, and run tests/test_mofa_internals.py and the projection tests of
tests/test_integrate.py.
"""

from __future__ import annotations

import numpy as np
from mofapy2.run.entry_point import entry_point

GROUP = 0  # the one group oncomix trains


def is_trained(model: entry_point) -> bool:
    """Whether training ran to its end (mofapy2 swallows an interrupt and returns a half-trained model)."""
    return bool(model.model.trained)


def iterations_done(model: entry_point) -> int:
    """Iterations run: the finite ELBOs less the first, which precedes iteration 1."""
    return int(np.isfinite(model.model.train_stats["elbo"]).sum()) - 1


def view_weights(model: entry_point, m: int) -> tuple[np.ndarray, np.ndarray]:
    """View m's weights, features x factors: posterior mean E[w] and second moment E[w^2]."""
    weights = model.model.nodes["W"].nodes[m].getExpectations()
    return np.asarray(weights["E"]), np.asarray(weights["E2"])


def view_noise_precision(model: entry_point, m: int) -> np.ndarray:
    """Gaussian view m's noise precisions (features) in the one group."""
    return np.asarray(model.model.nodes["Tau"].nodes[m].Q.getExpectations()["E"][GROUP])


def view_centring(model: entry_point, m: int) -> np.ndarray:
    """Bernoulli view m's mean Jaakkola pseudo-datum per feature, which mofapy2 subtracts."""
    return np.asarray(model.model.nodes["Y"].nodes[m].means)


def trained_factors(model: entry_point) -> np.ndarray:
    """The training tumours' factors, samples x factors: E[z] in the trained (not the saved) factor order."""
    return np.asarray(model.model.nodes["Z"].getExpectations()["E"])
