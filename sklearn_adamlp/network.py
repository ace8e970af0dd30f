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

Optional hidden-layer steps (see ``batchnorm`` and ``dropout`` for their
equations): batch normalization between ``z_l`` and ``phi_l`` and inverted
dropout on ``a_{l+1}``. ``loss_grad`` is a *training* pass (batch statistics,
random masks, running statistics updated); ``forward``/``predict`` are
*inference* passes (running statistics, no masks), deterministic.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from sklearn_adamlp import batchnorm
from sklearn_adamlp import dropout as _dropout
from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.activations import Activation
from sklearn_adamlp.initializers import Initializer
from sklearn_adamlp.layout import ParamLayout, aligned_empty
from sklearn_adamlp.losses import Loss

#: rows per block of the inference pass (hidden activations of a block stay in
#: cache; one block for small inputs, e.g. a single row)
INFER_ROWS = 1024


class _Buffers:
    """Per-batch-size work arrays: pre-activations, activations, deltas.

    ``ones`` (n ones) turns the bias gradients' column sums into products.
    With batch norm, ``H`` holds each hidden layer's ``z_hat`` and ``stats`` its
    batch statistics; with dropout (training buffers only), ``M`` holds the masks
    and ``Ad`` the masked activations. ``inputs[l]`` is what hidden layer ``l``
    fed forward in the last pass.
    """

    def __init__(self, n: int, net: Network, train: bool = True) -> None:
        units, dt = net.layout.layer_units[1:], net.dtype
        hidden = units[:-1]
        bn = net.layout.batch_norm
        self.H = [np.empty((n, u), dtype=dt) for u in hidden] if bn else []
        self.stats = [batchnorm.BatchStats(u, dt) for u in hidden] if bn else []
        drop = [train and p > 0 for p in net.dropout_rates]
        self.M = [
            np.empty((n, u), dtype=dt) if k else None
            for u, k in zip(hidden, drop, strict=True)
        ]
        self.Ad = [None if m is None else np.empty_like(m) for m in self.M]
        width = max((u for u, k in zip(hidden, drop, strict=True) if k), default=0)
        self._scratch = np.empty((2, n * width), dtype=np.uint64)
        self.Z = [np.empty((n, u), dtype=dt) for u in units]
        # A hidden activation whose derivative needs only a = phi(z) is applied
        # in place: its a-buffer is its z-buffer.
        self.A = [
            np.empty_like(z) if act.needs_z else z
            for z, act in zip(self.Z[:-1], net.activations, strict=True)
        ]
        self.out = np.empty((n, units[-1]), dtype=dt)
        self.D = [np.empty_like(z) for z in self.Z]
        self.inputs = list(self.A)
        # bias gradients as ones @ delta: one BLAS product, cheaper than
        # np.sum(axis=0) on a mini-batch (benchmarks/profile_epoch.py)
        self.ones = np.ones(n, dtype=dt)

    def scratch(self, l: int) -> tuple[np.ndarray, np.ndarray]:
        """Two uint64 work arrays shaped like hidden layer ``l``'s mask."""
        mask = self.M[l]
        assert mask is not None, "scratch is for dropout layers, which have a mask"
        first, second = self._scratch
        return (
            first[: mask.size].reshape(mask.shape),
            second[: mask.size].reshape(mask.shape),
        )


def _dot(a, b, out: FloatArray) -> None:
    """``out[...] = a @ b``; ``a`` may be a scipy.sparse matrix."""
    if sp.issparse(a):
        out[...] = a @ b
    else:
        np.matmul(a, b, out=out)


def _first_layer_finite(z: FloatArray) -> bool:
    """Whether ``z = X @ W`` shows no NaN or inf of ``X``: one column checked.

    A NaN or an inf in row ``i`` of ``X`` makes every entry of row ``i`` of ``z``
    NaN or infinite (``nan * w = nan``, ``inf * w = +-inf``, ``inf * 0 = nan``,
    ``inf - inf = nan``), so any one column of ``z`` shows it. The converse does
    not hold: a finite ``X`` whose product overflows also fails (as do
    non-finite weights). ``isfinite`` rather than a sum: no warnings.
    """
    return bool(np.isfinite(z[:, 0]).all())


@functools.lru_cache(maxsize=4)
def products_propagate_nonfinite(dtype) -> bool:
    """Whether this BLAS makes ``inf * 0`` NaN inside a matrix product.

    ``_first_layer_finite`` relies on it. OpenBLAS and MKL do, but reference
    BLAS's GEMM skips zero entries of ``W`` (and would hide an ``inf`` of ``X``
    behind them), so the first use per dtype probes a product of a realistic
    size, with a zero row of ``W`` under the ``inf``, and callers fall back to
    checking ``X`` itself if the NaN does not appear.
    """
    dt = np.dtype(dtype)
    X = np.ones((64, 96), dtype=dt)
    W = np.ones((96, 32), dtype=dt)
    X[7, 5], W[5] = np.inf, 0.0
    with np.errstate(invalid="ignore"):
        z = X @ W
    return bool(np.isnan(z[7]).all() and np.isfinite(np.delete(z, 7, axis=0)).all())


