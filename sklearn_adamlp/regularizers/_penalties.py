"""Penalties on the flat weight slice: L2 (``alpha``) and L1 (``l1``).

Each penalty is called as ``penalty(w, gw, scale)`` on the contiguous weight slice
``w = flat[layout.weights]`` and its gradient twin ``gw``; it adds its gradient to
``gw`` in place and returns its contribution to the loss. ``scale`` is
``1 / sum(sample_weight)`` of the batch, which gives scikit-learn's ``alpha``
scaling. Biases are never penalized (they lie outside the weight slice). Both
together are the elastic net.
"""

from __future__ import annotations

import numpy as np

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.regularizers._linalg import add_scaled, axpy, scratch


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

    References
    ----------
    .. [1] Krogh, A. and Hertz, J. A. (1992). A simple weight decay can improve
       generalization. NIPS 4.
    """

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def __call__(self, w: FloatArray, gw: FloatArray, scale: float) -> float:
        """Add the gradient to ``gw``; return the penalty's loss."""
        c = float(self.alpha) * float(scale)
        if c != 0.0:
            axpy(c, w, gw)
        return self.value(w, scale)

    def value(self, w: FloatArray, scale: float) -> float:
        """Return the penalty's loss only (its gradient goes to ``grad_term``)."""
        c = float(self.alpha) * float(scale)
        return 0.5 * c * float(np.dot(w, w)) if c != 0.0 else 0.0

    def grad_term(self, scale: float, stop: int) -> L2GradientTerm | None:
        """Return the gradient as a term the optimizer adds block by block.

        ``stop`` is the end of the weight slice in the flat buffer (the slice
        starts at 0); None when ``alpha * scale`` is 0.
        """
        c = float(self.alpha) * float(scale)
        return L2GradientTerm(c, stop) if c != 0.0 else None


class L2GradientTerm:
    """The gradient of an L2 penalty: ``g[b] += c * p[b]`` for ``b`` below ``stop``.

    ::

        g[i] = g[i] + c * p[i]        for i in block b with i < stop

    The L2 penalty's gradient on the weight slice ``[0, stop)`` of the flat
    buffer (``stop=None``: the whole buffer, as an optimizer's L2-coupled
    ``weight_decay``), handed to the optimizer as the explicit ``terms``
    argument of ``Optimizer.step``, which adds it to each block of the gradient
    inside its own pass while the block is in cache, instead of in a separate
    pass over every weight. This is a gradient term, not a weight decay: with an
    adaptive optimizer it is rescaled like the rest of the gradient (see
    ``DecoupledWeightDecay`` for the decay that is not).
    """

    __slots__ = ("c", "stop")

    def __init__(self, c: float, stop: int | None = None) -> None:
        self.c = c
        self.stop = stop

    def __call__(self, p: FloatArray, g: FloatArray, b: slice) -> None:
        start, end, _ = b.indices(p.shape[0])
        if self.stop is not None:
            end = min(end, self.stop)
        if start < end:
            axpy(self.c, p[start:end], g[start:end])


#: former name of ``L2GradientTerm`` (it adds a gradient, it decays nothing)
WeightDecayTerm = L2GradientTerm


class L1Penalty:
    """L1 (lasso) penalty, scaled like ``alpha``; with ``L2Penalty``, elastic net.

    ::

        loss += l1 * scale * sum(|w|)
        gw   += l1 * scale * sign(w)        (the subgradient; 0 at w = 0)

    with ``scale = 1 / sum(sample_weight)`` of the batch. ``sum(|w|)`` is computed
    as ``dot(sign(w), w)``, so one reused scratch array (``sign(w)``) is the only
    work memory.

    Parameters
    ----------
    l1 : float
        Strength of the penalty.

    References
    ----------
    .. [1] Tibshirani, R. (1996). Regression shrinkage and selection via the
       lasso. Journal of the Royal Statistical Society B, 58(1), 267-288.
    .. [2] Zou, H. and Hastie, T. (2005). Regularization and variable selection
       via the elastic net. Journal of the Royal Statistical Society B, 67(2),
       301-320.
    """

    def __init__(self, l1: float) -> None:
        self.l1 = l1

    def __getstate__(self) -> dict:
        return {"l1": self.l1}  # the scratch array is rebuilt on demand

    def __call__(self, w: FloatArray, gw: FloatArray, scale: float) -> float:
        """Add the subgradient to ``gw``; return the penalty's loss."""
        c = float(self.l1) * float(scale)
        if c == 0.0:
            return 0.0
        s = np.sign(w, out=scratch(self, w))
        loss = c * float(np.dot(s, w))  # c * sum(|w|)
        add_scaled(c, s, gw)  # gw += c * sign(w); s is scratch
        return loss


def penalties(alpha: float, l1: float = 0.0) -> list:
    """Return the penalties for ``alpha`` (L2) and ``l1`` (a zero l1 is left out)."""
    terms: list = [L2Penalty(alpha)]
    if float(l1) != 0.0:
        terms.append(L1Penalty(l1))
    return terms
