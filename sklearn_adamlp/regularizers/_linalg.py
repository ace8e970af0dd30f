"""In-place vector helpers shared by the penalties, the transforms and the optimizers.

They use numpy ufuncs, not scipy's BLAS: scipy ships its own OpenBLAS with its
own thread pool, and with 2 threads its level-1 calls between numpy's matrix
products made an epoch up to 4x slower (two pools spinning on two cores; see
docs/performance.md). Element-wise work gains nothing from threads anyway.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from sklearn_adamlp._typing import FloatArray

_local = threading.local()  # work arrays per thread (fits may run in threads)


def _work_array(n: int, dtype) -> FloatArray:
    """Return a reused 1-D work array of ``n`` elements (a few sizes per thread)."""
    cache = getattr(_local, "arrays", None)
    if cache is None:
        cache = _local.arrays = {}
    key = (n, np.dtype(dtype))
    buf = cache.get(key)
    if buf is None:
        if len(cache) >= 8:
            cache.clear()
        buf = cache[key] = np.empty(n, dtype=dtype)
    return buf


def axpy(a: float, x: FloatArray, y: FloatArray) -> None:
    """``y += a * x`` in place, through a reused work array (no allocation)."""
    tmp = _work_array(x.size, y.dtype).reshape(x.shape)
    np.multiply(x, a, out=tmp)
    np.add(y, tmp, out=y)


def add_scaled(a: float, x: FloatArray, y: FloatArray) -> None:
    """``y += a * x`` in place, using ``x`` as the work array (``x`` is overwritten).

    For an ``x`` that is scratch already (a gradient, a step): two in-place passes
    and no work array, where ``axpy`` must keep ``x`` intact.
    """
    x *= a
    y += x


def nrm2(x: FloatArray) -> float:
    """Euclidean norm of a 1-D array (no temporary)."""
    return math.sqrt(float(np.dot(x, x)))


def scratch(owner: object, like: FloatArray, name: str = "_scratch") -> FloatArray:
    """Return a work array shaped and typed like ``like``, kept on ``owner``.

    It is created on first use and again only when the size or dtype changes, so
    a step costs no array-sized allocation.
    """
    buf = owner.__dict__.get(name)
    if buf is None or buf.shape != like.shape or buf.dtype != like.dtype:
        buf = np.empty_like(like)
        setattr(owner, name, buf)
    return buf
