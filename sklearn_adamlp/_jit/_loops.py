"""The compiled loops (numba): one pass over the flat buffers per optimizer step.

Each ``*_span`` function runs the whole update of a step for one contiguous
stretch of the buffers, element by element, in the exact order of operations
of the numpy form in ``sklearn_adamlp.optimizers`` (no fused multiply-add, no
fast-math), so both give the same bits. The numpy form needs several passes
(cache-blocked); here every element is read and written once.

Every ``*_span`` takes ``(p, g, *state, *scalars, c, add)`` and, when ``add``,
adds the L2 gradient term ``g + c * p`` to each gradient element it reads:
``sklearn_adamlp._jit`` runs a span on the weight slice with ``add`` and on
the biases without it.

The loops run on one thread. Splitting them over numba's threads gained nothing
beside numpy's two BLAS threads (a 784-256-128-10 Adam epoch: 290 ms on threads,
286-302 ms serial), and GNU OpenMP's spinning threads made the epoch twice as
slow unless OMP_WAIT_POLICY=passive (docs/performance.md).

Scalars must have the buffers' dtype, so float32 buffers compute in float32, as
numpy does with Python-float operands.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}


def _compiled(func):
    """``njit`` with the on-disk cache where numba finds a writable place.

    numba's cache locators try ``NUMBA_CACHE_DIR`` first, then the package's
    ``__pycache__`` if it is writable, then the user's cache directory
    (``$XDG_CACHE_HOME/numba``); a read-only install thus caches in the user's
    directory and writes nothing into the package. When none is writable
    (a read-only install and home, as in some containers), numba refuses
    ``cache=True`` with a RuntimeError at decoration: the loops are then
    compiled in each process, without a cache, instead of not at all.
    """
    try:
        return njit(**_OPTIONS)(func)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return njit(**{**_OPTIONS, "cache": False})(func)


@_compiled
def adam_span(p, g, m, v, vmax, b1, b2, omb2, eps_hat, step, decay, ams, c, add):
    """Run Adam on one stretch (the moments of the equations).

    ``omb2`` is ``1 - beta_2`` rounded to the buffers' dtype, as numpy rounds
    the Python float; ``m`` is updated as ``g + beta_1 * (m - g)``, numpy's
    in-place form; ``eps_hat`` is ``epsilon * sqrt(1 - beta_2**t)``,
    ``step`` is ``-lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, ``decay`` AdamW's
    ``1 - lr * weight_decay`` (1 for Adam). ``max`` is numpy's: NaN wins.

    ::

        g  = g + c * p                 (if add: the L2 term)
        m  = beta_1 * m + (1 - beta_1) * g
        v  = beta_2 * v + (1 - beta_2) * g**2
        v_max = max(v_max, v)          (if ams; then v_max replaces v below)
        p  = decay * p + step * m / (sqrt(v) + eps_hat)
    """
    for i in range(p.shape[0]):
        gi = g[i]
        if add:
            gi = gi + p[i] * c
        mi = (m[i] - gi) * b1 + gi  # numpy's in-place form of the average
        vi = v[i] * b2 + (gi * gi) * omb2
        m[i] = mi
        v[i] = vi
        if ams:
            vm = vmax[i]
            if not (vm >= vi or vm != vm):  # np.maximum: NaN wins
                vm = vi
            vmax[i] = vm
            vi = vm
        p[i] = p[i] * decay + (mi / (np.sqrt(vi) + eps_hat)) * step


@_compiled
def sgd_span(p, g, v, lr, mu, nesterov, c, add):
    """Run scikit-learn's SGD on one stretch, with ``lr`` passed as ``-lr``.

    ::

        g = g + c * p                  (if add: the L2 term)
        p = p - lr * g                 (if mu == 0)
        v = mu * v - lr * g
        p = p + mu * v - lr * g        (nesterov)
        p = p + v                      (otherwise)
    """
    plain = mu == 0.0
    for i in range(p.shape[0]):
        gi = g[i]
        if add:
            gi = gi + p[i] * c
        gi = gi * lr
        if plain:
            p[i] = p[i] + gi
        else:
            vi = v[i] * mu + gi
            v[i] = vi
            if nesterov:
                p[i] = (p[i] + vi * mu) + gi
            else:
                p[i] = p[i] + vi


@_compiled
def momentum_span(p, g, buf, lr, mu, nesterov, c, add):
    """Run torch.optim.SGD's momentum on one stretch, ``lr`` passed as ``-lr``.

    ::

        g   = g + c * p                (if add: the L2 term)
        buf = mu * buf + g
        p   = p - lr * (g + mu * buf)  (nesterov)
        p   = p - lr * buf             (otherwise)
    """
    for i in range(p.shape[0]):
        gi = g[i]
        if add:
            gi = gi + p[i] * c
        bi = buf[i] * mu + gi
        buf[i] = bi
        if nesterov:
            p[i] = p[i] + (gi + bi * mu) * lr
        else:
            p[i] = p[i] + bi * lr


@_compiled
def adagrad_span(p, g, G, lr, eps, c, add):
    """Run Adagrad on one stretch, ``lr`` passed as ``-lr``.

    ::

        g = g + c * p                  (if add: the L2 term)
        G = G + g**2
        p = p - lr * g / (sqrt(G) + eps)
    """
    for i in range(p.shape[0]):
        gi = g[i]
        if add:
            gi = gi + p[i] * c
        Gi = G[i] + gi * gi
        G[i] = Gi
        p[i] = p[i] + (gi / (np.sqrt(Gi) + eps)) * lr


@_compiled
def rmsprop_span(p, g, E, g_avg, buf, lr, rho, one_minus, eps, mu, cen, mom, c, add):
    """Run RMSprop on one stretch, ``lr`` passed as ``-lr``.

    ``one_minus`` is ``1 - rho`` rounded to the buffers' dtype, as numpy
    rounds the Python float; ``cen`` (centered) and ``mom`` (momentum > 0)
    select the variant. ``max`` is numpy's: NaN stays NaN.

    ::

        g     = g + c * p              (if add: the L2 term)
        Eg2   = rho * Eg2 + (1 - rho) * g**2
        g_avg = rho * g_avg + (1 - rho) * g          (cen)
        v     = max(Eg2 - g_avg**2, 0) if cen else Eg2
        s     = g / (sqrt(v) + eps)
        buf   = mu * buf + s;  p = p - lr * buf      (mom)
        p     = p - lr * s                           (otherwise)
    """
    zero = E.dtype.type(0)
    for i in range(p.shape[0]):
        gi = g[i]
        if add:
            gi = gi + p[i] * c
        Ei = E[i] * rho + (gi * gi) * one_minus
        E[i] = Ei
        vi = Ei
        if cen:
            ai = g_avg[i] * rho + gi * one_minus
            g_avg[i] = ai
            vi = Ei - ai * ai
            if vi < zero:
                vi = zero
        si = gi / (np.sqrt(vi) + eps)
        if mom:
            bi = buf[i] * mu + si
            buf[i] = bi
            p[i] = p[i] + bi * lr
        else:
            p[i] = p[i] + si * lr


@_compiled
def adamax_span(p, g, m, u, b1, one_minus_b1, b2, eps, step, c, add):
    """Run AdaMax on one stretch; ``step`` is ``-lr / (1 - beta_1**t)``.

    ``one_minus_b1`` is ``1 - beta_1`` rounded to the buffers' dtype, as numpy
    rounds the Python float. ``max`` is numpy's: NaN wins.

    ::

        g = g + c * p                  (if add: the L2 term)
        m = beta_1 * m + (1 - beta_1) * g
        u = max(beta_2 * u, abs(g) + eps)
        p = p + step * m / u
    """
    for i in range(p.shape[0]):
        gi = g[i]
        if add:
            gi = gi + p[i] * c
        mi = m[i] * b1 + gi * one_minus_b1
        m[i] = mi
        ai = abs(gi) + eps
        ui = u[i] * b2
        if not (ui >= ai or ui != ui):
            ui = ai
        u[i] = ui
        p[i] = p[i] + (mi / ui) * step


@_compiled
def bias_relu(z, b, a):
    """``z = z + b`` (``b`` added to every row), then ``a = max(z, 0)``, in one pass.

    ``a`` is another array (``bias_relu_inplace`` for ``a is z``: written
    through two names, the loop would not vectorize). ``max`` is numpy's: NaN
    stays NaN.
    """
    zero = z.dtype.type(0)
    for r in range(z.shape[0]):
        zr = z[r]
        ar = a[r]
        for j in range(zr.shape[0]):
            x = zr[j] + b[j]
            zr[j] = x
            ar[j] = x if (x >= zero or x != x) else zero


@_compiled
def bias_relu_inplace(z, b):
    """``z = max(z + b, 0)`` in one pass (``b`` added to every row)."""
    zero = z.dtype.type(0)
    for r in range(z.shape[0]):
        zr = z[r]
        for j in range(zr.shape[0]):
            x = zr[j] + b[j]
            zr[j] = x if (x >= zero or x != x) else zero


@_compiled
def relu_grad(d, a):
    """``d = d * (a > 0)``: the ReLU derivative applied to ``d``, in one pass."""
    d1 = d.reshape(-1)
    a1 = a.reshape(-1)
    one = d.dtype.type(1)
    zero = d.dtype.type(0)
    for i in range(d1.shape[0]):
        d1[i] = d1[i] * (one if a1[i] > 0 else zero)
