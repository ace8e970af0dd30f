"""Quickprop (Fahlman 1988): a full-batch minimizer with a per-weight secant step."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import ClassVar

import numpy as np
import scipy.optimize

from sklearn_adamlp._params import Parametrized
from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp._validation import Interval
from sklearn_adamlp.optimizers._base import OPTIMIZERS


def quickprop_step(
    S: FloatArray, S_prev: FloatArray, dw_prev: FloatArray, epsilon: float, mu: float
) -> FloatArray:
    """Return Quickprop's weight change ``dw(t)`` (see ``Quickprop``).

    ``S``, ``S_prev`` are the slopes ``dE/dw`` at ``w(t)`` and ``w(t-1)``,
    ``dw_prev = w(t) - w(t-1)`` (0 before the first step).
    """
    shrink = mu / (1.0 + mu)
    d = np.sign(dw_prev)  # 0: first step, or a weight that did not move
    along = -S * d  # > 0: the slope still descends along the previous step
    along_prev = -S_prev * d
    denom = S_prev - S
    quad = np.divide(S * dw_prev, denom, out=np.zeros_like(S), where=denom != 0)
    # the secant step would exceed mu |dw(t-1)|, be infinite or go uphill
    dw = np.where(along > shrink * along_prev, mu * dw_prev, quad)
    # gradient term: every restart, and while the slope keeps its sign
    dw -= np.where((d == 0) | (along > 0), epsilon * S, 0.0)
    return dw


@OPTIMIZERS.register("quickprop")
class Quickprop(Parametrized):
    """Quickprop (Fahlman 1988), a full-batch minimizer.

    Each weight follows its own parabola through the last two slopes
    ``S = dE/dw`` of the training objective ``E`` (the mean loss plus the
    estimator's penalties) and jumps to its minimum, at most ``mu`` times the
    previous step. For each weight, at iteration t = 1, 2, ...::

        S(t) = dE/dw(t) + weight_decay * w(t)
        if dw(t-1) == 0:                       (first step, or a restart)
            dw(t) = -learning_rate * S(t)
        else:
            if S(t) has the sign of S(t-1) and |S(t)| > mu / (1 + mu) * |S(t-1)|:
                dw(t) = mu * dw(t-1)            (secant step too large or uphill)
            else:
                dw(t) = S(t) / (S(t-1) - S(t)) * dw(t-1)
            if S(t) has the sign of S(t-1):
                dw(t) = dw(t) - learning_rate * S(t)
        w(t+1) = w(t) + dw(t)

    The bound ``|S(t)| > mu / (1 + mu) |S(t-1)|`` is where the secant factor
    ``S(t) / (S(t-1) - S(t))`` exceeds ``mu`` (or is infinite, or negative: an
    uphill step). As in Fahlman's own program, "S(t) has the sign of S(t-1)" is
    tested along the previous step, ``-S(t) * sign(dw(t-1)) > 0``: every step
    is downhill from where it was taken, so the two tests agree, and this form
    still moves a weight whose previous slope was exactly zero.

    Why a minimizer and not a stepper: the secant needs two slopes of the same
    error surface, so Quickprop is a batch method (Fahlman updates the weights
    once per pass over the training set). As a minimizer, like L-BFGS, it
    always sees the whole training set, whatever ``batch_size`` says:
    ``partial_fit``, ``early_stopping``, learning-rate schedules and step
    transforms do not apply (the estimator refuses ``partial_fit`` and the
    step transforms with an error). Each iteration costs one gradient of the
    full training set and is one row of ``history_``.

    Stops when ``max |S| <= tol`` (status 0), after ``max_iter`` iterations or
    ``max_fun`` evaluations (status 1), when a callback raises
    ``StopIteration`` (status 99), or at a non-finite loss (status 2: the last
    weights with a finite loss are returned).

    Parameters
    ----------
    learning_rate : float, default=0.1
        ``epsilon``, the gradient-descent rate of the first step, of restarts
        and of the added gradient term (on the mean loss; Fahlman's epsilon
        multiplies the summed slopes, i.e. ``epsilon / n_samples`` here).
    mu : float, default=1.75
        Maximum growth factor: ``|dw(t)| <= mu * |dw(t-1)|`` for the secant part.
    weight_decay : float, default=0.0
        Added to the slope as ``weight_decay * w`` on every weight and bias
        (Fahlman used 1e-4 on summed slopes to keep weights from growing
        large); the estimator's ``alpha`` is the L2 penalty on weights only.

    References
    ----------
    Fahlman (1988), "An empirical study of learning speed in back-propagation
    networks", Technical Report CMU-CS-88-162, Carnegie Mellon University.
    """

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "mu": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self, learning_rate: float = 0.1, mu: float = 1.75, weight_decay: float = 0.0
    ) -> None:
        self.learning_rate = learning_rate
        self.mu = mu
        self.weight_decay = weight_decay

    def minimize(
        self,
        fun: Callable[[FloatArray], tuple[float, FloatArray]],
        x0: FloatArray,
        *,
        max_iter: int,
        max_fun: int,
        tol: float,
        callback: Callable | None = None,
    ) -> scipy.optimize.OptimizeResult:
        """Minimize ``fun`` (returning value and gradient) starting from ``x0``.

        ``callback(intermediate_result)`` is called after every iteration with
        the new ``x`` and its ``fun``; raising ``StopIteration`` ends the run.
        """
        self._validate_params()
        eps, mu = float(self.learning_rate), float(self.mu)
        wd = float(self.weight_decay)
        x: FloatArray = np.array(x0, dtype=np.float64)
        f, S = _evaluate(fun, x, wd)
        nfev, nit = 1, 0
        dw: FloatArray = np.zeros_like(x)
        S_prev: FloatArray = np.zeros_like(x)
        status, message = 1, "the maximum number of iterations was reached"
        if not np.isfinite(f):
            status, message = 2, "the loss is not finite at the start"
        elif np.max(np.abs(S), initial=0.0) <= tol:
            status, message = 0, "max |gradient| <= tol"
        while status == 1 and nit < max_iter and nfev < max_fun:
            dw = quickprop_step(S, S_prev, dw, eps, mu)
            x_new = x + dw
            f_new, S_new = _evaluate(fun, x_new, wd)
            nfev += 1
            if not (np.isfinite(f_new) and np.isfinite(S_new).all()):
                status = 2
                message = "the loss became non-finite; kept the last finite weights"
                break
            x, f, S_prev, S = x_new, f_new, S, S_new
            nit += 1
            if callback is not None:
                try:
                    callback(scipy.optimize.OptimizeResult(x=x, fun=f))
                except StopIteration:
                    status, message = 99, "`callback` raised `StopIteration`."
                    break
            if np.max(np.abs(S), initial=0.0) <= tol:
                status, message = 0, "max |gradient| <= tol"
        if status == 1 and nit < max_iter:
            message = "the maximum number of function evaluations was reached"
        return scipy.optimize.OptimizeResult(
            x=x,
            fun=f,
            jac=S,
            nit=nit,
            nfev=nfev,
            status=status,
            success=status == 0,
            message=message,
            solver="quickprop",
        )


def _evaluate(fun, x: FloatArray, wd: float) -> tuple[float, FloatArray]:
    """Return ``(E, S)`` at ``x``: the loss and its slope plus the decay term."""
    value, grad = fun(x)
    # a copy in float64: ``fun`` may reuse its gradient buffer on the next call
    S = np.array(grad, dtype=np.float64)
    if wd:
        S += wd * x
        value = float(value) + 0.5 * wd * float(x @ x)
    return float(value), S
