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

Where the uniforms come from: a counter-based hash keyed by the row's content::

    key_i  = mix(sum_k bits(x_ik) * c_k)            (once per batch, mod 2**64)
    salt   ~ the network's numpy Generator          (once per layer and pass)
    u_ij   = mix(key_i + (j + 1) * G ^ salt) / 2**64

with ``mix`` the SplitMix64 finalizer, fixed odd constants ``c_k`` and ``G``.
Identical rows of a batch get identical masks, so a sample of integer weight
``k`` trains exactly like ``k`` repeated rows (scikit-learn's sample-weight
equivalence), and the masks do not depend on the row order; different rows and
successive passes get independent-looking masks. The generator (seeded from the
estimator's ``random_state``) makes fits reproducible; the global ``np.random``
is never used. Masks are written into buffers allocated once per batch size.

References
----------
Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. & Salakhutdinov, R.
(2014). "Dropout: A Simple Way to Prevent Neural Networks from Overfitting".
JMLR 15, 1929-1958.

Steele, G., Lea, D. & Flood, C. (2014). "Fast splittable pseudorandom number
generators" (SplitMix64). OOPSLA.
"""

from __future__ import annotations

from numbers import Real
from typing import Any, TypeGuard

import numpy as np
import scipy.sparse as sp

from sklearn_adamlp._typing import FloatArray

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def layer_rates(dropout: object, n_hidden: int) -> list[float]:
    """Drop rate per hidden layer from a float or a sequence of floats in [0, 1)."""
    if _is_number(dropout):
        rates = [float(dropout)] * n_hidden
        names = ["dropout"] * n_hidden
    elif not isinstance(dropout, list | tuple):
        raise TypeError(
            f"dropout={dropout!r} is a {type(dropout).__name__}: give a float in "
            "[0, 1) or a list of them, one per hidden layer."
        )
    else:
        rates, names = [], []
        for i, p in enumerate(dropout):
            if not _is_number(p):
                raise TypeError(
                    f"dropout[{i}]={p!r} is a {type(p).__name__}, not a number: "
                    "give one float in [0, 1) per hidden layer."
                )
            rates.append(float(p))
            names.append(f"dropout[{i}]")
        if len(rates) != n_hidden:
            raise ValueError(
                f"dropout has {len(rates)} rates but the network has {n_hidden} "
                "hidden layers; give one rate per hidden layer or a single float."
            )
    for name, p in zip(names, rates, strict=True):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"{name}={p!r}: dropout rates must be in [0, 1).")
    return rates


def _is_number(p: object) -> TypeGuard[Real | np.floating | np.integer]:
    """Return whether ``p`` is a real number and not a bool (True is no rate)."""
    return isinstance(p, Real | np.floating | np.integer) and not isinstance(
        p, bool | np.bool_
    )


def _mix(x: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer of the uint64 array ``x``, in place (``tmp``: scratch)."""
    x ^= np.right_shift(x, _S30, out=tmp)
    x *= _M1
    x ^= np.right_shift(x, _S27, out=tmp)
    x *= _M2
    x ^= np.right_shift(x, _S31, out=tmp)
    return x


def _column_constants(n_features: int) -> np.ndarray:
    """Return fixed odd uint64 multipliers ``c_k``, one per input column."""
    c = np.arange(1, n_features + 1, dtype=np.uint64) * _GOLDEN
    return _mix(c, np.empty_like(c)) | np.uint64(1)


def _bits(values: np.ndarray) -> np.ndarray:
    """Return the floats' bit patterns as uint64 (float32 widened)."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.float64:
        return values.view(np.uint64)
    return values.astype(np.float32, copy=False).view(np.uint32).astype(np.uint64)


def row_keys(X: Any) -> np.ndarray:
    """One 64-bit key per row of ``X`` (dense or sparse), a hash of its values."""
    n, f = X.shape
    c = _column_constants(f)
    if sp.issparse(X):
        X = sp.csr_matrix(X)
        keys = np.zeros(n, dtype=np.uint64)
        rows = np.repeat(np.arange(n), np.diff(X.indptr))
        np.add.at(keys, rows, _bits(X.data) * c[X.indices])
    else:  # in row blocks: float32 bits are widened to a uint64 copy
        keys = np.empty(n, dtype=np.uint64)
        for start in range(0, n, _KEY_ROWS):
            block = slice(start, start + _KEY_ROWS)
            np.matmul(_bits(X[block]), c, out=keys[block])  # wraps modulo 2**64
    return _mix(keys, np.empty_like(keys))


#: rows hashed per block by ``row_keys`` (bounds its work memory)
_KEY_ROWS = 1024


def draw_mask(
    keys: np.ndarray,
    salt: int,
    p: float,
    m: FloatArray,
    scratch: tuple[np.ndarray, np.ndarray],
) -> FloatArray:
    """Fill ``m`` (rows x units) in place with ``(u >= p) / (1 - p)``.

    ``u`` hashes the row ``keys``, the unit index and ``salt``; ``scratch`` is
    two uint64 arrays of ``m``'s shape.
    """
    u, tmp = scratch
    units = np.arange(1, m.shape[1] + 1, dtype=np.uint64) * _GOLDEN
    units ^= np.uint64(salt)
    np.add(keys[:, None], units, out=u)
    _mix(u, tmp)
    threshold = np.uint64(min(int(p * 2.0**64), 2**64 - 1))
    np.greater_equal(u, threshold, out=m)  # keep with probability 1 - p
    m *= 1.0 / (1.0 - p)
    return m


def new_salt(rng: np.random.Generator) -> int:
    """Return a fresh 64-bit salt from the network's generator."""
    return int(rng.integers(0, 2**64, dtype=np.uint64))