def _first_product(X, W: FloatArray, out=None, quiet=False) -> FloatArray:
    """Return ``X @ W`` (``_product``); ``quiet`` silences "invalid value".

    ``quiet`` is for an input not yet checked: ``inf * 0`` in the product (see
    ``_first_layer_finite``).
    """
    if quiet:
        with np.errstate(invalid="ignore"):
            return _product(X, W, out)
    return _product(X, W, out)


def _product(a, W: FloatArray, out=None) -> FloatArray:
    """Return ``a @ W``: a new array, or ``out``; ``a`` may be sparse."""
    if out is None:
        return a @ W
    _dot(a, W, out=out)
    return out


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
    dropout : float or sequence of float, default=0.0
        Drop rate in [0, 1) of every hidden layer's activations, or one per
        hidden layer (training passes only).
    batch_norm : bool, default=False
        Batch-normalize every hidden layer's pre-activations; ``gamma`` and
        ``beta`` live in the flat buffer after the biases.
    rng : int, numpy.random.Generator or None, default=None
        Seed or generator of the dropout masks (``numpy.random.default_rng``).
    bn_momentum : float, default=0.1
        Weight of the newest batch in the running statistics (torch's default).
    bn_eps : float, default=1e-5
        Added to the variance before the square root.

    Attributes
    ----------
    running : ndarray of shape (2, total hidden units)
        Batch-norm running means (row 0, start 0) and variances (row 1, start 1):
        network state, not parameters; see ``running_mean``/``running_var``.
    """

    def __init__(
        self,
        layer_units: Sequence[int],
        activations: Sequence[Activation],
        loss: Loss,
        dtype=np.float64,
        penalties: Sequence = (),
        dropout: float | Sequence[float] = 0.0,
        batch_norm: bool = False,
        rng=None,
        bn_momentum: float = 0.1,
        bn_eps: float = 1e-5,
    ) -> None:
        self.layout = ParamLayout(layer_units, batch_norm=batch_norm)
        if len(activations) != self.layout.n_layers - 1:
            raise ValueError(
                f"{len(activations)} activations given for "
                f"{self.layout.n_layers - 1} hidden layers"
            )
        self.activations = list(activations)
        self.loss = loss
        self.dtype = np.dtype(dtype)
        self.penalties = list(penalties)
        n_hidden = self.layout.n_layers - 1
        self.dropout_rates = _dropout.layer_rates(dropout, n_hidden)
        self.rng = np.random.default_rng(rng) if any(self.dropout_rates) else None
        self.bn_momentum, self.bn_eps = float(bn_momentum), float(bn_eps)
        self.running = np.zeros((2, self.layout.n_norm // 2), dtype=self.dtype)
        self.running[1] = 1
        self._cache: dict[int, _Buffers] = {}
        self._views_cache: dict[int, tuple] = {}

    @property
    def batch_norm(self) -> bool:
        """Whether hidden pre-activations are batch-normalized."""
        return self.layout.batch_norm

    def _running(self, l: int, running=None) -> tuple[FloatArray, FloatArray]:
        r = self.running if running is None else running
        o = self.layout.norm_offsets - self.layout.n_biases_end
        return r[0, o[l] : o[l + 1]], r[1, o[l] : o[l + 1]]

    @property
    def running_mean(self) -> list[FloatArray]:
        """Per-hidden-layer batch-norm running means (views of ``running``)."""
        return [self._running(l)[0] for l in range(len(self.layout.norm_offsets) - 1)]

    @property
    def running_var(self) -> list[FloatArray]:
        """Per-hidden-layer batch-norm running variances (views of ``running``)."""
        return [self._running(l)[1] for l in range(len(self.layout.norm_offsets) - 1)]

    def row_keys(self, X) -> np.ndarray | None:
        """Dropout's per-row keys of ``X`` (``dropout.row_keys``); None without dropout.

        A mask depends on its row only through the key, a hash of the row's
        values, so the training loop hashes the data once per fit and gathers
        each batch's keys with its rows instead of hashing every batch.
        """
        return None if self.rng is None else _dropout.row_keys(X)

    def seed_dropout(self, random_state) -> None:
        """Seed the mask generator from a RandomState (only if dropout is on).

        Draws one integer from ``random_state``, so a network without dropout
        leaves the estimator's random sequence untouched.
        """
        if any(self.dropout_rates):
            self.rng = np.random.default_rng(random_state.randint(2**31 - 1))

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_cache"] = {}  # work arrays are rebuilt on demand
        state["_views_cache"] = {}
        return state

    def init_params(self, initializers: Sequence[Initializer], rng) -> FloatArray:
        """Return a new flat buffer initialized layer by layer (weights, then bias)."""
        flat = aligned_empty(self.layout.n_params, self.dtype)
        W, b = self.layout.views(flat)
        for l, ((fan_in, fan_out), init) in enumerate(
            zip(self.layout.coef_shapes, initializers, strict=True)
        ):
            W[l][...] = init((fan_in, fan_out), rng=rng, dtype=self.dtype)
            b[l][...] = init.bias(fan_in, fan_out, rng=rng, dtype=self.dtype)
        self.layout.reset_norm(flat)
        return flat

    def _buffers(self, n: int) -> _Buffers:
        bufs = self._cache.get(n)
        if bufs is None:
            if len(self._cache) >= 4:  # a few sizes per fit: full, last, validation
                self._cache.clear()
            bufs = self._cache[n] = _Buffers(n, self)
        return bufs

    def _forward(
        self,
        flat: FloatArray,
        X,
        bufs: _Buffers,
        train=False,
        w=None,
        running=None,
        keys=None,
    ):
        W, b, gammas, betas = self._param_views(flat)
        a = X
        last = self.layout.n_layers - 1
        if keys is None and train and self.rng is not None:
            keys = _dropout.row_keys(X)
        for l in range(last):
            z = bufs.Z[l]
            _dot(a, W[l], out=z)
            if self.batch_norm:
                z += b[l]
                batchnorm.forward(
                    z, bufs.H[l], gammas[l], betas[l], bufs.stats[l],
                    self._running(l, running), w, train=train,
                    momentum=self.bn_momentum, eps=self.bn_eps,
                )  # fmt: skip
                a = self.activations[l].forward(z, out=bufs.A[l])
            else:  # z += b; a = phi(z), in one pass where the activation can
                a = self.activations[l].forward_biased(z, b[l], out=bufs.A[l])
            mask = bufs.M[l]
            if train and mask is not None:
                # a layer with a mask has a rate > 0, so the network has a generator
                assert self.rng is not None
                salt = _dropout.new_salt(self.rng)
                p = self.dropout_rates[l]
                m = _dropout.draw_mask(keys, salt, p, mask, bufs.scratch(l))
                a = np.multiply(a, m, out=bufs.Ad[l])
            bufs.inputs[l] = a
        z = bufs.Z[last]
        _dot(a, W[last], out=z)
        z += b[last]  # the output activation is applied with the loss value

    def forward(
        self, flat: FloatArray, X, running=None, on_nonfinite=None
    ) -> tuple[FloatArray, FloatArray]:
        """``(raw, out)`` for ``X``: output pre-activations and activations (new).

        The inference pass: batch norm uses the running statistics (``running``
        replaces them, e.g. a snapshot's), no dropout. Rows go through in blocks
        of ``INFER_ROWS`` so the hidden activations stay in cache, and only the
        arrays inference needs are allocated (no deltas, no masks).

        ``on_nonfinite``, if given, is called (without arguments) when a block's
        first-layer pre-activations show a NaN or an inf (``_first_layer_finite``),
        which every NaN or inf in ``X`` causes: an input check for a fraction of
        a pass over ``X``. It raises to reject ``X``; if it returns (a finite
        ``X`` whose products overflow), the pass goes on without further checks.
        """
        n, k = X.shape[0], self.layout.layer_units[-1]
        raw = np.empty((n, k), dtype=self.dtype)
        out = np.empty((n, k), dtype=self.dtype)
        params = self._param_views(flat)
        check = on_nonfinite is not None
        whole = n <= INFER_ROWS  # one block: the arrays themselves, no slicing
        for start in range(0, max(n, 1), INFER_ROWS):
            rows = slice(start, start + INFER_ROWS)
            Xb, raw_b, out_b = (
                (X, raw, out) if whole else (X[rows], raw[rows], out[rows])
            )
            if check and self._infer(params, Xb, raw_b, out_b, running, check=True):
                continue
            if check:  # stopped after the first layer
                on_nonfinite()  # raises for a NaN or inf in X
                check = False  # X is finite: its products overflow
            self._infer(params, Xb, raw_b, out_b, running)  # numpy's usual warnings
        return raw, out

    def predict(
        self, flat: FloatArray, X, running=None, on_nonfinite=None
    ) -> FloatArray:
        """Output-layer activations for ``X`` (a new array); see ``forward``."""
        return self.forward(flat, X, running, on_nonfinite)[1]

    def _param_views(self, flat: FloatArray) -> tuple:
        """``(W, b, gammas, betas)`` views of ``flat`` (or of a gradient twin).

        Cached per buffer (the parameters and the gradient of a fit, a snapshot):
        building the views costs more than a small layer's product.
        """
        cached = self._views_cache.get(id(flat))
        if cached is None or cached[0] is not flat:
            if len(self._views_cache) >= 8:
                self._views_cache.clear()
            W, b = self.layout.views(flat)
            cached = (flat, W, b, *self.layout.norm_views(flat))
            self._views_cache[id(flat)] = cached
        return cached[1:]

    def _infer(self, params, X, raw, out, running, check=False) -> bool:
        """Write one block's ``raw`` and ``out``; return False if the check fails.

        With ``check``, the first layer's pre-activations are checked for a NaN
        or inf of ``X`` (``_first_layer_finite``) and the pass stops there if
        they fail, with no warning from the product.
        """
        W, b, gammas, betas = params
        last = len(W) - 1
        z = _first_product(X, W[0], out=raw if last == 0 else None, quiet=check)
        if check and not _first_layer_finite(z):
            return False
        for l, act in enumerate(self.activations):  # z: layer l's x @ W, no bias
            if self.batch_norm:
                z += b[l]
                mean, var = self._running(l, running)
                scale = gammas[l] / np.sqrt(var + self.bn_eps)
                z -= mean  # y = gamma * (z - mean) / sqrt(var + eps) + beta
                z *= scale
                z += betas[l]
                a = act.forward(z, out=z)
            else:
                a = act.forward_biased(z, b[l], out=z)
            z = _product(a, W[l + 1], out=raw if l + 1 == last else None)
        z += b[last]
        self.loss.out_activation.forward(raw, out=out)
        return True

    def loss_grad(
        self,
        flat: FloatArray,
        grad: FloatArray,
        X,
        Y: FloatArray,
        sample_weight: FloatArray | None = None,
        terms: list | None = None,
        keys: np.ndarray | None = None,
    ) -> float:
        """Return the batch loss and write its gradient into ``grad``.

        The loss is the sample-weighted mean of the per-sample losses plus the
        penalties; ``grad`` is the flat twin of ``flat``. With a list ``terms``,
        a penalty that offers a ``grad_term`` (L2) appends it there instead of
        adding its gradient to ``grad``: the caller hands the terms to
        ``Optimizer.step``, which adds them inside its own pass. ``keys`` are
        the rows' dropout keys (``row_keys``), computed here when not given.

        Weights that sum to zero (non-negative weights all zero) carry no data:
        the loss is 0 and ``grad`` is zeroed, penalties included (they are
        scaled by ``1 / sum(sample_weight)``); no term is appended.
        """
        n = X.shape[0]
        if sample_weight is None:
            sw_sum, w = float(n), None
        else:
            sw_sum = float(sample_weight.sum())
            if sw_sum == 0.0:  # no data: no objective (penalties scale by 1/sum)
                grad[...] = 0.0
                return 0.0
            w = (sample_weight / sw_sum).astype(self.dtype, copy=False)
        bufs = self._buffers(n)
        self._forward(flat, X, bufs, train=True, w=w, keys=keys)
        raw, out = bufs.Z[-1], bufs.out
        loss = self.loss.output_value(Y, raw, out, sample_weight)

        d = self.loss.gradient(Y, raw, out, bufs.D[-1])
        if w is None:
            d *= 1.0 / n
        else:
            d *= w[:, None]
        self._backward(flat, grad, X, bufs, w)

        weights = self.layout.weights
        for penalty in self.penalties:
            if terms is not None and hasattr(penalty, "grad_term"):
                loss += penalty.value(flat[weights], 1.0 / sw_sum)
                term = penalty.grad_term(1.0 / sw_sum, weights.stop)
                if term is not None:
                    terms.append(term)
            else:
                loss += penalty(flat[weights], grad[weights], 1.0 / sw_sum)
        return loss

    def _backward(self, flat: FloatArray, grad: FloatArray, X, bufs: _Buffers, w):
        W, _, gammas, _ = self._param_views(flat)
        gW, gb, g_gammas, g_betas = self._param_views(grad)
        last = self.layout.n_layers - 1
        for l in range(last, -1, -1):
            d = bufs.D[l]
            if l < last:  # d = dL/d(input of layer l+1) -> dL/dz_l
                if bufs.M[l] is not None:
                    d *= bufs.M[l]
                self.activations[l].derivative(bufs.Z[l], bufs.A[l], d)
                if self.batch_norm:
                    grads = (g_gammas[l], g_betas[l])
                    batchnorm.backward(d, bufs.H[l], gammas[l], w, bufs.stats[l], grads)
            a = X if l == 0 else bufs.inputs[l - 1]
            _dot(a.T, d, out=gW[l])
            np.matmul(bufs.ones, d, out=gb[l])  # column sums of d
            if l > 0:  # no input gradient for the first layer
                np.matmul(d, W[l].T, out=bufs.D[l - 1])
