"""Activations of the course notes (identity, logistic, tanh, ReLU) and output ones."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from sklearn_adamlp import _jit
from sklearn_adamlp.activations._base import ACTIVATIONS, Activation, copy_into


@ACTIVATIONS.register("identity")
class Identity(Activation):
    """Identity, a linear unit.

    ::

        a = z
        phi'(z) = 1
    """

    name = "identity"

    def forward(self, z, out=None):
        return copy_into(z, out)

    def derivative(self, z, a, delta):
        return None


@ACTIVATIONS.register("logistic")
class Logistic(Activation):
    """Logistic sigmoid (the course notes).

    ::

        a = 1 / (1 + exp(-z))
        phi'(z) = a * (1 - a)

    References
    ----------
    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks".
    """

    name = "logistic"

    def forward(self, z, out=None):
        return expit(z, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):
        delta *= a
        delta *= 1.0 - a


@ACTIVATIONS.register("tanh")
class Tanh(Activation):
    """Hyperbolic tangent (the course notes).

    ::

        a = tanh(z)
        phi'(z) = 1 - a**2 = 4 / (exp(z) + exp(-z))**2
    """

    name = "tanh"

    def forward(self, z, out=None):
        return np.tanh(z, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):
        delta *= 1.0 - a * a


@ACTIVATIONS.register("relu")
class ReLU(Activation):
    """Rectified linear unit (the course notes).

    ::

        a = max(0, z)
        phi'(z) = 1 if z > 0 else 0

    References
    ----------
    Nair & Hinton (2010), "Rectified linear units improve restricted Boltzmann
    machines".
    """

    name = "relu"

    def forward(self, z, out=None):
        return np.maximum(z, 0, out=out if out is not None else np.empty_like(z))

    def forward_biased(self, z, b, out=None):
        """``z += b; a = max(z, 0)``: one compiled pass with the ``jit`` extra."""
        own = out is not None and type(self).forward is ReLU.forward
        if own and _jit.bias_relu(z, b, out):
            return out
        return super().forward_biased(z, b, out)

    def derivative(self, z, a, delta):
        # a > 0 exactly where z > 0, so z itself is not needed. A multiply by
        # the mask is ~8x faster than boolean-index assignment (benchmarks/);
        # the compiled pass (jit extra) needs no mask array.
        if not _jit.relu_grad(delta, a):
            np.multiply(delta, a > 0, out=delta)


def _ones(k: int, dtype) -> np.ndarray:
    """Return a cached read-only vector of ``k`` ones (row sums as a product)."""
    key = (k, np.dtype(dtype).char)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = np.ones(k, dtype=dtype)
        ones.flags.writeable = False
    return ones


_ONES: dict = {}


def softmax_lse(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write the row-wise softmax of ``z`` into ``out``; return each row's log-sum-exp.

    ::

        out_ij = exp(z_ij - c) / s_i,   s_i = sum_j exp(z_ij - c)
        lse_i  = log(sum_j exp(z_ij)) = log(s_i) + c

    Softmax is shift-invariant, so any ``c`` gives the same result while no
    ``exp`` overflows. One shift for the whole block, ``c = max(z)``, costs one
    reduction instead of a row-by-row maximum (the dearest step on a mini-batch
    of 10 classes), and the row sums are one product with a vector of ones.
    It is accurate as long as every row sum stays far from underflow: if some
    ``s_i`` falls below ``sqrt(tiny)`` (a row whose maximum lies hundreds of
    units below the block's), each row is shifted by its own maximum instead,
    as in the textbook form. Probabilities above ``sqrt(tiny)`` (1e-154 in
    float64, 1e-19 in float32) keep full relative precision either way.
    """
    s, shift = _exp_shifted(z, out)
    out /= s[:, None]
    lse = np.log(s, out=s)
    lse += shift
    return lse


def _exp_shifted(z: np.ndarray, out: np.ndarray) -> tuple:
    """``out = exp(z - c)``; return the row sums ``s`` and the shift ``c``.

    ``c`` is ``max(z)``, or each row's maximum (a column) when a row sum of the
    first try falls below ``sqrt(tiny)``; see ``softmax_lse``. A single row
    skips that check: ``max(z)`` is its own maximum, so ``s >= 1`` (or NaN,
    which the retry would give again).
    """
    ones = _ones(z.shape[1], z.dtype)
    if z.size == 0:
        return np.empty(z.shape[0], dtype=z.dtype), 0.0
    shift = z.max()
    np.subtract(z, shift, out=out)
    np.exp(out, out=out)
    s = out @ ones
    if z.shape[0] > 1 and not s.min() >= _safe_sum(z.dtype):  # true for NaN
        shift = z.max(axis=1, keepdims=True)
        np.subtract(z, shift, out=out)
        np.exp(out, out=out)
        s = out @ ones
        shift = shift[:, 0]
    return s, shift


def _safe_sum(dtype) -> float:
    safe = _SAFE_SUM.get(dtype.char)
    if safe is None:
        safe = _SAFE_SUM[dtype.char] = float(np.sqrt(np.finfo(dtype).tiny))
    return safe


_SAFE_SUM: dict = {}


class Softmax(Activation):
    """Softmax over each row (output layer only; paired with log loss).

    ::

        a_k = exp(z_k - c) / sum_j exp(z_j - c)     (any shift c; see softmax_lse)

    Its Jacobian is never formed: the loss gives ``dL/dz = a - y`` directly.
    """

    name = "softmax"

    def forward(self, z, out=None):
        out = out if out is not None else np.empty_like(z)
        s, _ = _exp_shifted(z, out)
        out /= s[:, None]
        return out

    def derivative(self, z, a, delta):
        raise TypeError("softmax is an output activation; its loss supplies dL/dz.")


class Exp(Activation):
    """Exponential, the inverse log link (output layer of the Poisson loss).

    ::

        a = exp(z)
        phi'(z) = a
    """

    name = "exp"

    def forward(self, z, out=None):
        return np.exp(z, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):
        delta *= a
