"""One forward and backward pass that keeps every layer's arrays.

The training loop's pass (``Network.loss_grad``) overwrites its work buffers
batch after batch; this pass allocates new arrays and returns them, for
inspection. It uses the same pieces as the network (the activation and loss
objects, ``batchnorm`` and ``dropout``), layer by layer, for layers
``l = 0, ..., L-1`` with ``a_0 = X``::

    z_l = a_l @ W_l + b_l
    y_l = gamma_l * (z_l - mu_l) / sqrt(var_l + eps) + beta_l   (batch norm)
    h_l = phi_l(y_l)                 (y_l = z_l without batch norm)
    a_{l+1} = h_l * m_l              (m_l: dropout mask, training only)
    out = phi_out(z_{L-1})

and backwards, from ``dL/dz_{L-1}[i] = w_i * dloss_i/dz_i`` (``w_i = 1 / n``, or
``s_i / sum(s)`` with sample weights ``s``)::

    dL/dW_l = a_l.T @ dL/dz_l,       dL/db_l = sum_i dL/dz_l[i]
    dL/da_l = dL/dz_l @ W_l.T
    dL/dy_{l-1} = (dL/da_l * m_{l-1}) * phi'_{l-1}(y_{l-1})
    dL/dz_{l-1}: through batch norm (``batchnorm.backward``)

plus the penalties' gradients (``alpha``, ``l1``) on the weights, exactly as
the objective a fit descends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from sklearn_adamlp import batchnorm, dropout
from sklearn_adamlp._typing import FloatArray


@dataclass
class Pass:
    """Arrays of one pass (see the module docstring for the symbols)."""

    pre: list = field(default_factory=list)  # y_l (hidden), z_{L-1} (output)
    act: list = field(default_factory=list)  # h_l (hidden), out (output)
    masks: list = field(default_factory=list)  # m_l or None, hidden layers
    inputs: list = field(default_factory=list)  # a_l fed to layer l
    norm: list = field(default_factory=list)  # (z_hat, BatchStats) per layer
    sample_weight: FloatArray | None = None  # s_i, as given


def _product(a, W: FloatArray, b: FloatArray, dtype) -> FloatArray:
    z = a @ W if sp.issparse(a) else np.matmul(a, W)
    z = np.asarray(z, dtype=dtype)
    z += b
    return z


def _mask(rng, keys, rate: float, like: FloatArray) -> FloatArray:
    """Return a new inverted-dropout mask shaped like ``like`` (``draw_mask``)."""
    m = np.empty_like(like)
    scratch = (np.empty(m.shape, np.uint64), np.empty(m.shape, np.uint64))
    return dropout.draw_mask(keys, dropout.new_salt(rng), rate, m, scratch)


def forward(
    net, flat: FloatArray, X, *, training: bool, random_state, sample_weight=None
) -> Pass:
    """Run the pass of ``net`` at parameters ``flat``; see the module docstring.

    ``training`` normalizes with the batch statistics of ``X`` (the network's
    running statistics are left unchanged) and draws dropout masks from a
    generator seeded with ``random_state``; otherwise the running statistics
    are used and no mask is drawn, as in ``predict``. ``sample_weight``
    weighs the batch statistics (``w_i = s_i / sum(s)``) as in a fit.
    """
    W, b = net.layout.views(flat)
    gammas, betas = net.layout.norm_views(flat)
    dt = net.dtype
    drop = training and any(net.dropout_rates)
    rng = np.random.default_rng(random_state) if drop else None
    keys = dropout.row_keys(X) if drop else None
    p = Pass(sample_weight=sample_weight)
    w = None if sample_weight is None else sample_weight / sample_weight.sum()
    a = X
    for l, act in enumerate(net.activations):
        p.inputs.append(a)
        z = _product(a, W[l], b[l], dt)
        if net.batch_norm:
            h = np.empty_like(z)
            st = batchnorm.BatchStats(z.shape[1], dt)
            running = tuple(r.copy() for r in (net.running_mean[l], net.running_var[l]))
            batchnorm.forward(
                z, h, gammas[l], betas[l], st, running, w,
                train=training, momentum=net.bn_momentum, eps=net.bn_eps,
            )  # fmt: skip
            p.norm.append((h, st))
        h_l = act.forward(z, out=np.empty_like(z))
        p.pre.append(z)
        p.act.append(h_l)
        m = None
        if rng is not None and keys is not None and net.dropout_rates[l] > 0:
            m = _mask(rng, keys, net.dropout_rates[l], h_l)
        p.masks.append(m)
        a = h_l if m is None else h_l * m
    p.inputs.append(a)
    raw = _product(a, W[-1], b[-1], dt)
    p.pre.append(raw)
    p.act.append(net.loss.out_activation.forward(raw, out=np.empty_like(raw)))
    return p


def backward(net, flat: FloatArray, p: Pass, Y: FloatArray):
    """Return ``(loss, grad_pre, grad_W, grad_b)`` of the objective on ``Y``.

    ``loss`` is the sample mean of the per-sample losses plus the penalties
    (the value a fit's ``loss_`` reports); ``grad_pre[l]`` is the gradient
    with respect to ``pre[l]`` (the argument of layer ``l``'s activation);
    ``grad_W`` includes the penalties' gradients, ``grad_b`` has none.
    """
    W, _ = net.layout.views(flat)
    gammas, _ = net.layout.norm_views(flat)
    raw, out = p.pre[-1], p.act[-1]
    n = raw.shape[0]
    sw = p.sample_weight
    loss = float(net.loss.value(Y, raw, out, sw))
    d = net.loss.gradient(Y, raw, out, np.empty_like(raw))
    total = float(n if sw is None else sw.sum())
    w = None if sw is None else (sw / total).astype(d.dtype)
    if w is None:
        d *= 1.0 / n
    else:
        d *= w[:, None]
    gflat = np.zeros_like(flat)
    gW, gb = net.layout.views(gflat)
    last = len(W) - 1
    grad_pre = [None] * (last + 1)
    for l in range(last, -1, -1):
        if l < last:  # d = dL/da_{l+1} -> dL/dy_l -> dL/dz_l
            if p.masks[l] is not None:
                d *= p.masks[l]
            net.activations[l].derivative(p.pre[l], p.act[l], d)
            grad_pre[l] = d.copy()
            if net.batch_norm:
                h, st = p.norm[l]
                dg = np.empty_like(gammas[l])
                batchnorm.backward(d, h.copy(), gammas[l], w, st, (dg, dg.copy()))
        else:
            grad_pre[l] = d.copy()
        a = p.inputs[l]
        gW[l][...] = a.T @ d
        gb[l][...] = d.sum(axis=0)
        if l > 0:
            d = d @ W[l].T
    weights = net.layout.weights
    for penalty in net.penalties:
        loss += float(penalty(flat[weights], gflat[weights], 1.0 / total))
    return loss, grad_pre, [g.copy() for g in gW], [g.copy() for g in gb]
