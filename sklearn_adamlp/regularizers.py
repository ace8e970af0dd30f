"""Penalties on the flat weight slice.

Each penalty is called as ``penalty(w, gw, scale)`` on the contiguous weight slice
``w = flat[layout.weights]`` and its gradient twin ``gw``; it adds its gradient to
``gw`` in place and returns its contribution to the loss. ``scale`` is
``1 / sum(sample_weight)`` of the batch, which gives scikit-learn's ``alpha``
scaling. Biases are never penalized (they lie outside the weight slice).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import blas

from sklearn_adamlp._typing import FloatArray


def axpy(a: float, x: FloatArray, y: FloatArray) -> None:
    """``y += a * x`` in place with BLAS, without a temporary the size of ``x``."""
    func = blas.daxpy if y.dtype == np.float64 else blas.saxpy
    out = func(x, y, a=a)
    if out is not y:  # BLAS worked on a copy (non-contiguous y): write it back
        y[...] = out


class L2Penalty:
    """L2 penalty with scikit-learn's scaling (its ``alpha``).

    ::

        loss += 0.5 * alpha * scale * sum(w**2)
        gw   += alpha * scale * w

    with ``scale = 1 / sum(sample_weight)`` of the batch (``1 / n_samples``).

    Parameters
    ----------
    alpha : float
        Strength of the penalty.
    """

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def __call__(self, w: FloatArray, gw: FloatArray, scale: float) -> float:
        """Add the gradient to ``gw``; return the penalty's loss."""
        c = float(self.alpha) * float(scale)
        if c == 0.0:
            return 0.0
        axpy(c, w, gw)
        return 0.5 * c * float(np.dot(w, w))
