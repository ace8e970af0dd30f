"""Batch normalization of a hidden layer's pre-activations (Ioffe & Szegedy 2015).

In a training pass, over the rows ``i`` of a batch with normalized sample weights
``w_i`` (``w_i = 1/n`` without sample weights, else ``s_i / sum(s)``)::

    mu    = sum_i w_i * z_i
    var   = sum_i w_i * (z_i - mu)**2
    r     = 1 / sqrt(var + eps)
    z_hat = (z - mu) * r
    y     = gamma * z_hat + beta                  (then a = phi(y))

    running_mean = (1 - momentum) * running_mean + momentum * mu
    running_var  = (1 - momentum) * running_var  + momentum * var

Weighting the statistics by the sample weights makes an integer weight equal to
repeating the row. ``running_var`` follows the (biased) batch variance used to
normalize, not torch's unbiased ``n / (n - 1)`` correction. In an inference pass
(prediction, validation scores) ``mu`` and ``var`` are the running statistics.
Non-finite batch statistics (a diverging step) leave the running statistics
unchanged. A batch of a single row has no spread: it is normalized with the running
statistics, which it leaves unchanged, and the gradient flows through that fixed
affine map.

Backward, with ``g = dL/dy`` (already carrying the sample weights of the loss)::

    dL/dbeta  = sum_i g_i
    dL/dgamma = sum_i g_i * z_hat_i
    dL/dz_i   = gamma * r * (g_i - w_i * dL/dbeta - w_i * z_hat_i * dL/dgamma)

and, through fixed (running) statistics, ``dL/dz_i = gamma * r * g_i``.

References
----------
Ioffe, S. & Szegedy, C. (2015). "Batch Normalization: Accelerating Deep Network
Training by Reducing Internal Covariate Shift". ICML.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sklearn_adamlp._typing import FloatArray


class BatchStats:
    """Per-layer work vectors of one batch size: ``mu``, ``var``, ``r``.

    ``batch`` tells whether the last forward pass normalized with the batch's
    own statistics (training) or with fixed running ones.
    """

    def __init__(self, units: int, dtype: npt.DTypeLike) -> None:
        self.mu = np.empty(units, dtype=dtype)
        self.var = np.empty(units, dtype=dtype)
        self.r = np.empty(units, dtype=dtype)
        self.batch = False


def batch_statistics(
    z: FloatArray, h: FloatArray, w: FloatArray | None, st: BatchStats
) -> None:
    """Write the batch's weighted ``mu``, ``var`` into ``st``; ``h = z - mu``."""
    if w is None:
        np.mean(z, axis=0, out=st.mu)
    else:
        np.matmul(w, z, out=st.mu)
    np.subtract(z, st.mu, out=h)
    if w is None:
        np.einsum("ij,ij->j", h, h, out=st.var)
        st.var *= 1.0 / z.shape[0]
    else:
        np.einsum("i,ij,ij->j", w, h, h, out=st.var)
    st.batch = True


def normalize(
    z: FloatArray,
    h: FloatArray,
    gamma: FloatArray,
    beta: FloatArray,
    st: BatchStats,
    eps: float,
) -> None:
    """``h = z_hat = (z - mu) * r`` (``h`` may already hold ``z - mu``); ``z = y``.

    ``z`` is overwritten with ``gamma * z_hat + beta``.
    """
    if not st.batch:
        np.subtract(z, st.mu, out=h)
    np.add(st.var, eps, out=st.r)
    np.sqrt(st.r, out=st.r)
    np.reciprocal(st.r, out=st.r)
    h *= st.r
    np.multiply(h, gamma, out=z)
    z += beta


def forward(
    z: FloatArray,
    h: FloatArray,
    gamma: FloatArray,
    beta: FloatArray,
    st: BatchStats,
    running: tuple[FloatArray, FloatArray],
    w: FloatArray | None,
    *,
    train: bool,
    momentum: float,
    eps: float,
) -> None:
    """Normalize ``z`` in place (``z`` becomes ``y``, ``h`` holds ``z_hat``).

    ``running`` is the layer's ``(running_mean, running_var)``, updated in place
    in a training pass over more than one row.
    """
    rmean, rvar = running
    if train and z.shape[0] > 1:
        batch_statistics(z, h, w, st)
        if not (np.isfinite(st.mu).all() and np.isfinite(st.var).all()):
            st.batch = True  # a diverging batch must not poison the running state
            normalize(z, h, gamma, beta, st, eps)
            return
        rmean *= 1.0 - momentum
        rmean += momentum * st.mu
        rvar *= 1.0 - momentum
        rvar += momentum * st.var
    else:
        np.copyto(st.mu, rmean)
        np.copyto(st.var, rvar)
        st.batch = False
    normalize(z, h, gamma, beta, st, eps)


def backward(
    d: FloatArray,
    h: FloatArray,
    gamma: FloatArray,
    w: FloatArray | None,
    st: BatchStats,
    grads: tuple[FloatArray, FloatArray],
) -> None:
    """Turn ``d = dL/dy`` into ``dL/dz`` in place; write ``(dgamma, dbeta)``.

    ``h`` (``z_hat``) is used as scratch space and left changed.
    """
    dgamma, dbeta = grads
    np.sum(d, axis=0, out=dbeta)
    np.einsum("ij,ij->j", d, h, out=dgamma)
    if st.batch:
        if w is None:
            c = 1.0 / d.shape[0]
            h *= c * dgamma
            h += c * dbeta
        else:
            h *= dgamma
            h += dbeta
            h *= w[:, None]
        d -= h
    d *= gamma * st.r
