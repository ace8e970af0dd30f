"""L-BFGS through scipy: a full-batch minimizer, not a stepper."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral
from typing import ClassVar

import numpy as np
import scipy.optimize

from sklearn_adamlp._params import Parametrized
from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp._validation import Interval
from sklearn_adamlp.optimizers._base import OPTIMIZERS


@OPTIMIZERS.register("lbfgs")
class LBFGS(Parametrized):
    """Limited-memory BFGS (scipy's L-BFGS-B without bounds).

    A quasi-Newton method on the whole training set: each iteration builds a
    search direction ``-H g`` from the last ``memory`` gradient differences and
    takes a line-search step. The training loop recognises it by its
    ``minimize`` method.

    Parameters
    ----------
    memory : int, default=10
        Number of correction pairs kept (scipy's ``maxcor``).

    Notes
    -----
    scipy works in float64; with float32 data the network, its buffers and the
    returned weights stay float32 and only scipy's internal vectors are float64.
    The objective it sees is accurate beyond float32: the losses widen the
    float32 outputs and sum the per-sample losses in float64, and the gradient
    is handed over in float64. scipy stops when an iteration lowers the
    objective by less than ``ftol`` (2.2e-9) relatively; a float32 sum (or a
    float32 residual next to large targets) moves in steps of about 6e-8 and
    used to end fits after one or two iterations.

    References
    ----------
    Liu & Nocedal (1989), "On the limited memory BFGS method for large scale
    optimization", Mathematical Programming 45.
    """

    _parameter_constraints: ClassVar[dict] = {
        "memory": [Interval(Integral, 1, None, closed="left")]
    }

    def __init__(self, memory: int = 10) -> None:
        self.memory = memory

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

        ``callback(intermediate_result)`` is called after every iteration.
        """

        def fun64(x):
            value, grad = fun(x)
            return float(value), np.asarray(grad, dtype=np.float64)

        return scipy.optimize.minimize(
            fun64,
            np.asarray(x0, dtype=np.float64),
            method="L-BFGS-B",
            jac=True,
            options={
                "maxfun": int(max_fun),
                "maxiter": int(max_iter),
                "gtol": float(tol),
                "maxcor": int(self.memory),
            },
            callback=callback,
        )
