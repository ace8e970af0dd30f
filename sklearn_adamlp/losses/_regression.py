"""Regression losses: squared error, Poisson, absolute error, Huber."""

from __future__ import annotations

from numbers import Real
from typing import ClassVar

import numpy as np
from scipy.special import xlogy

from sklearn_adamlp._validation import Interval
from sklearn_adamlp.activations import ACTIVATIONS, EXP
from sklearn_adamlp.losses._base import LOSSES, Loss


@LOSSES.register("squared_error")
class SquaredError(Loss):
    """Half squared error, summed over outputs.

    ::

        L_i = 0.5 * sum_k (out_ik - y_ik)**2,    out = raw
        dL_i/d raw_i = out_i - y_i

    scikit-learn reports the mean over outputs but descends the sum; we report the
    function we descend, so ``loss_`` is ``n_outputs`` times sklearn's for
    multi-output targets (identical for one output) and L-BFGS sees a consistent
    value and gradient.
    """

    name = "squared_error"
    task = "regression"
    out_activation = ACTIVATIONS.get("identity")

    def per_sample(self, y, raw, out):
        diff = out - y
        return 0.5 * np.einsum("ij,ij->i", diff, diff)


@LOSSES.register("poisson")
class Poisson(Loss):
    """Half Poisson deviance with the log link (sklearn's ``loss='poisson'``).

    ::

        out = exp(raw)
        L_i = sum_k y_ik * log(y_ik / out_ik) - y_ik + out_ik
        dL_i/d raw_i = out_i - y_i
    """

    name = "poisson"
    task = "regression"
    out_activation = EXP

    def per_sample(self, y, raw, out):
        return (xlogy(y, y) - y * raw - y + out).sum(axis=1)


@LOSSES.register("absolute_error")
class AbsoluteError(Loss):
    """Absolute error, summed over outputs (its minimizer is the median).

    ::

        L_i = sum_k |out_ik - y_ik|,    out = raw
        dL_i/d raw_i = sign(out_i - y_i)        (subgradient 0 at out = y)
    """

    name = "absolute_error"
    task = "regression"
    out_activation = ACTIVATIONS.get("identity")

    def per_sample(self, y, raw, out):
        return np.abs(out - y).sum(axis=1)

    def gradient(self, y, raw, out, grad):
        np.subtract(out, y, out=grad)
        return np.sign(grad, out=grad)


@LOSSES.register("huber")
class Huber(Loss):
    """Huber loss, summed over outputs: quadratic near 0, linear beyond ``delta``.

    With ``r = out - y`` (``out = raw``)::

        L_i = sum_k 0.5 * r_ik**2                      if |r_ik| <= delta
                    delta * (|r_ik| - 0.5 * delta)     otherwise
        dL_i/d raw_i = clip(r_i, -delta, delta)

    Parameters
    ----------
    delta : float, default=1.0
        Residual size where the loss turns from quadratic to linear (> 0).

    References
    ----------
    Huber (1964), "Robust estimation of a location parameter", Ann. Math. Stat.
    """

    name = "huber"
    task = "regression"
    out_activation = ACTIVATIONS.get("identity")
    _parameter_constraints: ClassVar[dict] = {
        "delta": [Interval(Real, 0, None, closed="neither")]
    }

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = delta

    def per_sample(self, y, raw, out):
        delta = float(self.delta)
        r = np.abs(out - y)
        quad = np.minimum(r, delta)
        # 0.5 * q**2 + delta * (r - q) equals both branches of the definition.
        return (0.5 * quad * quad + delta * (r - quad)).sum(axis=1)

    def gradient(self, y, raw, out, grad):
        delta = float(self.delta)
        np.subtract(out, y, out=grad)
        return np.clip(grad, -delta, delta, out=grad)
