"""Inverted dropout on hidden-layer activations (Srivastava et al. 2014).

In a training pass, hidden layer ``l`` with drop rate ``p_l`` feeds the next
layer with::

    u    ~ Uniform[0, 1)   (one draw per row and unit)
    m    = (u >= p_l) / (1 - p_l)      (keep with probability 1 - p_l)
    a~   = a * m

and backpropagation multiplies the incoming delta by the same ``m``. Scaling the
kept units by ``1 / (1 - p_l)`` at training time keeps ``E[a~] = a``, so an
inference pass (prediction, validation scores) uses ``a`` unchanged: no mask and
no rescaling.

The uniforms are drawn with ``numpy.random.Generator.random(out=...)`` into a
buffer allocated once per batch size; the generator is seeded once per network
from the estimator's ``random_state``.

References
----------
Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. & Salakhutdinov, R.
(2014). "Dropout: A Simple Way to Prevent Neural Networks from Overfitting".
JMLR 15, 1929-1958.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from sklearn_adamlp._typing import FloatArray


def layer_rates(dropout, n_hidden: int) -> list[float]:
    """Drop rate per hidden layer from a float or a sequence of floats in [0, 1)."""
    if isinstance(dropout, Real | np.floating):
        rates = [float(dropout)] * n_hidden
    else:
        rates = [float(p) for p in dropout]
        if len(rates) != n_hidden:
            raise ValueError(
                f"dropout has {len(rates)} rates but the network has {n_hidden} "
                "hidden layers; give one rate per hidden layer or a single float."
            )
    bad = [p for p in rates if not 0.0 <= p < 1.0]
    if bad:
        raise ValueError(f"dropout rates must be in [0, 1), got {bad}.")
    return rates


def draw_mask(rng: np.random.Generator, p: float, m: FloatArray) -> FloatArray:
    """Fill ``m`` in place with ``(u >= p) / (1 - p)``, ``u ~ U[0, 1)``."""
    rng.random(out=m, dtype=m.dtype)
    np.greater_equal(m, p, out=m)
    m *= 1.0 / (1.0 - p)
    return m
