"""In-place BLAS helpers shared by the penalties, the transforms and the optimizers."""

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


def nrm2(x: FloatArray) -> float:
    """Euclidean norm of a 1-D array with BLAS (no temporary, no overflow)."""
    func = blas.dnrm2 if x.dtype == np.float64 else blas.snrm2
    return float(func(x))


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
