"""Truncated Newton over the flat buffer (scipy's trust-ncg, Hessian-free)."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import ClassVar

import numpy as np
import scipy.optimize

from sklearn_adamlp._params import Parametrized, invalid_parameter
from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp._validation import Interval
from sklearn_adamlp.optimizers._base import OPTIMIZERS

#: a restart after a failed prediction shrinks the trust radius by this factor
RESTART_SHRINK = 0.25
#: ... down to this fraction of ``initial_trust_radius``; then the run stops
MIN_RADIUS = 1e-6


class FiniteDifferenceHessian:
    """Hessian-vector products from two gradients (no second derivatives).

    Central differences of the gradient ``g`` along ``v``::

        H(w) v ~ (g(w + r v) - g(w - r v)) / (2 r)
        r = eps**(1/3) * (1 + ||w||) / ||v||

    The error is ``O(r**2)`` (third derivatives) plus ``O(eps / r)`` (rounding
    of the gradients); ``r`` of order ``eps**(1/3)`` balances the two, scaled so
    the perturbation ``r v`` is ``eps**(1/3)`` relative to ``w`` (Nocedal &
    Wright, Numerical Optimization, 2nd ed., sections 7.1 and 8.1). ``eps`` is
    the machine epsilon of the gradient's dtype: float32 training gets float32's
    step (``r ||v|| ~ 5e-3 (1 + ||w||)``), float64 gets ``6e-6 (1 + ||w||)``.

    With ``damping`` ``lambda > 0`` the product is that of ``H + lambda I``.

    Parameters
    ----------
    grad : callable
        ``grad(w) -> g``, a float64 copy of the objective's gradient.
    eps : float
        Machine epsilon of the arithmetic the gradient is computed in.
    damping : float, default=0.0
        ``lambda``, added as ``lambda * v``.
    """

    def __init__(
        self, grad: Callable[[FloatArray], FloatArray], eps: float, damping: float = 0.0
    ) -> None:
        self.grad = grad
        self.eps = eps
        self.damping = damping
        self.calls = 0

    def __call__(self, w: FloatArray, v: FloatArray) -> FloatArray:
        """Return ``H(w) v`` (float64)."""
        norm_v = float(np.linalg.norm(v))
        if norm_v == 0.0:
            return np.zeros_like(v)
        r = self.eps ** (1.0 / 3.0) * (1.0 + float(np.linalg.norm(w))) / norm_v
        self.calls += 2
        Hv = (self.grad(w + r * v) - self.grad(w - r * v)) / (2.0 * r)
        if self.damping:
            Hv += self.damping * v
        return Hv


@OPTIMIZERS.register("newton_cg")
class NewtonCG(Parametrized):
    """Truncated Newton (Newton-CG with a trust region), a full-batch minimizer.

    Each iteration solves the Newton system ``H p = -g`` approximately by
    conjugate gradients inside a trust region of radius ``Delta`` (Steihaug's
    CG: it stops at the region's boundary, at a direction of negative curvature
    ``v' H v <= 0``, or when ``||H p + g|| <= min(0.5, sqrt(||g||)) ||g||``),
    then accepts the step by the ratio of actual to predicted decrease::

        m(p) = E(w) + g' p + 0.5 p' H p
        rho = (E(w) - E(w + p)) / (m(0) - m(p))
        w = w + p                  if rho > 0.15
        Delta = Delta / 4          if rho < 0.25
        Delta = min(2 Delta, max_trust_radius)   if rho > 0.75 and ||p|| = Delta

    The Hessian is never formed: CG needs only products ``H v``, computed from
    two gradients by central differences (``FiniteDifferenceHessian``), plus a
    fixed Tikhonov damping ``lambda`` (Martens 2010, section 4.1)::

        H v ~ (g(w + r v) - g(w - r v)) / (2 r) + lambda v
        r = eps**(1/3) (1 + ||w||) / ||v||

    A CG iteration costs two gradients of the whole training set, a Newton
    iteration a few to a few dozen. This is the Hessian-free approach of
    Martens (2010) with the true Hessian in place of his Gauss-Newton matrix:
    the trust region handles the non-convex regions of a network's loss. The
    damping keeps CG from dividing by the near-zero curvature of the many flat
    directions of an over-parameterized network, where the rounding noise of
    the finite differences would otherwise decide the step (it changes the
    steps, not the minimum). The optimization is scipy's
    ``minimize(method='trust-ncg')`` over the flat parameter buffer, in float64;
    with float32 data the network, its buffers and the returned weights stay
    float32 (as for L-BFGS) and ``r`` uses float32's epsilon.

    Finite differences of a ReLU network's gradient are unreliable where a
    perturbation crosses a kink; when the model then predicts no decrease
    (scipy's status 2), the run restarts from the current weights with the
    trust radius divided by 4, down to ``1e-6 * initial_trust_radius``.

    Stops when ``||g|| <= tol`` (the estimator's ``tol``; scipy's ``gtol``),
    after ``max_iter`` Newton iterations, or after ``max_fun`` evaluations of
    the objective and gradient (Hessian-vector products count two each).

    Parameters
    ----------
    damping : float, default=1e-3
        ``lambda``, added to the curvature along every direction.
    initial_trust_radius : float, default=1.0
        Initial ``Delta``.
    max_trust_radius : float, default=1000.0
        Largest ``Delta``.

    References
    ----------
    Nocedal & Wright (2006), Numerical Optimization, 2nd ed., Springer,
    chapter 7.1 (Hessian-free Newton-CG, Algorithm 7.2 CG-Steihaug).
    Martens (2010), "Deep learning via Hessian-free optimization", ICML.
    """

    _parameter_constraints: ClassVar[dict] = {
        "damping": [Interval(Real, 0, None, closed="left")],
        "initial_trust_radius": [Interval(Real, 0, None, closed="neither")],
        "max_trust_radius": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        damping: float = 1e-3,
        initial_trust_radius: float = 1.0,
        max_trust_radius: float = 1000.0,
    ) -> None:
        self.damping = damping
        self.initial_trust_radius = initial_trust_radius
        self.max_trust_radius = max_trust_radius

    def _validate_params(self) -> None:
        """Check the constraints, then ``initial_trust_radius <= max_trust_radius``."""
        super()._validate_params()
        r0, r_max = float(self.initial_trust_radius), float(self.max_trust_radius)
        if r0 > r_max:
            invalid_parameter(
                self,
                "initial_trust_radius",
                f"at most max_trust_radius={self.max_trust_radius!r}",
                self.initial_trust_radius,
            )

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
        self._validate_params()
        r0, r_max = float(self.initial_trust_radius), float(self.max_trust_radius)
        counter = _Counter(fun, max_fun)
        eps = float(np.finfo(np.result_type(x0.dtype, np.float32)).eps)
        hessp = FiniteDifferenceHessian(counter.grad, eps, float(self.damping))

        def on_iteration(intermediate_result):
            if callback is not None:
                callback(intermediate_result)
            if counter.calls >= max_fun:
                counter.exhausted = True
                raise StopIteration

        x, radius, nit = np.asarray(x0, dtype=np.float64), r0, 0
        while True:
            res = scipy.optimize.minimize(
                counter,
                x,
                method="trust-ncg",
                jac=True,
                hessp=hessp,
                options={
                    # scipy stops at ||g|| < gtol; a gradient of exactly 0 must
                    # stop too (its trust-region step would divide by 0)
                    "gtol": max(float(tol), np.finfo(np.float64).tiny),
                    "maxiter": int(max_iter) - nit,
                    "initial_trust_radius": radius,
                    "max_trust_radius": r_max,
                },
                callback=on_iteration,
            )
            nit += res.nit
            radius *= RESTART_SHRINK
            # status 2: the model predicted no decrease (noisy curvature, e.g.
            # across ReLU kinks); restart from here in a smaller region
            if (
                res.status != 2
                or nit >= max_iter
                or counter.calls >= max_fun
                or radius < MIN_RADIUS * r0
            ):
                break
            x = res.x
        res.nit = nit
        if counter.exhausted:
            res.status = 1
            res.message = "the maximum number of function evaluations was reached"
        res.solver = "newton_cg"
        res.nfev = counter.calls
        return res


class _Counter:
    """``fun`` in float64, counting calls; ``grad(x)`` is the gradient alone."""

    def __init__(self, fun: Callable, max_fun: int) -> None:
        self.fun, self.max_fun = fun, max_fun
        self.calls = 0
        self.exhausted = False

    def __call__(self, x: FloatArray) -> tuple[float, FloatArray]:
        self.calls += 1
        value, grad = self.fun(x)
        # a copy: ``fun`` may reuse its gradient buffer on the next call
        return float(value), np.array(grad, dtype=np.float64)

    def grad(self, x: FloatArray) -> FloatArray:
        return self(x)[1]
