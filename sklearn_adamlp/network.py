"""The network: forward and backward passes over one flat parameter buffer.

``W[l]`` and ``b[l]`` are views into the flat buffer (see ``layout``), and the
gradients are views into a twin buffer, so an optimizer updates every parameter
with a few vectorized operations on one array. Activation and delta buffers are
allocated once per batch size and reused by every batch of that size.

Backpropagation, for layers l = L-1, ..., 0 with ``a_0 = X``::

    z_l = a_l @ W_l + b_l,        a_{l+1} = phi_l(z_l),     out = phi_out(z_{L-1})
    d_{L-1} = dL/dz_{L-1} = (out - y) * s / sum(s)        (s: sample weights)
    dW_l = a_l.T @ d_l,           db_l = sum_i d_l[i]
    d_{l-1} = (d_l @ W_l.T) * phi'_{l-1}(z_{l-1})
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.activations import Activation
from sklearn_adamlp.initializers import Initializer
from sklearn_adamlp.layout import ParamLayout
from sklearn_adamlp.losses import Loss


class _Buffers:
    """Per-batch-size work arrays: pre-activations, activations, deltas."""

    def __init__(self, n: int, net: Network) -> None:
        units, dt = net.layout.layer_units[1:], net.dtype
        self.Z = [np.empty((n, u), dtype=dt) for u in units]
        # A hidden activation whose derivative needs only a = phi(z) is applied
        # in place: its a-buffer is its z-buffer.
        self.A = [
            np.empty_like(z) if act.needs_z else z
            for z, act in zip(self.Z[:-1], net.activations, strict=True)
        ]
        self.out = np.empty((n, units[-1]), dtype=dt)
        self.D = [np.empty_like(z) for z in self.Z]


def _dot(a, b, out: FloatArray) -> None:
    """``out[...] = a @ b``; ``a`` may be a scipy.sparse matrix."""
    if sp.issparse(a):
        out[...] = a @ b
    else:
        np.matmul(a, b, out=out)


class Network:
    """A multilayer perceptron over a flat parameter buffer.

    Parameters
    ----------
    layer_units : sequence of int
        ``[n_features, hidden_1, ..., n_outputs]``.
    activations : sequence of Activation
        One activation per hidden layer.
    loss : Loss
        The loss; its ``out_activation`` is the output layer's activation.
    dtype : numpy dtype
        float32 or float64, for parameters and every buffer.
    penalties : sequence of callables, default=()
        ``penalty(w, gw, scale) -> float`` terms on the weight slice.
    """

    def __init__(
        self,
        layer_units: Sequence[int],
        activations: Sequence[Activation],
        loss: Loss,
        dtype=np.float64,
        penalties: Sequence = (),
    ) -> None:
        self.layout = ParamLayout(layer_units)
        if len(activations) != self.layout.n_layers - 1:
            raise ValueError(
                f"{len(activations)} activations given for "
                f"{self.layout.n_layers - 1} hidden layers"
            )
        self.activations = list(activations)
        self.loss = loss
        self.dtype = np.dtype(dtype)
        self.penalties = list(penalties)
        self._cache: dict[int, _Buffers] = {}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_cache"] = {}  # work arrays are rebuilt on demand
        return state

    def init_params(self, initializers: Sequence[Initializer], rng) -> FloatArray:
        """Return a new flat buffer initialized layer by layer (weights, then bias)."""
        flat = np.empty(self.layout.n_params, dtype=self.dtype)
        W, b = self.layout.views(flat)
        for l, ((fan_in, fan_out), init) in enumerate(
            zip(self.layout.coef_shapes, initializers, strict=True)
        ):
            W[l][...] = init((fan_in, fan_out), rng=rng, dtype=self.dtype)
            b[l][...] = init.bias(fan_in, fan_out, rng=rng, dtype=self.dtype)
        return flat

    def _buffers(self, n: int) -> _Buffers:
        bufs = self._cache.get(n)
        if bufs is None:
            if len(self._cache) >= 4:  # a few sizes per fit: full, last, validation
                self._cache.clear()
            bufs = self._cache[n] = _Buffers(n, self)
        return bufs

    def _forward(self, flat: FloatArray, X, bufs: _Buffers) -> None:
        W, b = self.layout.views(flat)
        a = X
        last = self.layout.n_layers - 1
        for l in range(last):
            z = bufs.Z[l]
            _dot(a, W[l], out=z)
            z += b[l]
            a = self.activations[l].forward(z, out=bufs.A[l])
        z = bufs.Z[last]
        _dot(a, W[last], out=z)
        z += b[last]
        self.loss.out_activation.forward(z, out=bufs.out)

    def forward(self, flat: FloatArray, X) -> tuple[FloatArray, FloatArray]:
        """``(raw, out)`` for ``X``: output pre-activations and activations (new)."""
        bufs = _Buffers(X.shape[0], self)
        self._forward(flat, X, bufs)
        return bufs.Z[-1], bufs.out

    def predict(self, flat: FloatArray, X) -> FloatArray:
        """Output-layer activations for ``X`` (a new array)."""
        return self.forward(flat, X)[1]

    def loss_grad(
        self,
        flat: FloatArray,
        grad: FloatArray,
        X,
        Y: FloatArray,
        sample_weight: FloatArray | None = None,
    ) -> float:
        """Return the batch loss and write its gradient into ``grad``.

        The loss is the sample-weighted mean of the per-sample losses plus the
        penalties; ``grad`` is the flat twin of ``flat``.
        """
        n = X.shape[0]
        bufs = self._buffers(n)
        self._forward(flat, X, bufs)
        raw, out = bufs.Z[-1], bufs.out
        loss = self.loss.value(Y, raw, out, sample_weight)

        d = self.loss.gradient(Y, raw, out, bufs.D[-1])
        if sample_weight is None:
            sw_sum = float(n)
            d *= 1.0 / n
        else:
            sw_sum = float(sample_weight.sum())
            d *= (sample_weight / sw_sum).astype(self.dtype, copy=False)[:, None]
        self._backward(flat, grad, X, bufs)

        lay = self.layout
        for penalty in self.penalties:
            loss += penalty(flat[lay.weights], grad[lay.weights], 1.0 / sw_sum)
        return loss

    def _backward(self, flat: FloatArray, grad: FloatArray, X, bufs: _Buffers):
        W, _ = self.layout.views(flat)
        gW, gb = self.layout.views(grad)
        for l in range(self.layout.n_layers - 1, -1, -1):
            d = bufs.D[l]
            a = X if l == 0 else bufs.A[l - 1]
            _dot(a.T, d, out=gW[l])
            np.sum(d, axis=0, out=gb[l])
            if l > 0:  # no input gradient for the first layer
                d_prev = bufs.D[l - 1]
                np.matmul(d, W[l].T, out=d_prev)
                self.activations[l - 1].derivative(bufs.Z[l - 1], a, d_prev)
